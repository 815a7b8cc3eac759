"""The audit pages: each side sees its audits; another organisation's are 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oretrace.core.tests.factories import MembershipFactory


def _client(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.mark.parametrize("side", ["auditor", "auditee", "supporter"])
def test_each_side_sees_the_audit(side, audit, request):
    member = request.getfixturevalue(side)
    client = _client(member)
    listing = client.get(reverse("audits:list"))
    assert f"A-{audit.pk}" in listing.content.decode()
    page = client.get(reverse("audits:detail", args=[audit.pk]))
    assert page.status_code == 200
    assert "Sigma Unit 1" in page.content.decode()


def test_another_organisation_gets_404(audit):
    stranger = _client(MembershipFactory.create())
    assert stranger.get(reverse("audits:detail", args=[audit.pk])).status_code == 404
    assert f"A-{audit.pk}" not in stranger.get(reverse("audits:list")).content.decode()
