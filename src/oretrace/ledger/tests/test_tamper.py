"""The tamper suite: every direct edit of what the log vouches for is reported by the audit.

One database is built for the whole module: the demo, then a day of use through the services
(a capture, a declaration decided, an open assessment with answers, a submitted one sent back
and answered again, an erasure, a checkpoint published). Each case then runs inside a savepoint
that is rolled back: it edits one column of one row, deletes one row or inserts a forged one,
with plain SQL as someone with the database in hand would, and asserts that ``run_audit`` (the
service behind ``oretrace ledger audit``) reports a problem naming the record.

Columns the log does not vouch for are listed in ``NOT_VOUCHED`` with the reason; the suite
fails when a table gains a column that is neither tested nor listed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.test import override_settings
from django.utils import timezone

from oretrace.assessments import services as assessment_services
from oretrace.assessments.choices import AssessmentStatus
from oretrace.assessments.models import Answer, Assessment, Question, Standard
from oretrace.core.actors import SYSTEM
from oretrace.core.demo import build_demo
from oretrace.core.models import ChangeLogEntry, ChangeLogHead, Membership, Organisation
from oretrace.declarations import services as declaration_services
from oretrace.declarations.choices import DeclarationStatus
from oretrace.declarations.models import Declaration, SmelterEntry
from oretrace.declarations.permissions import can_decide_declarations
from oretrace.ledger import services as ledger
from oretrace.ledger.audit import run_audit
from oretrace.ledger.models import Checkpoint, Erasure, HashTile, Leaf, LogState
from oretrace.traceability import recording
from oretrace.traceability import services as capture_services
from oretrace.traceability.models import (
    CustodyEdge,
    CustodyFlag,
    EpcisEvent,
    EpcisIdentifier,
    Lot,
    LotMovement,
)

# The marker makes pytest-django set the test database up, and run each case in a savepoint
# inside the module's transaction below.
pytestmark = pytest.mark.django_db

# --- the shared database ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tamper_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tamper") / "ledger" / "log.key"


@pytest.fixture(autouse=True)
def ledger_keys(settings, tamper_keys):
    """The module's key for every case (the conftest's gives each test a fresh one)."""
    settings.ORETRACE_LEDGER_KEY_PATH = tamper_keys
    settings.ORETRACE_LEDGER_ORIGIN = "oretrace.test/ledger"
    settings.ORETRACE_LEDGER_WITNESSES = []
    settings.ORETRACE_LEDGER_PREVIOUS_KEY_PATHS = []
    settings.ORETRACE_LEDGER_PUBLISH_DIR = None
    return tamper_keys


def _a_day_of_use() -> None:
    """What a day of use adds to the demo, through the services only."""
    # a capture: a new collection at a programme's site
    lot = Lot.objects.filter(facility__isnull=False).order_by("pk").first()
    assert lot is not None
    programme = lot.organisation
    assert lot.facility is not None
    event = recording.collection_event(
        facility=lot.facility,
        when=timezone.now() - dt.timedelta(hours=2),
        lot=recording.lot_uri(programme, "TAMPER-1"),
        amount=Decimal("12.5"),
        unit="kg",
        recycled=False,
    )
    capture_services.capture_document(
        recording.document([event]), organisation=programme, actor=SYSTEM
    )
    # a declaration waiting for a decision is accepted
    waiting = Declaration.objects.exclude(status=DeclarationStatus.ACCEPTED).first()
    if waiting is not None:
        decider = next(
            m
            for m in Membership.objects.filter(organisation_id=waiting.organisation_id)
            if can_decide_declarations(m)
        )
        declaration_services.decide(
            waiting, status=DeclarationStatus.ACCEPTED, actor=decider, note="Checked by phone."
        )
    # an open assessment with some answers, and a submitted one sent back and answered again
    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).first()
    assert submitted is not None
    standard = Standard.objects.get(pk=submitted.standard_id)
    other = Organisation.objects.exclude(
        pk__in=[submitted.organisation_id, submitted.supplier_id]
    ).first()
    assert other is not None
    opened = assessment_services.assign_assessment(
        standard=standard,
        supplier=other,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        organisation=submitted.organisation,
        actor=SYSTEM,
    )
    yes_no = Question.objects.filter(standard=standard, answer_type="yes_no").order_by("position")
    for question in yes_no[:3]:
        assessment_services.save_answer(opened, question, value="yes", actor=SYSTEM)
    accepted = Assessment.objects.filter(status=AssessmentStatus.ACCEPTED).first()
    assert accepted is not None
    # an erasure, of an organisation none of the cases below edits
    erased = Organisation.objects.order_by("-pk").first()
    assert erased is not None
    ledger.erase(erased, actor=SYSTEM)
    # and a checkpoint signed and published
    checkpoint = ledger.sign_checkpoint()
    ledger.publish_checkpoint(checkpoint.size, checkpoint.note)


@pytest.fixture(scope="module")
def tamper_db(django_db_setup, django_db_blocker, tamper_keys) -> Iterator[None]:
    """The demo after a day of use, in a transaction rolled back after the module."""
    with (
        override_settings(
            ORETRACE_LEDGER_KEY_PATH=tamper_keys,
            ORETRACE_LEDGER_ORIGIN="oretrace.test/ledger",
            ORETRACE_LEDGER_WITNESSES=[],
            ORETRACE_LEDGER_PREVIOUS_KEY_PATHS=[],
            ORETRACE_LEDGER_PUBLISH_DIR=None,
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        build_demo()
        _a_day_of_use()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def case(tamper_db, django_db_blocker) -> Iterator[None]:
    """One case: a savepoint rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def _problems() -> list[dict[str, Any]]:
    return list(run_audit(trigger="tamper suite").problems)


