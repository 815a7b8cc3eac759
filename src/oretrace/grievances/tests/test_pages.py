"""The grievance pages: the reporter's (no account, no cookie, nothing that identifies them
stored) and the officers' (cases, record, channels), with their tenancy."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from oretrace.core.tests.fixtures import web_client
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests
from oretrace.grievances.models import Case, ContentRead, Message
from oretrace.grievances.services import cases
from oretrace.grievances.urls import urlpatterns, voice_urlpatterns

pytestmark = pytest.mark.django_db

PAGES = PageTenancy(
    urlpatterns,
    "grievances",
    cross_org={
        "case": [
            Page(["case"]),
            Page(["case"], {"do": "note", "note-note": "x"}),
            Page(["case"], {"do": "acknowledge"}),
        ],
        "survey": [
            Page(["survey"]),
            Page(["survey"], {"do": "send"}),
            Page(["survey"], {"do": "close"}),
        ],
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)
VOICE = PageTenancy(
    voice_urlpatterns,
    "voice",
    cross_org={},
    elsewhere={
        "report": "public: a channel's form takes reports from anyone (test_pages.py)",
        "follow": "public: a case opens only with its receipt, on its own channel "
        "(test_intake.py, test_pages.py)",
        "sms_android": "an SMS gateway's webhook, signed with the gateway's key (test_sms.py)",
        "sms_twilio": "a Twilio-compatible webhook, signed with the auth token "
        "(test_sms_gateways.py, test_sms_loopback.py)",
        "sms_africastalking": "Africa's Talking's callback, our secret ?key= in its address "
        "(test_sms_gateways.py, test_sms_loopback.py)",
    },
)
test_every_voice_page_is_covered, _ = page_tenancy_tests(VOICE)

ADDRESS = "203.0.113.77"
AGENT = "Nokia105-UniqueAgent/4.2"


def _reporter() -> Client:
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=ADDRESS)


def _receipt(page: str) -> str:
    found = re.search(r'id="receipt"><strong>([\d ]{19})</strong>', page)
    assert found, page
    return found.group(1)


def test_the_form_is_light_has_no_script_and_sets_no_cookie(channel):
    response = _reporter().get(f"/voice/{channel.slug}/?lang=sw")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script" not in page
    assert "csrfmiddlewaretoken" not in page
    assert 'lang="sw"' in page
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert len(response.content) < 8_000


def test_an_unknown_or_closed_channel_is_404(channel):
    assert _reporter().get("/voice/nowhere/").status_code == 404


def test_a_hindi_report_its_receipt_a_reply_and_the_answer(channel, member_a, caplog):
    reporter = _reporter()
    text = "गोदाम में पीने का पानी नहीं है"
    response = reporter.post(f"/voice/{channel.slug}/?lang=hi", {"text": text})
    assert response.status_code == 200
    assert not response.cookies
    page = response.content.decode()
    assert 'lang="hi"' in page
    receipt = _receipt(page)
    case = Case.objects.get()
    assert case.language == "hi"
    cases.reply(case, actor=member_a, text="कौन सा गोदाम?")
    response = reporter.post(f"/voice/{channel.slug}/follow/?lang=hi", {"receipt": receipt})
    page = response.content.decode()
    assert text in page
    assert "कौन सा गोदाम?" in page
    assert member_a.user.full_name not in page  # the reporter sees a role, not a person
    response = reporter.post(
        f"/voice/{channel.slug}/follow/?lang=hi", {"receipt": receipt, "text": "उत्तरी गोदाम"}
    )
    assert "उत्तरी गोदाम" in response.content.decode()
    assert not response.cookies
    assert Message.objects.filter(case=case).count() == 3
    # nothing that identifies the reporter anywhere: every table, and the logs
    assert _tables_holding(ADDRESS, AGENT, "Nokia105") == []
    assert ADDRESS not in caplog.text
    assert "Nokia105" not in caplog.text


def _tables_holding(*needles: str) -> list[str]:
    """Every table and text column in which one of ``needles`` appears."""
    found = []
    quote = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if field.get_internal_type() not in (
                "CharField",
                "TextField",
                "JSONField",
                "GenericIPAddressField",
                "SlugField",
                "EmailField",
            ):
                continue
            column = quote(str(field.column))
            for needle in needles:
                sql = f"SELECT COUNT(*) FROM {quote(table)} WHERE CAST({column} AS TEXT) LIKE %s"  # noqa: S608
                with connection.cursor() as cursor:
                    cursor.execute(sql, [f"%{needle}%"])
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{field.column}")
    return found


def test_a_wrong_receipt_and_a_typo_are_told_apart(channel, filed):
    reporter = _reporter()
    typo = filed.receipt[:-1] + str((int(filed.receipt[-1]) + 1) % 10)
    page = reporter.post(f"/voice/{channel.slug}/follow/", {"receipt": typo}).content.decode()
    assert "typing mistake" in page
    assert "dust mask" not in page


def test_an_empty_report_is_refused_on_the_form(channel):
    response = _reporter().post(f"/voice/{channel.slug}/", {"text": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Case.objects.exists()


def test_the_case_page_shows_the_content_and_logs_the_reading(web_a, filed, member_a):
    response = web_a.get(f"/grievances/{filed.case.pk}/")
    assert response.status_code == 200
    assert "The dust mask stock ran out in May." in response.content.decode()
    assert ContentRead.objects.filter(case=filed.case, member=member_a).count() == 1


def test_an_administrator_without_the_role_sees_no_case(filed, admin_only_a):
    client = web_client(admin_only_a)
    assert client.get(f"/grievances/{filed.case.pk}/").status_code == 404
    page = client.get("/grievances/").content.decode()
    assert "G-" not in page
    assert not ContentRead.objects.exists()


def test_the_officer_acts_on_the_case_page(web_a, filed):
    url = f"/grievances/{filed.case.pk}/"
    assert web_a.post(url, {"do": "acknowledge"}).status_code == 302
    response = web_a.post(
        url,
        {
            "do": "triage",
            "triage-category": "child_labour",
            "triage-severity": "critical",
            "triage-urgency": "immediate",
        },
    )
    assert response.status_code == 302
    web_a.post(url, {"do": "close", "close-outcome": "Resolved with the unit."})
    case = Case.objects.get(pk=filed.case.pk)
    assert (case.status, case.category) == ("closed", "child_labour")
    # closing twice is a clear message, not a 500
    response = web_a.post(url, {"do": "reopen"})
    assert Case.objects.get(pk=case.pk).status == "investigation"


def test_an_officer_records_a_paper_report_and_hands_over_a_receipt(web_a, channel):
    response = web_a.post(
        "/grievances/record/",
        {"channel": channel.pk, "intake": "paper", "text": "Letter about unpaid wages"},
    )
    assert response.status_code == 200
    receipt = _receipt(response.content.decode())
    page = _reporter().post(f"/voice/{channel.slug}/follow/", {"receipt": receipt}).content.decode()
    assert "Letter about unpaid wages" in page


def test_the_list_shows_overdue_cases(web_a, filed):
    page = web_a.get("/grievances/").content.decode()
    assert filed.case.reference in page
    assert "1 open case" in page


def test_the_dashboard_counts_open_and_overdue_cases_for_officers_only(
    web_a, channel, member_a, admin_only_a
):
    import datetime

    from django.utils import timezone

    from oretrace.grievances.services import intake

    intake.record_report(
        channel,
        actor=member_a,
        text="late",
        intake="paper",
        received_on=timezone.localdate() - datetime.timedelta(days=8),
    )
    html = web_a.get("/").content.decode()
    figures = dict(
        re.findall(r'<dt><a href="/grievances/[^"]*">([^<]+)</a></dt><dd>(\d+)</dd>', html)
    )
    assert figures["Open grievances"] == "1"
    assert figures["Grievances overdue"] == "1"
    client = web_client(admin_only_a)
    assert "Open grievances" not in client.get("/").content.decode()
