"""Forms of the traceability pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class CaptureForm(forms.Form):
    document = forms.FileField(
        label=_("EPCIS document (2.0 JSON or JSON-LD, 1.2 or 2.0 XML)"),
        help_text=_("An EPCISDocument; every event is checked before anything is stored."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.jsonld,.xml,application/json,application/ld+json,text/xml"}
        ),
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The document is larger than 20 MB."))
        return upload.read()
