"""The ledger's API: tenancy (404 across organisations), bundles, checkpoints, audits."""

from __future__ import annotations

import json

import pytest

from oretrace.core.actors import SYSTEM
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.ledger import keys
from oretrace.ledger import services as ledger
from oretrace.ledger.api import router
from oretrace.ledger.bundle import verify_bundle

pytestmark = pytest.mark.django_db

RECORD = "core.organisation/{org}"

# Routes that reach one record: B asking for A's record gets 404.
CROSS_ORG = {
    "GET /ledger/records/{record_type}/{record_id}": Reach(f"/api/v1/ledger/records/{RECORD}"),
    "GET /ledger/records/{record_type}/{record_id}/bundle": Reach(
        f"/api/v1/ledger/records/{RECORD}/bundle"
    ),
}
# Lists and actions within the caller's own organisation: checked by content below.
OWN_SCOPE = {"GET /ledger/leaves", "POST /ledger/audits"}
# The log's head and consistency proofs are public data (also served without login as tiles).
PUBLIC = {"GET /ledger/checkpoint", "POST /ledger/checkpoints", "GET /ledger/consistency"}


@pytest.fixture
def objects_of_a(member_a, member_b):
    ledger.append(member_a.organisation, actor=SYSTEM)
    ledger.append(member_b.organisation, actor=SYSTEM)
    return {"org": member_a.organisation_id}


TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE, public=PUBLIC)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def test_an_unknown_record_type_is_404(api_a, objects_of_a):
    assert api_a.get("/api/v1/ledger/records/nope.nope/1").status_code == 404


def test_leaves_list_only_own_organisation(api_b, member_b, objects_of_a):
    items = api_b.get("/api/v1/ledger/leaves").json()["items"]
    assert items
    assert {i["organisation_id"] for i in items} == {member_b.organisation_id}


def test_the_bundle_from_the_api_verifies_with_the_public_key(api_a, objects_of_a):
    response = api_a.get(f"/api/v1/ledger/records/core.organisation/{objects_of_a['org']}/bundle")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.tlog-proof"')
    result = verify_bundle(response.content, [keys.log_verifier()])
    assert result.document["id"] == str(objects_of_a["org"])


def test_record_lists_versions_and_a_public_link(api_a, objects_of_a):
    body = api_a.get(f"/api/v1/ledger/records/core.organisation/{objects_of_a['org']}").json()
    assert body["latest"]["version"] == len(body["versions"])
    assert "/verify/r/core.organisation/" in body["public_url"]


def test_checkpoints_are_signed_on_demand(api_a, objects_of_a):
    created = api_a.post("/api/v1/ledger/checkpoints")
    assert created.status_code == 201
    head = api_a.get("/api/v1/ledger/checkpoint").json()
    assert head["size"] == created.json()["size"] >= 2
    assert head["origin"] == "oretrace.test/ledger"


def test_consistency_proofs_between_checkpoints(api_a, objects_of_a, member_a):
    ledger.sign_checkpoint()
    ledger.append(member_a.organisation, actor=SYSTEM)
    new = ledger.sign_checkpoint()
    body = api_a.get(f"/api/v1/ledger/consistency?old=1&new={new.size}").json()
    assert body["new"] == new.size
    assert body["proof"]
    refused = api_a.get("/api/v1/ledger/consistency?old=1&new=999")
    assert refused.status_code == 400


def test_the_audit_starts_as_a_job(api_a, objects_of_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.post("/api/v1/ledger/audits")
    assert response.status_code == 202
    job = api_a.get(f"/api/v1/jobs/{response.json()['job_id']}").json()
    assert job["status"] == "succeeded", json.dumps(job)
    assert job["result_url"] == "/ledger/"
