"""Working offline (issue 21 §6): the field pages a phone keeps, their service worker, and the
sync endpoint the queued forms are sent to: each key written once, a record changed on the
server since the form was filled refused as a conflict (nothing written), bad envelopes
answered 400 naming the field, and the same roles and tenancy as the pages' own forms."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.programmes.models import (
    CaseRead,
    ChildCase,
    FollowUp,
    MonitoringVisit,
    SyncReceipt,
)
from oretrace.programmes.permissions import can_handle_child_cases, can_run_programmes
from oretrace.programmes.services import cases, monitoring

pytestmark = pytest.mark.django_db

SYNC = "/programmes/field/sync/"


def _send(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(SYNC, raw, content_type="application/json")


def _visit(village: Any, today: Any, *, key: str = "", base: int | None = None, **fields: str):
    return {
        "key": key or str(uuid.uuid4()),
        "kind": "visit",
        "target": village.pk,
        "base": base,
        "fields": {
            "visited_on": today.isoformat(),
            "value_school_enrolment": "91",
            "evidence": "School register, page 12",
            **fields,
        },
    }


def _follow_up(case: Any, today: Any, *, key: str = "", base: int | None = None, **fields: str):
    return {
        "key": key or str(uuid.uuid4()),
        "kind": "follow_up",
        "target": case.pk,
        "base": case.version if base is None else base,
        "fields": {"done_on": today.isoformat(), **fields},
    }


# --- idempotency --------------------------------------------------------------------------------
def test_a_visit_sent_twice_under_one_key_is_recorded_once(web_a, village, today):
    # given
    body = _visit(village, today, base=0)
    # when
    first = _send(web_a, body)
    again = _send(web_a, body)
    # then
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "recorded"
    assert again.status_code == 200
    assert again.json() == {"status": "replayed", "result": first.json()["result"]}
    visit = MonitoringVisit.objects.get(village=village)
    assert first.json()["result"]["id"] == visit.pk
    assert visit.evidence == "School register, page 12"
    assert [(v.indicator, int(v.value)) for v in visit.values.all()] == [("school_enrolment", 91)]
    assert SyncReceipt.objects.filter(key=body["key"]).count() == 1


def test_a_follow_up_sent_twice_is_recorded_once_and_raises_the_case_version(web_a, child, today):
    # given
    before = child.version
    body = _follow_up(child, today, still_working="on")
    # when
    first = _send(web_a, body)
    again = _send(web_a, body)
    # then
    assert first.status_code == 200, first.content
    assert again.json()["status"] == "replayed"
    done = FollowUp.objects.filter(case=child, done_on__isnull=False)
    assert [(f.done_on, f.still_working) for f in done] == [(today, True)]
    child.refresh_from_db()
    assert child.version > before
    assert first.json()["result"]["version"] == child.version


def test_a_key_used_for_another_kind_of_form_is_refused_naming_the_key(
    web_a, village, child, today
):
    key = str(uuid.uuid4())
    assert _send(web_a, _visit(village, today, key=key)).status_code == 200
    response = _send(web_a, _follow_up(child, today, key=key))
    assert response.status_code == 400
    assert response.json()["field"] == "key"
    assert not FollowUp.objects.filter(case=child, done_on__isnull=False).exists()


# --- conflicts ----------------------------------------------------------------------------------
def test_a_follow_up_against_a_case_changed_since_is_a_conflict_and_writes_nothing(
    web_a, member_a, child, today
):
    # given: the phone filled the form against this version...
    body = _follow_up(child, today - timedelta(days=1), still_working="on")
    # ...and the office recorded a follow-up meanwhile
    cases.record_follow_up(child, actor=member_a, done_on=today, still_working=False)
    child.refresh_from_db()
    made = list(FollowUp.objects.filter(case=child).values_list("pk", "done_on", "still_working"))
    # when
    response = _send(web_a, body)
    # then
    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "conflict"
    assert child.reference in answer["error"]
    assert answer["base"] == child.version
    server = dict(answer["server"])
    assert server["Follow-up visit made"] == f"{today:%Y-%m-%d} · no longer working"
    after = list(FollowUp.objects.filter(case=child).values_list("pk", "done_on", "still_working"))
    assert after == made  # the server's visit is not overwritten, nothing added
    assert not SyncReceipt.objects.filter(key=body["key"]).exists()
    # when the officer chooses to send theirs as well, against the version now shown
    response = _send(web_a, {**body, "base": answer["base"]})
    # then it is recorded, once
    assert response.status_code == 200, response.content
    assert FollowUp.objects.filter(case=child, done_on__isnull=False).count() == 2


def test_every_change_to_a_case_raises_its_version(member_a, child, today):
    versions = [child.version]
    for change in (
        lambda c: cases.assess(c, actor=member_a, on=today),
        lambda c: cases.make_plan(c, actor=member_a, on=today),
        lambda c: cases.add_service(c, actor=member_a, kind="school", planned_on=today),
    ):
        change(ChildCase.objects.get(pk=child.pk))
        versions.append(ChildCase.objects.get(pk=child.pk).version)
    assert versions == sorted(set(versions)), versions


def test_a_second_visit_to_a_village_on_the_same_day_is_a_conflict(web_a, member_a, village, today):
    # given: the form was loaded before any visit; the office records one the same day
    from decimal import Decimal

    monitoring.record_visit(
        village, actor=member_a, visited_on=today, values={"school_enrolment": Decimal("70")}
    )
    body = _visit(village, today, base=0)
    # when
    response = _send(web_a, body)
    # then
    assert response.status_code == 409
    assert ["Visited on", today.isoformat()] in response.json()["server"]
    assert MonitoringVisit.objects.filter(village=village).count() == 1
    # a visit on another day is no conflict; sending against the new base records it
    response = _send(web_a, {**body, "base": response.json()["base"]})
    assert response.status_code == 200
    assert MonitoringVisit.objects.filter(village=village).count() == 2


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "body"),
        ("[1, 2]", "body"),
        ({"kind": "visit", "target": 1, "fields": {}}, "key"),
        ({"key": "not-a-uuid", "kind": "visit", "target": 1, "fields": {}}, "key"),
        ({"key": str(uuid.UUID(int=1)), "kind": "photo", "target": 1, "fields": {}}, "kind"),
        ({"key": str(uuid.UUID(int=1)), "kind": "visit", "target": "one", "fields": {}}, "target"),
        ({"key": str(uuid.UUID(int=1)), "kind": "visit", "target": 1, "fields": []}, "fields"),
        (
            {"key": str(uuid.UUID(int=1)), "kind": "visit", "target": 1, "fields": {"a": 1}},
            "fields",
        ),
        ({"key": str(uuid.UUID(int=1)), "kind": "follow_up", "target": 1, "fields": {}}, "base"),
    ],
)
def test_a_bad_envelope_is_refused_naming_the_field(web_a, body, field):
    response = _send(web_a, body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["error"]
    assert not SyncReceipt.objects.exists()


def test_a_bad_form_field_is_refused_naming_it_and_nothing_is_written(web_a, village, today):
    bad = [
        ({"visited_on": "yesterday"}, "visited_on"),
        ({"visited_on": (today + timedelta(days=2)).isoformat()}, "visited_on"),
        ({"value_school_enrolment": "140"}, "school_enrolment"),
        ({"value_school_enrolment": "-3"}, "value_school_enrolment"),
    ]
    for fields, field in bad:
        response = _send(web_a, _visit(village, today, **fields))
        assert response.status_code == 400, (fields, response.content)
        assert response.json()["field"] == field, (fields, response.json())
    assert not MonitoringVisit.objects.exists()
    assert not SyncReceipt.objects.exists()


def test_only_post_writes_and_get_gives_a_csrf_token(member_a, village, today):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a.user)
    body = json.dumps(_visit(village, today))
    refused = client.post(SYNC, body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    token = client.get(SYNC).json()["csrf"]
    response = client.post(SYNC, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert client.put(SYNC, body, content_type="application/json").status_code in (403, 405)
    assert MonitoringVisit.objects.count() == 1


# --- tenancy and roles --------------------------------------------------------------------------
def test_another_organisations_member_gets_404_and_writes_nothing(web_b, village, child, today):
    for body in (_visit(village, today), _follow_up(child, today)):
        response = _send(web_b, body)
        assert response.status_code == 404, response.content
    assert not MonitoringVisit.objects.exists()
    assert not FollowUp.objects.filter(done_on__isnull=False).exists()
    assert not SyncReceipt.objects.exists()


def test_a_key_of_another_organisation_replays_nothing_of_theirs(
    web_a, web_b, member_b, village, today
):
    from oretrace.core.models import Country
    from oretrace.programmes.services import setup

    key = str(uuid.uuid4())
    assert _send(web_a, _visit(village, today, key=key)).status_code == 200
    programme_b = setup.create_programme(
        actor=member_b,
        name="Beta villages",
        starts_on=today - timedelta(days=10),
        indicator_set="child-labour-free-village",
    )
    village_b = setup.add_village(
        programme_b, actor=member_b, name="Tisri", country=Country.objects.get(code="IN")
    )
    response = _send(web_b, _visit(village_b, today, key=key))
    assert response.json()["status"] == "recorded"  # B's own visit, not A's answer
    assert response.json()["result"]["village"] == village_b.pk
    assert MonitoringVisit.objects.filter(village=village_b).count() == 1


@pytest.mark.parametrize("role", Role.values)
def test_every_role_may_send_what_its_pages_allow(org_a, village, child, today, role):
    member = MembershipFactory.create(organisation=org_a, roles=[role])
    client = web_client(member)
    visit = _send(client, _visit(village, today))
    follow_up = _send(client, _follow_up(child, today))
    if can_run_programmes(member):
        assert visit.status_code == 200, visit.content
    else:
        assert visit.status_code == 403
        assert visit.json()["error"]
    if can_handle_child_cases(member):
        assert follow_up.status_code == 200, follow_up.content
    else:
        # to anyone but a case worker a case does not exist; without the role to record
        # visits the endpoint refuses first
        assert follow_up.status_code == (404 if can_run_programmes(member) else 403)
    assert MonitoringVisit.objects.count() == int(can_run_programmes(member))
    assert FollowUp.objects.filter(done_on__isnull=False).count() == int(
        can_handle_child_cases(member)
    )


def test_a_logged_out_phone_is_sent_to_log_in_and_nothing_is_written(village, today):
    response = _send(Client(), _visit(village, today))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not MonitoringVisit.objects.exists()


# --- the pages a phone keeps --------------------------------------------------------------------
def test_the_service_worker_is_public_script_that_keeps_the_field_pages(client):
    response = client.get("/programmes/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    assert "/static/programmes/offline.js" in text
    assert "/static/web/oretrace.css" in text
    assert "{%" not in text


def test_the_follow_up_page_shows_no_childs_identity_and_opens_none(web_a, child):
    response = web_a.get(f"/programmes/field/cases/{child.pk}/follow-up/")
    assert response.status_code == 200
    page = response.content.decode()
    assert child.reference in page
    assert f'data-base="{child.version}"' in page
    assert "data-offline-form" in page
    for secret in ("Sunita", "2013-04-02", "Ward 7"):
        assert secret not in page
    assert not CaseRead.objects.filter(case=child).exists()  # no identity was opened


def test_the_visit_page_names_the_version_it_is_filled_against(web_a, member_a, village, today):
    from decimal import Decimal

    visit = monitoring.record_visit(
        village, actor=member_a, visited_on=today, values={"school_enrolment": Decimal("70")}
    )
    page = web_a.get(f"/programmes/field/villages/{village.pk}/visit/").content.decode()
    assert f'data-base="{visit.pk}"' in page
    assert 'id="offline"' in page
    assert "programmes/offline.js" in page


def test_the_field_forms_post_without_scripts_too(web_a, village, child, today):
    response = web_a.post(
        f"/programmes/field/villages/{village.pk}/visit/",
        {"visited_on": today.isoformat(), "value_school_enrolment": "80"},
    )
    assert response.status_code == 302
    assert MonitoringVisit.objects.filter(village=village).count() == 1
    response = web_a.post(
        f"/programmes/field/cases/{child.pk}/follow-up/", {"done_on": today.isoformat()}
    )
    assert response.status_code == 302
    assert FollowUp.objects.filter(case=child, done_on=today, still_working=False).exists()


def test_the_field_pages_speak_the_readers_language(web_a, village):
    web_a.cookies.load({"django_language": "fr"})
    page = web_a.get(f"/programmes/field/villages/{village.pk}/visit/").content.decode()
    assert "En attente d\u2019envoi" in page


def test_a_send_racing_another_of_the_same_key_answers_the_first_result(
    web_a, village, today, monkeypatch
):
    """Two sends of one key at once: the second does not see the first's receipt when it
    looks, its own claim then fails on the unique key, and it answers the first result."""
    from oretrace.core.tenancy import owned_by as real
    from oretrace.programmes.services import offline

    body = _visit(village, today)
    first = _send(web_a, body).json()
    looks = []

    def blind_first_look(queryset, organisation_id):
        looks.append(organisation_id)
        return queryset.none() if len(looks) == 1 else real(queryset, organisation_id)

    monkeypatch.setattr(offline, "owned_by", blind_first_look)
    again = _send(web_a, body)
    assert again.status_code == 200
    assert again.json() == {"status": "replayed", "result": first["result"]}
    assert len(looks) == 2
    assert MonitoringVisit.objects.filter(village=village).count() == 1


def test_the_village_page_lists_its_follow_ups_for_the_phone_to_case_workers_only(
    web_a, member_a, org_a, village, child, today
):
    from oretrace.core.choices import Role
    from oretrace.core.tests.factories import MembershipFactory
    from oretrace.programmes.services import cases

    field_form = f"/programmes/field/cases/{child.pk}/follow-up/"
    # a case without a plan yet has no follow-up visit to make
    assert field_form not in web_a.get(f"/programmes/villages/{village.pk}/").content.decode()
    cases.assess(child, actor=member_a, on=today)
    cases.make_plan(child, actor=member_a, on=today)
    page = web_a.get(f"/programmes/villages/{village.pk}/").content.decode()
    assert field_form in page
    assert child.reference in page
    assert "Sunita" not in page  # references only
    # a member of the organisation who is not a case worker sees the village, not the list
    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    other = web_client(officer)
    response = other.get(f"/programmes/villages/{village.pk}/")
    assert response.status_code == 200
    assert field_form not in response.content.decode()


# --- receipts kept for a while ------------------------------------------------------------------
def test_receipts_past_their_keeping_time_are_deleted_and_a_late_replay_still_writes_nothing(
    web_a, village, child, today, settings
):
    from django.utils import timezone

    from oretrace.core.periodic import registered

    # given: a visit and a follow-up sent long ago, and a visit sent yesterday
    settings.ORETRACE_PROGRAMME_SYNC_KEEP_DAYS = 30
    old_visit = _visit(village, today, base=0)
    old_follow_up = _follow_up(child, today, still_working="on")
    assert _send(web_a, old_visit).status_code == 200
    assert _send(web_a, old_follow_up).status_code == 200
    SyncReceipt.objects.update(created_at=timezone.now() - timedelta(days=31))
    other = village.programme.villages.exclude(pk=village.pk).first() or village
    recent = _visit(other, today - timedelta(days=1))
    assert _send(web_a, recent).status_code == 200
    visits = MonitoringVisit.objects.count()
    follow_ups = FollowUp.objects.filter(case=child, done_on__isnull=False).count()
    # when: the daily check runs
    purged = registered()["programmes.sync_receipts"](timezone.now())
    # then: the two old receipts are gone, yesterday's stays
    assert purged == 2
    assert list(SyncReceipt.objects.values_list("key", flat=True)) == [uuid.UUID(recent["key"])]
    # and the phone that sends the old forms again gets conflicts, not second records
    assert _send(web_a, old_visit).status_code == 409
    assert _send(web_a, old_follow_up).status_code == 409
    assert MonitoringVisit.objects.count() == visits
    assert FollowUp.objects.filter(case=child, done_on__isnull=False).count() == follow_ups
    # the recent one is still answered from its receipt
    assert _send(web_a, recent).json()["status"] == "replayed"
