"""Pages of the web shell. Thin: reads through tenancy scoping, writes through services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial, update_wrapper
from typing import Any, Concatenate, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oretrace.core import services
from oretrace.core.api import object_for_member
from oretrace.core.choices import JobStatus, TemplateFamily
from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.jobs import cancel_job, job_kinds, start_job
from oretrace.core.models import ApiToken, ChangeLogEntry, Country, Grant, Job, Membership, Mineral
from oretrace.core.permissions import Permission, can_manage_organisation
from oretrace.core.queries import (
    dashboard_figures,
    jobs_for,
    pending_invitations,
    recent_changes,
    with_actor_names,
)
from oretrace.core.requests import AuthenticatedRequest, OretraceRequest, user_of
from oretrace.core.services import onboarding
from oretrace.core.tenancy import get_for_member, visible
from oretrace.web.dashboard import collect as app_figures
from oretrace.web.dashboard import collect_notices
from oretrace.web.exports import Column, ListExport
from oretrace.web.forms import InviteForm, StartJobForm, TokenForm
from oretrace.web.middleware import SESSION_KEY
from oretrace.web.templatetags.oretrace import job_title, jsonish

MEMBERS_EXPORT = ListExport(
    "members",
    (
        Column(gettext_lazy("E-mail"), lambda m: m.user.email),
        Column(gettext_lazy("Name"), lambda m: m.user.full_name),
        Column(gettext_lazy("Roles"), lambda m: ", ".join(m.role_labels)),
        Column(gettext_lazy("Status"), lambda m: _("active") if m.is_active else _("inactive")),
    ),
)
JOBS_EXPORT = ListExport(
    "jobs",
    (
        Column(gettext_lazy("Job"), job_title),
        Column(gettext_lazy("Status"), lambda j: j.get_status_display()),
        Column(gettext_lazy("Progress"), lambda j: j.progress),
        Column(gettext_lazy("Started by"), lambda j: j.created_by.email if j.created_by else ""),
        Column(gettext_lazy("Created"), lambda j: j.created_at),
    ),
)

MINERALS_EXPORT = ListExport(
    "minerals",
    (
        Column(gettext_lazy("Template"), lambda m: m.template_family),
        Column(gettext_lazy("Minerals and metals"), lambda m: m.label),
        Column(gettext_lazy("Symbol"), lambda m: m.symbol),
        Column(gettext_lazy("formerly"), lambda m: ", ".join(m.legacy_templates or [])),
    ),
)


def _token_status(token: ApiToken) -> str:
    if token.revoked_at:
        return _("revoked on %(date)s") % {"date": token.revoked_at.date().isoformat()}
    if token.ended_by_password_change:
        return _("ended by a password change")
    return _("active")


TOKENS_EXPORT = ListExport(
    "api-tokens",
    (
        Column(gettext_lazy("Name"), lambda t: t.name),
        Column(gettext_lazy("Organisation"), lambda t: str(t.membership.organisation)),
        Column(gettext_lazy("Starts with"), lambda t: f"ot_{t.prefix}_…"),
        Column(gettext_lazy("Created"), lambda t: t.created_at),
        Column(gettext_lazy("Last used"), lambda t: t.last_used_at),
        Column(gettext_lazy("Expires"), lambda t: t.expires_at),
        Column(gettext_lazy("Status"), _token_status),
    ),
)


def member_required[**P, R: HttpResponseBase](
    view: Callable[Concatenate[AuthenticatedRequest, Membership, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """Log in first; a user without any organisation sees an explanation instead of a page.

    The view is called with the request (an ``AuthenticatedRequest`` from here on) and the
    acting member. A refusal the view lets through (``PermissionDenied`` from a permission or
    a service) answers 403 with its reason, never a 500.
    """

    # update_wrapper, not @wraps: typeshed's _Wrapped hides the wrapper's own signature.
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        typed = cast(OretraceRequest, request)  # past the membership middleware
        if typed.member is None:
            return render(request, "web/no_membership.html", status=403)
        try:
            return view(cast(AuthenticatedRequest, typed), typed.member, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "web/refused.html", {"reason": str(exc)}, status=403)

    update_wrapper(wrapper, view)
    return login_required(wrapper)


@dataclass
class Attempt:
    """How a block under ``attempt`` ended: ``error`` is its domain error's text, "" if none."""

    error: str = ""


@contextmanager
def attempt(show: Callable[[str], object] | None = None) -> Iterator[Attempt]:
    """Run a write; a domain error raised in the block is shown, and the view carries on after it.

    The error's text goes to ``show`` (an error message, a form error) and stays on the yielded
    ``Attempt``. A refusal (``PermissionDenied``) is not shown: it goes on to the view's decorator
    (``member_required``, ``operator_required``), which answers 403 with its reason. The code after
    the write in the block runs only when the write went through.
    """
    outcome = Attempt()
    try:
        yield outcome
    except PermissionDenied:
        raise
    except OretraceError as exc:
        outcome.error = str(exc)
        if show is not None:
            show(outcome.error)


def errors_as_messages(request: HttpRequest) -> AbstractContextManager[Attempt]:
    """``attempt`` with the domain error shown as an error message."""
    return attempt(partial(messages.error, request))