# --- what each table is, and how a case names its record --------------------------------------


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    pick: Callable[[], Any]
    # the (record type, record id) a problem must name, for a row of the table
    names: Callable[[Any], set[tuple[str, str]]]
    # the table's own problems may name no record (the log's own tables)
    log_table: bool = False


def _self(record_type: str) -> Callable[[Any], set[tuple[str, str]]]:
    return lambda row: {(record_type, str(row.pk))}


def _event_and(record_type: str) -> Callable[[Any], set[tuple[str, str]]]:
    return lambda row: {
        (record_type, str(row.pk)),
        ("traceability.epcisevent", str(getattr(row, "event_id", None) or row.produced_by_id)),
    }


def _accepted_declaration() -> Any:
    return (
        Declaration.objects.filter(status=DeclarationStatus.ACCEPTED, smelter_entries__isnull=False)
        .order_by("pk")
        .first()
    )


def _logged_organisation() -> Organisation:
    erased = set(Erasure.objects.values_list("record_id", flat=True))
    ids = Leaf.objects.filter(record_type="core.organisation").values_list("record_id", flat=True)
    return Organisation.objects.filter(pk__in=[i for i in ids if i not in erased]).order_by("pk")[0]


def _frozen_answer() -> Any:
    return (
        Answer.objects.filter(assessment__status=AssessmentStatus.ACCEPTED)
        .exclude(value=None)
        .order_by("pk")
        .first()
    )


def _produced_lot() -> Any:
    return Lot.objects.filter(produced_by__isnull=False).order_by("pk").first()


TABLES = {
    "organisation": Table(Organisation, _logged_organisation, _self("core.organisation")),
    "epcis event": Table(
        EpcisEvent,
        lambda: EpcisEvent.objects.order_by("pk").first(),
        _self("traceability.epcisevent"),
    ),
    "epcis identifier": Table(
        EpcisIdentifier,
        lambda: EpcisIdentifier.objects.filter(quantity__isnull=False).order_by("pk").first(),
        lambda row: {("traceability.epcisevent", str(row.event_id))},
    ),
    "lot": Table(Lot, _produced_lot, _event_and("traceability.lot")),
    "lot movement": Table(
        LotMovement,
        lambda: LotMovement.objects.filter(shipment__isnull=False).order_by("pk").first(),
        _event_and("traceability.lotmovement"),
    ),
    "custody edge": Table(
        CustodyEdge,
        lambda: CustodyEdge.objects.filter(quantity_kg__isnull=False).order_by("pk").first(),
        _event_and("traceability.custodyedge"),
    ),
    "custody flag": Table(
        CustodyFlag,
        lambda: CustodyFlag.objects.order_by("pk").first(),
        _event_and("traceability.custodyflag"),
    ),
    "declaration": Table(Declaration, _accepted_declaration, _self("declarations.declaration")),
    "smelter entry": Table(
        SmelterEntry,
        lambda: (
            SmelterEntry.objects.filter(declaration=_accepted_declaration())
            .exclude(facility=None)
            .order_by("pk")
            .first()
        ),
        lambda row: {("declarations.declaration", str(row.declaration_id))},
    ),
    "assessment": Table(
        Assessment,
        lambda: Assessment.objects.filter(status=AssessmentStatus.ACCEPTED).order_by("pk").first(),
        _self("assessments.assessment"),
    ),
    "answer": Table(
        Answer,
        _frozen_answer,
        lambda row: {("assessments.assessment", str(row.assessment_id))},
    ),
    "erasure": Table(
        Erasure, lambda: Erasure.objects.order_by("pk").first(), _self("ledger.erasure")
    ),
    "leaf": Table(
        Leaf,
        lambda: Leaf.objects.filter(record_type="traceability.epcisevent").order_by("index")[0],
        lambda row: {(row.record_type, row.record_id)},
        log_table=True,
    ),
    "hash tile": Table(
        HashTile,
        lambda: HashTile.objects.order_by("level", "index").first(),
        lambda row: set(),
        log_table=True,
    ),
    "log state": Table(LogState, lambda: LogState.objects.get(), lambda row: set(), True),
    "checkpoint": Table(
        Checkpoint, lambda: Checkpoint.objects.order_by("-size")[0], lambda row: set(), True
    ),
    "change-log entry": Table(
        ChangeLogEntry,
        lambda: ChangeLogEntry.objects.order_by("pk")[5],
        lambda row: {("core.changelogentry", str(row.pk))},
        log_table=True,
    ),
    "change-log head": Table(
        ChangeLogHead, lambda: ChangeLogHead.objects.get(), lambda row: set(), True
    ),
}

