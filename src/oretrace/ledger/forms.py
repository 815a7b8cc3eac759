"""Forms of the ledger's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_BUNDLE_BYTES = 256 * 1024


class VerifyForm(forms.Form):
    """A proof bundle, pasted or uploaded, and the log key to check it with."""

    bundle = forms.CharField(
        label=_("Proof bundle"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
        help_text=_("Paste the text of a .tlog-proof file, or upload the file below."),
    )
    upload = forms.FileField(label=_("…or upload the file"), required=False)
    vkey = forms.CharField(
        label=_("Log key"),
        max_length=500,
        help_text=_("The log's verifier key, from a source you trust."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_BUNDLE_BYTES:
                raise forms.ValidationError(_("A proof bundle is at most 256 KiB."))
            raw = upload.read()
            try:
                data["bundle"] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The uploaded file is not a proof bundle (not UTF-8 text).")
                ) from None
        if not data.get("bundle"):
            raise forms.ValidationError(_("Paste a proof bundle or upload one."))
        return data

    def bundle_text(self) -> str:
        # Pasting often loses the final newline the signed note ends with.
        return str(self.cleaned_data["bundle"]).replace("\r\n", "\n").strip() + "\n"
