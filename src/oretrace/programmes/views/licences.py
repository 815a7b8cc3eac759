"""Pages of the formalisation: a mine's or collection point's licence and its history, its
documents, and a programme's formalisation indicator.

The licence page answers 404 for a facility the member cannot see in the registry; its parties
(the facility's owner, the organisations running a programme around it) see the whole history
and record changes, as the permissions say.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.programmes import forms, queries
from oretrace.programmes.list_exports import FORMALISATION_EXPORT
from oretrace.programmes.permissions import can_record_licences
from oretrace.programmes.queries import licences as licence_queries
from oretrace.programmes.services import licences
from oretrace.web.files import kept_file_response
from oretrace.web.views import errors_on_form, member_required, requires


@member_required
@requires(can_record_licences)
def licence(request: AuthenticatedRequest, member: Membership, site_id: int) -> HttpResponse:
    """A facility's licence: where it stands today, its history with documents; recording a
    change."""
    facility = licence_queries.facility_for(member, site_id)
    may_record = licence_queries.may_record_licence(member, facility)
    form = forms.LicenceForm(request.POST or None, request.FILES or None)
    # A member who is no party is refused by the service (403 with its reason).
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        document = data.pop("document")
        with errors_on_form(form) as tried:
            licences.record_licence(
                facility, actor=member, documents=[document] if document else [], **data
            )
        if not tried.error:
            return redirect("programmes:licence", site_id=facility.pk)
    entries = list(licence_queries.entries_for(member, facility))
    return render(
        request,
        "programmes/licence.html",
        {
            "facility": facility,
            "entries": entries,
            "current": licence_queries.current(entries),
            "party": licence_queries.is_party(member, facility),
            "may_record": may_record,
            "form": form,
        },
    )


@member_required
def licence_document(
    request: AuthenticatedRequest, member: Membership, licence_document_id: int
) -> FileResponse:
    """One licence document, for the members who see its entry."""
    item = licence_queries.document_for(member, licence_document_id)
    return kept_file_response(item)


@member_required
def formalisation(
    request: AuthenticatedRequest, member: Membership, programme_id: int
) -> HttpResponse:
    """The programme's formalisation indicator: the share of its villages' mines and collection
    points holding a granted, unexpired licence, today and at the end of each period."""
    programme = queries.programme_for(member, programme_id)
    rows = licence_queries.formalisation_rows(programme)
    if (download := FORMALISATION_EXPORT.response(request, rows)) is not None:
        return download
    owner = member.organisation_id == programme.organisation_id
    return render(
        request,
        "programmes/formalisation.html",
        {
            "programme": programme,
            "rows": rows,
            "facilities": licence_queries.programme_facilities(programme) if owner else [],
        },
    )
