"""Pulse surveys by SMS (the due-diligence side of worker voice, issue 20 §7).

An organisation defines a short multiple-choice survey for a facility, on one of its channels
(``create_survey``). Workers take part by texting its keyword to the channel's number
("PULSE", or "PULSE HI" for Hindi): their number is kept sealed, to send them the questions,
with a keyed hash to know their answers; "STOP" erases both. ``send_survey`` asks the first
question of everyone who opted in (a worker who opts in later is asked at once); each answer,
a number, is kept without the number (under a keyed hash of it and the survey) and the next
question follows. An answer out of range gets a clear reply and is not kept.

Inbound messages reach the survey through ``take_sms``, registered in the SMS intake's
``INBOUND_HOOKS``: a message it does not recognise goes on to the grievance intake. Outgoing
SMS go through ``sms.send_sms``, each once (its reference names it).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Membership
from oretrace.grievances import pulse, sealing
from oretrace.grievances.choices import SurveyStatus
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Channel, Survey, SurveyAnswer, SurveyOptIn
from oretrace.grievances.permissions import can_run_surveys
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.sms import InboundSms

logger = logging.getLogger(__name__)
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "ARRET", "ARRÊT", "ACHA", "रोकें"})
ANSWER_CHARS = 4  # an answer is a short number; a longer text is a grievance


def questions_of(survey: Survey) -> list[pulse.Question]:
    return [pulse.Question.from_json(q) for q in survey.questions]


def _keyword(text: str) -> str:
    keyword = (text or "").strip().upper()
    if not (keyword.isalnum() and 2 <= len(keyword) <= 20) or keyword in STOP_WORDS:
        raise GrievanceError(
            _("Keyword: 2 to 20 letters or digits, one word, not STOP."), field="keyword"
        )
    return keyword


@transaction.atomic
def create_survey(
    *,
    actor: Membership,
    channel: Channel,
    facility: Any,
    title: str,
    keyword: str,
    definition: str,
    language: str = "en",
) -> Survey:
    """A new open survey; the facility must be one the organisation sees."""
    from oretrace.grievances import queries

    can_run_surveys.require(actor, organisation_id=channel.organisation_id)
    title = (title or "").strip()
    if not title:
        raise GrievanceError(_("Title: name the survey."), field="title")
    keyword = _keyword(keyword)
    if language not in pulse.LANGUAGES:
        raise GrievanceError(f"language: one of {', '.join(pulse.LANGUAGES)}", field="language")
    try:
        questions = pulse.parse(definition)
    except pulse.DefinitionError as exc:
        problem = _("Questions: %(problem)s") % {"problem": exc}
        raise GrievanceError(problem, field="questions") from None
    queries.link_target(actor, "facility", facility.pk)  # NotFound for one it does not see
    if Survey.objects.filter(channel=channel, keyword=keyword, status=SurveyStatus.OPEN).exists():
        raise GrievanceError(
            _("Keyword: an open survey of this channel already uses it."), field="keyword"
        )
    survey = Survey.objects.create(
        organisation_id=channel.organisation_id,
        channel=channel,
        facility=facility,
        title=title[:200],
        keyword=keyword,
        language=language,
        questions=[q.as_json() for q in questions],
        created_on=timezone.localdate(),
    )
    log_change(survey, action=ChangeAction.CREATE, actor=actor)
    return survey


@transaction.atomic
def close_survey(survey: Survey, *, actor: Membership) -> Survey:
    """No more opt-ins or answers; every opted-in number is erased; the results remain."""
    can_run_surveys.require(actor, organisation_id=survey.organisation_id)
    if survey.status == SurveyStatus.CLOSED:
        raise GrievanceError(_("This survey is already closed."))
    _erase(SurveyOptIn.objects.filter(survey=survey))
    return update_and_log(survey, actor=actor, status=SurveyStatus.CLOSED)


def send_survey(survey: Survey, *, actor: Membership) -> int:
    """Ask the first question of every worker who opted in; how many were asked."""
    can_run_surveys.require(actor, organisation_id=survey.organisation_id)
    if survey.status != SurveyStatus.OPEN:
        raise GrievanceError(_("This survey is closed."))
    if survey.sent_on is not None:
        raise GrievanceError(
            _("This survey was already sent; those who opt in now are asked at once.")
        )
    with transaction.atomic():
        update_and_log(survey, actor=actor, sent_on=timezone.localdate())
        asked = 0
        for opt_in in _active(survey):
            number = sealing.RING.unseal(_sealed(opt_in), context=_context(opt_in))
            _ask(survey, opt_in, 0, number)
            asked += 1
    return asked


# --- the SMS side -------------------------------------------------------------------------------
def _context(opt_in: SurveyOptIn) -> str:
    return f"survey-opt-in:{opt_in.survey_id}:{opt_in.number_hash}"


def _sealed(opt_in: SurveyOptIn) -> sealing.Sealed:
    return sealing.Sealed(opt_in.key_id, bytes(opt_in.sealed_number))


def _active(survey: Survey) -> list[SurveyOptIn]:
    return list(
        SurveyOptIn.objects.filter(survey=survey, stopped_on__isnull=True).exclude(number_hash="")
    )


def _erase(opt_ins: Any) -> int:
    return int(
        opt_ins.filter(stopped_on__isnull=True).update(
            number_hash="",
            key_id="",
            sealed_number=b"",
            next_question=None,
            stopped_on=timezone.localdate(),
        )
    )


def _send(channel: Channel, number: str, text: str, reference: str) -> None:
    """One SMS, once per reference; none when the channel has no gateway to send with (the
    survey still counts what arrives)."""
    try:
        sms_services.send_sms(channel, to=number, text=text, reference=reference)
    except GrievanceError as exc:
        logger.warning("pulse survey on channel %s: SMS not sent: %s", channel.pk, exc)


def _reply_reference(sms: InboundSms) -> str:
    digest = hashlib.sha256(f"{sms.gateway}:{sms.message_id}".encode()).hexdigest()[:24]
    return f"pulse-reply:{digest}"


def _ask(survey: Survey, opt_in: SurveyOptIn, index: int, number: str) -> None:
    questions = questions_of(survey)
    SurveyOptIn.objects.filter(pk=opt_in.pk).update(next_question=index)
    text = pulse.question_sms(questions[index], index, len(questions), opt_in.language)
    _send(survey.channel, number, text, f"pulse:{survey.pk}:{opt_in.pk}:q{index}")


def respondent(survey: Survey, number_hash: str) -> str:
    """The keyed hash an answer is kept under: the number's keyed hash, bound to the survey."""
    return hashlib.sha256(f"survey:{survey.pk}:{number_hash}".encode()).hexdigest()


