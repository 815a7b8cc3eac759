"""Forms of the register's and the plans' pages. The six-month rule is checked here too (the
same pure check as the services), so a wrong date is shown on its field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.risk.choices import (
    MeasureStatus,
    PlanStrategy,
    RiskCategory,
    RiskLevel,
    RiskOrigin,
    RiskStatus,
)
from oretrace.risk.register import queries
from oretrace.risk.register.reviews import latest_review, review_problem


class DateInput(forms.DateInput):
    input_type = "date"


def _date(label: Any, **options: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **options)


def _check_review(form: forms.Form, decided: str, review: str) -> None:
    data = form.cleaned_data
    if isinstance(data.get(decided), date) and isinstance(data.get(review), date):
        problem = review_problem(data[decided], data[review])
        if problem:
            form.add_error(review, problem)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *RiskStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *RiskCategory.choices]
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any")), *RiskLevel.choices]
    )
    origin = forms.ChoiceField(
        label=_("Identified"), required=False, choices=[("", _("Any")), *RiskOrigin.choices]
    )


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category (Annex II or labour)"), choices=RiskCategory)
    level = forms.ChoiceField(label=_("Level"), choices=RiskLevel, initial=RiskLevel.HIGH)
    facility: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Facility"), queryset=None, required=False
    )
    supplier: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Supplier"), queryset=None, required=False
    )
    lot: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Lot"), queryset=None, required=False
    )
    region_code = forms.CharField(
        label=_("Region (ISO 3166-2)"),
        required=False,
        max_length=10,
        help_text=_("For a risk in one region of the country, e.g. CD-NK."),
    )
    origin = forms.ChoiceField(label=_("How it was identified"), choices=RiskOrigin)
    origin_reference = forms.CharField(
        label=_("Red flag or score"),
        required=False,
        max_length=100,
        help_text=_("Which red flag or score raised it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the risk is entered by hand (required then)."),
    )
    identified_on = _date(_("Identified on"), required=False)
    score = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    red_flag = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in queries.subject_choices(member).items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=RiskStatus)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Strategy"), choices=PlanStrategy)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decided_on = _date(_("Decided on"))
    review_on = _date(_("Next review"), help_text=_("At most six months after the decision."))
    measure = forms.CharField(label=_("First measure"), required=False, max_length=300)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Its owner"), queryset=None, required=False
    )
    due_on = _date(_("Its due date"), required=False)
    indicator = forms.CharField(label=_("First indicator"), required=False, max_length=300)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=14, decimal_places=2)
    current = forms.DecimalField(
        label=_("Current value"), required=False, max_digits=14, decimal_places=2
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = queries.owners_for(member)  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["decided_on"].initial = today
        self.fields["review_on"].initial = latest_review(today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_review(self, "decided_on", "review_on")
        if data.get("measure") and not (data.get("owner") and data.get("due_on")):
            self.add_error("owner", _("A measure needs its owner and its due date."))
        if data.get("indicator") and data.get("target") is None:
            self.add_error("target", _("An indicator needs its target."))
        return data


class StrategyForm(forms.Form):
    strategy = forms.ChoiceField(label=_("New strategy"), choices=PlanStrategy)
    decided_on = _date(_("Decided on"))
    review_on = _date(_("Next review"), help_text=_("At most six months after the decision."))
    outcome = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_review(self, "decided_on", "review_on")
        return data


class ReviewForm(forms.Form):
    reviewed_on = _date(_("Reviewed on"))
    outcome = forms.CharField(
        label=_("What the review found"), widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_on = _date(_("Next review"), help_text=_("At most six months after this review."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_review(self, "reviewed_on", "next_review_on")
        return data


class CloseForm(forms.Form):
    closed_on = _date(_("Closed on"))
    outcome = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(forms.Form):
    what = forms.CharField(label=_("Measure"), max_length=300)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_on = _date(_("Due on"))

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = queries.owners_for(member)  # type: ignore[attr-defined]


class MeasureStatusForm(forms.Form):
    measure = forms.IntegerField(min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus)


class IndicatorForm(forms.Form):
    what = forms.CharField(label=_("Indicator"), max_length=300)
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    current = forms.DecimalField(
        label=_("Current value"), required=False, max_digits=14, decimal_places=2
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)


class EscalationForm(forms.Form):
    escalated_to = forms.CharField(label=_("Escalated to (senior management)"), max_length=200)
    escalated_on = _date(_("On"))
    decision = forms.CharField(
        label=_("What they decided"), widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkForm(forms.Form):
    assessments: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Improvement plans (assessments)"), queryset=None, required=False
    )
    actions: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Improvement actions"), queryset=None, required=False
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assessments, actions = queries.improvement_choices(member)
        self.fields["assessments"].queryset = assessments  # type: ignore[attr-defined]
        self.fields["actions"].queryset = actions  # type: ignore[attr-defined]
