"""Pages of the facility registry: search, facility page, new facility, review queue, match,
reference imports. Thin: reads through tenancy scoping, writes through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Membership
from oretrace.core.reference import mineral_name
from oretrace.core.tenancy import get_for_member
from oretrace.core.uploads import read_upload
from oretrace.registry import services
from oretrace.registry.choices import FacilityKind
from oretrace.registry.forms import (
    FacilityForm,
    IdentifierForm,
    MatchForm,
    NameForm,
    SearchForm,
    UploadForm,
)
from oretrace.registry.matching import MatchResult, Scored
from oretrace.registry.models import Facility, MatchReview
from oretrace.registry.origins import MATCH_PAGE, origin_text
from oretrace.registry.permissions import (
    can_edit_facilities,
    can_load_reference_lists,
    can_review_matches,
    is_curator,
)
from oretrace.registry.queries import (
    AGE_DAYS,
    SCORE_BANDS,
    FacilityFilter,
    ReviewFilter,
    bulk_candidates,
    current_statuses,
    open_reviews,
    reference_imports_for,
    reference_list_overview,
    review_facets,
    review_metals,
    search_facilities,
    status_choices,
    status_history,
)
from oretrace.registry.queries import review_queue as review_queue_of
from oretrace.registry.schemas import MatchQueryIn
from oretrace.registry.services import reference_lists as imports
from oretrace.registry.services import reviews
from oretrace.web.exports import Column, ListExport
from oretrace.web.onboarding_views import operator_required
from oretrace.web.views import errors_as_messages, errors_on_form, member_required, requires

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@member_required
def facility_list(request: HttpRequest, member: Membership) -> HttpResponse:
    form = SearchForm(request.GET or None, statuses=status_choices(member))
    data = form.cleaned_data if form.is_valid() else {}
    reference = {"1": True, "0": False}.get(request.GET.get("reference", ""))
    found = search_facilities(
        member, FacilityFilter(reference=reference, **{k: v for k, v in data.items() if v})
    )
    found = found.prefetch_related("minerals", "identifiers")
    download = _facilities_export(member).response(
        request, found.select_related("country", "subdivision", "organisation")
    )
    if download is not None:
        return download
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_edit": can_edit_facilities(member),
        "query": request.GET.urlencode(),
        "own_organisation": member.organisation_id,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "registry/facility_list.html#results", context)
    return render(request, "registry/facility_list.html", context)


@member_required
def facility_detail(request: HttpRequest, member: Membership, facility_id: int) -> HttpResponse:
    facility = get_for_member(
        Facility.objects.select_related(
            "country", "subdivision", "operator", "merged_into", "organisation"
        ),
        member,
        pk=facility_id,
    )
    if request.method == "POST":
        return _facility_post(request, member, facility)
    can_edit = facility.organisation_id == member.organisation_id and can_edit_facilities(member)
    return render(
        request,
        "registry/facility_detail.html",
        {
            "facility": facility,
            "names": facility.names.for_member(member),
            "identifiers": facility.identifiers.all(),
            "current": current_statuses(facility, member),
            "history": status_history(facility, member),
            "listings": facility.listings.select_related("first_seen", "last_seen", "delisted_by"),
            "can_edit": can_edit or (facility.is_reference and is_curator(member)),
            "name_form": NameForm(),
            "identifier_form": IdentifierForm(),
            "graticule_x": range(-150, 180, 30),
            "graticule_y": range(-60, 90, 30),
        },
    )


class _Addition(NamedTuple):
    """One of the facility page's "add" forms and the service it feeds."""

    form: type[forms.Form]
    invalid: StrOrPromise  # what the page says when the form is not valid
    add: Callable[..., object]
    done: StrOrPromise


_ADDITIONS = {
    "add-name": _Addition(
        NameForm, gettext_lazy("Give a name."), services.add_name, gettext_lazy("Name added.")
    ),
    "add-identifier": _Addition(
        IdentifierForm,
        gettext_lazy("Choose a scheme and give an identifier."),
        services.add_identifier,
        gettext_lazy("Identifier added."),
    ),
}


def _add_part(
    request: HttpRequest, member: Membership, facility: Facility, addition: _Addition
) -> None:
    form = addition.form(request.POST)
    if not form.is_valid():
        raise OretraceError(str(addition.invalid))
    addition.add(facility, actor=member, source="entered on the facility page", **form.cleaned_data)
    messages.success(request, addition.done)


