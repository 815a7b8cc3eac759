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
        choices=[("", _("Facilities, suppliers and lots")), *ScoreSubject.choices],
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


# --- red flags ---------------------------------------------------------------------------------

from django.utils.functional import Promise  # noqa: E402

from oretrace.risk.choices import FlagSeverity, FlagState  # noqa: E402  (appended section)
from oretrace.risk.flags import RULES  # noqa: E402


def _rule_choices() -> list[tuple[str, str | Promise]]:
    return [("", _("All rules")), *((code, _(rule.title)) for code, rule in RULES.items())]


class FlagFilterForm(forms.Form):
    """The red-flag list's filters (a bad value is a form error the page shows, never a 500)."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[*FlagState.choices, ("all", _("Open and closed"))],
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=_rule_choices)
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any")), *FlagSeverity.choices]
    )
    facility = forms.IntegerField(label=_("Facility number"), required=False, min_value=1)
    supplier = forms.IntegerField(label=_("Supplier number"), required=False, min_value=1)
    lot = forms.IntegerField(label=_("Lot number"), required=False, min_value=1)

    def filters(self) -> dict[str, object]:
        """The valid filters, for ``queries.FlagFilter`` (open flags when nothing is asked)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        state = data.get("state") or FlagState.OPEN
        return {
            "state": "" if state == "all" else state,
            "rule": data.get("rule") or "",
            "severity": data.get("severity") or "",
            "facility": data.get("facility"),
            "supplier": data.get("supplier"),
            "lot": data.get("lot"),
        }
