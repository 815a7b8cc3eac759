"""Forms of the traceability pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class CaptureForm(forms.Form):
    document = forms.FileField(
        label=_("EPCIS 2.0 document (JSON or JSON-LD)"),
        help_text=_("An EPCISDocument; every event is checked before anything is stored."),
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The document is larger than 20 MB."))
        return upload.read()
