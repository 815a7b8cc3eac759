"""Bounded work for any input (issue 14): hostile files through every upload path.

A workbook of ~2.6 MB that inflates to 1 GiB (honest and lying central directory), a
billion-laughs XML, an XML external entity and JSON nested 10^6 deep are sent through the web
import, the no-account supplier link, the roll-up's blank-template upload, the API (declaration
import, EPCIS capture, reference import) and the CLI. Each must be refused with an error that
names what is wrong, and the process doing the work must stay under 256 MB.

Memory: each upload runs in a child forked from the test process (its own copy of the test
database), which reports how far its resident set rose above what it inherited (VmHWM - VmRSS
at the fork). That rise, added to the resident size of a fresh process that has loaded Django
and every app (what a web or worker process starts with), is the peak such a process would
reach; it must stay under 256 MB. The numbers are printed (``-s``) and written to
``var/test/limits-rss.txt``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase
from hypothesis import example, given
from hypothesis import strategies as st

from oretrace.core import bounds
from oretrace.core.tests.bombs import (
    billion_laughs,
    deep_json,
    external_entity,
    workbook_bomb,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUND_MB = 256
REPORT = Path("var/test/limits-rss.txt")


@pytest.fixture(scope="module")
def payloads() -> dict[str, tuple[str, bytes]]:
    return {
        "bomb": ("bomb.xlsx", workbook_bomb()),
        "lying-bomb": ("lying.xlsx", workbook_bomb(lie=True)),
        "laughs": ("laughs.xml", billion_laughs()),
        "deep": ("deep.json", deep_json()),
    }


@pytest.fixture(scope="module")
def fresh_process_mb() -> float:
    """Peak resident size of a fresh process with Django and every app loaded."""
    code = (
        "import django; django.setup(); "
        "import oretrace.urls, oretrace.api.api, openpyxl, python_calamine, lxml.etree; "
        "from pathlib import Path; "  # VmHWM: ru_maxrss would keep the forking parent's peak
        "print([l for l in Path('/proc/self/status').read_text().splitlines() "
        "if l.startswith('VmHWM')][0].split()[1])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oretrace.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return int(done.stdout.split()[-1]) / 1024


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)  # pragma: no cover


def in_child(work: Callable[[], str | Callable[[], str]]) -> tuple[str, float]:
    """Run ``work`` in a forked child; (what it returned, how many MB its resident set rose).

    Jobs run when the request's transaction commits: a ``work`` that returns a function has it
    called after the queued jobs ran, to read their outcome."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        try:
            start = _status("VmRSS")
            try:
                with TestCase.captureOnCommitCallbacks(execute=True):
                    seen = work()
                if callable(seen):
                    seen = seen()
            except BaseException as exc:
                seen = f"{type(exc).__name__}: {exc}"
            payload = {"seen": seen, "rise": _status("VmHWM") - start}
            with os.fdopen(write_end, "w") as out:
                out.write(json.dumps(payload))
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as source:
        text = source.read()
    os.waitpid(pid, 0)
    payload = json.loads(text)
    return payload["seen"], payload["rise"] / MB


def _check(path: str, kind: str, work: Callable[[], Any], expect: str, base: float) -> None:
    seen, rise = in_child(work)
    peak = base + rise
    at = max(seen.find(expect) - 40, 0)
    line = f"{path:22} {kind:10} rise {rise:5.1f} MB  peak {peak:5.1f} MB  {seen[at : at + 110]!r}"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a") as report:
        report.write(line + "\n")
    assert expect in seen, (path, kind, seen)
    assert "Traceback" not in seen
    assert "Server error" not in seen
    assert peak < BOUND_MB, (path, kind, peak)


# what each hostile file must be refused with, wherever a workbook is expected
WORKBOOK_REFUSALS = {
    "bomb": "inflates to 1,024 MB; the limit is 20 MB",
    "lying-bomb": "Bad CRC-32",
    "laughs": "not an Excel workbook",
    "deep": "not an Excel workbook",
}


def _batch_message() -> str:
    from oretrace.declarations.models import ImportBatch

    batch = ImportBatch.objects.order_by("-id").first()
    return "; ".join(f"{f['outcome']}: {f['message']}" for f in batch.files) if batch else ""


