"""The web shell: login, switcher, pages, live job progress, change log, tokens — and tenancy."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from oretrace.core import services
from oretrace.core.choices import JobStatus, Role
from oretrace.core.models import ApiToken, Notification
from oretrace.core.services import onboarding
from oretrace.core.tests.factories import TEST_PASSWORD, JobFactory, MembershipFactory, UserFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests
from oretrace.web.context import NAVIGATION
from oretrace.web.urls import urlpatterns

pytestmark = pytest.mark.django_db


def test_login_with_email_and_logout(member_a):
    client = Client()
    response = client.post(
        reverse("login"), {"username": member_a.user.email, "password": TEST_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert member_a.organisation.legal_name in response.content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_wrong_password_says_so(member_a):
    response = Client().post(
        reverse("login"), {"username": member_a.user.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "correct e-mail address and password" in response.content.decode()


def test_pages_need_login():
    response = Client().get(reverse("web:jobs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_working_link(member_a, mailoutbox):
    client = Client()
    client.post(reverse("password_reset"), {"email": member_a.user.email})
    assert len(mailoutbox) == 1
    match = re.search(r"http://testserver(/password-reset/\S+/)", mailoutbox[0].body)
    assert match is not None
    link = match.group(1)
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "mica-village-2031", "new_password2": "mica-village-2031"},
        follow=True,
    )
    assert done.status_code == 200
    assert Client().login(username=member_a.user.email, password="mica-village-2031")
    assert mail.outbox


def test_navigation_has_no_dead_links(web_a):
    for name, _label in NAVIGATION:
        assert web_a.get(reverse(name)).status_code == 200, name
    assert web_a.get("/api/v1/docs").status_code == 200


def test_dashboard_shows_real_figures(web_a, member_a):
    MembershipFactory.create(organisation=member_a.organisation, roles=[Role.VIEWER])
    JobFactory.create(organisation=member_a.organisation, status=JobStatus.RUNNING)
    html = web_a.get(reverse("web:dashboard")).content.decode()
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Active members"] == "2"
    assert figures["Jobs running or queued"] == "1"
    assert figures["Minerals and metals"] == "22"


def test_switching_organisation(member_a, org_b):
    second = MembershipFactory.create(user=member_a.user, organisation=org_b, roles=[Role.VIEWER])
    client = web_client(member_a)
    assert member_a.organisation.legal_name in client.get("/").content.decode()
    client.post(reverse("web:switch"), {"membership": second.pk, "next": "/"})
    html = client.get("/").content.decode()
    assert f"<h1>{org_b}</h1>" in html


def test_cannot_switch_into_someone_elses_membership(web_b, member_a):
    response = web_b.post(reverse("web:switch"), {"membership": member_a.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "chosen", [{}, {"membership": ""}, {"membership": "x1"}, {"membership": "9" * 30}]
)
def test_a_switch_naming_no_membership_is_a_404_not_a_500(web_b, chosen):
    assert web_b.post(reverse("web:switch"), chosen).status_code == 404


def test_user_without_organisation_gets_an_explanation():
    client = Client()
    client.force_login(UserFactory.create())
    response = client.get("/")
    assert response.status_code == 403
    assert "do not belong to an organisation" in response.content.decode()


def test_jobs_page_polls_only_while_work_is_active(web_a, member_a):
    job = JobFactory.create(
        organisation=member_a.organisation, status=JobStatus.RUNNING, progress=40
    )
    html = web_a.get(reverse("web:jobs")).content.decode()
    assert 'hx-trigger="every 2s"' in html
    partial = web_a.get(reverse("web:jobs"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'value="40"' in partial
    job.status = JobStatus.SUCCEEDED
    job.save()
    assert "hx-trigger" not in web_a.get(reverse("web:jobs")).content.decode()


def test_job_detail_partial_and_start_form(web_a, member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = web_a.post(reverse("web:jobs_start"), {"kind": "reference.reload"})
    detail = web_a.get(response["Location"])
    assert "Succeeded" in detail.content.decode()
    partial = web_a.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-status"')


def test_viewer_sees_no_start_form(member_a, viewer_a):
    client = web_client(viewer_a)
    assert "Start a job" not in client.get(reverse("web:jobs")).content.decode()
    response = client.post(reverse("web:jobs_start"), {"kind": "reference.reload"})
    assert response.status_code == 403
    assert "to reload the reference catalogues you need the role administrator" in (
        response.content.decode()
    )


def test_token_page_shows_secret_once_and_revokes(web_a, member_a):
    created = web_a.post(reverse("web:tokens"), {"name": "ERP export"}).content.decode()
    match = re.search(r'<code id="new-token">([^<]+)</code>', created)
    assert match is not None
    secret = match.group(1)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 200
    assert secret not in web_a.get(reverse("web:tokens")).content.decode()
    token = ApiToken.objects.get(name="ERP export")
    web_a.post(reverse("web:tokens_revoke", args=[token.pk]))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 401


def test_change_log_page_shows_before_and_after(web_a, member_a):
    services.update_organisation(
        member_a.organisation, website="https://alpha.example", actor=member_a
    )
    url = reverse("web:changes", args=["core", "organisation", member_a.organisation_id])
    html = web_a.get(url).content.decode()
    assert "https://alpha.example" in html
    assert "Updated" in html


def test_language_switch_to_french(web_a):
    web_a.post(reverse("set_language"), {"language": "fr", "next": "/"})
    html = web_a.get("/").content.decode()
    assert '<html lang="fr">' in html


# --- another organisation's member gets 404 on every page that shows one object -------------
@pytest.fixture
def objects_of_a(member_a):
    token, _secret = services.issue_token(member_a, name="a", actor=member_a)
    invitation, _link = onboarding.invite(
        member_a.organisation, email="new@example.org", roles=["viewer"], actor=member_a
    )
    notification = Notification.objects.create(
        organisation=member_a.organisation, recipient=member_a.user, kind="onboarding", message="x"
    )
    return {
        "org_id": member_a.organisation_id,
        "membership_id": member_a.pk,
        "job_id": JobFactory.create(
            organisation=member_a.organisation, created_by=member_a.user
        ).pk,
        "token_id": token.pk,
        "invitation_id": invitation.pk,
        "notification_id": notification.pk,
    }


PAGES = PageTenancy(
    urlpatterns,
    "web",
    cross_org={
        "jobs_detail": [Page(["job_id"])],
        "jobs_cancel": [Page(["job_id"], {})],
        "tokens_revoke": [Page(["token_id"], {})],
        "invitation_revoke": [Page(["invitation_id"], {})],
        "notification_read": [Page(["notification_id"], {})],
        "changes": [
            Page(["core", "organisation", "org_id"]),
            Page(["core", "membership", "membership_id"]),
            Page(["core", "job", "job_id"]),
            Page(["core", "apitoken", "token_id"]),
        ],
    },
    elsewhere={
        "operator_decide": "acts on any organisation, for platform staff only (403 to every "
        "member): test_onboarding_pages.py",
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


def test_lists_do_not_leak_other_organisations(web_b, member_a):
    JobFactory.create(organisation=member_a.organisation, title="Secret import of A")
    assert "Secret import of A" not in web_b.get(reverse("web:jobs")).content.decode()
    assert member_a.user.email not in web_b.get(reverse("web:organisation")).content.decode()


def test_admin_invites_a_member_from_the_organisation_page(
    web_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web_a.post(
            reverse("web:organisation"),
            {"email": "auditor@thirdline.example", "roles": ["auditor"]},
            follow=True,
        )
    assert "An e-mail invites auditor@thirdline.example" in response.content.decode()
    assert mailoutbox[0].to == ["auditor@thirdline.example"]
    assert "/invitation/" in mailoutbox[0].body
    bad = web_a.post(reverse("web:organisation"), {"email": "not-an-email", "roles": ["king"]})
    assert "Enter a valid email address" in bad.content.decode()


def test_viewer_sees_no_invite_form_and_cannot_post_one(viewer_a):
    client = web_client(viewer_a)
    assert "Invite a colleague" not in client.get(reverse("web:organisation")).content.decode()
    client.post(reverse("web:organisation"), {"email": "x@example.org", "roles": ["admin"]})
    assert not viewer_a.organisation.memberships.filter(user__email="x@example.org").exists()
    assert not viewer_a.organisation.invitations.exists()


def test_dashboard_shows_figures_of_the_other_apps(web_a, member_a, member_b):
    from oretrace.registry import services as registry

    registry.create_facility(actor=member_a, kind="mine", name="Mine A", country="IN")
    registry.create_facility(actor=member_b, kind="mine", name="Mine B", country="IN")
    html = web_a.get(reverse("web:dashboard")).content.decode()
    figures = dict(re.findall(r'<dt><a href="[^"]*">([^<]+)</a></dt><dd>([^<]+)</dd>', html))
    assert figures["Facilities you recorded"] == "1"
    assert figures["Names waiting for review"] == "0"
    assert "Entries in the public log" in figures
