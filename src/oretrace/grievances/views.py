"""Pages of the grievance app.

The reporter's pages (``/voice/<channel>/``) need no account and set no cookie: no session,
no CSRF cookie (they are exempt: a forged post could only file a report or, knowing the
receipt, answer in the reporter's name, which the receipt already allows), no script. They are
marked ``no-store`` so a shared phone's browser keeps no copy, and send no referrer. Their
language comes from ``?lang=`` (en, fr, hi, sw), else the browser's. The officers' pages
(``/grievances/``) are for members holding the grievance officer role; to anyone else a case
does not exist (404).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oretrace.core.exceptions import NotFound, OretraceError
from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.grievances import forms, queries, receipts
from oretrace.grievances.choices import CaseStatus
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.list_exports import SURVEYS_EXPORT
from oretrace.grievances.models import Case, Channel
from oretrace.grievances.permissions import (
    can_handle_grievances,
    can_manage_channels,
    can_run_surveys,
)
from oretrace.grievances.services import actions as audit_actions
from oretrace.grievances.services import cases as case_services
from oretrace.grievances.services import inbox as inbox_services
from oretrace.grievances.services import intake as intake_services
from oretrace.grievances.services import links as link_services
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.services import surveys as survey_services
from oretrace.grievances.sms import (
    InboundSms,
    SignatureInvalid,
    SmsError,
    africastalking,
    android,
    twilio,
)
from oretrace.web.views import (
    errors_as_messages,
    errors_on_form,
    member_required,
    requires,
    sent_form,
)

PAGE = 50


# --- the reporter's pages ---------------------------------------------------------------------
def _chosen_language(request: HttpRequest) -> str:
    """The language the reporter chose with ``?lang=`` (carried on to their next page), or "".
    Without a choice the page speaks the browser's language and its links carry none."""
    code = request.GET.get("lang", "")
    return code if code in dict(settings.LANGUAGES) else ""


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _channel(slug: str) -> Channel:
    try:
        return queries.channel_by_slug(slug)
    except NotFound:
        raise Http404 from None


def _voice(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("languages", settings.LANGUAGES)
    return _private(render(request, template, context))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, channel: str) -> HttpResponse:
    """The short report form; a sent report shows its receipt, once."""
    found = _channel(channel)
    chosen = _chosen_language(request)
    lang = chosen or translation.get_language()
    with translation.override(lang):
        form = forms.ReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with errors_on_form(form):
                filed = intake_services.file_report(
                    found, text=form.cleaned_data["text"], language=lang
                )
                return _voice(
                    request,
                    "grievances/voice_receipt.html",
                    {"channel": found, "receipt": filed.grouped_receipt, "lang": chosen},
                )
        return _voice(
            request, "grievances/voice_form.html", {"channel": found, "form": form, "lang": chosen}
        )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, channel: str) -> HttpResponse:
    """Come back with the receipt: read the replies and answer."""
    found = _channel(channel)
    chosen = _chosen_language(request)
    lang = chosen or translation.get_language()
    with translation.override(lang):
        form = forms.ReceiptForm(request.POST or None)
        context: dict[str, Any] = {"channel": found, "form": form, "lang": chosen}
        if request.method == "POST" and form.is_valid():
            with errors_on_form(form):
                case = intake_services.find_case(found, form.cleaned_data["receipt"])
                reply = forms.ReporterReplyForm(
                    request.POST if "text" in request.POST else None,
                    initial={"receipt": form.cleaned_data["receipt"]},
                )
                if reply.is_bound and reply.is_valid():
                    with errors_on_form(reply) as sent:
                        intake_services.reporter_reply(case, text=reply.cleaned_data["text"])
                    if not sent.error:
                        reply = forms.ReporterReplyForm(
                            initial={"receipt": form.cleaned_data["receipt"]}
                        )
                        context["sent"] = True
                context.update(case=case, thread=case_services.thread(case), reply=reply)
                return _voice(request, "grievances/voice_thread.html", context)
        return _voice(request, "grievances/voice_follow.html", context)


# --- SMS gateways' webhooks -----------------------------------------------------------------
_CHANNELS: dict[str, tuple[float, Channel]] = {}
CHANNEL_SECONDS = 10.0