@pytest.mark.parametrize("kind", list(WORKBOOK_REFUSALS))
def test_web_import(kind, payloads, web_a, fresh_process_mb):
    name, data = payloads[kind]

    def work() -> str:
        response = web_a.post("/declarations/", {"files": [SimpleUploadedFile(name, data)]})
        assert response.status_code == 302, response.status_code
        return _batch_message

    _check("web import", kind, work, WORKBOOK_REFUSALS[kind], fresh_process_mb)


@pytest.mark.parametrize("kind", list(WORKBOOK_REFUSALS))
def test_api_import(kind, payloads, api_a, fresh_process_mb):
    name, data = payloads[kind]

    def work() -> str:
        response = api_a.post(
            "/api/v1/declarations/imports", {"files": [SimpleUploadedFile(name, data)]}
        )
        assert response.status_code == 202, response.content[:300]
        return _batch_message

    _check("API import", kind, work, WORKBOOK_REFUSALS[kind], fresh_process_mb)


@pytest.mark.parametrize("kind", list(WORKBOOK_REFUSALS))
def test_cli_import(kind, payloads, member_a, tmp_path, fresh_process_mb):
    name, data = payloads[kind]
    path = tmp_path / name
    path.write_bytes(data)

    def work() -> str:
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command(
                "declarations",
                "import",
                str(path),
                "--user",
                member_a.user.email,
                stdout=io.StringIO(),
                stderr=err,
            )
        return err.getvalue()

    _check("CLI import", kind, work, WORKBOOK_REFUSALS[kind], fresh_process_mb)


@pytest.mark.parametrize("kind", list(WORKBOOK_REFUSALS))
def test_no_account_link(kind, payloads, link_token, fresh_process_mb):
    name, data = payloads[kind]

    def work() -> Callable[[], str]:
        response = Client().post(
            f"/respond/{link_token}/", {"files": [SimpleUploadedFile(name, data)]}
        )
        assert response.status_code in (200, 400), response.status_code

        def page_after_the_job() -> str:  # the worker reads the files; the page shows it
            import html

            return html.unescape(Client().get(f"/respond/{link_token}/").content.decode())

        return page_after_the_job

    _check("no-account link", kind, work, WORKBOOK_REFUSALS[kind], fresh_process_mb)


BLANK_REFUSALS = {
    "bomb": "inflates to 1,024 MB; the limit is 12 MB",
    "lying-bomb": "Bad CRC-32",
    "laughs": "upload the blank template as .xlsx",
    "deep": "upload the blank template as .xlsx",
}


def _export_outcome(response: Any, client: Client) -> Callable[[], str]:
    """What the member sees of a roll-up export: the refusal at once (a file that is no
    workbook), else the job's messages once the worker ran it (the web process reads nothing)."""

    def outcome() -> str:
        import html

        from oretrace.core.models import Job

        job = Job.objects.filter(kind="declarations.rollup_export").order_by("-id").first()
        if job is None:
            return html.unescape(client.get(response["Location"]).content.decode())
        return f"{job.status}: " + "; ".join(m["text"] for m in job.messages)

    return outcome


@pytest.mark.parametrize("kind", list(BLANK_REFUSALS))
def test_blank_template(kind, payloads, web_a, fresh_process_mb):
    name, data = payloads[kind]

    def work() -> Callable[[], str]:
        response = web_a.post(
            "/declarations/rollup/export/?family=CMRT&year=2024",
            {"blank": SimpleUploadedFile(name, data)},
        )
        assert response.status_code == 302, response.status_code
        return _export_outcome(response, web_a)

    _check("blank template (job)", kind, work, BLANK_REFUSALS[kind], fresh_process_mb)


CAPTURE_REFUSALS = {
    "bomb": "larger than 2.5 MB",  # the 2.6 MB workbook is over the API's body limit: 413
    "lying-bomb": "larger than 2.5 MB",
    "laughs": "DTD",
    "deep": "nests 1,000,000 levels deep; the limit is 64",
}


