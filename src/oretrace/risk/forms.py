"""Forms of the risk app's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oretrace.risk.choices import LEVEL_LABELS, EditionKind, ScoreSubject


class EditionUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=EditionKind.choices)
    file = forms.FileField(label=_("File (.xml, .json or .csv)"))
    edition_date = forms.DateField(
        label=_("Edition date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date the edition stands for. Empty: the file's own date, else today."),
    )
    label = forms.CharField(
        label=_("Edition name"),
        required=False,
        max_length=200,
        help_text=_("Empty: the name the file gives, else the file's name."),
    )


class EditionFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("List"), required=False, choices=[("", _("All lists")), *EditionKind.choices]
    )


class ScoreFilterForm(forms.Form):
    subject = forms.ChoiceField(
        label=_("Of"),
        required=False,
        choices=[("", _("Facilities and suppliers")), *ScoreSubject.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Every level")), *LEVEL_LABELS.items()]
    )


class RecomputeForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The inputs are taken as they stood on this date; today by default."),
    )