def _webhook_channel(slug: str) -> Channel:
    """The channel of a webhook; with the inbox on (volume), remembered for a few seconds by each
    web process: a gateway posts to the same few channels hundreds of times a second."""
    if not settings.ORETRACE_GRIEVANCE_SMS_INBOX:
        return _channel(slug)
    now = time.monotonic()
    kept = _CHANNELS.get(slug)
    if kept is not None and now - kept[0] < CHANNEL_SECONDS:
        return kept[1]
    found = _channel(slug)
    if len(_CHANNELS) > 1000:
        _CHANNELS.clear()
    _CHANNELS[slug] = (now, found)
    return found


@csrf_exempt
@require_http_methods(["POST"])
def sms_android(request: HttpRequest, channel: str) -> HttpResponse:
    """The SMS Gateway for Android's webhook (local mode): signed, each message once."""
    key = settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY
    if not key:
        raise Http404("SMS intake is not configured")
    found = _webhook_channel(channel)
    try:
        android.verify(
            key=key,
            body=request.body,
            timestamp=request.headers.get("X-Timestamp", ""),
            signature=request.headers.get("X-Signature", ""),
            now=time.time(),
            max_skew=settings.ORETRACE_GRIEVANCE_SMS_MAX_SKEW_SECONDS,
        )
    except SignatureInvalid as exc:
        return JsonResponse({"detail": str(exc)}, status=401)
    return _file(found, lambda: android.parse(request.body))


def _file(found: Channel, parse: Callable[[], InboundSms | None]) -> JsonResponse:
    """Parse a verified webhook and file its message: 400 naming what is wrong, never a 500."""
    try:
        sms = parse()
        if sms is None:
            return JsonResponse({"status": "ignored"})
        if settings.ORETRACE_GRIEVANCE_SMS_INBOX:
            inbox_services.take_in(found, sms)
            return JsonResponse({"status": "queued"})
        outcome = sms_services.receive_sms(found, sms)
    except (SmsError, OretraceError) as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"status": _status(outcome)})


def _status(outcome: sms_services.SmsOutcome) -> str:
    """What a webhook answers: the gateway's logs show it, nothing more."""
    if outcome.duplicate:
        return "duplicate"
    return "taken" if outcome.taken else "received"


