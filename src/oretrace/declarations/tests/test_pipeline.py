"""The import pipeline on real supplier files: values, matching, flags, duplicates,
supersession, refusals, all-or-nothing, batches as jobs, decisions and the ledger."""

from __future__ import annotations

import functools
import io
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from oretrace.core.models import ChangeLogEntry
from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Declaration, ImportBatch, SmelterEntry, Supplier
from oretrace.declarations.queries import current_issues
from oretrace.declarations.rmi.maps import map_for
from oretrace.declarations.rmi.write import XlsxPackage
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY
from oretrace.ledger.models import Leaf
from oretrace.registry.models import Facility, MatchReview
from oretrace.registry.services.reviews import confirm_review

pytestmark = pytest.mark.django_db


def _import(member, name: str, data: bytes, **kwargs):
    return imports.import_declaration(data, name, actor=member, today=TODAY, **kwargs)


def test_real_file_values_matching_and_flags(registry_loaded, member_a, filled):
    name, data = filled("JX Advanced")
    outcome = _import(member_a, name, data)
    assert outcome.outcome == "imported", outcome.message
    declaration = outcome.declaration
    assert declaration.family == "CMRT"
    assert declaration.version == "6.4"
    assert declaration.supplier.name == declaration.company_name == "JX Advanced Metals Corporation"
    assert declaration.scope in {"A", "B", "C"}
    assert declaration.minerals == ["tantalum", "tin", "gold", "tungsten"] or set(
        declaration.minerals
    ) == {"tantalum", "tin", "gold", "tungsten"}
    entries = list(declaration.smelter_entries.all())
    assert len(entries) == len(declaration.content["smelters"]) > 0
    matched = [e for e in entries if e.match == "matched"]
    # Rows that carry a Smelter ID from the list resolve to the registry by identifier.
    with_cid = [e for e in entries if e.smelter_id.startswith("CID")]
    assert with_cid
    assert all(e.facility_id for e in with_cid if e.match == "matched")
    assert len(matched) >= len(with_cid) * 0.9
    for entry in matched:
        facility = Facility.objects.get(pk=entry.facility_id)
        assert entry.metal in set(facility.minerals.values_list("code", flat=True))
    # No assurance statuses in the registry yet: every matched smelter is flagged.
    flags = [i for i in current_issues(declaration) if i["severity"] == "flag"]
    codes = [i["code"] for i in flags]
    assert codes.count("smelter-not-conformant") == len(matched)
    assert declaration.flag_count == len(flags)
    assert ChangeLogEntry.objects.filter(object_id=str(declaration.pk)).exists()


def test_conformant_status_lifts_the_flag(registry_loaded, member_a, filled):
    from oretrace.registry import services as registry

    name, data = filled("Merck")
    parsed_id = None
    outcome = _import(member_a, name, data)
    entry = outcome.declaration.smelter_entries.get(match="matched")
    parsed_id = entry.facility_id
    registry.record_status(
        Facility.objects.get(pk=parsed_id),
        scheme="rmap",
        status="Conformant",
        effective_on=date(2024, 1, 1),
        source="test",
        actor=member_a,
    )
    from oretrace.registry.queries import headline_statuses

    statuses = headline_statuses([parsed_id], member_a)
    assert statuses == {parsed_id: "Conformant"}


def test_empty_company_block_reported_cell_by_cell(registry_loaded, member_a, filled):
    name, data = filled("PKG_DE00")
    declaration = _import(member_a, name, data).declaration
    assert declaration.status == "needs_correction"
    cells = {i["cell"] for i in declaration.errors if i["code"] == "missing-field"}
    assert {"D8", "D15", "D16"} <= cells or len(cells) >= 5
    assert declaration.supplier.name.startswith("Unnamed supplier")


def test_same_file_twice_is_recognised(registry_loaded, member_a, member_b, filled):
    name, data = filled("Merck")
    first = _import(member_a, name, data)
    again = _import(member_a, "renamed.xlsx", data)
    assert again.outcome == "duplicate"
    assert again.declaration == first.declaration
    assert "nothing changed" in again.message
    assert Declaration.objects.count() == 1
    # Another organisation importing the same file gets its own declaration.
    assert _import(member_b, name, data).outcome == "imported"


@functools.cache
def _with_effective_dates(data: bytes, days: tuple[date, ...]) -> dict[date, bytes]:
    """The file once for each of ``days``, its Declaration sheet's effective date set to it
    (as the blank writer writes cells: in place), kept for the session by input: a test that
    asks again gets the same bytes."""
    template_map, _newer = map_for("CMRT", "6.4", "x.xlsx")
    cell = template_map.company["effective_date"]
    return {
        day: XlsxPackage(data).write({"Declaration": {cell: datetime.combine(day, time())}})
        for day in days
    }


