"""API tokens: revoked with their minting token, ended by a password change, bounded expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from oretrace.core import services
from oretrace.core.exceptions import OretraceError, PermissionDenied, TokenError
from oretrace.core.models import ApiToken, ChangeLogEntry
from oretrace.core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _mint(secret: str, name: str, **fields: object) -> dict[str, Any]:
    response = _bearer(secret).post(
        "/api/v1/tokens", {"name": name, **fields}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    minted: dict[str, Any] = response.json()
    return minted


def test_revoking_a_token_revokes_what_it_minted_at_every_depth(member_a):
    root, root_secret = services.issue_token(member_a, name="root", actor=member_a)
    child = _mint(root_secret, "child")
    grandchild = _mint(child["token"], "grandchild")
    great = _mint(grandchild["token"], "great-grandchild")
    _sibling, sibling_secret = services.issue_token(member_a, name="unrelated", actor=member_a)
    assert child["details"]["parent"] == root.pk
    assert great["details"]["parent"] == grandchild["details"]["id"]
    assert _bearer(great["token"]).get("/api/v1/me").status_code == 200

    # when the root is revoked through the API
    revoked = _bearer(sibling_secret).delete(f"/api/v1/tokens/{root.pk}")
    assert revoked.status_code == 200

    # then every descendant is dead, each with a logged revocation, and the sibling lives
    for secret in (root_secret, child["token"], grandchild["token"], great["token"]):
        response = _bearer(secret).get("/api/v1/me")
        assert response.status_code == 401
        assert "was revoked on" in response.json()["detail"]
    assert _bearer(sibling_secret).get("/api/v1/me").status_code == 200
    dead = ApiToken.objects.filter(revoked_at__isnull=False)
    assert dead.count() == 4
    assert (
        ChangeLogEntry.objects.filter(
            object_id__in=[str(t.pk) for t in dead], action="update"
        ).count()
        == 4
    )


def test_revoking_a_middle_token_leaves_its_parent(member_a):
    _root, root_secret = services.issue_token(member_a, name="root", actor=member_a)
    child = _mint(root_secret, "child")
    grandchild = _mint(child["token"], "grandchild")
    services.revoke_token(ApiToken.objects.get(pk=child["details"]["id"]), actor=member_a)
    assert _bearer(grandchild["token"]).get("/api/v1/me").status_code == 401
    assert _bearer(root_secret).get("/api/v1/me").status_code == 200


def test_a_minted_token_cannot_outlive_its_parent(member_a):
    parent_expiry = timezone.now() + timedelta(days=3)
    _root, secret = services.issue_token(
        member_a, name="root", actor=member_a, expires_at=parent_expiry
    )
    child = _mint(secret, "inherits")
    assert child["details"]["expires_at"].startswith(parent_expiry.strftime("%Y-%m-%dT%H:%M"))
    later = (parent_expiry + timedelta(days=1)).isoformat()
    response = _bearer(secret).post(
        "/api/v1/tokens", {"name": "longer", "expires_at": later}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "expires_at may not be later" in response.json()["detail"]


def test_a_password_change_ends_every_token_of_the_user(member_a, org_b):
    elsewhere = MembershipFactory.create(user=member_a.user, organisation=org_b)
    _t1, here = services.issue_token(member_a, name="here", actor=member_a)
    _t2, there = services.issue_token(elsewhere, name="there", actor=elsewhere)
    someone_else = MembershipFactory.create(organisation=member_a.organisation)
    _t3, theirs = services.issue_token(someone_else, name="theirs", actor=someone_else)

    user = member_a.user
    user.set_password("a-new-long-passphrase")
    user.save()

    for secret in (here, there):
        with pytest.raises(TokenError, match="ended when its user's password changed"):
            services.authenticate_token(secret)
    assert services.authenticate_token(theirs).pk == someone_else.pk
    assert not ApiToken.objects.filter(membership__user=user).usable().exists()
    # a token issued after the change works
    _t4, fresh = services.issue_token(member_a, name="fresh", actor=member_a)
    assert services.authenticate_token(fresh).pk == member_a.pk


def test_tokens_page_says_a_password_change_ended_a_token(web_a, member_a):
    services.issue_token(member_a, name="before", actor=member_a)
    member_a.user.set_password("a-new-long-passphrase")
    member_a.user.save()
    web_a.force_login(member_a.user)
    assert "ended by a password change" in web_a.get("/tokens/").content.decode()


@pytest.mark.parametrize(
    ("expires_at", "message"),
    [
        ("2020-01-01T00:00:00Z", "expires_at must be in the future"),
        ("2000-06-01", "expires_at must be in the future"),
        ("9999-12-31T00:00:00Z", "expires_at may be at most 730 days ahead"),
        ("2026-13-45", "expires_at"),
        ("tomorrow", "expires_at"),
    ],
)
def test_api_refuses_an_expiry_in_the_past_or_absurdly_far(api_a, expires_at, message):
    response = api_a.post(
        "/api/v1/tokens",
        {"name": "bad expiry", "expires_at": expires_at},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    assert message in response.json()["detail"]
    assert not ApiToken.objects.filter(name="bad expiry").exists()


def test_service_refuses_past_expiry_and_reads_a_naive_time_as_utc(member_a):
    with pytest.raises(OretraceError, match="expires_at must be in the future"):
        services.issue_token(
            member_a, name="x", actor=member_a, expires_at=timezone.now() - timedelta(seconds=1)
        )
    naive = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=2)
    token, _secret = services.issue_token(member_a, name="naive", actor=member_a, expires_at=naive)
    assert token.expires_at == naive.replace(tzinfo=UTC)


@override_settings(ORETRACE_API_TOKEN_MAX_DAYS=30)
def test_longest_expiry_is_a_setting(member_a, web_a):
    with pytest.raises(OretraceError, match="at most 30 days ahead"):
        services.issue_token(
            member_a, name="x", actor=member_a, expires_at=timezone.now() + timedelta(days=31)
        )
    far = (timezone.now() + timedelta(days=40)).date().isoformat()
    page = web_a.post("/tokens/", {"name": "far", "expires_at": far}).content.decode()
    assert "at most 30 days ahead" in page
    assert not ApiToken.objects.filter(name="far").exists()


def test_a_token_cannot_mint_for_another_membership(member_a, org_b):
    elsewhere = MembershipFactory.create(user=member_a.user, organisation=org_b)
    parent, _secret = services.issue_token(member_a, name="root", actor=member_a)
    with pytest.raises(PermissionDenied):
        services.issue_token(elsewhere, name="x", actor=elsewhere, parent=parent)