@csrf_exempt
@require_http_methods(["POST"])
def sms_twilio(request: HttpRequest, channel: str) -> HttpResponse:
    """A Twilio-compatible API's inbound webhook: signed with the auth token, each message once;
    answered with empty TwiML (replies go through the Messages API)."""
    token = settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN
    if not token:
        raise Http404("SMS intake by Twilio is not configured")
    found = _webhook_channel(channel)
    try:
        twilio.verify(
            token=token,
            url=settings.ORETRACE_BASE_URL + request.get_full_path(),
            body=request.body,
            signature_header=request.headers.get("X-Twilio-Signature", ""),
        )
    except SignatureInvalid as exc:
        return JsonResponse({"detail": str(exc)}, status=401)
    except SmsError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    account = settings.ORETRACE_GRIEVANCE_SMS_TWILIO_ACCOUNT_SID
    answer = _file(found, lambda: twilio.parse(request.body, account_sid=account))
    if answer.status_code != 200:
        return answer
    return HttpResponse(twilio.EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_http_methods(["POST"])
def sms_africastalking(request: HttpRequest, channel: str) -> HttpResponse:
    """Africa's Talking's incoming-messages callback: its address carries our secret
    (``?key=``), each message once."""
    key = settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_WEBHOOK_KEY
    if not key:
        raise Http404("SMS intake by Africa's Talking is not configured")
    found = _webhook_channel(channel)
    try:
        africastalking.verify(key=key, given=request.GET.get("key", ""))
    except SignatureInvalid as exc:
        return JsonResponse({"detail": str(exc)}, status=401)
    return _file(found, lambda: africastalking.parse(request.body))


# --- the officers' pages ----------------------------------------------------------------------
@member_required
def case_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    overdue = request.GET.get("overdue") == "1"
    found = queries.cases_for(member, status=status, overdue=overdue)
    return render(
        request,
        "grievances/case_list.html",
        {
            "cases": found[:PAGE],
            "total": found.count(),
            "may_handle": can_handle_grievances(member),
            "may_manage_channels": can_manage_channels(member),
            "may_run_surveys": can_run_surveys(member),
            "statuses": CaseStatus.choices,
            "status": status,
            "overdue": overdue,
            "counts": queries.counts(member),
        },
    )


@member_required
@requires(can_handle_grievances)
def record(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """An officer writes down a report received by phone, in person or on paper."""
    form = forms.RecordForm(request.POST or None, channels=queries.channels_for(member))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on_form(form):
            filed = intake_services.record_report(
                data["channel"],
                actor=member,
                text=data["text"],
                intake=data["intake"],
                language=data["language"],
                received_on=data["received_on"],
            )
            return render(
                request,
                "grievances/recorded.html",
                {"case": filed.case, "receipt": filed.grouped_receipt},
            )
    return render(request, "grievances/record.html", {"form": form})


@member_required
@requires(can_manage_channels)
def channels(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = forms.ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form):
            intake_services.open_channel(actor=member, **form.cleaned_data)
            return redirect("grievances:channels")
    return render(
        request,
        "grievances/channels.html",
        {"channels": queries.channels_for(member), "form": form},
    )


def _forms(member: Membership, data: Any = None, do: str = "") -> dict[str, Any]:
    """The case page's action forms; the one named by ``do`` bound to the posted data."""

    def bound(name: str) -> Any:
        return data if do == name else None

    return {
        "triage": forms.TriageForm(bound("triage"), prefix="triage"),
        "assign": forms.AssignForm(
            bound("assign"), prefix="assign", officers=queries.officers(member)
        ),
        "reply": forms.ReplyForm(bound("reply"), prefix="reply"),
        "note": forms.NoteForm(bound("note"), prefix="note"),
        "escalate": forms.EscalateForm(bound("escalate"), prefix="escalate"),
        "close": forms.CloseForm(bound("close"), prefix="close"),
        "link": forms.LinkForm(bound("link"), prefix="link", choices=queries.link_choices(member)),
        "unlink": forms.UnlinkForm(bound("unlink"), prefix="unlink"),
        "remedy": forms.RemediationForm(bound("remedy"), prefix="remedy", villages=villages)
        if (villages := queries.remediation_villages(member))
        else None,
    }


def _act(case: Case, member: Membership, do: str, form: Any) -> None:
    """Carry out the action ``do`` with its valid form."""
    data = form.cleaned_data if form is not None else {}
    if do == "acknowledge":
        case_services.acknowledge(case, actor=member, text=str(_ACKNOWLEDGEMENT))
    elif do == "triage":
        case_services.triage(case, actor=member, **data)
    elif do == "assign":
        to = queries.officers(member)
        chosen = next((m for m in to if str(m.pk) == data["assigned_to"]), None)
        if chosen is None:
            raise GrievanceError("assigned to: choose a grievance officer of the organisation")
        case_services.assign(case, actor=member, to=chosen)
    elif do == "reply":
        case_services.reply(case, actor=member, text=data["text"], feedback=data["feedback"])
    elif do == "note":
        case_services.add_note(case, actor=member, text=data["note"])
    elif do == "escalate":
        case_services.escalate(case, actor=member, to=data["escalated_to"])
    elif do == "remediate":
        case_services.start_remediation(case, actor=member)
    elif do == "close":
        case_services.close(case, actor=member, outcome=data["outcome"])
    elif do == "reopen":
        case_services.reopen(case, actor=member)
    elif do == "link":
        target, target_id = link_services.parse_choice(data["subject"])
        link_services.link_case(case, actor=member, target=target, target_id=target_id)
    elif do == "remedy":
        village = queries.remediation_village(member, data["village"])
        link_services.open_remediation(case, actor=member, village=village, **form.identification())
    elif do == "unlink":
        link = next((x for x in queries.links_of(case) if x.pk == data["link"]), None)
        if link is None:
            raise GrievanceError("link: not a link of this case")
        link_services.unlink(link, actor=member)


def _audit_forms(case: Case, member: Membership, data: Any, do: str) -> dict[str, Any]:
    """The case page's forms that open a finding or an unannounced audit (services.actions):
    each only where the officer may use it."""
    from oretrace.audits import queries as audit_queries

    places = queries.finding_places(case, member)
    subjects = queries.audit_subjects(case, member)
    may_plan = not audit_actions.who_plans_audits(member)
    return {
        "finding": forms.AuditFindingForm(
            data if do == "finding" else None, prefix="finding", places=places
        )
        if places
        else None,
        "audit": forms.UnannouncedAuditForm(
            data if do == "audit" else None,
            prefix="audit",
            subjects=subjects,
            programmes=audit_queries.programmes_for(member),
            auditors=[
                (str(m.pk), m.user.full_name or m.user.email)
                for m in audit_actions.auditors_of(member)
            ],
        )
        if subjects and may_plan
        else None,
    }


def _act_audit(case: Case, member: Membership, do: str, form: Any) -> None:
    """Open a finding or an unannounced audit from the case, with its valid form."""
    data = form.cleaned_data
    link_id, _sep, other_id = data["place" if do == "finding" else "subject"].partition(":")
    if do == "finding":
        audit_actions.open_finding(
            case,
            actor=member,
            link_id=link_id,
            criterion_id=other_id,
            grade=data["grade"],
            description=data["description"],
        )
    else:
        audit_actions.request_audit(
            case,
            actor=member,
            link_id=link_id,
            facility_id=other_id,
            programme=data["programme"],
            scope=data["scope"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
            lead_auditor=next(
                (m for m in audit_actions.auditors_of(member) if str(m.pk) == data["lead_auditor"]),
                None,
            ),
        )


_AUDIT_ACTIONS = ("finding", "audit")
_ACKNOWLEDGEMENT = translation.gettext_lazy(
    "We have received your report. A grievance officer is looking into it and will write to "
    "you here."
)
_PLAIN_ACTIONS = ("acknowledge", "remediate", "reopen")


@member_required
def case_detail(request: AuthenticatedRequest, member: Membership, case_id: int) -> HttpResponse:
    """One case: its conversation and notes (each opening logged), timers and actions."""
    case = queries.case_for(member, case_id)
    do = sent_form(request)
    action_forms = _forms(member, request.POST, do)
    action_forms.update(_audit_forms(case, member, request.POST, do))
    form = action_forms.get(do)
    if do and (do in _PLAIN_ACTIONS or (form is not None and form.is_valid())):
        with errors_as_messages(request) as tried:
            (_act_audit if do in _AUDIT_ACTIONS else _act)(case, member, do, form)
        if not tried.error:
            return redirect("grievances:case", case_id=case.pk)
    content = case_services.read_content(case, actor=member)
    case.refresh_from_db()
    return render(
        request,
        "grievances/case_detail.html",
        {
            "case": case,
            "content": content,
            "forms": action_forms,
            "reads": queries.reads_of(case),
            "links": queries.links_of(case),
            "opened": queries.opened_from(case, member),
            # why no audit can be planned from the case's linked facilities, and who can
            "who_plans_audits": audit_actions.who_plans_audits(member)
            if queries.audit_subjects(case, member)
            else "",
            "receipt_length": receipts.LENGTH,
        },
    )


# --- pulse surveys ------------------------------------------------------------------------------
def _facility_choices(member: Membership) -> list[tuple[str, str]]:
    groups = queries.link_choices(member)
    facilities = next(
        (choices for label, choices in groups if choices and choices[0][0].startswith("facility:")),
        [],
    )
    return [(value.split(":", 1)[1], label) for value, label in facilities]


@member_required
@requires(can_run_surveys)
def surveys(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """The organisation's pulse surveys, and a form for a new one."""
    form = forms.SurveyForm(
        request.POST or None,
        channels=queries.channels_for(member),
        facilities=_facility_choices(member),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on_form(form):
            facility = queries.link_target(member, "facility", data["facility"])
            survey = survey_services.create_survey(
                actor=member,
                channel=data["channel"],
                facility=facility,
                title=data["title"],
                keyword=data["keyword"],
                definition=data["questions"],
                language=data["language"],
            )
            return redirect("grievances:survey", survey_id=survey.pk)
    found = queries.surveys_for(member)
    if (download := SURVEYS_EXPORT.response(request, found)) is not None:
        return download
    return render(request, "grievances/surveys.html", {"surveys": found, "form": form})


@member_required
@requires(can_run_surveys)
def survey_detail(
    request: AuthenticatedRequest, member: Membership, survey_id: int
) -> HttpResponse:
    """One survey: its questions, who takes part and its results (no cell under five); send
    it, close it."""
    survey = queries.survey_for(member, survey_id)
    do = sent_form(request)
    if do in ("send", "close"):
        with errors_as_messages(request) as tried:
            if do == "send":
                survey_services.send_survey(survey, actor=member)
            else:
                survey_services.close_survey(survey, actor=member)
        if not tried.error:
            return redirect("grievances:survey", survey_id=survey.pk)
    language = translation.get_language() or "en"
    return render(
        request,
        "grievances/survey_detail.html",
        {
            "survey": survey,
            "questions": survey_services.questions_of(survey),
            "results": queries.survey_results(survey, language[:2]),
        },
    )
