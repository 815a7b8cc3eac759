"""Forms of the programme pages."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Country
from oretrace.programmes import catalogue
from oretrace.programmes.choices import (
    RECORDED_LICENCE_STATUSES,
    AgeBand,
    Gender,
    IloArea,
    Remediation,
    Source,
    Trainee,
)
from oretrace.programmes.indicatorsets import IndicatorSet
from oretrace.programmes.sealing import Identity


class DateInput(forms.DateInput):
    input_type = "date"


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput, required=required)


def _coordinate(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=9, decimal_places=6, required=False)


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = _date(_("Starts"))
    ends_on = _date(_("Ends"), required=False)
    partners = forms.CharField(
        label=_("Partners (one per line)"), required=False, widget=forms.Textarea({"rows": 2})
    )
    donors = forms.CharField(
        label=_("Donors (one per line)"), required=False, widget=forms.Textarea({"rows": 2})
    )
    areas = forms.MultipleChoiceField(
        label=_("ILO areas of work"),
        choices=IloArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicator_set = forms.ChoiceField(label=_("Indicator set"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_set"].choices = catalogue.choices()  # type: ignore[attr-defined]


class CountryChoice(forms.ModelChoiceField[Country]):
    """A country, named in the reader's language."""

    def label_from_instance(self, obj: Country) -> str:
        return obj.label


class VillageForm(forms.Form):
    """A village of a programme; countries named in the reader's language."""

    name = forms.CharField(label=_("Village or community"), max_length=200)
    district = forms.CharField(label=_("District"), max_length=120, required=False)
    state = forms.CharField(label=_("State"), max_length=120, required=False)
    country: forms.ModelChoiceField[Country] = CountryChoice(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="code"
    )
    latitude = _coordinate(_("Latitude"))
    longitude = _coordinate(_("Longitude"))


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=12, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2)
    by = _date(_("By"))

    def __init__(self, *args: Any, indicator_set: IndicatorSet | None, language: str, **kw: Any):
        super().__init__(*args, **kw)
        codes = indicator_set.indicators if indicator_set else ()
        self.fields["indicator"].choices = [(i.code, i.title(language)) for i in codes]  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    label = forms.CharField(label=_("Period"), max_length=60)
    starts_on = _date(_("Starts"))
    ends_on = _date(_("Ends"))


class LinkFacilityForm(forms.Form):
    facility = forms.ChoiceField(label=_("Mine or collection point"), choices=())

    def __init__(self, *args: Any, facilities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [(str(pk), name) for pk, name in facilities]  # type: ignore[attr-defined]


class Visit(TypedDict):
    """A monitoring visit as ``monitoring.record_visit`` takes it (the village apart)."""

    visited_on: dt.date
    values: dict[str, Decimal | None]
    evidence: str
    latitude: Decimal | None
    longitude: Decimal | None


class VisitForm(forms.Form):
    """A monitoring visit: one field per indicator of the set, plus day, place and evidence."""

    visited_on = _date(_("Visited on"))
    latitude = _coordinate(_("Latitude"))
    longitude = _coordinate(_("Longitude"))
    evidence = forms.CharField(
        label=_("Evidence"),
        help_text=_("What was seen and where it is kept (registers, photos, lists)."),
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, indicator_set: IndicatorSet, language: str, **kw: Any):
        super().__init__(*args, **kw)
        self.codes = [i.code for i in indicator_set.indicators]
        for indicator in indicator_set.indicators:
            self.fields[f"value_{indicator.code}"] = forms.DecimalField(
                label=indicator.title(language) + (" (%)" if indicator.unit == "percent" else ""),
                max_digits=12,
                decimal_places=2,
                required=False,
                min_value=0,
            )

    def values(self) -> dict[str, Decimal | None]:
        return {code: self.cleaned_data.get(f"value_{code}") for code in self.codes}

    def visit(self) -> Visit:
        """The valid form's visit, as the service takes it."""
        data = self.cleaned_data
        return Visit(
            visited_on=data["visited_on"],
            values=self.values(),
            evidence=data["evidence"],
            latitude=data["latitude"],
            longitude=data["longitude"],
        )


class Identification(TypedDict):
    """A child case's opening as the services take it (``cases.identify``, and a grievance's
    ``open_remediation``): who, sealed, and what the programme keeps in clear."""

    identity: Identity
    age_band: str
    identified_on: dt.date
    consent_by: str
    consent_on: dt.date
    found_working: bool


class IdentifyForm(forms.Form):
    """A child identified: who (sealed), and what the programme may keep in clear."""

    name = forms.CharField(label=_("Child's name"), max_length=200)
    birth_date = _date(_("Date of birth"), required=False)
    location = forms.CharField(label=_("Where the child lives"), max_length=300, required=False)
    village = forms.ChoiceField(label=_("Village"), choices=())
    age_band = forms.ChoiceField(label=_("Age"), choices=AgeBand.choices)
    source = forms.ChoiceField(label=_("Identified through"), choices=Source.choices)
    identified_on = _date(_("Identified on"))
    found_working = forms.BooleanField(
        label=_("Found in child labour"), required=False, initial=True
    )
    consent_by = forms.CharField(
        label=_("Consent given by"), max_length=60, help_text=_("Parent, guardian or the child.")
    )
    consent_on = _date(_("Consent given on"))

    def __init__(self, *args: Any, villages: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(str(pk), name) for pk, name in villages]  # type: ignore[attr-defined]

    def identification(self) -> Identification:
        """The valid form's case, as the services take it (the village and source apart)."""
        data = self.cleaned_data
        birth_date: dt.date | None = data["birth_date"]
        return Identification(
            identity=Identity(
                name=data["name"],
                birth_date=birth_date.isoformat() if birth_date else "",
                location=data["location"],
            ),
            age_band=data["age_band"],
            identified_on=data["identified_on"],
            consent_by=data["consent_by"],
            consent_on=data["consent_on"],
            found_working=data["found_working"],
        )


class DayForm(forms.Form):
    on = _date(_("On"))


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=Remediation.choices)
    referred_to = forms.CharField(
        label=_("Referred to (partner organisation)"), max_length=200, required=False
    )
    planned_on = _date(_("Planned on"))
    delivered_on = _date(_("Delivered on"), required=False)


