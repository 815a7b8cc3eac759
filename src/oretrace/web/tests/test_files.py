"""``web.files``: every uploaded file is served back with the same safety headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404

from oretrace.audits.models import FindingEvidence
from oretrace.web.files import SANDBOX_POLICY, kept_file_response, stored_file_response

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _field_file(folder: Path, name: str, data: bytes) -> FieldFile:
    field = FileField(storage=FileSystemStorage(location=folder))
    field.set_attributes_from_name("file")
    return FieldFile(FindingEvidence(), field, field.storage.save(name, ContentFile(data)))


def _safe(response: object) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    assert policy == SANDBOX_POLICY
    assert "sandbox" in policy.split("; ")
    assert "default-src 'none'" in policy


def test_bytes_are_an_attachment_under_their_name_and_type():
    response = stored_file_response(
        b"%PDF-1.7 the register", filename="wage register.pdf", content_type="application/pdf"
    )
    assert response.getvalue() == b"%PDF-1.7 the register"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="wage register.pdf"'
    assert response["Content-Length"] == str(len(b"%PDF-1.7 the register"))
    _safe(response)


def test_without_a_type_it_is_guessed_from_the_name_and_a_name_is_encoded(tmp_path):
    stored = _field_file(tmp_path, "kept.bin", b"PK\x03\x04")
    response = stored_file_response(stored, filename="Sécurité au travail.xlsx")
    assert response.getvalue() == b"PK\x03\x04"
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''S%C3%A9curit%C3%A9%20au%20travail.xlsx"
    )
    _safe(response)


def test_a_file_field_without_a_file_is_not_found():
    with pytest.raises(Http404):
        stored_file_response(FindingEvidence().file, filename="nothing.pdf")


@pytest.mark.parametrize(
    ("content_type", "inline", "shown"),
    [
        ("image/png", True, True),
        ("image/jpeg", True, True),
        ("image/png", False, False),
        ("image/svg+xml", True, False),  # a picture that runs scripts: never inline
        ("text/html", True, False),
        ("application/pdf", True, False),
    ],
)
def test_only_a_raster_image_asked_for_inline_is_shown(content_type, inline, shown):
    response = stored_file_response(PNG, filename="photo", content_type=content_type, inline=inline)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if shown else "attachment")
    assert response["Content-Type"] == content_type
    _safe(response)


def test_a_kept_evidence_file_keeps_its_name_and_type_and_a_photo_is_shown(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = FindingEvidence(original_name="wall.png", content_type="image/png", size=len(PNG))
    photo.file.save("a1b2.png", ContentFile(PNG), save=False)
    response = kept_file_response(photo)
    assert response.getvalue() == PNG
    assert response["Content-Disposition"] == 'inline; filename="wall.png"'
    assert response["Content-Type"] == "image/png"
    _safe(response)
    report = FindingEvidence(original_name="report.pdf", content_type="application/pdf", size=5)
    report.file.save("c3d4.pdf", ContentFile(b"%PDF-"), save=False)
    assert kept_file_response(report)["Content-Disposition"].startswith("attachment")
