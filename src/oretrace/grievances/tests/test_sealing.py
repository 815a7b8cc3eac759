"""Content sealed at rest: keys outside the database, bound to the case, rotation."""

import os
import stat

import pytest

from oretrace.grievances import sealing
from oretrace.grievances.exceptions import SealError
from oretrace.grievances.models import Message, Note
from oretrace.grievances.services import cases, upkeep

pytestmark = pytest.mark.django_db


def test_a_text_opens_for_its_case_only(grievance_keys):
    sealed = sealing.seal("मेरा वेतन नहीं मिला", case_id=7)
    assert "वेतन".encode() not in sealed.data
    assert sealing.unseal(sealed, case_id=7) == "मेरा वेतन नहीं मिला"
    with pytest.raises(SealError, match="altered or belongs to another case"):
        sealing.unseal(sealed, case_id=8)


def test_the_key_is_a_private_file_outside_the_database(grievance_keys):
    key_id = sealing.current_key_id()
    path = grievance_keys / f"{key_id}.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(grievance_keys).st_mode) == 0o700


def test_the_database_holds_no_plain_text(filed):
    row = Message.objects.get(case=filed.case)
    assert b"dust mask" not in bytes(row.sealed)
    assert row.key_id == sealing.current_key_id()


def test_a_missing_key_is_named(filed, grievance_keys):
    row = Message.objects.get(case=filed.case)
    (grievance_keys / f"{row.key_id}.key").unlink()
    with pytest.raises(SealError, match=f"key {row.key_id} is not in"):
        sealing.unseal(row.sealed_text(), case_id=filed.case.pk)


def test_rotation_new_writes_use_the_new_key_old_rows_still_open(filed, member_a, grievance_keys):
    old_key = Message.objects.get(case=filed.case).key_id
    cases.add_note(filed.case, actor=member_a, text="old key note")
    new_key = sealing.new_key()
    assert new_key > old_key  # ids sort by date: the newest seals from now on
    cases.reply(filed.case, actor=member_a, text="sealed with the new key")
    keys = dict(Message.objects.filter(case=filed.case).values_list("pk", "key_id"))
    assert sorted(set(keys.values())) == sorted([old_key, new_key])
    content = cases.read_content(filed.case, actor=member_a)
    assert [m.text for m in content.messages] == [
        "The dust mask stock ran out in May.",
        "sealed with the new key",
    ]
    # re-seal: every row moves to the new key; the old key file can then go
    assert upkeep.reseal() == 2
    assert set(Message.objects.values_list("key_id", flat=True)) == {new_key}
    assert set(Note.objects.values_list("key_id", flat=True)) == {new_key}
    (grievance_keys / f"{old_key}.key").unlink()
    content = cases.read_content(filed.case, actor=member_a)
    assert content.messages[0].text == "The dust mask stock ran out in May."
    assert content.notes[0].text == "old key note"
    assert upkeep.reseal() == 0


def test_receipt_digest_is_keyed_and_slow_hash_not_the_receipt(filed):
    digest = filed.case.receipt_digest
    assert filed.receipt not in digest
    assert digest == sealing.receipt_digest(filed.receipt)
    assert len(digest) == 64


def test_the_command_line_rotates_the_key(filed, grievance_keys):
    from io import StringIO

    from django.core.management import call_command

    old_key = Message.objects.get(case=filed.case).key_id
    out = StringIO()
    call_command("grievances", "new-key", stdout=out)
    assert "run `reseal` next" in out.getvalue()
    call_command("grievances", "reseal", stdout=out)
    new_key = sealing.current_key_id()
    assert f"1 text sealed again with key {new_key}" in out.getvalue()
    assert Message.objects.get(case=filed.case).key_id == new_key != old_key
    call_command("grievances", "purge", stdout=out)
    assert "0 cases' texts purged" in out.getvalue()


def test_no_new_key_is_made_when_sealed_texts_lost_theirs(filed, grievance_keys):
    for path in grievance_keys.glob("*.key"):
        path.unlink()
    with pytest.raises(SealError, match="restore the key folder"):
        sealing.seal("new text", case_id=filed.case.pk)
    assert list(grievance_keys.glob("*.key")) == []
