"""Onboarding pages: sign-up, the operator's pages, invitation links, the empty-registry warning;
with bad input (a clear 400, never a 500) and another organisation's invitation (404)."""

import pytest
from django.test import Client

from oretrace.core.choices import Approval, Role
from oretrace.core.models import Invitation, Organisation
from oretrace.core.services import onboarding
from oretrace.core.tests.factories import MembershipFactory, UserFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.registry.models import Facility

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"
SIGN_UP = {
    "legal_name": "Heron Devices GmbH",
    "country": "DE",
    "kind": "manufacturer",
    "full_name": "Jana Heron",
    "email": "jana@heron.example",
    "password": PASSWORD,
    "password2": PASSWORD,
}


@pytest.fixture
def operator_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True))
    return client


def test_sign_up_then_login_waits_for_approval(client):
    assert client.get("/sign-up/").status_code == 200
    response = client.post("/sign-up/", SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == "/sign-up/sent/"
    org = Organisation.objects.get(legal_name="Heron Devices GmbH")
    assert org.approval == Approval.PENDING
    # the right password says the sign-up waits, not "wrong password"
    login = client.post("/login/", {"username": "jana@heron.example", "password": PASSWORD})
    assert login.status_code == 200
    assert "waits for the operator" in login.content.decode()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"legal_name": ""}, "This field is required"),
        ({"country": "ZZ"}, "Select a valid choice"),
        ({"email": "nope"}, "valid email"),
        ({"password2": "different"}, "The two passwords differ"),
        ({"password": "short", "password2": "short"}, "password: "),
        ({"legal_name": "x" * 400}, "at most 300 characters"),
    ],
)
def test_bad_sign_ups_are_refused_naming_the_field(client, change, expected):
    response = client.post("/sign-up/", {**SIGN_UP, **change})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Organisation.objects.filter(legal_name="Heron Devices GmbH").exists()


def test_sign_up_is_throttled_with_a_clear_message(client, settings):
    settings.ORETRACE_SIGNUP_PER_ADDRESS = 1
    client.post("/sign-up/", SIGN_UP)
    response = client.post("/sign-up/", {**SIGN_UP, "email": "other@heron.example"})
    assert response.status_code == 400
    assert "too many sign-ups" in response.content.decode()


def test_operator_pages_are_for_staff_only(web_a, operator_client):
    for url in ("/operator/organisations/", "/facilities/imports/all/"):
        assert web_a.get(url).status_code == 403
        assert operator_client.get(url).status_code == 200
    assert Client().get("/operator/organisations/").status_code == 302  # to the login


def test_operator_approves_and_the_administrator_logs_in(client, operator_client):
    client.post("/sign-up/", SIGN_UP)
    org = Organisation.objects.get(legal_name="Heron Devices GmbH")
    page = operator_client.get("/operator/organisations/?state=pending").content.decode()
    assert "Heron Devices GmbH" in page
    response = operator_client.post(
        f"/operator/organisations/{org.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.is_active
    login = client.post("/login/", {"username": "jana@heron.example", "password": PASSWORD})
    assert login.status_code == 302


def test_operator_decisions_refuse_bad_input(operator_client):
    assert operator_client.post("/operator/organisations/999999/decide/").status_code == 404
    org = onboarding.sign_up(
        legal_name="Ibis", country="FR", full_name="I", email="i@ibis.example", password=PASSWORD
    )
    response = operator_client.post(
        f"/operator/organisations/{org.pk}/decide/", {"decision": "maybe"}, follow=True
    )
    assert "Choose to approve or to reject" in response.content.decode()
    response = operator_client.post(
        "/operator/organisations/", {"legal_name": "Jay", "country": "IN", "email": "bad"}
    )
    assert response.status_code == 400


def test_invitation_page_sets_name_and_password_once(member_a):
    _invitation, secret = onboarding.invite(
        member_a.organisation, email="kai@example.org", roles=[Role.AUDITOR], actor=member_a
    )
    client = Client()
    page = client.get(f"/invitation/{secret}/")
    assert page.status_code == 200
    assert "kai@example.org" in page.content.decode()
    bad = client.post(
        f"/invitation/{secret}/", {"full_name": "Kai", "password": "1", "password2": "1"}
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/invitation/{secret}/",
        {"full_name": "Kai", "password": PASSWORD, "password2": PASSWORD},
    )
    assert ok.status_code == 302
    assert client.login(username="kai@example.org", password=PASSWORD)
    again = Client().get(f"/invitation/{secret}/")
    assert again.status_code == 404
    assert "already used" in again.content.decode()


def test_unknown_invitation_links_answer_404(client):
    for secret in ("x", "a" * 500, "%00"):
        assert client.get(f"/invitation/{secret}/").status_code == 404


def test_organisation_page_invites_lists_and_withdraws(web_a, member_a):
    response = web_a.post(
        "/organisation/", {"email": "lee@example.org", "roles": [Role.VIEWER]}, follow=True
    )
    assert "An e-mail invites lee@example.org" in response.content.decode()
    invitation = Invitation.objects.get(email="lee@example.org")
    assert "lee@example.org" in web_a.get("/organisation/").content.decode()
    assert web_a.post(f"/organisation/invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_another_organisations_invitation_is_invisible(web_b, member_a):
    invitation, _secret = onboarding.invite(
        member_a.organisation, email="m@example.org", roles=[Role.VIEWER], actor=member_a
    )
    assert web_b.post(f"/organisation/invitations/{invitation.pk}/revoke/").status_code == 404
    assert "m@example.org" not in web_b.get("/organisation/").content.decode()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_empty_registry_warning_with_the_way_out(web_a, member_a, org_a):
    for url in ("/", "/declarations/"):
        page = web_a.get(url).content.decode()
        assert "Your registry has no smelters or refiners yet" in page
        assert 'href="/facilities/imports/"' in page  # an administrator may load a list
    viewer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    client = web_client(viewer)
    page = client.get("/declarations/").content.decode()
    assert "Ask your organisation's administrator" in page
    # one smelter to match against, and the warning is gone
    Facility.objects.create(name="Any Smelter", kind="smelter", country_id="CN")
    assert "Your registry has no smelters" not in web_a.get("/").content.decode()