def errors_on_form(form: BaseForm, field: str | None = None) -> AbstractContextManager[Attempt]:
    """``attempt`` with the domain error shown on ``form`` (on ``field``, or above the fields)."""
    return attempt(partial(form.add_error, field))


def chosen_file(request: HttpRequest, field: str, missing: str) -> UploadedFile[Any]:
    """The file posted as ``field``; `OretraceError` saying ``missing`` when none was chosen."""
    upload = request.FILES.get(field)
    if upload is None:
        raise OretraceError(missing)
    return upload


def sent_form(request: HttpRequest) -> str:
    """Which of a page's forms was sent (its ``do`` field), "" for a page only read."""
    return request.POST.get("do", "") if request.method == "POST" else ""


type MemberView[**P, R] = Callable[Concatenate[AuthenticatedRequest, Membership, P], R]


def requires[**P, R](permission: Permission) -> Callable[[MemberView[P, R]], MemberView[P, R]]:
    """Under ``@member_required``: a write (any method but GET/HEAD) needs ``permission``.

    Checked before the view reads the form, so a refused member gets 403 whatever they sent;
    the service checks again (and the object's organisation) when it writes.
    """

    def decorate(view: MemberView[P, R]) -> MemberView[P, R]:
        def wrapper(
            request: AuthenticatedRequest, member: Membership, /, *args: P.args, **kw: P.kwargs
        ) -> R:
            if request.method not in ("GET", "HEAD"):
                permission.require(member)
            return view(request, member, *args, **kw)

        update_wrapper(wrapper, view)
        return wrapper

    return decorate


@member_required
def dashboard(request: HttpRequest, member: Membership) -> HttpResponse:
    return render(
        request,
        "web/dashboard.html",
        {
            "figures": dashboard_figures(member),
            "app_figures": app_figures(member),
            "notices": collect_notices(member),
            "changes": recent_changes(member),
            "active_jobs": visible(Job.objects.all(), member).filter(
                status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
            )[:5],
        },
    )


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("membership", "")
    target = (
        Membership.objects.active()
        .filter(user=user_of(request), pk=int(chosen))
        .select_related("organisation")
        .first()
        if chosen.isdigit() and len(chosen) < 19  # a row id, not any number
        else None
    )
    if target is None:  # none chosen, not a number, or not the user's own
        raise Http404
    request.session[SESSION_KEY] = target.pk
    messages.success(request, _("You are now working as %(org)s.") % {"org": target.organisation})
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "web:dashboard")


@member_required
@requires(can_manage_organisation)
def organisation(request: HttpRequest, member: Membership) -> HttpResponse:
    org = member.organisation
    invite = InviteForm(request.POST or None) if can_manage_organisation(member) else None
    if request.method == "POST" and invite is not None and invite.is_valid():
        with errors_on_form(invite):
            invited, _secret = onboarding.invite(
                org, actor=member, language=get_language() or "", **invite.cleaned_data
            )
            days = settings.ORETRACE_INVITATION_DAYS
            messages.success(
                request,
                ngettext(
                    "An e-mail invites %(email)s; the link works once, for %(days)s day.",
                    "An e-mail invites %(email)s; the link works once, for %(days)s days.",
                    days,
                )
                % {"email": invited.email, "days": days},
            )
            return redirect("web:organisation")
    grants = (
        Grant.objects.for_member(member).active().select_related("owner", "grantee", "content_type")
    )
    members = Membership.objects.for_member(member).select_related("user").order_by("user__email")
    return MEMBERS_EXPORT.download_or_page(
        request,
        members,
        "web/organisation.html",
        {
            "org": org,
            "members": members,
            "grants": grants,
            "invite": invite,
            "invitations": pending_invitations(member),
            "invitation_days": settings.ORETRACE_INVITATION_DAYS,
        },
    )


