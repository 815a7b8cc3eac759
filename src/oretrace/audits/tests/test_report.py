"""The audit report (HTML and PDF, in the auditee's language), the findings list and the
downloads of audits and findings (CSV/XLSX): what each side sees, and nobody else."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.audits import report
from oretrace.audits.services import actions, audits, closure, findings
from oretrace.audits.tests.conftest import criterion
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client

REPORT_ON = date(2026, 3, 10)


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def closed(audit, auditor, auditee):
    """The mica audit with two majors and a good practice, answered and closed."""
    audits.start_fieldwork(audit, actor=auditor)
    for code, grade, text in (
        ("LAB.3", "major", "Piece rates below the minimum wage."),
        ("LAB.2", "major", "Sixty-hour weeks in the peak season."),
        ("OHS.4", "good-practice", ""),
    ):
        findings.record_finding(
            audit, criterion(audit, code), grade=grade, description=text, actor=auditor
        )
    audits.issue_report(audit, actor=auditor, report_on=REPORT_ON)
    for finding in audit.findings.filter(grade="major"):
        actions.add_action(
            finding,
            actor=auditee,
            what=f"Fix {finding.criterion.code}",
            owner_name="Unit manager",
            due_on=REPORT_ON + timedelta(days=60),
        )
    actions.submit_plan(audit, actor=auditee)
    closure.close_audit(audit, actor=auditor, decided_on=date(2026, 5, 4))
    audit.refresh_from_db()
    return audit


def test_the_report_is_in_the_auditees_language(closed, auditor, auditee_org):
    auditee_org.language = "fr"
    auditee_org.save()
    page = web_client(auditor).get(reverse("audits:report", args=[closed.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr">' in html
    assert "Rapport d\u2019audit" in html  # the headings
    assert "Conforme pour un an" in html  # the programme's grade, from its file
    assert "Norme de lieu de travail" in html  # the standard's title
    assert "2027-05-04" in html  # valid until, and the next audit
    assert "Piece rates below the minimum wage." in html  # the auditor's words, as written
    assert "Fix LAB.3" in html


def test_the_reader_may_ask_for_another_language(closed, auditor, auditee_org):
    auditee_org.language = "hi"
    auditee_org.save()
    url = reverse("audits:report", args=[closed.pk])
    assert "अनुरूप" in web_client(auditor).get(url).content.decode()
    english = web_client(auditor).get(url + "?lang=en").content.decode()
    assert "Conformant for one year" in english
    assert "Audit report" in english


def test_the_report_explains_the_outcome(closed, auditor):
    html = web_client(auditor).get(reverse("audits:report", args=[closed.pk]) + "?lang=en")
    assert "A finding graded “Major non-conformity” limits the outcome to this grade." in (
        html.content.decode()
    )


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def test_the_pdf_carries_the_findings_photos(audit, auditor):
    audits.start_fieldwork(audit, actor=auditor)
    finding = findings.record_finding(
        audit, criterion(audit, "OHS.1"), grade="minor", description="Guards off.", actor=auditor
    )
    photo = SimpleUploadedFile("press.png", _png(), content_type="image/png")
    findings.add_finding_evidence(finding, upload=photo, actor=auditor)
    url = reverse("audits:report", args=[audit.pk])
    page = web_client(auditor).get(url).content.decode()
    assert "press.png" in page
    assert "data:image/png" not in page  # the page stays light: names only
    pdf = web_client(auditor).get(url + "?format=pdf").content
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf


def test_the_report_as_pdf(closed, auditee):
    url = reverse("audits:report", args=[closed.pk]) + "?format=pdf&lang=hi"
    response = web_client(auditee).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"audit-report-A-{closed.pk}-hi.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5000


@pytest.mark.parametrize("suffix", ["", "?format=pdf", "?export=csv"])
def test_another_organisation_gets_404(closed, suffix):
    stranger = web_client(MembershipFactory.create())
    assert stranger.get(reverse("audits:report", args=[closed.pk]) + suffix).status_code == 404


def test_an_open_audit_has_a_report_without_outcome(audit, auditor):
    html = web_client(auditor).get(reverse("audits:report", args=[audit.pk]) + "?lang=en")
    assert html.status_code == 200
    assert "The audit is not closed yet" in html.content.decode()


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("score-band", "The score falls in this grade's band."),
        ("no-limiting-finding", "No finding limited the outcome."),
        ("zero-tolerance-finding", "“Zero-tolerance issue” limits the outcome"),
        ("open-minor-finding", "“Minor non-conformity” still open at the decision"),
        ("something-new", "something-new"),
    ],
)
def test_every_reason_code_reads_as_a_sentence(code, text):
    assert text in report.reason_text(code)


# --- downloads and the findings list ----------------------------------------------------------


def test_the_audits_findings_as_csv(closed, supporter):
    url = reverse("audits:report", args=[closed.pk]) + "?export=csv"
    rows = _rows(web_client(supporter).get(url))
    assert rows[0][:6] == ["Audit", "Facility", "Auditee", "Criterion", "Requirement", "Grade"]
    assert sorted((r[3], r[5]) for r in rows[1:]) == [
        ("LAB.2", "Major non-conformity"),
        ("LAB.3", "Major non-conformity"),
        ("OHS.4", "Good practice"),
    ]
    lab3 = next(r for r in rows if r[3] == "LAB.3")
    assert lab3[7:10] == ["2026-06-08", "1", "0"]  # closing deadline, actions, unverified


def test_the_findings_list_filters_and_downloads(closed, auditee):
    client = web_client(auditee)
    page = client.get(reverse("audits:findings") + "?grade=major&state=closed")
    assert page.status_code == 200
    assert "2 findings" in page.content.decode()
    rows = _rows(client.get(reverse("audits:findings") + "?grade=good-practice&export=csv"))
    assert [r[3] for r in rows[1:]] == ["OHS.4"]
    assert "0 findings" in client.get(reverse("audits:findings") + "?state=open").content.decode()


def test_the_findings_list_as_xlsx(closed, auditor):
    response = web_client(auditor).get(reverse("audits:findings") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_another_organisation_sees_no_finding(closed):
    stranger = web_client(MembershipFactory.create())
    rows = _rows(stranger.get(reverse("audits:findings") + "?export=csv"))
    assert rows[1:] == []


def test_the_audit_list_downloads_the_audits_as_csv(closed, auditee):
    rows = _rows(web_client(auditee).get(reverse("audits:list") + "?export=csv"))
    header, (row,) = rows[0], rows[1:]
    got = dict(zip(header, row, strict=True))
    assert got["Audit"] == f"A-{closed.pk}"
    assert got["Outcome"] == "Conformant for one year"
    assert (got["Conformant"], got["Valid until"], got["Next audit due"]) == (
        "yes",
        "2027-05-04",
        "2027-05-04",
    )
    assert got["Next audit type"] == "Re-audit"
    stranger = web_client(MembershipFactory.create())
    assert _rows(stranger.get(reverse("audits:list") + "?export=csv"))[1:] == []
