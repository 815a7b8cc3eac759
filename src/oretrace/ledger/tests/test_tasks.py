"""The worker's schedule: checkpoints when the log grew, the audit when it is due."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from oretrace.core.actors import SYSTEM
from oretrace.core.tests.factories import OrganisationFactory
from oretrace.ledger import services as ledger
from oretrace.ledger.models import AuditRun, Checkpoint, LogState
from oretrace.ledger.tasks import ensure_scheduled, run_tick

pytestmark = pytest.mark.django_db


def test_a_tick_signs_a_checkpoint_and_audits_when_due():
    ledger.append_many(OrganisationFactory.create_batch(3), actor=SYSTEM)
    run_tick()
    assert Checkpoint.objects.get().size == 3
    assert AuditRun.objects.count() == 1
    assert LogState.objects.get().last_audit_at is not None
    # a second tick soon after signs nothing new and does not audit again
    run_tick()
    assert Checkpoint.objects.count() == 1
    assert AuditRun.objects.count() == 1


def test_the_schedule_starts_a_tick(settings):
    # with the immediate backend of the tests, the tick runs at once (and does not re-enqueue)
    assert ensure_scheduled() is True
    assert Checkpoint.objects.filter(size=0).exists()


def test_the_schedule_command(capsys):
    call_command("ledger", "schedule")
    assert "ledger schedule" in capsys.readouterr().out


def test_the_vkey_and_checkpoint_commands(capsys):
    call_command("ledger", "vkey")
    assert capsys.readouterr().out.startswith("oretrace.test/ledger+")
    call_command("ledger", "checkpoint")
    assert capsys.readouterr().out.startswith("oretrace.test/ledger\n0\n")


def test_key_rotation_keeps_the_old_key_for_the_overlap(ledger_keys, settings, capsys):
    from oretrace.ledger import keys

    old = keys.log_verifier()
    call_command("ledger", "rotate-key")
    out = capsys.readouterr().out
    new = keys.log_verifier()
    assert new.key_id != old.key_id
    assert f"log-{old.key_id:08x}.key" in out
    settings.ORETRACE_LEDGER_PREVIOUS_KEY_PATHS = [
        ledger_keys.with_name(f"log-{old.key_id:08x}.key")
    ]
    ledger.append(OrganisationFactory.create(), actor=SYSTEM)
    note = ledger.sign_checkpoint().note
    from oretrace.ledger.checkpoint import verify_checkpoint

    verify_checkpoint(note, [old])  # verifiers that still hold the old key accept it
    verify_checkpoint(note, [new])