@pytest.mark.parametrize("kind", list(CAPTURE_REFUSALS))
def test_api_epcis_capture(kind, payloads, api_a, fresh_process_mb):
    _name, data = payloads[kind]
    content_type = {"laughs": "application/xml", "deep": "application/json"}.get(
        kind, "application/octet-stream"
    )

    def work() -> str:
        response = api_a.post("/api/v1/epcis/capture", data, content_type=content_type)
        assert response.status_code in (400, 413), response.status_code
        assert response["Content-Type"] == "application/problem+json"
        return response.json()["detail"]

    _check("API EPCIS capture", kind, work, CAPTURE_REFUSALS[kind], fresh_process_mb)


WEB_CAPTURE_REFUSALS = {
    "bomb": "the document is not UTF-8 text",
    "lying-bomb": "the document is not UTF-8 text",
    "laughs": "DTD",
    "deep": "nests 1,000,000 levels deep; the limit is 64",
}


@pytest.mark.parametrize("kind", list(WEB_CAPTURE_REFUSALS))
def test_web_epcis_capture(kind, payloads, web_a, fresh_process_mb):
    name, data = payloads[kind]

    def work() -> str:
        import html

        response = web_a.post("/custody/capture/", {"document": SimpleUploadedFile(name, data)})
        return html.unescape(response.content.decode())

    _check("web EPCIS capture", kind, work, WEB_CAPTURE_REFUSALS[kind], fresh_process_mb)


REFERENCE_REFUSALS = {
    "bomb": "inflates to 1,024 MB; the limit is 20 MB",
    "lying-bomb": "Bad CRC-32",
    "laughs": "laughs.xml",
    "deep": "deep.json",
}


@pytest.fixture
def curator_api(org_a) -> Client:
    from oretrace.core.choices import Role
    from oretrace.core.tests.factories import MembershipFactory
    from oretrace.core.tests.fixtures import api_client

    return api_client(
        MembershipFactory(organisation=org_a, roles=[Role.ADMIN], user__is_staff=True)
    )


@pytest.mark.parametrize("kind", list(REFERENCE_REFUSALS))
def test_api_reference_import(kind, payloads, curator_api, fresh_process_mb):
    name, data = payloads[kind]

    def work() -> str:
        from oretrace.core.models import Job

        response = curator_api.post(
            "/api/v1/reference-imports", {"file": SimpleUploadedFile(name, data)}
        )
        assert response.status_code in (202, 400), response.content[:300]
        if response.status_code == 400:
            return response.json()["detail"]
        job_id = response.json()["job_id"]

        def outcome() -> str:
            job = Job.objects.get(pk=job_id)
            # what the member sees on the job's page (the error field keeps a traceback for
            # the operator's log)
            return f"{job.status}: {[m['text'] for m in job.messages]}"

        return outcome

    _check("API reference import", kind, work, REFERENCE_REFUSALS[kind], fresh_process_mb)


@pytest.mark.parametrize("kind", ["laughs", "deep"])
def test_cli_verify_bundle(kind, payloads, tmp_path, fresh_process_mb):
    """`oretrace verify` reads a bundle a user hands it: refused, never a traceback."""
    from oretrace.cli import main
    from oretrace.ledger.note import Signer

    vkey = Signer.generate("example.org/log").verifier.vkey
    name, data = payloads[kind]
    path = tmp_path / name
    path.write_bytes(data)

    def work() -> str:
        err = io.StringIO()
        old, sys.stderr = sys.stderr, err
        try:
            code = main(["verify", str(path), "--key", vkey])
        finally:
            sys.stderr = old
        return f"exit {code}: {err.getvalue()}"

    _check("CLI verify", kind, work, "FAILED at", fresh_process_mb)


# --- what the limits let through: the largest honest input stays under the bound too -------


def test_a_dense_workbook_just_under_the_limit_stays_under_the_bound(
    web_a, settings, fresh_process_mb
):
    """Cells packed as densely as XML allows, inflating to just under the limit: the worker's
    fast path and python-calamine read it all, and the process stays under 256 MB."""
    data = workbook_bomb(settings.ORETRACE_ZIP_MAX_INFLATED_MB * MB - MB)

    def work() -> Callable[[], str]:
        web_a.post("/declarations/", {"files": [SimpleUploadedFile("dense.xlsx", data)]})
        return _batch_message

    _check("web import", "dense-max", work, "not an RMI reporting template", fresh_process_mb)