class FollowUpForm(forms.Form):
    done_on = _date(_("Visited on"))
    still_working = forms.BooleanField(label=_("Still found working"), required=False)


class LicenceForm(forms.Form):
    """One change of a mine's or collection point's licence, with a document as evidence."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in RECORDED_LICENCE_STATUSES],
        help_text=_("Expired is not chosen: it follows from a granted licence's expiry date."),
    )
    effective_on = _date(_("Since"))
    expires_on = _date(_("Expires"), required=False)
    authority = forms.CharField(label=_("Issuing authority"), max_length=200, required=False)
    number = forms.CharField(label=_("Licence number"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))
    document = forms.FileField(label=_("Document (PDF, JPEG, PNG or WebP)"), required=False)


# The site's languages, named in the reader's language; a training is given in Hindi first.
LANGUAGES = settings.LANGUAGES


class TrainingForm(forms.Form):
    """A training session: what, for whom, when, where, by whom; linked to criteria and areas."""

    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), required=False, widget=forms.Textarea({"rows": 2}))
    held_on = _date(_("Date"))
    trainer = forms.CharField(label=_("Trainer"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="hi")
    audiences = forms.MultipleChoiceField(
        label=_("For"), choices=Trainee.choices, widget=forms.CheckboxSelectMultiple
    )
    standard_code = forms.CharField(
        label=_("Workplace standard (code)"), max_length=80, required=False
    )
    criterion_codes = forms.CharField(
        label=_("Criteria it helps meet (codes, separated by commas)"),
        max_length=400,
        required=False,
    )
    areas = forms.MultipleChoiceField(
        label=_("ILO areas of work"),
        choices=IloArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    programme = forms.TypedChoiceField(
        label=_("Programme"), coerce=int, required=False, empty_value=None
    )
    village = forms.TypedChoiceField(
        label=_("Village"), coerce=int, required=False, empty_value=None
    )
    facility = forms.TypedChoiceField(
        label=_("Facility"), coerce=int, required=False, empty_value=None
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        programmes: list[tuple[int, str]],
        villages: list[tuple[int, str]],
        facilities: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        self.fields["programme"].choices = none + programmes  # type: ignore[attr-defined]
        self.fields["village"].choices = none + villages  # type: ignore[attr-defined]
        self.fields["facility"].choices = none + facilities  # type: ignore[attr-defined]

    def clean_criterion_codes(self) -> list[str]:
        text = self.cleaned_data.get("criterion_codes") or ""
        return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


class AttendanceForm(forms.Form):
    """Who attended: a count per role and gender (no names); field staff by name, one per line
    as "name, gender" (women, men, other)."""

    staff = forms.CharField(
        label=_("Field staff who attended (one per line: name, women/men/other)"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role, role_label in Trainee.choices:
            if role == Trainee.FIELD_STAFF:
                continue
            for gender, gender_label in Gender.choices:
                self.fields[f"{role}_{gender}"] = forms.IntegerField(
                    label=f"{role_label}: {gender_label}", min_value=0, required=False
                )

    def counts(self) -> dict[tuple[str, str], int]:
        found = {}
        for name, value in self.cleaned_data.items():
            if name != "staff" and value:
                role, gender = name.rsplit("_", 1)
                found[role, gender] = int(value)
        return found

    def staff_list(self) -> list[tuple[str, str]]:
        people = []
        for line in (self.cleaned_data.get("staff") or "").splitlines():
            if line.strip():
                name, _sep, gender = line.rpartition(",")
                people.append((name.strip(), gender.strip().lower()))
        return people


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Material (PDF, JPEG, PNG or WebP)"))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="hi")


class JoinForm(forms.Form):
    """A supplier asks to send people to an offered session."""

    people = forms.IntegerField(label=_("How many people"), min_value=1, max_value=500)
    message = forms.CharField(label=_("Message"), max_length=1000, required=False)
    action = forms.IntegerField(required=False, widget=forms.HiddenInput)
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput)


class OfferForm(forms.Form):
    """A buyer's offer to a programme found on its trace."""

    kind = forms.ChoiceField(label=_("Offer"), choices=())
    message = forms.CharField(
        label=_("Message to the programme"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from oretrace.programmes.choices import OfferKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = OfferKind.choices  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    """The programme's answer to an offer."""

    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=(("accept", _("Accept")), ("decline", _("Decline"))),
    )
    answer = forms.CharField(
        label=_("Message to the buyer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )


class ReportForm(forms.Form):
    """Which reporting period a donor report covers."""

    period = forms.ChoiceField(label=_("Reporting period"), choices=())

    def __init__(self, *args: Any, periods: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods  # type: ignore[attr-defined]


# --- forms sent from a phone that worked offline (services.offline) ----------------------------
QUEUED_KINDS = ("visit", "follow_up")


class QueuedFormError(ValueError):
    """A queued form's envelope that cannot be read; ``field`` names the wrong part."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class QueuedForm:
    """The envelope a phone sends: its key, which form, the record it is for (a village or a
    case), the version it was filled against and the form's own fields, as the form posts them."""

    key: uuid.UUID
    kind: str
    target: int
    base: int | None
    fields: dict[str, str]


def _whole(value: Any, field: str, *, required: bool) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise QueuedFormError(
            gettext("%(field)s must be a whole number.") % {"field": field}, field=field
        )
    return value


def read_queued(body: bytes) -> QueuedForm:
    """The envelope of a queued form, from its JSON body; ``QueuedFormError`` naming the field
    when a part is missing or of the wrong kind."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise QueuedFormError(
            gettext("The body is not JSON: %(error)s") % {"error": exc}, field="body"
        ) from None
    if not isinstance(data, dict):
        raise QueuedFormError(gettext("The body must be a JSON object."), field="body")
    try:
        key = uuid.UUID(str(data.get("key", "")))
    except ValueError:
        raise QueuedFormError(gettext("key must be a UUID."), field="key") from None
    kind = data.get("kind")
    if kind not in QUEUED_KINDS:
        raise QueuedFormError(
            gettext("kind must be one of: %(kinds)s.") % {"kinds": ", ".join(QUEUED_KINDS)},
            field="kind",
        )
    fields = data.get("fields")
    if not isinstance(fields, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
    ):
        raise QueuedFormError(
            gettext("fields must be an object of text values, as the form posts them."),
            field="fields",
        )
    return QueuedForm(
        key=key,
        kind=kind,
        target=_whole(data.get("target"), "target", required=True) or 0,
        base=_whole(data.get("base"), "base", required=kind == "follow_up"),
        fields=fields,
    )
