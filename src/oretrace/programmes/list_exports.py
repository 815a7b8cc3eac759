"""The downloads (CSV/XLSX, web/exports.py): the programmes list, and a programme's computed
indicators — one line per village (or the whole programme) and reporting period; counts and
shares, never a child."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from oretrace.programmes.choices import Gender, IloArea, Trainee
from oretrace.programmes.models import Programme
from oretrace.programmes.queries import FigureRow
from oretrace.programmes.queries.licences import FormalisationRow
from oretrace.programmes.queries.training import TrainedRow
from oretrace.web.exports import Column, ListExport

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


type _Row = FigureRow | FormalisationRow | TrainedRow


def _scope(row: FigureRow | FormalisationRow) -> str:
    return row.scope or str(gettext_lazy("Whole programme"))


def _period_or(default: StrOrPromise) -> Callable[[_Row], str]:
    """The row's period, or ``default`` for a row of no one period."""
    return lambda row: row.period or str(default)


FIGURES_EXPORT = ListExport(
    "programme-indicators",
    (
        Column(gettext_lazy("Village"), _scope),
        Column(gettext_lazy("Period"), _period_or(gettext_lazy("All time"))),
        Column(gettext_lazy("Children identified"), lambda r: r.figures.identified),
        Column(gettext_lazy("With at least one remediation"), lambda r: r.figures.with_remediation),
        Column(gettext_lazy("At least one remediation (%)"), lambda r: r.figures.remediation_share),
        Column(gettext_lazy("With more than one type"), lambda r: r.figures.multiple_types),
        Column(gettext_lazy("More than one type (%)"), lambda r: r.figures.multiple_share),
        Column(gettext_lazy("Followed up"), lambda r: r.figures.followed_up),
        Column(gettext_lazy("No longer working at follow-up"), lambda r: r.figures.out_of_work),
        Column(
            gettext_lazy("No longer working at follow-up (%)"),
            lambda r: r.figures.out_of_work_share,
        ),
        Column(gettext_lazy("Follow-up visits due"), lambda r: r.figures.visits_due),
        Column(gettext_lazy("Visits on time"), lambda r: r.figures.visits_on_time),
        Column(gettext_lazy("Visits on time (%)"), lambda r: r.figures.on_time_share),
    ),
)


def _areas(programme: Programme) -> str:
    names = dict(IloArea.choices)
    return "; ".join(str(names[a]) for a in programme.areas if a in names)


PROGRAMMES_EXPORT = ListExport(
    "programmes",
    (
        Column(gettext_lazy("Programme"), lambda p: p.name),
        Column(gettext_lazy("Run by"), lambda p: str(p.organisation)),
        Column(gettext_lazy("Starts"), lambda p: p.starts_on),
        Column(gettext_lazy("Ends"), lambda p: p.ends_on),
        Column(gettext_lazy("Areas of work"), _areas),
        Column(gettext_lazy("Partners"), lambda p: "; ".join(p.partner_list())),
        Column(gettext_lazy("Donors"), lambda p: "; ".join(p.donor_list())),
        Column(gettext_lazy("Villages"), lambda p: p.village_count),
    ),
)


FORMALISATION_EXPORT = ListExport(
    "programme-formalisation",
    (
        Column(gettext_lazy("Village"), _scope),
        Column(gettext_lazy("Period"), _period_or(gettext_lazy("Today"))),
        Column(gettext_lazy("On"), lambda r: r.day),
        Column(gettext_lazy("Mines and collection points"), lambda r: r.figures.facilities),
        Column(gettext_lazy("Licence granted and valid"), lambda r: r.figures.licensed),
        Column(gettext_lazy("Licensed (%)"), lambda r: r.figures.share),
        Column(gettext_lazy("Applied for"), lambda r: r.figures.by_status["applied"]),
        Column(gettext_lazy("Expired"), lambda r: r.figures.by_status["expired"]),
        Column(gettext_lazy("No licence"), lambda r: r.figures.by_status["none"]),
    ),
)


def _gender_total(gender: str) -> Callable[[TrainedRow], int]:
    return lambda r: r.of_gender(gender)


def _role_total(role: str) -> Callable[[TrainedRow], int]:
    return lambda r: r.of(role)


TRAINED_EXPORT = ListExport(
    "programme-training",
    (
        Column(gettext_lazy("Period"), _period_or(gettext_lazy("All time"))),
        Column(gettext_lazy("Sessions"), lambda r: r.sessions),
        Column(gettext_lazy("People trained"), lambda r: r.total),
        *(Column(label, _role_total(role)) for role, label in Trainee.choices),
        *(Column(label, _gender_total(gender)) for gender, label in Gender.choices),
    ),
)


TRAININGS_EXPORT = ListExport(
    "trainings",
    (
        Column(gettext_lazy("Date"), lambda s: s.held_on),
        Column(gettext_lazy("Title"), lambda s: s.title),
        Column(gettext_lazy("Programme"), lambda s: s.programme.name if s.programme else ""),
        Column(gettext_lazy("Criteria"), lambda s: ", ".join(s.criterion_codes)),
        Column(gettext_lazy("Language"), lambda s: s.language),
        Column(gettext_lazy("Place"), lambda s: s.village.name if s.village else s.place),
        Column(gettext_lazy("Trainer"), lambda s: s.trainer),
    ),
)


OFFERS_EXPORT = ListExport(
    "programme-offers",
    (
        Column(gettext_lazy("Offered by"), lambda o: str(o.requester)),
        Column(gettext_lazy("Offer"), lambda o: o.get_kind_display()),
        Column(gettext_lazy("Sent"), lambda o: o.created_at.date()),
        Column(gettext_lazy("Status"), lambda o: o.get_status_display()),
        Column(gettext_lazy("Answered"), lambda o: o.answered_on),
    ),
)

REPORTS_EXPORT = ListExport(
    "donor-reports",
    (
        Column(gettext_lazy("Period"), lambda r: r.period_label),
        Column(gettext_lazy("Starts"), lambda r: r.starts_on),
        Column(gettext_lazy("Ends"), lambda r: r.ends_on),
        Column(gettext_lazy("Issued"), lambda r: r.created_at.date()),
        Column(gettext_lazy("SHA-256"), lambda r: r.sha256),
    ),
)