def test_the_largest_real_blank_is_filled_under_the_bound(web_a, shared_data, fresh_process_mb):
    """openpyxl holds ~10x a workbook: the largest blank RMI template (EMRT 2.1, 10.9 MB
    inflated) is filled by the export job (here in the same process as the request) under
    256 MB."""
    path = shared_data / "rmi-templates" / "blank" / "RMI_EMRT_2.1.xlsx"
    data = path.read_bytes()

    def work() -> Callable[[], str]:
        response = web_a.post(
            "/declarations/rollup/export/?family=EMRT&year=2024",
            {"blank": SimpleUploadedFile(path.name, data)},
        )
        assert response.status_code == 302, response.status_code
        return _export_outcome(response, web_a)

    _check("blank template (job)", "EMRT 2.1", work, "ready to download", fresh_process_mb)


# --- the limits themselves --------------------------------------------------------------------


def test_the_central_directory_is_checked_before_anything_is_inflated():
    with pytest.raises(bounds.InputRefused) as refused:
        bounds.check_zip(workbook_bomb(), "bomb.xlsx")
    assert refused.value.code == "zip-too-large"
    with pytest.raises(bounds.InputRefused) as refused:
        bounds.check_zip(workbook_bomb(1 << 20, entries=2_001), "many.xlsx")
    assert refused.value.code == "zip-too-many-entries"
    assert "holds 2,006 parts; the limit is 2,000" in str(refused.value)


def test_a_lying_directory_is_caught_while_inflating():
    lying = workbook_bomb(lie=True)
    bounds.check_zip(lying, "lying.xlsx")  # the directory alone looks harmless
    with pytest.raises(bounds.InputRefused) as refused:
        bounds.verify_zip(lying, "lying.xlsx")
    assert refused.value.code == "zip-damaged"
    # the .xlsx fast path inflates no more than the directory says
    from oretrace.declarations.rmi.ooxml import Unsupported, XlsxBook

    with pytest.raises(Unsupported):
        XlsxBook(lying).first_rows("Declaration", 5)
    with pytest.raises(bounds.InputRefused):
        bounds.inflate(b"\x03\x00", 1 << 40)


def test_the_zlib_inflater_stops_at_the_declared_size():
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = packer.compress(b"x" * 10_000_000) + packer.flush()
    with pytest.raises(bounds.InputRefused) as refused:
        bounds.inflate(raw, 1000)
    assert refused.value.code == "zip-size-mismatch"
    assert bounds.inflate(raw, 10_000_000) == b"x" * 10_000_000


def test_limits_follow_the_settings(settings):
    settings.ORETRACE_ZIP_MAX_INFLATED_MB = 1
    settings.ORETRACE_JSON_MAX_DEPTH = 8
    assert bounds.current().zip_max_inflated == MB
    with pytest.raises(bounds.InputRefused, match="the limit is 8"):
        bounds.check_json_depth(b"[" * 9 + b"]" * 9)
    bounds.check_json_depth(b'["[[[[[[[[[[[", {"a": [1]}]')  # brackets in strings do not count


def _nesting(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_nesting, value), default=0)
    return 0


_JSON_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\\\ab \n\u00e9\u0915'), max_size=8)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=30,
)


@given(_JSON_VALUES, st.booleans())
@example("[", False)  # a lone bracket in a string is text (a shortcut once counted it)
@example(["{"], True)
def test_json_depth_is_the_parsed_nesting(value, ascii_only):
    # brackets, quotes and backslashes inside strings, escaped or written as UTF-8, never count
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert bounds.json_depth(text.encode()) == _nesting(value)


def test_json_depth_ignores_escaped_quotes():
    assert bounds.json_depth(b'["a\\"[[[", [[1]]]') == 3
    assert bounds.json_depth("{}") == 1
    assert bounds.json_depth(b"12") == 0


def test_external_entities_are_refused_by_name(api_a):
    response = api_a.post(
        "/api/v1/epcis/capture", external_entity(), content_type="application/xml"
    )
    assert response.status_code == 400
    assert "DTD" in response.json()["detail"]


