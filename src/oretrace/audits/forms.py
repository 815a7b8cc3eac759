"""Forms of the audit pages: they read and check what a page sends; services do the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oretrace.assessments.choices import SupportKind, SupportStatus
from oretrace.audits.choices import AuditType, FindingGrade
from oretrace.audits.models import ProgrammeVersion
from oretrace.core.models import Organisation
from oretrace.registry.models import Facility


class PlanForm(forms.Form):
    programme = forms.ModelChoiceField(
        queryset=ProgrammeVersion.objects.none(), label=_("Programme")
    )
    audit_type = forms.ChoiceField(choices=AuditType.choices, label=_("Type"))
    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), label=_("Facility"))
    programme_owner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label=_("Programme owner")
    )
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Scope"))
    planned_start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("Start")
    )
    planned_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("End"))

    def __init__(self, *args: Any, programmes: Any, facilities: Any, owners: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]
        self.fields["programme_owner"].queryset = owners  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    """One criterion of the checklist: its grade ("" withdraws the finding), what was seen,
    and a photo."""

    grade = forms.ChoiceField(
        choices=[("", _("No finding")), *FindingGrade.choices], required=False
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(required=False)


class ActionForm(forms.Form):
    what = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Action"))
    owner_name = forms.CharField(max_length=200, label=_("Owner"))
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Due on"))
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Root cause")
    )
    file = forms.FileField(required=False, label=_("Evidence (photo or PDF)"))


class SupportForm(forms.Form):
    kind = forms.ChoiceField(choices=SupportKind.choices, label=_("Support"))
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Message"))


class SupportAnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (SupportStatus.ACCEPTED, SupportStatus.ACCEPTED.label),
            (SupportStatus.DECLINED, SupportStatus.DECLINED.label),
            (SupportStatus.DONE, SupportStatus.DONE.label),
        ]
    )
    response = forms.CharField(required=False)
