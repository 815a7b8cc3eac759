"""The field pages a phone keeps to work without a network (issue 21 §6): a village's
monitoring-visit form, a case's follow-up form, their service worker and the sync endpoint."""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oretrace import __version__
from oretrace.core.exceptions import NotFound, PermissionDenied
from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.programmes import catalogue, forms, queries
from oretrace.programmes.exceptions import ProgrammeError, SyncConflict
from oretrace.programmes.permissions import (
    can_run_programmes,
)
from oretrace.programmes.services import cases as case_services
from oretrace.programmes.services import monitoring, offline
from oretrace.web.views import errors_on_form, member_required, requires

# --- working offline: the field forms, their service worker and the sync endpoint ---------------
# The field pages (under /programmes/field/) are what a phone keeps to work without a network:
# a village's monitoring-visit form and a case's follow-up form. They show no child's identity
# (only the case's pseudonymous reference), since the phone keeps a copy of them. Sent without
# scripts they post like any form; with scripts (programmes/offline.js) each form is queued on
# the phone first and sent to ``field_sync``, which answers JSON.


def field_worker(request: HttpRequest) -> HttpResponse:
    """The service worker of the field pages: public (it holds no data), never kept stale."""
    response = render(
        request,
        "programmes/field_worker.js",
        {"version": __version__},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


def _field_context(member: Membership, **more: Any) -> dict[str, Any]:
    return {"may_run": can_run_programmes(member), **more}


@member_required
@requires(can_run_programmes)
def field_visit(request: AuthenticatedRequest, member: Membership, village_id: int) -> HttpResponse:
    """A village's monitoring-visit form, kept on the phone for working offline."""
    village = queries.village_for(member, village_id)
    language = translation.get_language() or "en"
    indicator_set = catalogue.latest(village.programme.indicator_set)
    if indicator_set is None:
        raise Http404
    form = forms.VisitForm(
        request.POST or None,
        indicator_set=indicator_set,
        language=language,
        initial={"visited_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form) as tried:
            monitoring.record_visit(village, actor=member, **form.visit())
        if not tried.error:
            messages.success(request, _("The visit is recorded."))
            return redirect("programmes:field_visit", village_id=village.pk)
    return render(
        request,
        "programmes/field_visit.html",
        _field_context(member, village=village, form=form, base=offline.latest_visit(village)),
    )


@member_required
def field_follow_up(
    request: AuthenticatedRequest, member: Membership, child_case_id: int
) -> HttpResponse:
    """A child's follow-up form under the case's reference only, kept on the phone; to anyone
    but the organisation's case workers the case does not exist (404), as on its page."""
    case = queries.case_for(member, child_case_id)
    form = forms.FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form) as tried:
            case_services.record_follow_up(case, actor=member, **form.cleaned_data)
        if not tried.error:
            messages.success(request, _("The follow-up visit is recorded."))
            return redirect("programmes:field_follow_up", child_case_id=case.pk)
    return render(
        request,
        "programmes/field_follow_up.html",
        _field_context(
            member,
            case=case,
            follow_ups=case.follow_ups.all(),
            today=timezone.localdate(),
            form=form,
        ),
    )


def _problem(status: int, message: str, field: str = "") -> JsonResponse:
    return JsonResponse({"status": "refused", "error": message, "field": field}, status=status)


def _first_error(form: Any) -> tuple[str, str]:
    for name, errors in form.errors.items():
        return str(errors[0]), "" if name == "__all__" else name
    return "", ""


def _sync(member: Membership, queued: forms.QueuedForm) -> offline.Synced:
    """Validate the queued form's fields with the page's own form, then write through the
    service; NotFound, ProgrammeError and PermissionDenied go up to ``field_sync``."""
    if queued.kind == offline.VISIT:
        village = queries.village_for(member, queued.target)
        indicator_set = catalogue.latest(village.programme.indicator_set)
        if indicator_set is None:
            raise NotFound(f"no indicator set for village {village.pk}")
        form: Any = forms.VisitForm(
            queued.fields, indicator_set=indicator_set, language=translation.get_language()
        )
        if not form.is_valid():
            _invalid(form)
        data = form.cleaned_data
        return offline.sync_visit(
            village,
            actor=member,
            key=queued.key,
            base=queued.base,
            visited_on=data["visited_on"],
            values=form.values(),
            evidence=data["evidence"],
            latitude=data["latitude"],
            longitude=data["longitude"],
        )
    case = queries.case_for(member, queued.target)
    form = forms.FollowUpForm(queued.fields)
    if not form.is_valid():
        _invalid(form)
    return offline.sync_follow_up(
        case, actor=member, key=queued.key, base=queued.base or 0, **form.cleaned_data
    )


def _invalid(form: Any) -> NoReturn:
    """The form's first error as a ProgrammeError naming its field."""
    message, field = _first_error(form)
    raise ProgrammeError(f"{field}: {message}" if field else message, field=field or None)


@member_required
def field_sync(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """Receive one form queued on a phone (JSON, see forms.read_queued): 200 with what it became
    (``replayed`` when its key came before), 409 with the server's side of a conflict, 400
    naming the wrong field, 403 or 404 as the pages answer. GET gives a fresh CSRF token."""
    if request.method == "GET":
        return JsonResponse({"csrf": get_token(request)})
    if request.method != "POST":
        return _problem(405, _("Send the form with POST."))
    if not can_run_programmes(member):
        return _problem(
            403, _("To send field forms you need the role case worker or compliance officer.")
        )
    try:
        queued = forms.read_queued(request.body)
        synced = _sync(member, queued)
    except forms.QueuedFormError as exc:
        return _problem(400, str(exc), exc.field)
    except NotFound:
        return _problem(404, _("No such village or case."))
    except PermissionDenied as exc:
        return _problem(403, str(exc))
    except SyncConflict as exc:
        return JsonResponse(
            {"status": "conflict", "error": str(exc), "server": exc.server, "base": exc.base},
            status=409,
        )
    except ProgrammeError as exc:
        return _problem(400, str(exc), exc.field or "")
    return JsonResponse(
        {"status": "replayed" if synced.replayed else "recorded", "result": synced.result}
    )
