"""Campaigns: the API and pages against another organisation's member, the e-mails and their
links, the public page of a link (no account, CSRF, closed, wrong family, another supplier's
link), reminders, decisions that move requests along, and the response rate."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.declarations import services
from oretrace.declarations.api.campaigns import router
from oretrace.declarations.choices import RESPONDED, RequestStatus
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.links import hash_token
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration, Supplier
from oretrace.declarations.queries import campaigns as campaign_queries
from oretrace.declarations.services import imports, responses
from oretrace.declarations.tests.campaigns import open_campaign
from oretrace.declarations.urls import urlpatterns

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def link_jobs_run_at_once(monkeypatch):
    """Files sent through a link are checked by a job: here it runs as soon as it is started,
    as a free worker would (`test_the_link_stores_files_and_the_worker_reads_them` checks the
    queued state)."""
    from oretrace.core.jobs import execute, start_job

    def start_and_run(*args, **kwargs):
        job = start_job(*args, **kwargs)
        execute(job.pk)
        return job

    monkeypatch.setattr(responses, "start_job", start_and_run)


OWN_SCOPE = {"GET /campaigns", "POST /campaigns", "POST /suppliers/import"}
CROSS_ORG = {
    "GET /campaigns/{int:campaign_id}": Reach("/api/v1/campaigns/{campaign}"),
    "POST /campaigns/{int:campaign_id}/reminders": Reach(
        "/api/v1/campaigns/{campaign}/reminders", {}
    ),
    "POST /campaigns/{int:campaign_id}/close": Reach("/api/v1/campaigns/{campaign}/close", {}),
    "POST /campaigns/{int:campaign_id}/requests/{int:request_id}/declaration": Reach(
        "/api/v1/campaigns/{campaign}/requests/{request}/declaration", {"declaration_id": 1}
    ),
    "POST /campaigns/{int:campaign_id}/suppliers": Reach(
        "/api/v1/campaigns/{campaign}/suppliers", {"supplier_ids": []}
    ),
}


def _supplier(member, name: str, email: str = "") -> Supplier:
    return services.create_supplier(
        actor=member, name=name, email=email or f"{name.split()[0].lower()}@example.com"
    )


@pytest.fixture
def campaign_a(member_a, mailoutbox, django_capture_on_commit_callbacks):
    """A CMRT campaign of A asking two suppliers; returns (campaign, {supplier name: token})."""
    alpha = _supplier(member_a, "Alpha Metals")
    beta = _supplier(member_a, "Beta Solder")
    campaign, tokens = open_campaign(
        member_a,
        [alpha, beta],
        on_commit=django_capture_on_commit_callbacks,
        mailoutbox=mailoutbox,
        message="Please cover all products.",
    )
    return campaign, {"Alpha Metals": tokens[alpha.email], "Beta Solder": tokens[beta.email]}


# --- tenancy ----------------------------------------------------------------------------------


def test_every_campaign_page_with_an_id_is_tested():
    with_ids = {p.name for p in urlpatterns if "<" in str(p.pattern)}
    # the others are in test_api_and_pages.py
    assert with_ids - {"detail", "file", "batch", "facility_suppliers", "rollup_download"} == {
        "campaign"
    }


@pytest.fixture
def objects_of_a(campaign_a):
    campaign, _tokens_by_name = campaign_a
    return {"campaign": campaign.pk, "request": campaign.requests.first().pk}


def _campaign_untouched(objects) -> None:
    campaign = Campaign.objects.get(pk=objects["campaign"])
    assert campaign.is_open
    assert not campaign.requests.filter(status=RequestStatus.REMINDED).exists()


TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE, after=_campaign_untouched)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def test_lists_hide_other_organisations(api_a, api_b, web_b, campaign_a):
    assert api_a.get("/api/v1/campaigns").json()["count"] == 1
    assert api_b.get("/api/v1/campaigns").json()["count"] == 0
    page = web_b.get(reverse("declarations:campaigns")).content.decode()
    assert "CMRT 2024" not in page


def test_campaign_page_answers_404_to_another_organisation(web_a, web_b, campaign_a):
    campaign, _tokens_by_name = campaign_a
    url = reverse("declarations:campaign", args=[campaign.pk])
    assert web_b.get(url).status_code == 404
    assert web_b.post(url, {"action": "close"}).status_code == 404
    assert web_b.post(url, {"action": "remind"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.is_open
    page = web_a.get(url)
    assert page.status_code == 200
    assert "Alpha Metals" in page.content.decode()


def test_api_refuses_another_organisations_suppliers(api_a, member_b):
    theirs = _supplier(member_b, "Theirs Ltd")
    response = api_a.post(
        "/api/v1/campaigns",
        json.dumps(
            {"name": "X", "family": "CMRT", "reporting_year": 2024, "supplier_ids": [theirs.pk]}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert f"unknown supplier id(s): {theirs.pk}" in response.json()["detail"]
    assert not Campaign.objects.exists()


# --- creating, e-mails, tokens ----------------------------------------------------------------


def test_creating_a_campaign_mails_each_supplier_its_own_link(campaign_a, mailoutbox):
    campaign, tokens = campaign_a
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {"alpha@example.com", "beta@example.com"}
    mail = mailoutbox[0]
    assert "CMRT" in mail.subject
    assert "2024" in mail.subject
    assert "Please cover all products." in mail.body
    assert settings.ORETRACE_BASE_URL + "/respond/" in mail.body
    assert len(set(tokens.values())) == 2
    for request in campaign.requests.all():
        assert request.status == RequestStatus.REQUESTED
        assert request.sent_at is not None
        # Only the hash is stored; the raw token is nowhere in the row or the change log.
        token = tokens[request.supplier.name]
        assert request.token_hash == hash_token(token)
        assert token not in json.dumps(
            [e.after for e in ChangeLogEntry.objects.all()] + [request.token_salt]
        )
        after = ChangeLogEntry.objects.for_object(request).get().after
        assert after is not None
        assert "token_salt" not in after


def test_all_suppliers_with_an_email_by_default(
    member_a, mailoutbox, django_capture_on_commit_callbacks
):
    _supplier(member_a, "Alpha Metals")
    services.create_supplier(actor=member_a, name="No Mail Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.create_campaign(
            actor=member_a, name="All", family="emrt", reporting_year=2025
        )
    assert campaign.family == "EMRT"
    assert [r.supplier.name for r in campaign.requests.all()] == ["Alpha Metals"]
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "XYZ"}, "unknown template"),
        ({"reporting_year": 1999}, "not a year between 2000 and 2100"),
        ({"name": "  "}, "needs a name"),
        ({"due_date": date(2020, 1, 1)}, "already past"),
    ],
)
def test_bad_campaigns_are_refused(member_a, kwargs, message):
    _supplier(member_a, "Alpha Metals")
    given = {"name": "C", "family": "CMRT", "reporting_year": 2024, **kwargs}
    with pytest.raises(DeclarationError, match=message):
        services.create_campaign(actor=member_a, **given)
    assert not Campaign.objects.exists()
    assert not CampaignRequest.objects.exists()


def test_a_chosen_supplier_without_email_is_named(member_a):
    nomail = services.create_supplier(actor=member_a, name="No Mail Ltd")
    with pytest.raises(DeclarationError, match="No Mail Ltd"):
        services.create_campaign(
            actor=member_a, name="C", family="CMRT", reporting_year=2024, suppliers=[nomail]
        )
    with pytest.raises(DeclarationError, match="import your supplier list"):
        services.create_campaign(actor=member_a, name="C", family="CMRT", reporting_year=2024)


def test_viewers_cannot_run_campaigns(viewer_a, member_a):
    _supplier(member_a, "Alpha Metals")
    with pytest.raises(PermissionDenied):
        services.create_campaign(actor=viewer_a, name="C", family="CMRT", reporting_year=2024)


def test_create_get_remind_close_through_the_api(
    api_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    alpha = _supplier(member_a, "Alpha Metals")
    with django_capture_on_commit_callbacks(execute=True):
        created = api_a.post(
            "/api/v1/campaigns",
            json.dumps(
                {
                    "name": "EMRT 2025",
                    "family": "EMRT",
                    "reporting_year": 2025,
                    "supplier_ids": [alpha.pk],
                }
            ),
            content_type="application/json",
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["requests"][0]["supplier"] == "Alpha Metals"
    assert body["response_rate"] == {
        "requested": 1,
        "responded": 0,
        "percent": 0,
        "q6_answer": "None",
        "counts": {s: int(s == "requested") for s in RequestStatus.values},
    }
    url = f"/api/v1/campaigns/{body['id']}"
    services.update_supplier(alpha, actor=member_a, email="new-alpha@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        reminded = api_a.post(f"{url}/reminders")
    assert reminded.json() == {"reminded": 1}
    assert mailoutbox[-1].subject.startswith("Reminder:")
    assert mailoutbox[-1].to == ["new-alpha@example.com"]
    assert "This is a reminder" in mailoutbox[-1].body
    # The reminder carries the same link as the first e-mail.
    assert re.findall(r"/respond/\S+/", mailoutbox[-1].body) == re.findall(
        r"/respond/\S+/", mailoutbox[0].body
    )
    one = api_a.get(url).json()["requests"][0]
    assert one["status"] == "reminded"
    assert one["reminder_count"] == 1
    assert one["reminded_at"] is not None
    beta = _supplier(member_a, "Beta Solder")
    with django_capture_on_commit_callbacks(execute=True):
        added = api_a.post(
            f"{url}/suppliers",
            json.dumps({"supplier_ids": [beta.pk, alpha.pk]}),
            content_type="application/json",
        )
    assert [r["supplier"] for r in added.json()["requests"]] == ["Alpha Metals", "Beta Solder"]
    assert len(mailoutbox) == 3
    closed = api_a.post(f"{url}/close")
    assert closed.json()["status"] == "closed"
    again = api_a.post(f"{url}/close")
    assert again.status_code == 409
    assert "already closed" in again.json()["detail"]
    late = api_a.post(f"{url}/reminders")
    assert late.status_code == 400
    assert "closed" in late.json()["detail"]


def test_reminders_skip_suppliers_that_answered(campaign_a, member_a, filled, mailoutbox):
    campaign, tokens = campaign_a
    alpha = campaign_queries.find_request(tokens["Alpha Metals"])
    name, data = filled("Merck")
    responses.respond(alpha, [(name, data)])
    sent = len(mailoutbox)
    assert services.send_reminders(campaign, actor=member_a) == 1
    assert services.send_reminders(campaign, actor=member_a) == 1
    beta = campaign.requests.get(supplier__name="Beta Solder")
    assert (beta.status, beta.reminder_count) == (RequestStatus.REMINDED, 2)
    assert campaign.requests.get(supplier__name="Alpha Metals").reminder_count == 0
    assert len(mailoutbox) == sent  # no on-commit callbacks ran here: nothing was sent


# --- the public page --------------------------------------------------------------------------


def test_the_link_needs_no_account_and_shows_only_its_supplier(campaign_a, org_a):
    _campaign, tokens = campaign_a
    page = Client().get(f"/respond/{tokens['Alpha Metals']}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert str(org_a) in text
    assert "Alpha Metals" in text
    assert "CMRT" in text
    assert "2024" in text
    assert "Please cover all products." in text
    assert "Beta Solder" not in text
    assert "beta@example.com" not in text


def test_wrong_tokens_answer_404(campaign_a):
    client = Client()
    assert client.get("/respond/not-a-token/").status_code == 404
    assert client.get("/respond/" + "A" * 43 + "/").status_code == 404
    assert client.post("/respond/" + "A" * 43 + "/", {"action": "decline"}).status_code == 404


def test_upload_through_the_link_with_csrf(campaign_a, filled, org_a):
    campaign, tokens = campaign_a
    client = Client(enforce_csrf_checks=True)
    url = f"/respond/{tokens['Alpha Metals']}/"
    name, data = filled("Merck")
    refused = client.post(url, {"files": [SimpleUploadedFile(name, data)]})
    assert refused.status_code == 403  # no CSRF token
    client.get(url)
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        url, {"files": [SimpleUploadedFile(name, data)], "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 200, response.content
    assert "received: 0 checker errors" in response.content.decode()
    declaration = Declaration.objects.get()
    assert declaration.supplier.name == "Alpha Metals"
    assert declaration.reporting_year == 2024
    assert declaration.organisation_id == org_a.pk
    request = campaign.requests.get(supplier__name="Alpha Metals")
    assert request.status == RequestStatus.RECEIVED
    assert request.declaration_id == declaration.pk
    assert request.responded_at is not None
    assert request.uploads[0]["outcome"] == "imported"
    entry = ChangeLogEntry.objects.for_object(request).order_by("-id").first()
    assert entry is not None
    assert entry.actor_label == "supplier upload link"
    again = client.post(
        url, {"files": [SimpleUploadedFile(name, data)], "csrfmiddlewaretoken": csrf}
    )
    assert "this file was already received; nothing changed" in again.content.decode()
    assert Declaration.objects.count() == 1


def test_checker_errors_are_listed_by_cell_and_the_status_follows(campaign_a, filled):
    campaign, tokens = campaign_a
    name, data = filled("PKG_DE00")
    response = Client().post(
        f"/respond/{tokens['Beta Solder']}/", {"files": [SimpleUploadedFile(name, data)]}
    )
    text = response.content.decode()
    assert "received: 8 checker errors" in text
    assert "Declaration!D8" in text
    assert "Company Name is required" in text
    request = campaign.requests.get(supplier__name="Beta Solder")
    assert request.status == RequestStatus.NEEDS_CORRECTION
    # Shown again on a later visit, and in the language of that visit (uploaded in English).
    assert "Declaration!D8" in Client().get(f"/respond/{tokens['Beta Solder']}/").content.decode()
    later = Client().get(f"/respond/{tokens['Beta Solder']}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "reçu : 8 erreurs du vérificateur, 0 avertissement" in later.content.decode()


def test_a_wrong_family_is_refused(member_a, templates_dir):
    alpha = _supplier(member_a, "Alpha Metals")
    campaign = services.create_campaign(
        actor=member_a, name="C", family="CMRT", reporting_year=2024, suppliers=[alpha]
    )
    request = campaign.requests.get()
    path = templates_dir / "blank" / "RMI_EMRT_2.1.xlsx"
    (answer,) = responses.respond(request, [(path.name, path.read_bytes())])
    assert answer.outcome == "refused"
    assert "this is a EMRT" in answer.message
    assert "asked for a CMRT" in answer.message
    assert not Declaration.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED
    assert request.uploads[0]["outcome"] == "refused"


def test_not_a_workbook_is_refused_with_its_reason(campaign_a):
    _campaign, tokens = campaign_a
    response = Client().post(
        f"/respond/{tokens['Alpha Metals']}/",
        {"files": [SimpleUploadedFile("notes.txt", b"hello")]},
    )
    assert "not an Excel workbook" in response.content.decode()
    assert not Declaration.objects.exists()


def test_another_suppliers_link_does_not_show_this_suppliers_data(campaign_a, filled):
    _campaign, tokens = campaign_a
    name, data = filled("PKG_DE00")
    Client().post(
        f"/respond/{tokens['Alpha Metals']}/", {"files": [SimpleUploadedFile(name, data)]}
    )
    other = Client().get(f"/respond/{tokens['Beta Solder']}/").content.decode()
    assert name not in other
    assert "Alpha Metals" not in other
    assert "Declaration!D8" not in other
    # The same file through the other link is not linked to it, and names nothing of Alpha's.
    again = Client().post(
        f"/respond/{tokens['Beta Solder']}/", {"files": [SimpleUploadedFile(name, data)]}
    )
    text = again.content.decode()
    assert "already received" in text
    assert "Alpha Metals" not in text
    beta = CampaignRequest.objects.get(supplier__name="Beta Solder")
    assert beta.declaration_id is None
    assert beta.status == RequestStatus.REQUESTED


def test_a_closed_campaign_answers_with_a_closed_page(campaign_a, member_a, filled):
    campaign, tokens = campaign_a
    services.close_campaign(campaign, actor=member_a)
    url = f"/respond/{tokens['Alpha Metals']}/"
    page = Client().get(url)
    assert page.status_code == 410
    assert "This request is closed" in page.content.decode()
    name, data = filled("Merck")
    posted = Client().post(url, {"files": [SimpleUploadedFile(name, data)]})
    assert posted.status_code == 410
    assert not Declaration.objects.exists()


def test_decline_with_a_reason(campaign_a):
    campaign, tokens = campaign_a
    url = f"/respond/{tokens['Beta Solder']}/"
    empty = Client().post(url, {"action": "decline", "reason": "  "})
    assert empty.status_code == 400
    assert "please say why you decline" in empty.content.decode()
    done = Client().post(url, {"action": "decline", "reason": "We use no 3TG."})
    assert done.status_code == 200
    request = campaign.requests.get(supplier__name="Beta Solder")
    assert request.status == RequestStatus.DECLINED
    assert request.decline_reason == "We use no 3TG."
    rate = campaign_queries.response_rate(campaign)
    assert (rate.requested, rate.responded, rate.counts["declined"]) == (2, 0, 1)


def test_upload_limits(campaign_a, monkeypatch):
    _campaign, tokens = campaign_a
    request = campaign_queries.find_request(tokens["Alpha Metals"])
    too_many = [(f"f{i}.xlsx", b"x") for i in range(responses.MAX_RESPONSE_FILES + 1)]
    with pytest.raises(DeclarationError, match="the limit is 10 per upload"):
        responses.respond(request, too_many)
    with pytest.raises(DeclarationError, match="at least one file"):
        responses.respond(request, [])
    for _ in range(3):
        responses.respond(request, [(f"f{i}.txt", b"x") for i in range(10)])
    with pytest.raises(DeclarationError, match="in the last hour"):
        responses.respond(request, [("one.txt", b"x")])
    later = timezone.now() + timedelta(hours=2)
    assert responses.respond(request, [("one.txt", b"x")], now=later)[0].outcome == "refused"
    monkeypatch.setattr(responses, "MAX_RESPONSE_BYTES", 10)
    big = Client().post(
        f"/respond/{tokens['Beta Solder']}/",
        {"files": [SimpleUploadedFile("big.xlsx", b"x" * 70_000)]},
    )
    assert big.status_code == 413
    assert "larger than" in big.content.decode()


# --- decisions and the response rate ----------------------------------------------------------


def test_decisions_move_the_request_along(campaign_a, member_a, filled):
    campaign, tokens = campaign_a
    name, data = filled("Merck")
    responses.respond(campaign_queries.find_request(tokens["Alpha Metals"]), [(name, data)])
    declaration = Declaration.objects.get()

    def status() -> str:
        return str(campaign.requests.get(supplier__name="Alpha Metals").status)

    services.decide(declaration, status="needs_correction", note="row 3", actor=member_a)
    assert status() == RequestStatus.NEEDS_CORRECTION
    services.decide(declaration, status="rejected", note="wrong scope", actor=member_a)
    assert status() == RequestStatus.NEEDS_CORRECTION
    services.decide(declaration, status="accepted", note="fine now", actor=member_a)
    assert status() == RequestStatus.ACCEPTED
    rate = campaign_queries.response_rate(campaign)
    assert (rate.requested, rate.responded, rate.percent, rate.q6_answer) == (
        2,
        1,
        50,
        "50% or less",
    )


@pytest.mark.parametrize(
    ("responded", "requested", "answer"),
    [
        (0, 0, ""),
        (0, 4, "None"),
        (4, 4, "100%"),
        (199, 200, "Greater than 90%"),
        (9, 10, "Greater than 75%"),
        (76, 100, "Greater than 75%"),
        (51, 100, "Greater than 50%"),
        (1, 2, "50% or less"),
    ],
)
def test_q6_answer_bands(responded, requested, answer):
    rate = campaign_queries.ResponseRate(requested=requested, responded=responded, counts={})
    assert rate.q6_answer == answer


def test_tracking_page_list_and_dashboard(web_a, campaign_a, filled):
    campaign, tokens = campaign_a
    name, data = filled("Merck")
    responses.respond(campaign_queries.find_request(tokens["Alpha Metals"]), [(name, data)])
    page = web_a.get(reverse("declarations:campaign", args=[campaign.pk])).content.decode()
    assert "<svg" in page
    assert "50 %" in page
    assert name in page
    assert "Beta Solder" in page
    listing = web_a.get(reverse("declarations:campaigns")).content.decode()
    assert "50 % (1/2)" in listing
    dashboard = web_a.get(reverse("web:dashboard")).content.decode()
    assert "50 % (1/2)" in dashboard


def test_open_remind_and_close_through_the_pages(
    web_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    alpha = _supplier(member_a, "Alpha Metals")
    _supplier(member_a, "Beta Solder")
    with django_capture_on_commit_callbacks(execute=True):
        response = web_a.post(
            reverse("declarations:campaigns"),
            {
                "name": "Web campaign",
                "family": "CMRT",
                "reporting_year": "2024",
                "suppliers": [str(alpha.pk)],
            },
        )
    assert response.status_code == 302, response.content
    campaign = Campaign.objects.get()
    assert [r.supplier_id for r in campaign.requests.all()] == [alpha.pk]
    url = reverse("declarations:campaign", args=[campaign.pk])
    with django_capture_on_commit_callbacks(execute=True):
        web_a.post(url, {"action": "remind"})
    assert len(mailoutbox) == 2
    assert campaign.requests.get().reminder_count == 1
    asked = web_a.post(url, {"action": "close"}, follow=True).content.decode()
    assert "needs your confirmation" in asked  # a close without the confirmation closes nothing
    campaign.refresh_from_db()
    assert campaign.is_open
    web_a.post(url, {"action": "close", "confirm": "yes"})
    campaign.refresh_from_db()
    assert not campaign.is_open
    bad = web_a.post(
        reverse("declarations:campaigns"),
        {"name": "X", "family": "CMRT", "reporting_year": "soon", "all": "1"},
    )
    assert bad.status_code == 302
    assert Campaign.objects.count() == 1


def test_the_campaign_owner_must_still_be_active(campaign_a, filled, member_a):
    _campaign, tokens = campaign_a
    member_a.is_active = False
    member_a.save()
    name, data = filled("Merck")
    with pytest.raises(DeclarationError, match="cannot receive files"):
        responses.respond(campaign_queries.find_request(tokens["Alpha Metals"]), [(name, data)])
    member_a.is_active = True
    member_a.roles = [Role.VIEWER]
    member_a.save()
    page = Client().post(
        f"/respond/{tokens['Alpha Metals']}/", {"files": [SimpleUploadedFile(name, data)]}
    )
    assert "cannot receive files through this link" in page.content.decode()
    assert not Declaration.objects.exists()


def test_demo_campaign_shows_every_status_once():
    from oretrace.core.demo import build_demo

    build_demo()
    build_demo()  # idempotent
    (campaign,) = Campaign.objects.all()
    rate = campaign_queries.response_rate(campaign)
    statuses = dict(campaign.requests.values_list("supplier__name", "status"))
    assert statuses == {
        "Pearl River Precision Components Co., Ltd.": "accepted",
        "Kestrel Capacitor Works Ltd.": "accepted",
        "Sierra Solder S.A. de C.V.": "received",
        "Oder Kontakttechnik GmbH": "declined",
        "Hsinchu Capacitor Works Ltd.": "reminded",
    }
    assert (rate.responded, rate.requested, rate.q6_answer) == (3, 5, "Greater than 50%")
    assert all(r.declaration_id for r in campaign.requests.filter(status__in=RESPONDED))
    # The supplier left out has an address, for "Ask more suppliers".
    assert Supplier.objects.get(name="Sunda Solder Alloys Sdn. Bhd.").email


def test_a_declaration_received_another_way_is_recorded_as_the_answer(
    campaign_a, member_a, member_b, api_a, api_b, web_a, filled, templates_dir
):
    campaign, _tokens_by_name = campaign_a
    alpha = campaign.requests.get(supplier__name="Alpha Metals")
    name, data = filled("Merck")
    # given a CMRT the team imported itself, for the supplier
    declaration = imports.import_declaration(
        data, name, actor=member_a, supplier=alpha.supplier
    ).declaration
    assert declaration is not None
    url = f"/api/v1/campaigns/{campaign.pk}/requests/{alpha.pk}/declaration"
    # another organisation can neither reach the request nor use its own declaration
    theirs = imports.import_declaration(data, name, actor=member_b).declaration
    assert theirs is not None
    body = json.dumps({"declaration_id": declaration.pk})
    assert api_b.post(url, body, content_type="application/json").status_code == 404
    mixed = api_a.post(
        url, json.dumps({"declaration_id": theirs.pk}), content_type="application/json"
    )
    assert mixed.status_code == 404
    # a declaration of another supplier, or of another template, is refused
    beta = campaign.requests.get(supplier__name="Beta Solder")
    with pytest.raises(DeclarationError, match="not from Beta Solder"):
        services.attach_declaration(beta, declaration=declaration, actor=member_a)
    emrt = templates_dir / "blank" / "RMI_EMRT_2.1.xlsx"
    other = imports.import_declaration(
        _named(emrt, "Alpha Metals"), emrt.name, actor=member_a, supplier=alpha.supplier
    ).declaration
    assert other is not None
    with pytest.raises(DeclarationError, match="is a EMRT; the campaign asks for a CMRT"):
        services.attach_declaration(alpha, declaration=other, actor=member_a)
    # the page offers it, and recording it makes the request a response
    page = web_a.get(reverse("declarations:campaign", args=[campaign.pk])).content.decode()
    assert "Received another way:" in page
    assert name in page
    done = api_a.post(url, body, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "received"
    assert done.json()["declaration_id"] == declaration.pk
    assert campaign_queries.response_rate(campaign).responded == 1
    web_a.post(
        reverse("declarations:campaign", args=[campaign.pk]),
        {"action": "attach", "request": beta.pk, "declaration": declaration.pk},
    )
    beta.refresh_from_db()
    assert beta.declaration_id is None


def test_the_link_page_is_not_cached_or_indexed(campaign_a):
    _campaign, tokens = campaign_a
    response = Client().get(f"/respond/{tokens['Alpha Metals']}/")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_year_response_rate_counts_each_supplier_once(
    campaign_a, member_a, member_b, filled, web_a
):
    # given a second CMRT 2024 campaign asking Alpha again and a new supplier
    campaign, tokens = campaign_a
    alpha = campaign.requests.get(supplier__name="Alpha Metals").supplier
    gamma = _supplier(member_a, "Gamma Tantalum")
    second = services.create_campaign(
        actor=member_a, name="Again", family="CMRT", reporting_year=2024, suppliers=[alpha, gamma]
    )
    name, data = filled("Merck")
    responses.respond(campaign_queries.find_request(tokens["Alpha Metals"]), [(name, data)])
    responses.decline(second.requests.get(supplier=gamma), reason="no 3TG")
    # when
    rate = campaign_queries.year_response_rate(member_a, "CMRT", 2024)
    # then Alpha counts once, with the answer it gave in the first campaign
    assert rate is not None
    assert (rate.requested, rate.responded) == (3, 1)
    assert (rate.counts["received"], rate.counts["declined"], rate.counts["requested"]) == (1, 1, 1)
    assert rate.q6_answer == "50% or less"
    listing = web_a.get(reverse("declarations:campaigns")).content.decode()
    assert "33 % (1/3)" in listing
    assert campaign_queries.year_response_rate(member_a, "EMRT", 2024) is None
    assert campaign_queries.year_response_rate(member_b, "CMRT", 2024) is None


def test_the_link_stores_files_and_the_worker_reads_them(campaign_a, filled, monkeypatch):
    """Nothing of an uploaded file is parsed in the web process: it is stored and a job reads it."""
    from oretrace.core.jobs import execute
    from oretrace.core.models import Job
    from oretrace.core.tests.bombs import workbook_bomb

    started = []

    def record_start(*_args, **kwargs):
        started.append(kwargs)

    monkeypatch.setattr(responses, "start_job", record_start)

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("a file was parsed in the web process")

    monkeypatch.setattr(responses, "import_declaration", no_parsing)
    monkeypatch.setattr(responses, "open_book", no_parsing)
    url = f"/respond/{campaign_a[1]['Alpha Metals']}/"
    name, data = filled("Merck")
    files = [SimpleUploadedFile(name, data), SimpleUploadedFile("bomb.xlsx", workbook_bomb())]
    page = Client().post(url, {"files": files})
    assert page.status_code == 200
    assert "Your files are being checked" in page.content.decode()
    assert [f["filename"] for f in started[0]["params"]["files"]] == [name, "bomb.xlsx"]
    request = campaign_queries.find_request(campaign_a[1]["Alpha Metals"])
    assert [u["outcome"] for u in request.uploads] == ["pending", "pending"]
    # the worker: the job reads the stored files and records each outcome in place
    monkeypatch.undo()
    kwargs = started[0]
    job = Job.objects.create(
        organisation=campaign_a[0].organisation,
        kind="declarations.link_response",
        params=kwargs["params"],
        created_by=kwargs["actor"].user,
    )
    execute(job.pk)
    request.refresh_from_db()
    assert [u["outcome"] for u in request.uploads] == ["imported", "refused"]
    assert "inflates to 1,024 MB" in request.uploads[1]["message"]
    after = Client().get(url).content.decode()
    assert "Your files are being checked" not in after
    assert "received: 0 checker errors" in after


def _named(blank, company: str) -> bytes:
    """The blank template with only its company name filled in (a blank is refused), written
    in place as the blank writer writes cells."""
    from oretrace.declarations.rmi.maps import company_cells, map_for
    from oretrace.declarations.rmi.write import XlsxPackage

    family, version = blank.stem.split("_")[1:3]
    cell = company_cells(map_for(family, version, blank.name)[0])["name"]
    return XlsxPackage(blank.read_bytes()).write({"Declaration": {cell: company}})


def test_a_link_upload_whose_every_file_is_refused_fails(
    campaign_a, django_capture_on_commit_callbacks
):
    """As a web batch: a supplier's upload of which nothing could be imported ends as failed,
    saying so, with the outcome of each file in the result, not as "finished with warnings"."""
    from oretrace.core.choices import JobStatus
    from oretrace.core.models import Job
    from oretrace.core.tests.bombs import workbook_bomb

    url = f"/respond/{campaign_a[1]['Alpha Metals']}/"
    files = [
        SimpleUploadedFile("bomb.xlsx", workbook_bomb()),
        SimpleUploadedFile("again.xlsx", workbook_bomb()),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(url, {"files": files}).status_code == 200
    job = Job.objects.get(kind="declarations.link_response")
    assert job.status == JobStatus.FAILED
    assert (
        job.error
        == "All 2 files were refused, so nothing was imported: the list of files says why for each."
    )
    assert job.result == {"refused": 2}
    assert job.result_url == reverse("declarations:campaign", args=[campaign_a[0].pk])
    request = campaign_queries.find_request(campaign_a[1]["Alpha Metals"])
    assert [u["outcome"] for u in request.uploads] == ["refused", "refused"]
    # the job's page says it in the reader's language
    from django.utils import translation

    from oretrace.core.job_texts import message_text

    with translation.override("fr"):
        assert message_text(job.messages[-1]) == (
            "Les 2 fichiers ont tous été refusés, rien n'a donc été importé : la liste des "
            "fichiers dit pourquoi pour chacun."
        )


def test_a_link_upload_with_one_file_imported_succeeds(
    campaign_a, filled, django_capture_on_commit_callbacks
):
    from oretrace.core.choices import JobStatus
    from oretrace.core.models import Job
    from oretrace.core.tests.bombs import workbook_bomb

    name, data = filled("Merck")
    url = f"/respond/{campaign_a[1]['Alpha Metals']}/"
    files = [SimpleUploadedFile(name, data), SimpleUploadedFile("bomb.xlsx", workbook_bomb())]
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(url, {"files": files}).status_code == 200
    job = Job.objects.get(kind="declarations.link_response")
    assert job.status == JobStatus.SUCCEEDED  # with a warning: "finished with warnings"
    assert [m["level"] for m in job.messages].count("warning") == 1
    assert job.result == {"imported": 1, "refused": 1}
