"""The risk app's rule on audits: an overdue corrective action raises a red flag on the
audited facility for the audit body and the programme owner, citing the finding; it closes
once the action is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from oretrace.audits.services import actions
from oretrace.audits.tests.conftest import overdue_wages_action
from oretrace.risk.models import RedFlag
from oretrace.risk.redflags.services import recompute_flags
from oretrace.risk.redflags.texts import evidence_url


@pytest.fixture
def late_action(audit, auditor, auditee):
    return overdue_wages_action(audit, auditor, auditee)


def test_an_overdue_action_raises_a_flag_for_the_body_and_the_programme_owner(
    late_action,
    audit,
    body,
    owner_org,
    auditee_org,
    unit,
):
    day_after = late_action.due_on + timedelta(days=1)
    assert recompute_flags(body, on=late_action.due_on).as_counts()["raised"] == 0
    raised = recompute_flags(body, on=day_after).raised
    assert [f.rule for f in raised] == ["audit-action-overdue"]
    flag = raised[0]
    assert (flag.facility_id, flag.severity, flag.evidence_kind) == (
        unit.pk,
        "high",
        "audit-finding",
    )
    assert flag.evidence_id == late_action.finding_id
    assert evidence_url(flag) == reverse("audits:detail", args=[audit.pk]) + (
        f"#finding-{late_action.finding_id}"
    )
    assert [f.rule for f in recompute_flags(owner_org, on=day_after).raised] == [
        "audit-action-overdue"
    ]
    assert recompute_flags(auditee_org, on=day_after).raised == []


def test_the_flag_closes_once_the_action_is_done(late_action, body, auditee):
    day_after = late_action.due_on + timedelta(days=1)
    recompute_flags(body, on=day_after)
    actions.update_action(late_action, actor=auditee, status="done")
    outcome = recompute_flags(body, on=day_after)
    assert [f.rule for f in outcome.closed] == ["audit-action-overdue"]
    assert not RedFlag.objects.filter(closed_at__isnull=True, rule="audit-action-overdue").exists()


def test_the_daily_check_recomputes_the_parties_when_an_action_falls_due(
    late_action, body, owner_org, monkeypatch
):
    from datetime import UTC, datetime

    from oretrace.risk.redflags import triggers

    seen = []
    monkeypatch.setattr(
        triggers, "schedule_everywhere", lambda why, ids: seen.append((why, set(ids)))
    )
    triggers.audit_actions_fallen_due(datetime(2026, 4, 2, 9, tzinfo=UTC))
    assert seen == [("audit", {body.pk, owner_org.pk})]
    seen.clear()
    triggers.audit_actions_fallen_due(datetime(2026, 4, 9, 9, tzinfo=UTC))
    assert seen == [("audit", set())]