@member_required
def jobs(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    found = jobs_for(member)
    if (download := JOBS_EXPORT.response(request, found)) is not None:
        return download
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    any_active = any(not j.is_final for j in page.object_list)
    context = {"page": page, "any_active": any_active, "form": StartJobForm(member=member)}
    if request.htmx:
        return render(request, "web/jobs.html#job-table", context)
    return render(request, "web/jobs.html", context)


@member_required
@require_POST
def start_job_view(request: HttpRequest, member: Membership) -> HttpResponse:
    form = StartJobForm(request.POST, member=member)
    if not form.is_valid():
        spec = job_kinds().get(request.POST.get("kind", ""))
        if spec is not None and spec.user_startable and spec.permission is not None:
            spec.permission.require(member)  # a kind this member may not start: 403, and why
        messages.error(request, _("Choose a job you may start."))
        return redirect("web:jobs")
    return start_job_page(request, member, form.cleaned_data["kind"], back="web:jobs")


def start_job_page(
    request: HttpRequest, member: Membership, kind: str, *, back: str
) -> HttpResponse:
    """Start a job and show its page; a domain error goes back to the ``back`` URL name, shown.

    A refusal stays a 403 (``member_required``).
    """
    with errors_as_messages(request):
        job = start_job(kind, actor=member)
        return redirect("web:jobs_detail", job_id=job.pk)
    return redirect(back)


@member_required
def job_detail(request: AuthenticatedRequest, member: Membership, job_id: int) -> HttpResponse:
    job = get_for_member(Job.objects.all(), member, pk=job_id)
    if request.htmx:
        return render(request, "web/job_detail.html#job-status", {"job": job})
    return render(request, "web/job_detail.html", {"job": job})


@member_required
@require_POST
def job_cancel(request: HttpRequest, member: Membership, job_id: int) -> HttpResponse:
    job = get_for_member(Job.objects.all(), member, pk=job_id)
    with errors_as_messages(request):
        cancel_job(job, actor=member)
    return redirect("web:jobs_detail", job_id=job.pk)


@member_required
def reference(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    countries = Country.objects.all()
    if query:
        countries = countries.filter(name__icontains=query) | countries.filter(code__iexact=query)
    families = [
        (family, Mineral.objects.filter(template_family=family)) for family in TemplateFamily
    ]
    minerals = Mineral.objects.order_by("template_family", "code")
    if (download := MINERALS_EXPORT.response(request, minerals)) is not None:
        return download
    context = {
        "families": families,
        "countries": countries.prefetch_related("subdivisions")[:50] if query else countries.none(),
        "query": query,
        "country_count": Country.objects.count(),
    }
    if request.htmx:
        return render(request, "web/reference.html#country-results", context)
    return render(request, "web/reference.html", context)


@member_required
def tokens(request: HttpRequest, member: Membership) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_at"]
        expires_at = dt.datetime.combine(expires, dt.time.min, tzinfo=dt.UTC) if expires else None
        with errors_on_form(form):
            if expires_at is not None and expires_at <= timezone.now():
                raise OretraceError(_("The expiry date must be in the future."))
            if expires_at is not None and expires_at > timezone.now() + dt.timedelta(
                days=settings.ORETRACE_API_TOKEN_MAX_DAYS
            ):
                raise OretraceError(
                    _("The expiry date may be at most %(days)s days ahead.")
                    % {"days": settings.ORETRACE_API_TOKEN_MAX_DAYS}
                )
            _token, secret = services.issue_token(
                member, name=form.cleaned_data["name"], expires_at=expires_at, actor=member
            )
            form = TokenForm()
    found = visible(
        ApiToken.objects.select_related("membership__organisation", "membership__user"), member
    )
    if request.method == "GET" and (download := TOKENS_EXPORT.response(request, found)):
        return download
    return render(request, "web/tokens.html", {"form": form, "secret": secret, "tokens": found})


@member_required
@require_POST
def token_revoke(request: HttpRequest, member: Membership, token_id: int) -> HttpResponse:
    token = get_for_member(ApiToken.objects.select_related("membership"), member, pk=token_id)
    services.revoke_token(token, actor=member)
    messages.success(request, _("Token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("web:tokens")


@member_required
def changes(
    request: HttpRequest, member: Membership, app_label: str, model_name: str, object_id: str
) -> HttpResponse:
    obj = object_for_member(app_label, model_name, object_id, member)
    entries = ChangeLogEntry.objects.for_object(obj)
    if request.GET.get("export"):
        named = with_actor_names(member, list(entries))
        download = CHANGES_EXPORT.response(request, _changed_fields(obj, named))
        if download is not None:
            return download
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = with_actor_names(member, list(page.object_list))
    for entry in page.object_list:
        entry.readable = _readable_differences(obj, entry)  # type: ignore[attr-defined]
    return render(
        request, "web/changes.html", {"object": obj, "page": page, "model_name": model_name}
    )


CHANGES_EXPORT = ListExport(
    "changes",
    (
        Column(gettext_lazy("When"), lambda r: r[0].at),
        Column(gettext_lazy("Action"), lambda r: r[0].get_action_display()),
        Column(gettext_lazy("By"), lambda r: r[0].actor_name),
        Column(gettext_lazy("Field"), lambda r: r[1]),
        Column(gettext_lazy("Before"), lambda r: _cell(r[2])),
        Column(gettext_lazy("After"), lambda r: _cell(r[3])),
    ),
)


def _changed_fields(obj: object, entries: list[ChangeLogEntry]) -> list[tuple[Any, ...]]:
    """The change log of one object, one row per changed field (one per change without)."""
    return [
        (entry, *field)
        for entry in entries
        for field in (_readable_differences(obj, entry) or [("", None, None)])
    ]


def _cell(value: object) -> object:
    return "" if value is None else jsonish(value)


def _readable_differences(obj: object, entry: ChangeLogEntry) -> list[tuple[str, object, object]]:
    """A change's fields with coded values (``needs_correction``) shown by their labels."""
    readable = []
    for name, before, after in entry.differences:
        try:
            field = obj._meta.get_field(name.removesuffix("_id"))  # type: ignore[attr-defined]
        except FieldDoesNotExist:
            field = None
        choices = dict(field.flatchoices) if field is not None and field.choices else {}
        if choices:
            before = choices.get(before, before)
            after = choices.get(after, after)
        readable.append((name, before, after))
    return readable
