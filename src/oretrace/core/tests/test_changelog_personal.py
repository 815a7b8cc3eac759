"""What the change log says about a person is sealed apart from its chain, and erasable."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from oretrace.core import services
from oretrace.core.actors import SYSTEM
from oretrace.core.changelog import ERASED_ENTRIES, log_change, snapshot, verify_chain
from oretrace.core.choices import ChangeAction, Role
from oretrace.core.models import ChangeLogEntry, User
from oretrace.core.models.changelog import ERASED, SEALED
from oretrace.core.schemas import ChangeOut

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    settings.ORETRACE_LEDGER_KEY_PATH = tmp_path / "ledger" / "log.key"
    settings.ORETRACE_LEDGER_WITNESSES = []


@pytest.fixture
def newcomer(member_a):
    user = services.create_user(
        email="asha.devi@example.org",
        password="a long enough passphrase",
        full_name="Asha Devi",
        actor=member_a,
        organisation=member_a.organisation,
    )
    services.add_member(member_a.organisation, user=user, roles=[Role.VIEWER], actor=member_a)
    with transaction.atomic():  # what erase_user and account services log about a user
        log_change(user, action=ChangeAction.UPDATE, actor=member_a, before=snapshot(user))
    return user


def _about(user: User) -> list[ChangeLogEntry]:
    return list(ChangeLogEntry.objects.filter(subject_id=user.pk).order_by("id"))


def _chained_text(entry: ChangeLogEntry) -> str:
    return f"{entry.object_repr} {entry.before} {entry.after}"


def test_entries_about_a_person_keep_their_address_and_name_out_of_the_chain(newcomer):
    entries = _about(newcomer)
    assert {e.content_type.model for e in entries} >= {"membership"}
    for entry in entries:
        assert "asha" not in _chained_text(entry).lower()
        assert entry.personal_digest
        assert entry.personal_salt
    membership = next(e for e in entries if e.content_type.model == "membership")
    # people still read who it was, while the person is not erased
    assert "Asha Devi" in membership.shown_repr
    assert "Asha Devi" in ChangeOut.from_orm(membership).model_dump()["object_repr"]
    assert verify_chain()[0] == []


def test_a_users_sealed_fields_read_sealed_in_the_chain_and_clear_on_the_page(newcomer):
    entry = ChangeLogEntry.objects.filter(
        content_type__model="user", subject_id=newcomer.pk, action=ChangeAction.UPDATE
    ).get()
    assert entry.before is not None
    assert entry.after is not None
    for side in (entry.before, entry.after):
        assert side["email"] == side["full_name"] == SEALED
        assert side["is_active"] is True  # what is not personal stays in the chain
    assert entry.shown_after is not None
    assert entry.shown_before is not None
    assert entry.shown_after["email"] == "asha.devi@example.org"
    assert entry.shown_before["full_name"] == "Asha Devi"
    assert entry.object_repr == f"user #{newcomer.pk}"


def test_erasure_empties_what_the_log_said_about_the_person_and_the_chain_holds(newcomer):
    services.erase_user(newcomer, actor=SYSTEM)
    *entries, erasure = _about(newcomer)
    # the user's creation and update, the membership, and the membership's deactivation
    assert len(entries) == 4
    for entry in entries:
        assert entry.personal is None
        assert entry.personal_salt == ""
        assert entry.is_erased
        assert "Asha" not in entry.shown_repr
        assert ERASED in entry.shown_repr
    assert erasure.after is not None
    assert erasure.after[ERASED_ENTRIES] == [e.id for e in entries]
    assert "asha" not in str(list(ChangeLogEntry.objects.values_list("personal", flat=True)))
    assert verify_chain()[0] == []


def test_edited_sealed_data_breaks_the_chain(newcomer):
    entry = _about(newcomer)[0]
    assert entry.personal is not None
    ChangeLogEntry.objects.filter(pk=entry.pk).update(
        personal={**entry.personal, "object_repr": "Someone Else @ Org"}
    )
    assert any("no longer matches its sealed digest" in b.detail for b in verify_chain()[0])


def test_sealed_data_emptied_without_a_logged_erasure_is_a_fake_erasure(newcomer):
    entry = _about(newcomer)[0]
    ChangeLogEntry.objects.filter(pk=entry.pk).update(personal=None, personal_salt="")
    details = [b.detail for b in verify_chain()[0]]
    assert any("removed without a logged erasure" in d for d in details), details


def test_sealed_data_planted_in_an_ordinary_entry_is_refused(newcomer, member_a):
    services.update_organisation(member_a.organisation, actor=member_a, website="https://a.test")
    entry = ChangeLogEntry.objects.filter(content_type__model="organisation").latest("id")
    ChangeLogEntry.objects.filter(pk=entry.pk).update(personal={"object_repr": "x"})
    assert any("was not written with" in b.detail for b in verify_chain()[0])


def test_the_command_says_how_many_old_entries_still_name_the_person(newcomer, capsys):
    # an entry from before sealing existed: the address in clear, chained as it was
    legacy = _about(newcomer)[0]
    ChangeLogEntry.objects.filter(pk=legacy.pk).update(
        object_repr="asha.devi@example.org @ Org",
        personal_digest="",
        subject=None,
        personal=None,
        personal_salt="",
    )
    call_command("erase_user", "asha.devi@example.org", "--yes")
    out = capsys.readouterr().out
    assert "is erased" in out
    assert "1 change-log entries written before personal data was sealed" in out