def take_sms(channel: Channel, sms: InboundSms) -> bool:
    """The SMS intake's hook: an opt-in, a STOP or an answer of a survey on ``channel`` is
    handled here (True); anything else goes on to the grievance intake (False)."""
    words = (sms.text or "").split()
    if not words:
        return False
    first = words[0].upper()
    number_hash = sealing.phone_digest(sms.sender)
    surveys = Survey.objects.filter(channel=channel, status=SurveyStatus.OPEN)
    mine = SurveyOptIn.objects.filter(
        survey__in=surveys, number_hash=number_hash, stopped_on__isnull=True
    ).select_related("survey__channel")
    if first in STOP_WORDS and len(words) == 1:
        language = next((o.language for o in mine), "en")
        if not _erase(mine):
            return False
        with translation.override(language):
            text = _("You will get no more survey messages. Thank you.")
        _send(channel, sms.sender, text, _reply_reference(sms))
        return True
    survey = surveys.filter(keyword=first).first()
    if survey is not None:
        _opt_in(survey, sms, words, number_hash)
        return True
    pending = next((o for o in mine if o.next_question is not None), None)
    if pending is not None and len(sms.text.strip()) <= ANSWER_CHARS:
        _answer(pending, sms, number_hash)
        return True
    return False


def _opt_in(survey: Survey, sms: InboundSms, words: list[str], number_hash: str) -> None:
    language = words[1].lower() if len(words) > 1 else survey.language
    language = language if language in pulse.LANGUAGES else survey.language
    opt_in = SurveyOptIn.objects.filter(survey=survey, number_hash=number_hash).first()
    if opt_in is None:
        opt_in = SurveyOptIn(
            survey=survey,
            number_hash=number_hash,
            language=language,
            opted_in_on=timezone.localdate(),
        )
        sealed = sealing.RING.seal(sms.sender, context=_context(opt_in))
        opt_in.key_id, opt_in.sealed_number = sealed.key_id, sealed.data
        opt_in.save()
    with translation.override(opt_in.language):
        text = _(
            "You are taking part in “%(title)s”. Answer each question with its number. "
            "Send STOP to leave."
        ) % {"title": survey.title}
    _send(survey.channel, sms.sender, text, _reply_reference(sms))
    if survey.sent_on is not None and opt_in.next_question is None:
        answered = SurveyAnswer.objects.filter(
            survey=survey, respondent=respondent(survey, number_hash)
        )
        if not answered.exists():
            _ask(survey, opt_in, 0, sms.sender)


def _answer(opt_in: SurveyOptIn, sms: InboundSms, number_hash: str) -> None:
    survey = opt_in.survey
    questions = questions_of(survey)
    index = opt_in.next_question or 0
    question = questions[index]
    try:
        option = pulse.read_answer(sms.text, question)
    except pulse.AnswerInvalid:
        with translation.override(opt_in.language):
            count = len(question.options)
            text = ngettext(
                "Please answer with one number from 1 to %(count)d.",
                "Please answer with one number from 1 to %(count)d.",
                count,
            ) % {"count": count}
        _send(survey.channel, sms.sender, text, _reply_reference(sms))
        return
    SurveyAnswer.objects.update_or_create(
        survey=survey,
        question=index,
        respondent=respondent(survey, number_hash),
        defaults={"option": option, "answered_on": timezone.localdate()},
    )
    if index + 1 < len(questions):
        _ask(survey, opt_in, index + 1, sms.sender)
        return
    SurveyOptIn.objects.filter(pk=opt_in.pk).update(next_question=None)
    with translation.override(opt_in.language):
        text = _("Thank you: your answers are counted without your number.")
    _send(survey.channel, sms.sender, text, _reply_reference(sms))


if take_sms not in sms_services.INBOUND_HOOKS:
    sms_services.INBOUND_HOOKS.append(take_sms)