def _facility_post(request: HttpRequest, member: Membership, facility: Facility) -> HttpResponse:
    """The facility page's forms: add a name or an identifier, merge a duplicate, split."""
    if not (facility.is_reference and is_curator(member)):
        can_edit_facilities.require(member)
    action = request.POST.get("action")
    target = facility
    with errors_as_messages(request):
        if action in _ADDITIONS:
            _add_part(request, member, facility, _ADDITIONS[action])
        elif action == "merge":
            duplicate = get_for_member(
                Facility.objects.all(), member, pk=_int(request.POST.get("duplicate_id"))
            )
            services.merge_facilities(facility, duplicate, actor=member)
            messages.success(
                request, _("%(dup)s was merged into this facility.") % {"dup": duplicate}
            )
        elif action == "split":
            target = services.split_facility(
                facility,
                actor=member,
                name=request.POST.get("new_name", "").strip(),
                names=[_int(v) for v in request.POST.getlist("names")],
                identifiers=[_int(v) for v in request.POST.getlist("identifiers")],
            )
            messages.success(request, _("A new facility now holds the names you moved."))
    return redirect("registry:facility", facility_id=target.pk)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise OretraceError(_("%(value)s is not a facility number") % {"value": value}) from None


@member_required
@requires(can_edit_facilities)
def facility_new(request: HttpRequest, member: Membership) -> HttpResponse:
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        with errors_on_form(form):
            facility = services.create_facility(actor=member, source="entered by a user", **data)
            messages.success(request, _("Facility recorded."))
            return redirect("registry:facility", facility_id=facility.pk)
    return render(request, "registry/facility_new.html", {"form": form})


BULK_SCORES = (100, 95, 90, 85, 80, 75, 70)
REVIEWS_PER_PAGE = 25


