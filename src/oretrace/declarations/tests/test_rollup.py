"""Roll-up: the union of smelters over accepted current declarations, the answer rules, the
conformant share, the export into a blank that passes the checks, reports and pages."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.core.models import Job
from oretrace.declarations import services
from oretrace.declarations.queries.rollup import _answer, _bucket, build_rollup
from oretrace.declarations.rmi import parse_template
from oretrace.declarations.services import imports
from oretrace.declarations.services.export import (
    COMPANY_ANSWER_DEFAULTS,
    rollup_content,
    write_into_blank,
)
from oretrace.declarations.tests.conftest import TODAY
from oretrace.registry import services as registry
from oretrace.registry.models import Facility

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "values", "expected"),
    [
        ("used", ["No", "Yes"], "Yes"),
        ("used", ["No", "No"], "No"),
        ("covered", ["No", "Unknown"], "Unknown"),
        ("cahra", ["No", "DRC only"], "Yes"),
        ("cahra", [], "Unknown"),
        ("recycled", ["Yes", "Yes"], "Yes"),
        ("recycled", ["Yes", "No"], "No"),
        ("recycled", ["Yes", "Unknown"], "Unknown"),
        ("identified", ["Yes", "Yes"], "Yes"),
        ("identified", ["Yes", "No"], "No"),
        ("reported", [], "Yes"),
    ],
)
def test_answer_rules(role, values, expected):
    assert _answer(role, "EMRT", values, rollup_identified=True, rate=1.0) == expected


def test_unidentified_rows_make_identified_no_and_cmrt_never_says_unknown_for_q1():
    assert _answer("identified", "CMRT", ["Yes"], rollup_identified=False, rate=1) == "No"
    assert _answer("used", "CMRT", ["Unknown"], rollup_identified=True, rate=1) == "Yes"
    assert _answer("used", "EMRT", ["Unknown"], rollup_identified=True, rate=1) == "Unknown"


@pytest.mark.parametrize(
    ("rate", "bucket"),
    [
        (1.0, "100%"),
        (0.95, "Greater than 90%"),
        (0.8, "Greater than 75%"),
        (0.6, "Greater than 50%"),
        (0.5, "50% or less"),
        (0.0, "None"),
    ],
)
def test_response_buckets(rate, bucket):
    assert _bucket(rate) == bucket


@pytest.fixture
def accepted(registry_loaded, member_a, filled):
    """JX, SK and Merck imported and accepted by organisation A."""
    result = []
    for part in ("JX Advanced", "SK", "Merck"):
        name, data = filled(part)
        declaration = imports.import_declaration(
            data, name, actor=member_a, today=TODAY
        ).declaration
        assert declaration is not None
        services.decide(declaration, status="accepted", note="reviewed", actor=member_a)
        result.append(declaration)
    return result


def test_union_of_smelters_with_the_suppliers_that_named_them(accepted, member_a, member_b):
    year = accepted[0].reporting_year
    same_year = [d for d in accepted if d.reporting_year == year]
    rollup = build_rollup(member_a, "CMRT", year)
    assert {d.pk for d in rollup.declarations} == {d.pk for d in same_year}
    facilities = {(s.facility.pk, s.metal) for s in rollup.smelters}
    expected = {
        (e.facility_id, e.metal)
        for d in same_year
        for e in d.smelter_entries.filter(facility__isnull=False)
    }
    assert facilities == expected
    merck = next(d for d in accepted if "Merck" in d.filename)
    if merck.reporting_year == year:
        tungsten = [s for s in rollup.smelters if merck.supplier.name in s.suppliers]
        assert tungsten
        assert all(s.metal == "tungsten" for s in tungsten)
    assert rollup.minerals == ["tantalum", "tin", "gold", "tungsten"]
    assert rollup.conformant_share() == 0.0
    # Another organisation's roll-up sees none of A's declarations.
    assert build_rollup(member_b, "CMRT", year).declarations == []


def test_conformant_share_follows_the_registry(accepted, member_a):
    year = accepted[0].reporting_year
    rollup = build_rollup(member_a, "CMRT", year)
    first = rollup.smelters[0]
    registry.record_status(
        Facility.objects.get(pk=first.facility.pk),
        scheme="rmap",
        status="Conformant",
        effective_on=date(2024, 1, 1),
        source="test",
        actor=member_a,
    )
    again = build_rollup(member_a, "CMRT", year)
    assert again.conformant_share() == pytest.approx(1 / len(again.smelters))


def test_rollup_export_passes_the_checks(accepted, member_a, shared_data):
    year = accepted[0].reporting_year
    rollup = build_rollup(member_a, "CMRT", year)
    blank = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.5.xlsx"
    content = rollup_content(
        rollup,
        member_a.organisation,
        contact={
            "contact_name": "Compliance Desk",
            "contact_phone": "+91 11 0000 0000",
            "authorizer_phone": "+91 11 0000 0001",
            "contact_email": "desk@alpha.example",
            "authorizer_name": "A. Person",
            "authorizer_title": "Director",
            "authorizer_email": "director@alpha.example",
        },
        company_answers={**COMPANY_ANSWER_DEFAULTS["CMRT"], "B": "Yes"},
        effective=date(2024, 7, 1),
    )
    content["company_answers"][1]["comment"] = "https://alpha.example/policy"
    written = write_into_blank(blank.read_bytes(), blank.name, content)
    parsed = parse_template(written, "rollup.xlsx", today=date(2024, 7, 2))
    assert parsed.company.name == member_a.organisation.legal_name
    assert [str(e) for e in parsed.errors] == []
    assert len(parsed.smelters) == len(rollup.smelters) + len(rollup.unresolved)
    ids = {s.smelter_id for s in parsed.smelters if s.smelter_id}
    assert ids == {s.cid for s in rollup.smelters if s.cid}
    assert parsed.answer("6", "tungsten") == _bucket(rollup.response_rate)
    assert parsed.answer("8", "tungsten") == "Yes"
    # no supplier uses gold: question 1 No, the later questions empty (not "Unknown")
    assert parsed.answer("1", "gold") == "No"
    assert parsed.answer("3", "gold") == parsed.answer("8", "gold") == ""


def test_pages_charts_export_and_reports(
    accepted, member_a, web_a, web_b, shared_data, django_capture_on_commit_callbacks
):
    year = accepted[0].reporting_year
    url = reverse("declarations:rollup") + f"?family=CMRT&year={year}"
    page = web_a.get(url).content.decode()
    assert "<svg" in page
    assert "Smelters per mineral" in page
    assert accepted[0].supplier.name in page
    other = web_b.get(url).content.decode()
    assert accepted[0].supplier.name not in other
    blank = shared_data / "rmi-templates" / "blank" / "english" / "RMI_CMRT_6.4.xlsx"
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the job at once
        response = web_a.post(
            reverse("declarations:rollup_export"),
            {
                "family": "CMRT",
                "year": year,
                "blank": SimpleUploadedFile(blank.name, blank.read_bytes()),
                "effective_date": "2024-07-01",
                "contact_name": "Desk",
            },
        )
    job = Job.objects.get(kind="declarations.rollup_export")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:jobs_detail", args=[job.pk])
    assert job.status == "succeeded", job.error
    assert job.progress == 100
    assert len(job.messages) >= 5, "each step is reported"
    from oretrace.declarations.services.rollup import _media, filled_path

    assert not _media(job.params["blank"]).exists(), "the blank is removed once filled"
    assert filled_path(job).is_file()
    page = web_a.get(response["Location"]).content.decode()
    download = reverse("declarations:rollup_download", args=[job.pk])
    assert download in page
    filled = web_a.get(download)
    assert filled.status_code == 200
    assert filled["Content-Disposition"].endswith('.xlsx"')
    parsed = parse_template(filled.content, "rollup.xlsx", today=TODAY)
    assert parsed.family == "CMRT"
    assert parsed.version == "6.4"
    assert parsed.company.name == member_a.organisation.legal_name
    # another organisation neither sees the job nor downloads its file
    assert web_b.get(download).status_code == 404
    assert web_b.get(response["Location"]).status_code == 404
    wrong = shared_data / "rmi-templates" / "blank" / "RMI_EMRT_2.1.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        sent = web_a.post(
            reverse("declarations:rollup_export"),
            {
                "family": "CMRT",
                "year": year,
                "blank": SimpleUploadedFile(wrong.name, wrong.read_bytes()),
            },
        )
    refused = web_a.get(sent["Location"])
    failed = Job.objects.filter(kind="declarations.rollup_export").order_by("pk").last()
    assert failed is not None
    assert failed.status == "failed"
    assert "upload a blank CMRT" in refused.content.decode()
    assert web_a.get(reverse("declarations:rollup_download", args=[failed.pk])).status_code == 404
    # the roll-up page lists the filled template (not the failed one) to download again;
    # another organisation's roll-up page does not
    rollup_page = web_a.get(reverse("declarations:rollup")).content.decode()
    assert download in rollup_page
    assert reverse("declarations:rollup_download", args=[failed.pk]) not in rollup_page
    assert download not in web_b.get(reverse("declarations:rollup")).content.decode()
    csv_data = web_a.get(reverse("declarations:smelter_csv") + f"?family=CMRT&year={year}")
    rows = list(csv.reader(io.StringIO(csv_data.content.decode("utf-8-sig"))))
    assert rows[0][0] == "metal"
    assert len(rows) > 1
    assert web_a.get(reverse("declarations:smelter_xlsx")).status_code == 200
    suppliers = web_a.get(reverse("declarations:supplier_csv")).content.decode("utf-8-sig")
    assert accepted[0].supplier.name in suppliers
    assert accepted[0].supplier.name not in web_b.get(
        reverse("declarations:supplier_csv")
    ).content.decode("utf-8-sig")
    assert web_a.get(reverse("declarations:supplier_xlsx")).status_code == 200


def test_rollup_through_the_api(accepted, api_a, api_b):
    year = accepted[0].reporting_year
    mine = api_a.get(f"/api/v1/declarations/rollup?family=cmrt&year={year}").json()
    assert mine["family"] == "CMRT"
    assert mine["declaration_ids"]
    assert mine["smelters"]
    assert {a["mineral"] for a in mine["answers"]} == {"tantalum", "tin", "gold", "tungsten"}
    theirs = api_b.get(f"/api/v1/declarations/rollup?family=CMRT&year={year}").json()
    assert theirs["declaration_ids"] == []
    assert theirs["smelters"] == []
    bad = api_a.get(f"/api/v1/declarations/rollup?family=XYZ&year={year}")
    assert bad.status_code in (400, 409, 422)
    assert "unknown template family" in bad.json()["detail"]


def test_the_web_process_only_stores_the_blank_and_queues_a_job(
    member_a, web_a, shared_data, monkeypatch
):
    from oretrace.declarations.services import export
    from oretrace.declarations.services import rollup as rollup_export

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("the blank was read in the web process")

    for name in ("write_into_blank", "blank_map", "read_book", "open_book"):
        monkeypatch.setattr(export, name, no_parsing)
    monkeypatch.setattr(rollup_export, "build_rollup", no_parsing)
    blank = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.5.xlsx"
    response = web_a.post(
        reverse("declarations:rollup_export"),
        {
            "family": "CMRT",
            "year": 2023,
            "blank": SimpleUploadedFile(blank.name, blank.read_bytes()),
        },
    )
    job = Job.objects.get(kind="declarations.rollup_export")
    assert response.status_code == 302
    assert job.status == "queued"
    assert job.params["family"] == "CMRT"
    stored = rollup_export._media(job.params["blank"])
    assert stored.read_bytes() == blank.read_bytes()


def test_a_refused_blank_fails_the_job_with_the_reason(member_a, shared_data, templates_dir):
    from datetime import date as day

    from oretrace.core.jobs import execute
    from oretrace.declarations.services.rollup import start_rollup_export

    (filled,) = [p for p in (templates_dir / "filled").iterdir() if "Merck" in p.name]
    job = start_rollup_export(
        actor=member_a,
        family="CMRT",
        year=2023,
        blank=filled.read_bytes(),
        filename=filled.name,
        contact={},
        company_answers={},
        effective=day(2024, 7, 1),
    )
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "is not blank" in job.error
    assert "Declaration!D8" in job.error
    assert job.result_url == ""


def test_an_export_that_is_not_a_workbook_is_refused_at_once(web_a):
    response = web_a.post(
        reverse("declarations:rollup_export"),
        {"family": "CMRT", "year": 2023, "blank": SimpleUploadedFile("blank.csv", b"a,b\n")},
        follow=True,
    )
    assert response.status_code == 200
    assert "upload the blank template as .xlsx" in response.content.decode()
    assert not Job.objects.filter(kind="declarations.rollup_export").exists()


def test_a_job_run_again_after_its_file_was_written_finishes(member_a):
    """The worker died after keeping the filled workbook (and removing the blank): the next
    attempt finishes the job instead of failing on the missing blank."""
    from oretrace.core.jobs import execute
    from oretrace.declarations.services.rollup import _media, filled_path, start_rollup_export

    job = start_rollup_export(
        actor=member_a,
        family="CMRT",
        year=2023,
        blank=b"PK\x03\x04 not read",
        filename="blank.xlsx",
        contact={},
        company_answers={},
        effective=date(2024, 7, 1),
    )
    _media(job.params["blank"]).unlink()
    filled_path(job).parent.mkdir(parents=True, exist_ok=True)
    filled_path(job).write_bytes(b"the filled workbook")
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result_url == reverse("declarations:rollup_download", args=[job.pk])
