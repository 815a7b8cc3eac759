"""Compile the gettext catalogues of oretrace (``src/oretrace/locale``) with polib.

Every ``<lang>/LC_MESSAGES/*.po`` under the locale directory is checked first, and compiled
into the ``.mo`` file beside it only when the checks pass, so building needs no GNU gettext.

A catalogue is refused when an entry is fuzzy or untranslated, or when the python-format
placeholders of a translation (``%(org)s``, ``%s``) differ from those of its msgid. Run::

    python scripts/compile_messages.py            # check and compile everything
    python scripts/compile_messages.py --check    # only check, write nothing

The test ``src/oretrace/web/tests/test_i18n.py`` imports this file and uses the same functions.
"""

# ruff: noqa: T201  (a command-line script reports with print)
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
LOCALE_DIR = REPO / "src" / "oretrace" / "locale"

# A printf-style conversion as Python's %-operator understands it: "%%", "%(name)s", "%s", "%.1f".
_PLACEHOLDER = re.compile(
    r"%(?:%|(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa])"
)


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """All catalogues under ``locale_dir``, sorted."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def placeholders(text: str) -> Counter[str]:
    """The python-format placeholders of ``text`` (``%%`` excluded), counted."""
    return Counter(m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def _label(entry: polib.POEntry) -> str:
    where = f"line {entry.linenum}" if entry.linenum else "entry"
    ctxt = f" [context {entry.msgctxt!r}]" if entry.msgctxt else ""
    return f"{where}: msgid {entry.msgid!r}{ctxt}"


def check_catalog(po: polib.POFile) -> list[str]:
    """Problems that keep ``po`` from being compiled; an empty list when it is complete."""
    problems: list[str] = []
    if po.metadata_is_fuzzy:
        problems.append("header: marked fuzzy (remove the '#, fuzzy' flag above msgid \"\")")
    for key in ("Language", "Plural-Forms", "Content-Type"):
        if not po.metadata.get(key, "").strip():
            problems.append(f"header: {key} is missing")
    if "charset=utf-8" not in po.metadata.get("Content-Type", "").lower().replace(" ", ""):
        problems.append("header: Content-Type must declare charset=UTF-8")

    for entry in po:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            problems.append(f"{_label(entry)}: fuzzy")
        elif entry.msgid_plural:
            forms = entry.msgstr_plural or {}
            if not forms or not all(forms.values()):
                problems.append(f"{_label(entry)}: untranslated (plural forms)")
            elif "python-format" in entry.flags:
                # A plural form may leave the count out ("one file") but may not bring in others.
                allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
                for index, text in sorted(forms.items()):
                    unknown = set(placeholders(text)) - allowed
                    if unknown:
                        problems.append(
                            f"{_label(entry)}: placeholders differ (msgstr[{index}]): "
                            f"{sorted(unknown)} are not in msgid or msgid_plural"
                        )
        elif not entry.msgstr:
            problems.append(f"{_label(entry)}: untranslated")
        elif "python-format" in entry.flags:
            expected, found = placeholders(entry.msgid), placeholders(entry.msgstr)
            if found != expected:
                problems.append(
                    f"{_label(entry)}: placeholders differ: msgid has "
                    f"{sorted(expected.elements())}, translation has {sorted(found.elements())}"
                )
    return problems


def compile_catalog(po_path: Path, mo_path: Path | None = None) -> Path:
    """Write the ``.mo`` of ``po_path`` (beside it unless ``mo_path`` is given)."""
    po = polib.pofile(str(po_path))
    mo_path = mo_path or po_path.with_suffix(".mo")
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    po.save_as_mofile(str(mo_path))
    return mo_path


def check_all(locale_dir: Path = LOCALE_DIR) -> dict[Path, list[str]]:
    """Problems per catalogue, only for catalogues that have any."""
    report: dict[Path, list[str]] = {}
    for path in po_files(locale_dir):
        try:
            problems = check_catalog(polib.pofile(str(path)))
        except (OSError, ValueError) as exc:  # polib raises OSError/ValueError on syntax errors
            problems = [f"cannot be read: {exc}"]
        if problems:
            report[path] = problems
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    parser.add_argument("--check", action="store_true", help="check the catalogues only")
    args = parser.parse_args(argv)

    paths = po_files(args.locale_dir)
    if not paths:
        print(f"compile_messages: no .po files under {args.locale_dir}", file=sys.stderr)
        return 1
    report = check_all(args.locale_dir)
    if report:
        count = sum(len(p) for p in report.values())
        print(f"compile_messages: {count} problem(s), nothing was compiled:", file=sys.stderr)
        for path, problems in report.items():
            print(f"\n{path.relative_to(args.locale_dir)}:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        print(
            "\nTranslate every entry, remove its 'fuzzy' flag and keep its placeholders "
            "(%(name)s) exactly as in the msgid.",
            file=sys.stderr,
        )
        return 1
    for path in paths:
        if args.check:
            print(f"ok        {path.relative_to(args.locale_dir)}")
        else:
            mo = compile_catalog(path)
            print(f"compiled  {path.relative_to(args.locale_dir)} -> {mo.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
