"""No route of the declarations, registry, custody or risk apps answers 500 to a file of the wrong
kind, encoding or content (issue 16).

Every route that takes a file — web and API, with an account and through a supplier's link —
gets the same files: real ones from ../shared/data sent where they do not belong (a JPEG named
.xls, a CMRT 2.0, a blank template, a reference list, a supplier declaration as the blank to
fill, an invalid EPCIS document, a Hindi CSV with a BOM) and generated ones (empty, a PDF, a PNG,
UTF-16 and Shift-JIS text, a truncated zip, a zip that is no workbook, NUL bytes, random bytes,
XML and JSON that are not what the route reads). Each answer must be below 500, and each job an
upload starts must end without a crash: refused with a reason, never a Python exception's name.
Hostile files (zip bombs, billion laughs, deep nesting) and the memory bound are tested in
``test_limits.py``; malformed bodies without files in ``test_route_fuzz.py``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oretrace.core.models import Job
from oretrace.core.tests.fixtures import web_client

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

# A job crashed when its error starts with a Python exception's name ("KeyError: 'x'"): a
# refusal the code foresaw is an OretraceError, whose message is shown as it is.
CRASH = re.compile(r"^(?!Oretrace)\w+(Error|Exception|Exit)\b: ")


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


def _generated() -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes) of files made here."""
    csv = "Supplier,E-mail,Country\nÉtain Société,a@example.org,FR\n東京金属,b@example.jp,JP\n"
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    return [
        ("an empty file", "empty.xlsx", b""),
        ("a PDF named .xlsx", "report.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n"),
        ("a PNG named .csv", "photo.csv", b"\x89PNG\r\n\x1a\n" + os.urandom(64)),
        ("UTF-16 text named .xlsx", "utf16.xlsx", csv.encode("utf-16")),
        ("a UTF-16 CSV", "utf16.csv", csv.encode("utf-16")),
        (
            "a Shift-JIS CSV",
            "sjis.csv",
            csv.replace("É", "E").replace("é", "e").encode("shift_jis"),
        ),
        ("a truncated zip", "cut.xlsx", _zip({"xl/workbook.xml": b"<workbook/>" * 50})[:90]),
        ("a Word document named .xlsx", "letter.xlsx", docx),
        ("NUL bytes", "nul.json", b"\x00" * 512),
        ("random bytes", "noise.xml", os.urandom(2048)),
        ("XML that is no EPCIS document", "other.xml", b"<?xml version='1.0'?><a><b>1</b></a>"),
        ("JSON of the wrong shape", "list.json", b'[1, 2, {"type": "EPCISDocument"}]'),
        ("a CSV named .json", "table.json", csv.encode()),
    ]