# Columns the log does not vouch for, and why. Everything else is edited by a case.
_BOOKKEEPING = "bookkeeping of the row, not a fact the log commits to"
_PERSON = "who did it: personal data kept out of the log (the change log records it)"
NOT_VOUCHED: dict[str, dict[str, str]] = {
    "organisation": {
        "id": "the key",
        "slug": "a URL name the operator may change",
        "approval": "the operator's decision on a sign-up (in the change log); an organisation "
        "enters the log only once approved, and its is_active is vouched for",
        "language": "the language its sign-up mails are written in: a preference",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
    },
    "epcis event": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
        "record_time": "when oretrace stored it, not part of the event's hash",
        "capture_id": "which upload brought it; the capture's own row is in the change log",
    },
    "epcis identifier": {"id": "the key"},
    "lot": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
        "facility_id": "read from the registry at capture; the registry changes after",
    },
    "lot movement": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
        "facility_id": "read from the registry at capture; the registry changes after",
    },
    "custody edge": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
    },
    "custody flag": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
        "facility_id": "read from the registry at capture; the registry changes after",
        "message": "text for people, made from the compared numbers and registry names",
    },
    "declaration": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
        "batch_id": "the import batch (a job), bookkeeping",
        "stored_file": "where the file is kept; its SHA-256 is committed",
        "status_note": "the decider's note: may name people; the decision is committed",
        "superseded_by_id": "set when a newer declaration arrives, in the change log",
        "supplier_id": "the team's supplier record, in the change log",
        "filename": "as uploaded; the content is committed",
        "size": "of the file whose SHA-256 is committed",
        "reporting_year": "given at import (or the effective date's year), in the change log",
        "issues": "the checker's findings, recomputable from the content",
        "error_count": "the checker's findings, recomputable from the content",
        "warning_count": "counts of the checker's findings (recomputable from the content) and "
        "of the registry's flags, derived from the current matches and refreshed with them",
        "flag_count": "counts of the checker's findings (recomputable from the content) and "
        "of the registry's flags, derived from the current matches and refreshed with them",
    },
    "smelter entry": {"id": "the key"},
    "assessment": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "created_by_id": _PERSON,
        "due_on": "the assigner's deadline, in the change log",
        "status": "the review state, in the change log; the result is committed",
        "message": "the assigner's note, in the change log",
        "review_note": "the reviewers' note, in the change log",
    },
    "answer": {
        "id": "the key",
        "created_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
        "updated_by_id": _PERSON,
    },
    "erasure": {"id": "the key", "created_at": _BOOKKEEPING},
    "leaf": {
        "actor_label": "who appended it: not in the entry (see the witness slice's pseudonyms)",
        "created_at": _BOOKKEEPING,
        "erased_at": _BOOKKEEPING,
    },
    "hash tile": {"id": "the key"},
    "log state": {
        "id": "the key",
        "last_audit_at": _BOOKKEEPING,
        "updated_at": _BOOKKEEPING,
    },
    "checkpoint": {"id": "the key", "created_at": _BOOKKEEPING},
    "change-log entry": {"id": "the key", "actor_id": "emptied when the user is deleted"},
    "change-log head": {"id": "the key"},
}