def test_a_3_mb_api_body_is_a_413_problem(api_a):
    response = api_a.post(
        "/api/v1/suppliers", b"{" + b" " * (3 * MB) + b"}", content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/request-too-large")
    assert "larger than 2.5 MB" in response.json()["detail"]


def test_deep_json_on_any_api_route_is_a_400_naming_the_depth(api_a):
    response = api_a.post("/api/v1/suppliers", deep_json(100_000), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"].endswith("/json-too-deep")
    assert "nests 100,000 levels deep" in response.json()["detail"]


def test_an_upload_over_the_request_limit_is_refused_before_reading(web_a, settings):
    settings.ORETRACE_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * (2 * MB))
    response = web_a.post("/declarations/", {"files": [big]})
    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
    # a Content-Length that claims more than the limit is enough: nothing is read
    response = web_a.post(
        "/declarations/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * MB),
    )
    assert response.status_code == 413


def test_uploads_are_streamed_to_disk_and_counted(settings):
    from django.core.exceptions import RequestDataTooBig

    from oretrace.core.uploads import BoundedUploadHandler

    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 512 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[0] == "oretrace.core.uploads.BoundedUploadHandler"
    settings.ORETRACE_UPLOAD_MAX_MB = 1
    handler = BoundedUploadHandler()
    handler.receive_data_chunk(b"x" * MB, 0)
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"x", MB)


def test_read_upload_checks_the_size_first():
    from oretrace.core.uploads import UploadTooLarge, read_upload

    upload = SimpleUploadedFile("a.csv", b"x" * 2000)
    with pytest.raises(UploadTooLarge, match=r"a\.csv is larger than"):
        read_upload(upload, limit=1000)
    assert read_upload(upload, limit=2000) == b"x" * 2000


def test_csv_with_bare_carriage_returns_and_utf16(web_a, api_a, member_a):
    from oretrace.declarations.models import Supplier

    text = "name,reference,email\rAlpha Metals,A1,alpha@example.com\rBeta,B2,beta@example.com\r"
    response = api_a.post(
        "/api/v1/suppliers/import", {"file": SimpleUploadedFile("s.csv", text.encode())}
    )
    assert response.status_code == 200, response.content
    utf16 = SimpleUploadedFile("u.csv", text.replace("Beta", "Gamma").encode("utf-16"))
    response = api_a.post("/api/v1/suppliers/import", {"file": utf16})
    assert response.status_code == 200, response.content
    assert set(Supplier.objects.values_list("name", flat=True)) >= {"Alpha Metals", "Gamma"}
    for odd in (b'name,email\r"Alpha\r\n', b"\xff\xfe\x00", b"name\x00,email\r\x00"):
        response = api_a.post(
            "/api/v1/suppliers/import", {"file": SimpleUploadedFile("b.csv", odd)}
        )
        assert response.status_code in (200, 400), (odd, response.status_code)


def test_yaml_aliases_are_refused_in_a_standard_file():
    from oretrace.assessments import stdfile
    from oretrace.assessments.exceptions import StandardFileError

    laughs = 'a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    with pytest.raises(StandardFileError, match="aliases"):
        stdfile.read(laughs)
    with pytest.raises(StandardFileError, match="deeper than 64"):
        stdfile.read("a: " + "[" * 100 + "]" * 100)


def test_a_bundle_record_nested_too_deep_is_refused_by_name():
    from oretrace.ledger.commitment import CommitmentError, Opening

    with pytest.raises(CommitmentError, match="nests 1,000,000 levels deep"):
        Opening.decode(deep_json())


def test_an_encrypted_bomb_is_refused_once_decrypted():
    """A workbook encrypted with Excel's default password is decrypted (msoffcrypto), and the
    package inside is checked like any other before anything is inflated."""
    from msoffcrypto.format.ooxml import OOXMLFile

    from oretrace.declarations.rmi import TemplateError, parse_template
    from oretrace.declarations.rmi.detect import DEFAULT_PASSWORD

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook_bomb())).encrypt(DEFAULT_PASSWORD, encrypted)
    with pytest.raises(TemplateError) as refused:
        parse_template(encrypted.getvalue(), "encrypted.xlsx")
    assert refused.value.code == "zip-too-large"
    assert "inflates to 1,024 MB" in str(refused.value)
