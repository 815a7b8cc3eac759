"""Pulse surveys by SMS (issue 20 §7): a worker opts in by keyword (the number sealed, its
keyed hash kept), answers each question by its number (an answer out of range gets a clear
reply and is not kept), STOP erases the number; results are counted with no cell under five
and shown beside the facility's risk to buyers whose supply chain includes it."""

from __future__ import annotations

import itertools

import pytest

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.services import grant_access
from oretrace.core.tests.fixtures import web_client
from oretrace.grievances import pulse, queries, sealing
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, SurveyAnswer, SurveyOptIn
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.services import surveys
from oretrace.grievances.services.sms import SmsOutcome
from oretrace.grievances.sms import InboundSms
from oretrace.grievances.tests.factories import SurveyAnswerFactory, SurveyFactory
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.traceability.tests.factories import LotFactory

pytestmark = pytest.mark.django_db

WORKER = "+919812340001"
DEFINITION = """
Are you paid on time? | hi: क्या आपको समय पर भुगतान मिलता है?
- Yes | hi: हाँ
- No | hi: नहीं
Is drinking water available? | hi: क्या पीने का पानी है?
- Always | hi: हमेशा
- Sometimes | hi: कभी-कभी
- Never | hi: कभी नहीं
"""
_ids = itertools.count(1)


@pytest.fixture
def sent(monkeypatch):
    """Every SMS the surveys send: (to, text, reference); no gateway needed."""
    out: list[tuple[str, str, str]] = []

    def send_sms(channel, *, to, text, reference):
        out.append((to, text, reference))

    monkeypatch.setattr(sms_services, "send_sms", send_sms)
    return out


@pytest.fixture
def unit(org_a):
    return FacilityFactory.create(organisation=org_a, name="Alpha sorting unit")


@pytest.fixture
def survey(channel, member_a, unit):
    return surveys.create_survey(
        actor=member_a,
        channel=channel,
        facility=unit,
        title="Wages and water",
        keyword="pulse",
        definition=DEFINITION,
    )


def _sms(channel, text: str, sender: str = WORKER, message_id: str = "") -> SmsOutcome:
    sms = InboundSms("test", message_id or f"survey-sms-{next(_ids)}", sender, text)
    return sms_services.receive_sms(channel, sms)


def test_a_definition_is_read_with_its_languages():
    [paid, water] = pulse.parse(DEFINITION)
    assert paid.text == {"en": "Are you paid on time?", "hi": "क्या आपको समय पर भुगतान मिलता है?"}
    assert [o["en"] for o in water.options] == ["Always", "Sometimes", "Never"]
    assert pulse.question_sms(paid, 0, 2, "hi") == "1/2 क्या आपको समय पर भुगतान मिलता है? 1 हाँ, 2 नहीं"
    assert pulse.question_sms(paid, 0, 2, "sw") == "1/2 Are you paid on time? 1 Yes, 2 No"


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        ("- Yes\n- No", "line 1: an option comes after its question"),
        ("Paid?\n- Yes", "question 1: give 2 to 9 options"),
        ("Paid? | de: Bezahlt?\n- Yes\n- No", "line 1: language 'de' is not one of"),
        ("Paid? | Bezahlt?\n- Yes\n- No", "line 1: after “|”, write a language"),
        ("", "the survey has no question"),
        ("\n".join(f"Q{n}?\n- a\n- b" for n in range(6)), "at most 5 questions"),
    ],
)
def test_a_bad_definition_names_the_line_and_the_problem(definition, problem):
    with pytest.raises(pulse.DefinitionError, match=problem):
        pulse.parse(definition)


def test_a_survey_is_refused_with_a_clear_error(channel, member_a, unit, admin_only_a, org_b):
    with pytest.raises(GrievanceError, match="Questions: line 1") as caught:
        surveys.create_survey(
            actor=member_a,
            channel=channel,
            facility=unit,
            title="x",
            keyword="P1",
            definition="- a",
        )
    assert caught.value.field == "questions"
    with pytest.raises(GrievanceError, match="not STOP"):
        surveys.create_survey(
            actor=member_a,
            channel=channel,
            facility=unit,
            title="x",
            keyword="STOP",
            definition=DEFINITION,
        )
    with pytest.raises(PermissionDenied):
        surveys.create_survey(
            actor=admin_only_a.__class__.objects.create(
                organisation=org_b, user=member_a.user, roles=["compliance_officer"]
            ),
            channel=channel,
            facility=unit,
            title="x",
            keyword="P2",
            definition=DEFINITION,
        )