def test_a_newer_declaration_supersedes_and_an_older_one_arrives_superseded(
    registry_loaded, member_a, filled
):
    _name, data = filled("Merck")
    jan, jun, mar = date(2024, 1, 10), date(2024, 6, 1), date(2024, 3, 1)
    dated = _with_effective_dates(data, (jan, jun, mar))
    old = _import(member_a, "old.xlsx", dated[jan]).declaration
    new = _import(member_a, "new.xlsx", dated[jun])
    assert "supersedes declaration" in new.message
    old.refresh_from_db()
    assert old.superseded_by == new.declaration
    assert new.declaration.is_current
    late = _import(member_a, "late.xlsx", dated[mar])
    assert "is older than" in late.message
    assert late.declaration.superseded_by == new.declaration
    assert Declaration.objects.filter(superseded_by__isnull=True).get() == new.declaration
    assert Declaration.objects.count() == 3


def _with_smelter_row(data: bytes, **values: str) -> bytes:
    """Append a row to the Smelter List after the last filled one."""
    from oretrace.declarations.rmi.maps import smelter_cell

    template_map, _newer = map_for("CMRT", "6.4", "x.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Smelter List"]
    index = 0
    while any(
        str(sheet[smelter_cell(template_map, f, index)].value or "=").strip()[:1] != "="
        for f in ("metal_text", "smelter_name", "id_input")
    ):
        index += 1
    fields = {
        "metal": "metal_text",
        "lookup": "lookup_name",
        "name": "smelter_name",
        "country": "country_text",
    }
    for key, value in values.items():
        sheet[smelter_cell(template_map, fields[key], index)] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("legacy/3.01_-_green.xlsx", "3.01"),
        ("legacy/invalid_cmrt.xls", "invalid_cmrt.xls"),
    ],
)
def test_refused_files_write_nothing(member_a, templates_dir: Path, relative, reason):
    path = templates_dir / relative
    outcome = _import(member_a, path.name, path.read_bytes())
    assert outcome.outcome == "refused"
    assert reason in outcome.message
    assert not Declaration.objects.exists()
    assert not Supplier.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.txt", b"hello", "not an Excel workbook"),
        ("empty.xlsx", b"", "is empty"),
        ("fake.xlsx", b"PK\x03\x04 not really", "fake.xlsx"),
    ],
)
def test_hostile_uploads_are_refused(member_a, name, data, reason):
    outcome = _import(member_a, name, data)
    assert outcome.outcome == "refused"
    assert reason in outcome.message


def test_a_failure_while_saving_leaves_nothing_half_written(
    registry_loaded, member_a, filled, monkeypatch
):
    name, data = filled("JX Advanced")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SmelterEntry.objects, "bulk_create", broken)
    reviews_before = MatchReview.objects.count()
    with pytest.raises(RuntimeError):
        _import(member_a, name, data)
    assert not Declaration.objects.exists()
    assert not Supplier.objects.exists()
    assert MatchReview.objects.count() == reviews_before


def test_viewers_cannot_import(member_a, viewer_a, filled):
    from oretrace.core.exceptions import PermissionDenied

    name, data = filled("Merck")
    with pytest.raises(PermissionDenied):
        imports.import_declaration(data, name, actor=viewer_a)


def test_unknown_smelters_go_to_the_review_queue_and_a_decision_links_the_row(
    registry_loaded, member_a, filled
):
    name, data = filled("Merck")
    data = _with_smelter_row(
        data,
        metal="Tungsten",
        lookup="Smelter not listed",
        name="Qinghe Tungstn Smeltery",
        country="CHINA",
    )
    declaration = _import(member_a, name, data).declaration
    entry = declaration.smelter_entries.get(smelter_name="Qinghe Tungstn Smeltery")
    assert entry.match in {"review", "unmatched"}
    assert any(
        i["code"] in {"smelter-not-in-registry", "smelter-needs-review"}
        and i["cell"] == f"D{entry.row}"
        for i in current_issues(declaration)
    )
    review = entry.review
    assert review.status == "open"
    assert f"declaration #{declaration.pk}" in review.origin
    target = Facility.objects.filter(organisation__isnull=True).first()
    assert target is not None
    confirm_review(review, facility=target, actor=member_a)
    entry.refresh_from_db()
    assert entry.resolved_facility_id == target.pk