def _columns(name: str) -> list[str]:
    model = TABLES[name].model
    skip = NOT_VOUCHED.get(name, {})
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


COLUMN_CASES = [(name, column) for name in TABLES for column in _columns(name)]


def test_every_column_is_tested_or_says_why_not():
    for name, table in TABLES.items():
        columns = {f.attname for f in table.model._meta.concrete_fields}
        listed = set(NOT_VOUCHED.get(name, {}))
        assert listed <= columns, f"{name}: {sorted(listed - columns)} are not columns"


# --- edits ---------------------------------------------------------------------------------------


def _other_keys(field: models.ForeignKey[Any, Any], current: Any) -> list[Any]:
    target = field.related_model._default_manager.exclude(pk=current).order_by("-pk")
    others = list(target.values_list("pk", flat=True)[:5])
    if current is None or isinstance(current, int):  # a key nothing has (checked at commit)
        others.append((current or 0) + 1000)
    return others


def _candidates(field: models.Field[Any, Any], value: Any) -> list[Any]:
    """Different values of the field's type, as the database takes them, best first (a value
    refused by a unique constraint is followed by others)."""
    if isinstance(field, models.ForeignKey):
        return _other_keys(field, value)
    if isinstance(field, models.IntegerField) and not isinstance(field, models.BooleanField):
        return [(value or 0) + 1, (value or 0) + 1000]
    return [_edited(field, value)]


def _edited(field: models.Field[Any, Any], value: Any) -> Any:
    """A different value of the field's type, as the database takes it."""
    if isinstance(field, models.ForeignKey):
        return _other_keys(field, value)[0]
    if isinstance(field, models.BinaryField):
        data = bytes(value or b"\x00" * 32)
        return bytes([data[0] ^ 0xFF]) + data[1:]
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.DateTimeField):
        return field.get_db_prep_value(value + dt.timedelta(days=1), connection)
    if isinstance(field, models.DateField):
        return field.get_db_prep_value(value + dt.timedelta(days=1), connection)
    if isinstance(field, models.DecimalField):
        return str((value or Decimal(0)) + Decimal(7))
    if isinstance(field, models.FloatField):
        return (value or 0.0) / 2 + 0.125
    if isinstance(field, models.IntegerField):
        return (value or 0) + 1
    if isinstance(field, models.JSONField):
        return json.dumps(_edited_json(value))
    if isinstance(field, models.CharField | models.TextField):
        text = value or ""
        if not text:  # text the column can hold: PostgreSQL checks the length
            return "forged"[: field.max_length]
        return text[:-1] + ("x" if text[-1:] != "x" else "y")
    raise AssertionError(f"no edit for {field!r}")


def _edited_json(value: Any) -> Any:
    """The value with its first leaf (a number, text, item) changed."""
    if isinstance(value, dict) and value:
        key = sorted(value)[0]
        for key in sorted(value):  # prefer a key whose value changes something
            if value[key] not in (None, [], {}):
                break
        return {**value, key: _edited_json(value[key])}
    if isinstance(value, list) and value:
        return [_edited_json(value[0]), *value[1:]]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return "forged"


def _update(row: Any, column: str, value: Any) -> None:
    model = type(row)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s "  # noqa: S608
            f"WHERE {connection.ops.quote_name(str(pk.column))} = %s",
            [value, pk.get_db_prep_value(row.pk, connection)],
        )
        assert cursor.rowcount == 1


def _delete(row: Any) -> None:
    model = type(row)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA defer_foreign_keys = ON") if connection.vendor == "sqlite" else None
        cursor.execute(
            f"DELETE FROM {table} WHERE {connection.ops.quote_name(str(pk.column))} = %s",  # noqa: S608
            [pk.get_db_prep_value(row.pk, connection)],
        )
        assert cursor.rowcount == 1