def _review_filter(data: QueryDict) -> ReviewFilter:
    """The queue's filters from a query string (or a form repeating it); unknown values are
    ignored, so an old or edited link shows the whole queue rather than an error."""
    older = _int_or_none(data.get("age"))
    return ReviewFilter(
        metal=data.get("metal", "").strip().lower()[:40],
        score=data.get("score", "") if data.get("score", "") in (*SCORE_BANDS, "low") else "",
        older_than=older if older in AGE_DAYS else None,
        review=_int_or_none(data.get("review")),
        facets=tuple((f.key, data.get(f.key, "")) for f in review_facets() if data.get(f.key)),
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filter_query(f: ReviewFilter) -> str:
    """The filter as a query string, for the pager and the bulk form to carry along."""
    params = {
        "metal": f.metal,
        "score": f.score,
        "age": str(f.older_than or ""),
        "review": str(f.review or ""),
        **dict(f.facets),
    }
    return urlencode({k: v for k, v in params.items() if v})


@member_required
def review_queue(request: HttpRequest, member: Membership) -> HttpResponse:
    f = _review_filter(request.GET)
    queue = review_queue_of(member, f)
    if (download := REVIEWS_EXPORT.response(request, queue)) is not None:
        return download
    page = Paginator(queue, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    ids = {c["facility_id"] for r in page.object_list for c in r.candidates}
    facilities = Facility.objects.for_member(member).in_bulk(ids)
    items = [
        (r, [(c, facilities.get(c["facility_id"])) for c in r.candidates]) for r in page.object_list
    ]
    return render(
        request,
        "registry/review_queue.html",
        {
            "page": page,
            "items": items,
            "kinds": FacilityKind.choices,
            "filters": f,
            "query": _filter_query(f),
            "total_open": open_reviews(member).count() if f.active else page.paginator.count,
            "metals": review_metals(member),
            "score_bands": [
                ("90", _("90 and above")),
                ("80", _("80 to 90")),
                ("70", _("70 to 80")),
                ("60", _("60 to 70")),
                ("low", _("below 60")),
            ],
            "ages": [
                (
                    str(days),
                    ngettext("waiting over %(n)d day", "waiting over %(n)d days", days)
                    % {"n": days},
                )
                for days in AGE_DAYS
            ],
            "facets": [
                (facet, facet.choices(member), dict(f.facets).get(facet.key, ""))
                for facet in review_facets()
            ],
            "bulk_scores": BULK_SCORES,
            "here": request.get_full_path(),
            "can_review": can_review_matches(member),
        },
    )


@member_required
@require_POST
@requires(can_review_matches)
def review_bulk(request: HttpRequest, member: Membership) -> HttpResponse:
    """Confirm in bulk: the first post shows how many names would be confirmed and asks again;
    the second (with the count the reviewer saw) confirms them, unless the queue changed."""
    f = _review_filter(request.POST)
    back = reverse("registry:reviews") + (f"?{q}" if (q := _filter_query(f)) else "")
    min_score = _int_or_none(request.POST.get("min_score"))
    if min_score not in BULK_SCORES:
        messages.error(request, _("Choose the lowest score to confirm from the list."))
        return redirect(back)
    chosen = bulk_candidates(review_queue_of(member, f), float(min_score))
    expected = _int_or_none(request.POST.get("expected"))
    if request.POST.get("step") == "confirm" and expected == len(chosen) and chosen:
        if len(chosen) > reviews.BULK_AT_ONCE:  # more than a second's work: a job with progress
            with errors_as_messages(request):
                job = reviews.start_bulk_confirmation(
                    chosen, min_score=float(min_score), actor=member
                )
                return redirect("web:jobs_detail", job_id=job.pk)
            return redirect(back)
        with errors_as_messages(request):
            reviews.confirm_in_bulk(chosen, min_score=float(min_score), actor=member)
            messages.success(
                request,
                ngettext(
                    "%(n)d name confirmed: each now matches its best candidate.",
                    "%(n)d names confirmed: each now matches its best candidate.",
                    len(chosen),
                )
                % {"n": len(chosen)},
            )
        return redirect(back)
    ids = {c["facility_id"] for r in chosen[:50] for c in r.candidates[:1]}
    facilities = Facility.objects.for_member(member).in_bulk(ids)
    return render(
        request,
        "registry/review_bulk.html",
        {
            "chosen": [(r, facilities.get(r.candidates[0]["facility_id"])) for r in chosen[:50]],
            "count": len(chosen),
            "changed": expected is not None and expected != len(chosen),
            "min_score": min_score,
            "filters": f,
            "facet_values": f.facets,
            "back": back,
        },
    )


@member_required
@require_POST
@requires(can_review_matches)
def review_decide(request: HttpRequest, member: Membership, review_id: int) -> HttpResponse:
    review = get_for_member(MatchReview.objects.all(), member, pk=review_id)
    action = request.POST.get("action")
    with errors_as_messages(request):
        if action == "confirm":
            facility = get_for_member(
                Facility.objects.all(), member, pk=request.POST.get("facility_id") or 0
            )
            reviews.confirm_review(review, facility=facility, actor=member)
            messages.success(
                request,
                _("“%(name)s” now matches %(facility)s.")
                % {"name": review.query, "facility": facility},
            )
        elif action == "reject":
            reviews.reject_review(review, actor=member)
            messages.success(request, _("Rejected."))
        elif action == "create":
            reviews.create_from_review(
                review,
                actor=member,
                kind=request.POST.get("kind", ""),
                country=request.POST.get("country", ""),
            )
            messages.success(request, _("New facility recorded."))
    return redirect(_back_to_queue(request.POST.get("next", "")))


def _back_to_queue(target: str) -> str:
    """Back to the page of the queue the decision was made on (never to another site)."""
    queue = reverse("registry:reviews")
    if target.startswith(queue + "?") and "\\" not in target and "//" not in target:
        return target
    return queue


@member_required
def match(request: HttpRequest, member: Membership) -> HttpResponse:
    form = MatchForm(request.POST or None)
    rows: list[tuple[MatchResult, list[tuple[Scored, Facility | None]]]] = []
    if request.method == "POST" and form.is_valid():
        queries = []
        for line in form.cleaned_data["names"].splitlines()[:1000]:
            parts = [p.strip() for p in line.split(";")]
            if parts[0]:
                padded = [*parts, "", ""]
                query = MatchQueryIn(
                    name=parts[0][:300], metal=padded[1].lower(), country=padded[2].upper()[:2]
                )
                queries.append(reviews.NameQuery(**query.dict()))
        queue = bool(request.POST.get("queue"))
        if queue:
            can_review_matches.require(member)
        results = reviews.match_names(member, queries, queue_reviews=queue, origin=MATCH_PAGE)
        ids = {c.facility_id for r in results for c in r.candidates}
        facilities = Facility.objects.for_member(member).in_bulk(ids)
        rows = [(r, [(c, facilities.get(c.facility_id)) for c in r.candidates]) for r in results]
    return render(request, "registry/match.html", {"form": form, "rows": rows})


@member_required
@requires(can_load_reference_lists)
def reference_imports(request: HttpRequest, member: Membership) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    curator = is_curator(member)
    may_load = can_load_reference_lists(member)
    if request.method == "POST" and may_load and form.is_valid():
        upload = form.cleaned_data["file"]
        with errors_on_form(form, "file"):
            data = read_upload(upload, limit=imports.MAX_UPLOAD_BYTES)
            job = imports.start_reference_import(data, upload.name, actor=member)
            return redirect("web:jobs_detail", job_id=job.pk)
    found = reference_imports_for(member)
    if request.method == "GET" and (download := _imports_export(False).response(request, found)):
        return download
    return render(
        request,
        "registry/imports.html",
        {
            "form": form,
            "curator": curator,
            "may_load": may_load,
            "imports": found[:50],
            "count_labels": imports.COUNT_LABELS,
        },
    )


@operator_required
def reference_overview(request: HttpRequest) -> HttpResponse:
    """The operator's view of every reference list loaded: shared ones and organisations' own."""
    found = reference_list_overview()
    if (download := _imports_export(True).response(request, found)) is not None:
        return download
    return render(
        request,
        "registry/reference_overview.html",
        {"imports": found, "count_labels": imports.COUNT_LABELS},
    )


# --- downloads of the lists (web/exports.py) ------------------------------------------------


def _facilities_export(member: Membership) -> ListExport:
    own = member.organisation_id

    def source(f: Facility) -> str:
        if f.is_reference:
            return _("reference list")
        if f.organisation_id == own:
            return _("your organisation")
        return _("shared by %(org)s") % {"org": f.organisation}

    def place(f: Facility) -> str:
        return f"{f.country.label}, {f.subdivision.name}" if f.subdivision else f.country.label

    return ListExport(
        "facilities",
        (
            Column(gettext_lazy("Name"), lambda f: f.name),
            Column(gettext_lazy("Name in Latin script"), lambda f: f.name_latin),
            Column(gettext_lazy("Kind"), lambda f: f.get_kind_display()),
            Column(gettext_lazy("Country"), place),
            Column(
                gettext_lazy("Minerals"), lambda f: ", ".join(m.label for m in f.minerals.all())
            ),
            Column(
                gettext_lazy("Identifiers"),
                lambda f: " ".join(i.value for i in f.identifiers.all()),
            ),
            Column(gettext_lazy("Source"), source),
        ),
    )


def _best(review: MatchReview, key: str) -> object:
    candidates = review.candidates or []
    return candidates[0].get(key) if candidates else None


REVIEWS_EXPORT = ListExport(
    "review-queue",
    (
        Column(gettext_lazy("Name as declared"), lambda r: r.query),
        Column(gettext_lazy("Metal"), lambda r: mineral_name(r.metal) if r.metal else ""),
        Column(gettext_lazy("Country"), lambda r: r.country),
        Column(gettext_lazy("Identifier"), lambda r: r.identifier),
        Column(gettext_lazy("From"), lambda r: origin_text(str(r.origin or ""))),
        Column(gettext_lazy("Waiting since"), lambda r: r.created_at),
        Column(gettext_lazy("Best candidate"), lambda r: _best(r, "matched_name")),
        Column(gettext_lazy("Score"), lambda r: _best(r, "score")),
    ),
)


def _imports_export(every_organisation: bool) -> ListExport:
    def result(i: object) -> str:
        counts = getattr(i, "counts", None) or {}
        return ", ".join(f"{v} {imports.COUNT_LABELS.get(k, k)}" for k, v in counts.items())

    def audience(i: object) -> str:
        if getattr(i, "shared", False):
            return _("everyone (shared)")
        return str(i.organisation) if every_organisation else _("your organisation")  # type: ignore[attr-defined]

    columns = [
        Column(gettext_lazy("File"), lambda i: i.filename),
        Column(gettext_lazy("List"), lambda i: i.source),
        Column(gettext_lazy("Version"), lambda i: getattr(i, "version", "")),
        Column(gettext_lazy("For"), audience),
        Column(gettext_lazy("When"), lambda i: i.created_at),
        Column(gettext_lazy("Result"), result),
    ]
    if not every_organisation:
        del columns[2]  # the organisation's page shows no version
    return ListExport("reference-lists", columns)