def test_batch_job_reports_each_file(
    registry_loaded, member_a, filled, templates_dir, django_capture_on_commit_callbacks
):
    good_name, good = filled("Merck")
    legacy = templates_dir / "legacy" / "2.00_-_green.xlsx"
    files = [
        (good_name, good),
        (legacy.name, legacy.read_bytes()),
        ("x.txt", b"x"),
        ("again.xlsx", good),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.start_import(files, actor=member_a)
    batch.refresh_from_db()
    outcomes = [f["outcome"] for f in batch.files]
    assert outcomes == ["imported", "refused", "refused", "duplicate"]
    job = batch.job
    assert job is not None
    assert job.status == "succeeded"
    assert job.progress == 100
    assert job.result == {"imported": 1, "duplicate": 1, "refused": 2}
    assert batch.files[0]["declaration_id"] == Declaration.objects.get().pk
    with pytest.raises(DeclarationError, match="no files"):
        imports.start_import([], actor=member_a)


def test_decisions_and_the_ledger(registry_loaded, member_a, filled):
    name, data = filled("JX Advanced")
    declaration = _import(member_a, name, data).declaration
    if declaration.error_count:
        with pytest.raises(DeclarationError, match="checker error"):
            services.decide(declaration, status="accepted", actor=member_a)
    with pytest.raises(DeclarationError, match="note"):
        services.decide(declaration, status="rejected", actor=member_a)
    assert not Leaf.objects.filter(record_type="declarations.declaration").exists()
    services.decide(declaration, status="accepted", note="checked by phone", actor=member_a)
    leaf = Leaf.objects.get(record_type="declarations.declaration", record_id=str(declaration.pk))
    assert leaf.organisation_id == member_a.organisation_id
    # The change log keeps the decision but not the parsed file (nor its contacts).
    entry = ChangeLogEntry.objects.filter(object_id=str(declaration.pk)).latest("id")
    assert entry.after is not None
    assert "content" not in entry.after
    assert entry.after["status"] == "accepted"
    assert entry.after["fingerprint"] == declaration.fingerprint
    declaration.refresh_from_db()
    assert declaration.status == "accepted"
    assert "checked by phone" in declaration.status_note
    with pytest.raises(DeclarationError, match="already accepted"):
        services.decide(declaration, status="accepted", note="x", actor=member_a)


def test_batches_belong_to_their_organisation(member_a):
    batch = ImportBatch.objects.create(organisation=member_a.organisation, files=[])
    assert ImportBatch.objects.for_member(member_a).get() == batch


def test_an_accepted_declaration_changed_in_the_database_is_caught(
    registry_loaded, member_a, filled
):
    from oretrace.ledger.audit import run_audit

    name, data = filled("Merck")
    declaration = _import(member_a, name, data).declaration
    services.decide(declaration, status="accepted", note="ok", actor=member_a)
    key = ("declarations.declaration", str(declaration.pk))
    assert not [p for p in run_audit().problems if (p["record_type"], p["record_id"]) == key]
    content = declaration.content
    content["smelters"][0]["smelter_name"] = "Another Smelter"
    Declaration.objects.filter(pk=declaration.pk).update(content=content)
    problems = [p for p in run_audit().problems if (p["record_type"], p["record_id"]) == key]
    # the leaf no longer opens, and the columns read from the content disagree with it
    assert [p["kind"] for p in problems] == ["modified", "content-altered"]


def test_the_audit_expects_only_decided_declarations_in_the_log(registry_loaded, member_a, filled):
    from oretrace.ledger.audit import run_audit

    def problems(declaration):
        key = ("declarations.declaration", str(declaration.pk))
        return [
            p["kind"] for p in run_audit().problems if (p["record_type"], p["record_id"]) == key
        ]

    declaration = _import(member_a, *filled("Merck")).declaration
    assert problems(declaration) == []  # received, waiting for a decision: not committed yet
    services.decide(declaration, status="accepted", note="ok", actor=member_a)
    services.decide(declaration, status="rejected", note="wrong smelter list", actor=member_a)
    # the later decision is a new version of the committed facts, not a tampered row
    assert problems(declaration) == []
    history = Leaf.objects.filter(
        record_type="declarations.declaration", record_id=str(declaration.pk)
    )
    assert history.count() == 2
    # an accepted declaration whose leaf is missing is still reported
    services.decide(declaration, status="accepted", note="corrected", actor=member_a)
    history.delete()
    assert problems(declaration) == ["unlogged"]