def test_a_worker_opts_in_by_keyword_their_number_sealed(channel, survey, sent):
    # when
    outcome = _sms(channel, "pulse hi")
    # then: taken by the survey (no grievance), the number sealed and hashed, a reply in Hindi
    assert outcome.taken
    assert not Case.objects.exists()
    [opt_in] = SurveyOptIn.objects.all()
    assert opt_in.language == "hi"
    assert opt_in.number_hash == sealing.phone_digest(WORKER)
    assert WORKER[1:] not in bytes(opt_in.sealed_number).decode("latin-1")
    assert [(to, ref.split(":")[0]) for to, _t, ref in sent] == [(WORKER, "pulse-reply")]
    # a second opt-in changes nothing
    _sms(channel, "PULSE")
    assert SurveyOptIn.objects.count() == 1


def test_the_survey_asks_each_question_and_keeps_answers_without_the_number(
    channel, survey, member_a, sent
):
    _sms(channel, "PULSE")
    sent.clear()
    # when: sent, answered 2 then 3
    assert surveys.send_survey(survey, actor=member_a) == 1
    assert sent[-1][0] == WORKER
    assert sent[-1][1].startswith("1/2 Are you paid on time?")
    _sms(channel, "2")
    assert sent[-1][1].startswith("2/2 Is drinking water available?")
    _sms(channel, "3")
    # then
    answers = sorted(SurveyAnswer.objects.values_list("question", "option"))
    assert answers == [(0, 1), (1, 2)]
    assert "without your number" in sent[-1][1]
    assert SurveyOptIn.objects.get().next_question is None
    for answer in SurveyAnswer.objects.all():
        assert WORKER[1:] not in answer.respondent
        assert answer.respondent != sealing.phone_digest(WORKER)


def test_an_answer_out_of_range_gets_a_clear_reply_and_is_not_kept(channel, survey, member_a, sent):
    _sms(channel, "PULSE")
    surveys.send_survey(survey, actor=member_a)
    for wrong in ("7", "0", "abc"):
        outcome = _sms(channel, wrong)
        assert outcome.taken
        assert sent[-1][1] == "Please answer with one number from 1 to 2."
    assert not SurveyAnswer.objects.exists()
    # a long message while a question waits is a grievance, not an answer
    _sms(channel, "The supervisor shouts at the sorters every morning.")
    assert Case.objects.count() == 1


def test_the_same_answer_delivered_twice_counts_once(channel, survey, member_a, sent):
    _sms(channel, "PULSE")
    surveys.send_survey(survey, actor=member_a)
    _sms(channel, "1", message_id="gw-77")
    _sms(channel, "1", message_id="gw-77")
    assert SurveyAnswer.objects.count() == 1


def test_stop_erases_the_number(channel, survey, member_a, sent):
    _sms(channel, "PULSE")
    surveys.send_survey(survey, actor=member_a)
    # when
    outcome = _sms(channel, "STOP")
    # then
    assert outcome.taken
    opt_in = SurveyOptIn.objects.get()
    assert (opt_in.number_hash, bytes(opt_in.sealed_number), opt_in.key_id) == ("", b"", "")
    assert opt_in.stopped_on is not None
    assert sent[-1][1] == "You will get no more survey messages. Thank you."
    # an answer after STOP is no answer; a STOP from nobody taking part is left to the intake
    _sms(channel, "1")
    assert not SurveyAnswer.objects.exists()
    assert not _sms(channel, "STOP", sender="+919800000999").taken


def test_closing_erases_every_number(channel, survey, member_a, sent):
    _sms(channel, "PULSE")
    surveys.close_survey(survey, actor=member_a)
    assert SurveyOptIn.objects.get().number_hash == ""
    assert not _sms(channel, "PULSE").taken  # a closed survey takes no one


