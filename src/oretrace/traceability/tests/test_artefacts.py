"""GS1 artefacts compiled once per process, again when the file changes."""

from __future__ import annotations

import os

import pytest

from oretrace.traceability.epcis.artefacts import CompiledFiles


class Unusable(ValueError):
    pass


def _files(calls: list[str]) -> CompiledFiles[str]:
    def compile_text(path):
        calls.append(path.name)
        text = path.read_text(encoding="utf-8")
        if text == "broken":
            raise ValueError("no good")
        return text.upper()

    return CompiledFiles("Test artefact", compile_text, Unusable, (ValueError,))


def test_compiled_once_then_again_when_the_file_changes(tmp_path):
    calls: list[str] = []
    files = _files(calls)
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")
    assert files.get(path) == files.get(path) == "ONE"
    assert calls == ["a.txt"]
    path.write_text("two", encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))
    assert files.get(path) == "TWO"
    assert calls == ["a.txt", "a.txt"]
    assert len(files) == 1  # only the latest form of a file is kept


def test_missing_and_broken_files_name_the_artefact_and_the_path(tmp_path):
    files = _files([])
    with pytest.raises(Unusable, match=r"Test artefact .*gone\.txt cannot be read"):
        files.get(tmp_path / "gone.txt")
    broken = tmp_path / "broken.txt"
    broken.write_text("broken", encoding="utf-8")
    with pytest.raises(Unusable, match=r"Test artefact .*broken\.txt is not usable: no good"):
        files.get(broken)