def _insert_copy(row: Any) -> Any:
    """A forged row: a copy of ``row`` under a new key (unique columns changed)."""
    model = type(row)
    values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
    pk = model._meta.pk
    if pk.attname == "index":  # a leaf: the next index
        values["index"] = Leaf.objects.order_by("-index").values_list("index", flat=True)[0] + 1
        values["version"] = row.version + 1000
    elif model is LogState or model is ChangeLogHead:
        pytest.skip("a single-row table: a second row is refused by its constraint")
    else:
        values.pop(pk.attname)
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            values[field.attname] = _edited(field, values[field.attname])
    if model is Lot:
        values["code"] += "-forged"
    if model is EpcisEvent:
        digest = values["hash_id"]
        values["hash_id"] = digest[:20] + ("0" if digest[20] != "0" else "1") + digest[21:]
    if model is Declaration:
        values["sha256"] = "0" * 64
    if model is Answer:
        taken = Answer.objects.filter(assessment_id=row.assessment_id).values("question_id")
        values["question_id"] = (
            Question.objects.filter(standard__assessments=row.assessment_id)
            .exclude(pk__in=taken)
            .values_list("pk", flat=True)
            .first()
        )
        if values["question_id"] is None:
            pytest.skip("every question of the assessment is answered")
    if model is HashTile:
        values["index"] += 1000
    forged = model(**values)
    forged.save(force_insert=True)
    return forged


def _named(problems: list[dict[str, Any]], names: set[tuple[str, str]]) -> bool:
    return any((p["record_type"], p["record_id"]) in names for p in problems)


def _assert_reported(table: Table, row: models.Model, what: str) -> None:
    problems = _problems()
    assert problems, f"{what}: not reported"
    names = table.names(row)
    if names and not table.log_table:
        assert _named(problems, names), f"{what}: reported, but not naming {names}: {problems}"


@pytest.mark.parametrize(
    ("name", "column"), COLUMN_CASES, ids=[f"{n}.{c}" for n, c in COLUMN_CASES]
)
def test_an_edited_column_is_reported(case, name, column):
    table = TABLES[name]
    row = table.pick()
    assert row is not None, f"the demo has no {name} to edit"
    field = next(f for f in table.model._meta.concrete_fields if f.attname == column)
    assert field.column is not None
    for value in _candidates(field, getattr(row, column)):
        try:
            with transaction.atomic():
                _update(row, field.column, value)
            break
        except IntegrityError:
            continue
    else:
        pytest.fail(f"no edit of {name}.{column} is accepted by the database")
    _assert_reported(table, row, f"{name}.{column} edited")


@pytest.mark.parametrize("name", list(TABLES))
def test_a_deleted_row_is_reported(case, name):
    table = TABLES[name]
    row = table.pick()
    _delete(row)
    _assert_reported(table, row, f"a {name} deleted")


@pytest.mark.parametrize("name", list(TABLES))
def test_a_forged_row_is_reported(case, name):
    table = TABLES[name]
    forged = _insert_copy(table.pick())
    _assert_reported(table, forged, f"a forged {name}")


# --- the issue's own list, and no false positives ----------------------------------------------


def test_the_demo_after_a_day_of_use_audits_clean(case):
    assert Assessment.objects.filter(
        status__in=[AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS]
    ).exists()
    assert Erasure.objects.exists()
    assert _problems() == []


def test_a_sent_back_assessment_answered_again_audits_clean(case):
    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).first()
    assert submitted is not None
    assessment_services.send_back(submitted, note="Please check the hours.", actor=SYSTEM)
    answer = Answer.objects.filter(assessment=submitted).exclude(value=None).first()
    assert submitted is not None
    assert answer is not None
    assessment_services.save_answer(
        submitted, answer.question, value="" if answer.value else "yes", actor=SYSTEM
    )
    assert _problems() == []


def test_a_truncated_log_rebuilt_without_the_key_is_reported(case):
    """Leaves removed, tiles and state recomputed, later checkpoints deleted: only a
    checkpoint that left the database shows it."""
    from oretrace.ledger.merkle import MemoryTree, range_nodes
    from oretrace.ledger.tiles import TILE_WIDTH

    published = Checkpoint.objects.order_by("-size")[0].size
    keep = published - 3
    Leaf.objects.filter(index__gte=keep).delete()
    Checkpoint.objects.filter(size__gt=keep).delete()
    tree = MemoryTree()
    for entry in Leaf.objects.order_by("index").values_list("entry", flat=True):
        tree.append(bytes(entry))
    HashTile.objects.all().delete()
    for level, hashes in enumerate(tree.levels):
        for start in range(0, len(hashes), TILE_WIDTH):
            HashTile.objects.create(
                level=level,
                index=start // TILE_WIDTH,
                hashes=b"".join(hashes[start : start + TILE_WIDTH]),
            )
    LogState.objects.filter(pk=1).update(
        size=tree.size, frontier=b"".join(tree.hashes(range_nodes(0, tree.size)))
    )
    kinds = {p["kind"] for p in _problems()}
    assert "tree-truncated" in kinds
    assert "checkpoint-deleted" in kinds