def test_results_are_counted_with_no_cell_under_five():
    # given: 5 workers answered Yes and 4 No to the first question
    survey = SurveyFactory.create(sent_on="2026-11-03")
    SurveyAnswerFactory.create_batch(5, survey=survey, question=0, option=0)
    SurveyAnswerFactory.create_batch(4, survey=survey, question=0, option=1)
    # when
    results = queries.survey_results(survey)
    # then
    question, table = results.questions[0]
    assert question == "Are you paid on time?"
    assert table.row_values == ["5", "<5"]
    assert table.total == "≥5"  # not 9: 9 - 5 would give the 4 away
    _water, nobody = results.questions[1]
    assert nobody.row_values == ["<5", "<5", "<5"]
    assert results.taking_part == "<5"


def test_a_buyer_sees_the_results_beside_the_facility_s_risk(org_a, org_b, member_b, web_a):
    # given: B's unit in A's supply chain (A's lot there), B's survey sent and answered
    unit = FacilityFactory.create(organisation=org_b)
    grant_access(unit, to=org_a, actor=member_b)
    LotFactory.create(organisation=org_a, facility=unit)
    survey = SurveyFactory.create(
        channel__organisation=org_b, facility=unit, title="Water", sent_on="2026-11-03"
    )
    SurveyAnswerFactory.create_batch(6, survey=survey, question=0, option=0)
    # then
    page = web_a.get(f"/facilities/{unit.pk}/").content.decode()
    assert "Pulse survey: Water" in page
    assert "<td>6</td>" in page
    assert "<td>&lt;5</td>" in page
    assert [r.survey for r in queries.facility_surveys(member_b, unit)] == [survey]  # its own


def test_the_facility_s_own_organisation_does_not_see_another_s_survey(org_a, member_b, org_b):
    unit = FacilityFactory.create(organisation=org_b)
    LotFactory.create(organisation=org_b, facility=unit)
    SurveyFactory.create(channel__organisation=org_a, facility=unit, sent_on="2026-11-03")
    assert queries.facility_surveys(member_b, unit) == []


def test_the_survey_pages_create_send_and_close(channel, unit, web_a, member_a, sent):
    page = web_a.get("/grievances/surveys/")
    assert page.status_code == 200
    response = web_a.post(
        "/grievances/surveys/",
        {
            "title": "Water",
            "channel": channel.pk,
            "facility": unit.pk,
            "keyword": "water",
            "language": "hi",
            "questions": DEFINITION,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    survey = queries.surveys_for(member_a).get()
    assert survey.keyword == "WATER"
    url = f"/grievances/surveys/{survey.pk}/"
    assert "Workers taking part" in web_a.get(url).content.decode()
    web_a.post(url, {"do": "send"})
    web_a.post(url, {"do": "close"})
    survey.refresh_from_db()
    assert survey.sent_on is not None
    assert survey.status == "closed"
    bad = web_a.post(
        "/grievances/surveys/",
        {
            "title": "x",
            "channel": channel.pk,
            "facility": unit.pk,
            "keyword": "w2",
            "language": "en",
            "questions": "- a",
        },
    )
    assert "Questions: line 1" in bad.content.decode()


def test_another_organisation_gets_404_on_a_survey(survey, web_b):
    assert web_b.get(f"/grievances/surveys/{survey.pk}/").status_code == 404
    assert web_b.post(f"/grievances/surveys/{survey.pk}/", {"do": "close"}).status_code == 404


def test_the_survey_page_shows_its_texts_in_the_readers_language_where_given(member_a, survey):
    from django.conf import settings

    web = web_client(member_a)
    url = f"/grievances/surveys/{survey.pk}/"
    web.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    hindi = web.get(url).content.decode()
    assert "क्या आपको समय पर भुगतान मिलता है?" in hindi
    assert '<li lang="hi">हाँ</li>' in hindi
    web.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = web.get(url).content.decode()
    # no French was given: the author's English, marked as such and as not to translate
    assert '<li lang="en">Yes</li>' in french
    assert '<ol translate="no">' in french