def _shared() -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes) of real files sent where they do not belong."""
    picks = [
        ("a JPEG named .xls", "rmi-templates/legacy/invalid_cmrt.xls"),
        ("a CMRT 2.00 (.xls)", "rmi-templates/legacy/2.00_-_valid_2.xls"),
        ("a CMRT 1.00", "rmi-templates/legacy/1.00_-_empty.xlsx"),
        ("a blank EMRT 2.1", "rmi-templates/blank/RMI_EMRT_2.1.xlsx"),
        ("a filled CMRT", "rmi-templates/filled/RMI_WF6_CMRT_6.4_Apr2024_Merck.xlsx"),
        (
            "an RMI smelter list",
            "smelter-lists/harish-sahu-ks_CMRT_Backend/Upload_file/RMI_List0.xlsx",
        ),
        ("a CFSI-era CSV", "smelter-lists/ldenevi_ddm/v2_to_v3_translation_data.csv"),
        (
            "an invalid EPCIS XML",
            "epcis/openepcis_openepcis-test-resources/core/src/main/resources/2.0/EPCIS/XML/"
            "Capture/Invalid/ObjectEvent_without_eventTime.xml",
        ),
        (
            "a Hindi CSV with a BOM",
            "sms/Kiran-Karandikar_Hindi-Spam-Message-Classifier/Data/hindi_sms_data.csv",
        ),
    ]  # fmt: skip
    found = []
    for what, relative in picks:
        path = SHARED / relative
        if path.is_file():
            found.append((what, path.name, path.read_bytes()[: 3 * 1024 * 1024]))
    return found


FILES = _generated() + _shared()


def _operator() -> tuple[Client, Client]:
    """Web and API clients of the platform's operator (a staff member), who imports risk
    editions: anyone else is refused before the file is read."""
    from oretrace.core.choices import Role
    from oretrace.core.services import issue_token
    from oretrace.core.tests.factories import MembershipFactory

    member = MembershipFactory.create(roles=[Role.VIEWER], user__is_staff=True)
    web = web_client(member)
    _token, secret = issue_token(member, name="wrong files", actor=member)
    return web, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _routes(web: Client, api: Client, link: str) -> dict[str, Callable[[str, bytes], Any]]:
    """What each route is sent: the file under the field the route reads."""
    operator_web, operator_api = _operator()

    def upload(name: str, data: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, data, content_type="application/octet-stream")

    return {
        "web declarations import": lambda n, d: web.post(
            "/declarations/", {"files": [upload(n, d)]}
        ),
        "API declarations import": lambda n, d: api.post(
            "/api/v1/declarations/imports", {"files": [upload(n, d)]}
        ),
        "supplier link upload": lambda n, d: Client().post(
            link, {"action": "upload", "files": [upload(n, d)]}
        ),
        "web supplier list": lambda n, d: web.post(
            "/declarations/suppliers/import/", {"file": upload(n, d)}
        ),
        "API supplier list": lambda n, d: api.post(
            "/api/v1/suppliers/import", {"file": upload(n, d)}
        ),
        "web blank template": lambda n, d: web.post(
            "/declarations/rollup/export/?family=CMRT&year=2024", {"blank": upload(n, d)}
        ),
        "web reference list": lambda n, d: web.post("/facilities/imports/", {"file": upload(n, d)}),
        "API reference list": lambda n, d: api.post(
            "/api/v1/reference-imports", {"file": upload(n, d)}
        ),
        "web EPCIS capture": lambda n, d: web.post("/custody/capture/", {"document": upload(n, d)}),
        "API EPCIS capture (JSON)": lambda _n, d: api.post(
            "/api/v1/epcis/capture", d, content_type="application/json"
        ),
        "API EPCIS capture (XML)": lambda _n, d: api.post(
            "/api/v1/epcis/capture", d, content_type="application/xml"
        ),
        "web risk edition": lambda n, d: operator_web.post(
            "/risk/import/", {"kind": "dol-goods", "file": upload(n, d)}
        ),
        "API risk edition": lambda n, d: operator_api.post(
            "/api/v1/risk/editions", {"kind": "cahra", "file": upload(n, d)}
        ),
    }


def test_no_file_route_answers_500_to_a_wrong_file(
    member_a, web_a, api_a, link_token, django_capture_on_commit_callbacks
):
    assert len(FILES) >= len(_generated())
    routes = _routes(web_a, api_a, f"/respond/{link_token}/")
    problems: list[str] = []
    seen_jobs = set(Job.objects.values_list("pk", flat=True))
    for route, send in routes.items():
        for what, name, data in FILES:
            try:
                with django_capture_on_commit_callbacks(execute=True):
                    response = send(name, data)
            except Exception as exc:  # the test client re-raises what would be a 500
                problems.append(f"{route}, {what}: 500 ({type(exc).__name__}: {exc})"[:300])
                continue
            if response.status_code >= 500:
                problems.append(f"{route}, {what}: {response.status_code}")
            for job in Job.objects.exclude(pk__in=seen_jobs):
                seen_jobs.add(job.pk)
                errors = [m["text"] for m in job.messages if m["level"] == "error"]
                crashed = [e for e in errors if CRASH.match(e)]
                if crashed or "Traceback" in " ".join(m["text"] for m in job.messages):
                    problems.append(f"{route}, {what}: job {job.kind} crashed: {crashed[:1]}")
    assert problems == [], "\n".join(problems)


def test_the_routes_tested_are_every_file_route_of_the_three_apps():
    """A new upload in declarations, registry or custody must be added above: the views and
    API operations reading a file are counted in the source."""
    src = Path(__file__).resolve().parents[1] / "src" / "oretrace"
    readers = 0
    for app in ("declarations", "registry", "traceability", "risk"):
        for path in (src / app).rglob("*.py"):
            if {"tests", "migrations"} & set(path.parts):
                continue
            text = path.read_text()
            readers += len(
                re.findall(r"request\.FILES\.get(?:list)?\(|\bFile\[|\bchosen_file\(", text)
            )
            readers += len(re.findall(r"forms\.FileField\(", text))
    # web declarations, API declarations, link upload, web supplier list, API supplier list,
    # blank template, web reference list (UploadForm), API reference list, web EPCIS capture
    # (CaptureForm), web and API risk edition; the API capture reads its body, not a file field.
    assert readers == 11, readers
