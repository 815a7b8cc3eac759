"""Importing editions: the real DOL and CAHRA lists with their counts, the diff between two
editions, the same file twice, the chain by date, permissions, and nothing half-written."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import translation

from oretrace.core.choices import ChangeAction, Role
from oretrace.core.demo import ACTOR
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.job_texts import message_text
from oretrace.core.models import ChangeLogEntry
from oretrace.core.tests.factories import MembershipFactory
from oretrace.risk import queries, services
from oretrace.risk.exceptions import EditionError
from oretrace.risk.models import ConflictArea, Edition, GoodListing
from oretrace.risk.tests.shared_data import CAHRA, COUNTRIES_2021, GOODS_2019, GOODS_2021, read

pytestmark = pytest.mark.django_db

D2019 = datetime.date(2020, 9, 30)
D2021 = datetime.date(2022, 9, 28)


def _import(kind, data, name="list.xml", when=None, actor=ACTOR):
    return services.import_edition(data, name, kind=kind, actor=actor, edition_date=when)


def _cahra(*entries) -> bytes:
    return json.dumps({"meta": {"version": "Test"}, "entries": list(entries)}).encode()


def _country(code, *regions, name=None):
    if not regions:
        return {"countryName": name or code, "iso2": code, "regions": None, "wholeCountry": True}
    listed = [
        {"name": f"Region {r}", "code": f"{code}-{r}", "conflictAffected": c, "highRisk": not c}
        for r, c in regions
    ]
    return {"countryName": name or code, "iso2": code, "regions": listed, "wholeCountry": False}


def test_dol_2021_imports_with_its_counts():
    # when
    outcome = _import("dol-goods", read(GOODS_2021), "goods_2021.xml", D2021)
    # then
    edition = outcome.edition
    assert edition.counts["rows"] == 467
    assert edition.counts["goods"] == 169
    assert GoodListing.objects.filter(edition=edition).count() == 467
    gold = GoodListing.objects.get(edition=edition, key="Gold / Congo, Democratic Republic of the")
    assert gold.country_id == "CD"
    assert gold.forced_labour
    entry = ChangeLogEntry.objects.for_object(edition).get()
    assert entry.action == ChangeAction.CREATE
    assert entry.after is not None
    assert entry.after["sha256"] == edition.sha256


def test_dol_country_names_all_match_a_code():
    outcome = _import("dol-goods", read(GOODS_2021), "goods_2021.xml", D2021)
    assert outcome.warnings == []
    assert not GoodListing.objects.filter(edition=outcome.edition, country__isnull=True).exists()


def test_dol_country_profiles_import():
    outcome = _import("dol-countries", read(COUNTRIES_2021), "countries_2021.xml", D2021)
    assert outcome.edition.counts["countries"] == 143
    # Kosovo has no ISO 3166-1 code (XK is user-assigned): kept by name, and said so
    assert outcome.english_warnings == [
        "No ISO 3166 country matches the name “Kosovo”: kept by name."
    ]
    assert outcome.edition.profiles.get(key="Afghanistan").country_id == "AF"


def test_the_2021_edition_shows_its_diff_against_2019():
    # given
    old = _import("dol-goods", read(GOODS_2019), "goods_2019.xml", D2019).edition
    # when
    new = _import("dol-goods", read(GOODS_2021), "goods_2021.xml", D2021).edition
    # then: the expectation is computed from the stored rows' plain columns, not the diff code
    assert new.previous == old
    before = {r.key: r for r in GoodListing.objects.filter(edition=old)}
    after = {r.key: r for r in GoodListing.objects.filter(edition=new)}
    flags = ("sector", "child_labour", "forced_labour", "forced_child_labour")
    diff = queries.edition_diff(new)
    assert diff is not None
    assert diff.added == sorted(after.keys() - before.keys())
    assert diff.removed == sorted(before.keys() - after.keys())
    assert {c.key for c in diff.changed} == {
        k
        for k in before.keys() & after.keys()
        if any(getattr(before[k], f) != getattr(after[k], f) for f in flags)
    }
    assert len(diff.added) - len(diff.removed) == 467 - 438
    assert queries.edition_diff(old) is None


def test_an_older_edition_imported_later_joins_the_chain_before():
    new = _import("dol-goods", read(GOODS_2021), "goods_2021.xml", D2021).edition
    old = _import("dol-goods", read(GOODS_2019), "goods_2019.xml", D2019).edition
    new.refresh_from_db()
    assert new.previous == old
    assert old.previous is None
    assert ChangeLogEntry.objects.for_object(new).filter(action=ChangeAction.UPDATE).exists()


def test_the_same_file_twice_changes_nothing():
    first = _import("dol-goods", read(GOODS_2021), "goods_2021.xml", D2021)
    entries = ChangeLogEntry.objects.count()
    again = _import("dol-goods", read(GOODS_2021), "copy.xml", D2019)
    assert again.already_imported
    assert again.edition == first.edition
    assert Edition.objects.count() == 1
    assert ChangeLogEntry.objects.count() == entries


def test_cahra_imports_at_country_and_region_level():
    edition = _import("cahra", read(CAHRA), "cahra.json").edition
    assert edition.edition_date == datetime.date(2026, 3, 28)  # the file's own date
    assert edition.retrieved_on == datetime.date(2026, 7, 14)
    assert edition.label == "Report: June 2026 - For publication"
    assert edition.counts == {
        "rows": 239,
        "countries": 29,
        "regions": 234,
        "conflict_affected": 137,
        "high_risk": 97,
        "whole_country": 5,
    }
    assert ConflictArea.objects.get(edition=edition, key="LY").whole_country


def test_a_second_cahra_list_derived_from_the_first_diffs_correctly():
    # given: the real list, and a second one the test derives from it
    first = json.loads(read(CAHRA))
    second = json.loads(read(CAHRA))
    dropped = second["entries"].pop(0)  # Afghanistan leaves the list
    second["entries"][0]["regions"][0]["conflictAffected"] ^= True  # one region changes kind
    second["entries"][0]["regions"][0]["highRisk"] ^= True
    changed = second["entries"][0]["regions"][0]["code"]
    second["entries"].append(_country("NE", name="Niger"))  # a country joins, whole
    second["meta"]["dataUpdated"] = "2026-12-01T00:00:00Z"
    _import("cahra", json.dumps(first).encode(), "first.json")
    # when
    edition = _import("cahra", json.dumps(second).encode(), "second.json").edition
    # then
    diff = queries.edition_diff(edition)
    assert diff is not None
    assert diff.added == ["NE"]
    assert diff.removed == sorted(r["code"] for r in dropped["regions"])
    assert [c.key for c in diff.changed] == [changed]
    assert {f[0] for f in diff.changed[0].fields} == {"conflict_affected", "high_risk"}


def test_a_bad_file_is_refused_and_nothing_is_written():
    with pytest.raises(EditionError, match=r"broken\.xml, line \d+: the XML is broken"):
        _import("dol-goods", read(GOODS_2021)[:5000], "broken.xml")
    assert not Edition.objects.exists()
    assert not GoodListing.objects.exists()


def test_a_wrong_kind_is_refused():
    with pytest.raises(EditionError, match="unknown kind 'tvpra'"):
        _import("tvpra", b"<Goods/>")


def test_only_the_operator_imports(org_a):
    admin = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    with pytest.raises(PermissionDenied, match="platform's operator"):
        _import("cahra", _cahra(_country("BI")), "c.json", actor=admin)
    assert not Edition.objects.exists()


def test_the_operator_imports_as_a_member(org_a):
    operator = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    operator.user.is_staff = True
    operator.user.save()
    edition = _import("cahra", _cahra(_country("BI")), "c.json", actor=operator).edition
    assert edition.imported_by == operator.user


def test_an_upload_starts_a_job_or_names_the_edition_it_already_is(
    org_a, django_capture_on_commit_callbacks
):
    operator = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    operator.user.is_staff = True
    operator.user.save()
    data = _cahra(_country("CD", ("NK", True), ("SK", False)))
    with django_capture_on_commit_callbacks(execute=True):
        started = services.start_edition_import(data, "c.json", kind="cahra", actor=operator)
    assert started.job is not None
    started.job.refresh_from_db()
    assert started.job.status == "succeeded", started.job.error
    assert started.job.result["regions"] == 2
    edition = Edition.objects.get()
    assert edition.job == started.job
    again = services.start_edition_import(data, "c.json", kind="cahra", actor=operator)
    assert again.job is None
    assert again.existing == edition
    # the job's lines are catalogue texts: its page reads them in the reader's language
    with translation.override("fr"):
        lines = [message_text(m) for m in started.job.messages]
    assert "2 lignes lues dans c.json" in lines
    assert "2 lignes écrites sur 2" in lines


def test_an_upload_of_a_bad_file_is_refused_before_any_job(org_a):
    operator = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    operator.user.is_staff = True
    operator.user.save()
    with pytest.raises(EditionError, match=r"c\.json, entries\[0\]\.iso2"):
        services.start_edition_import(
            _cahra({"iso2": "Congo", "regions": None}), "c.json", kind="cahra", actor=operator
        )


def test_the_edition_in_force_on_a_date():
    old = _import("dol-goods", read(GOODS_2019), "goods_2019.xml", D2019).edition
    new = _import("dol-goods", read(GOODS_2021), "goods_2021.xml", D2021).edition
    assert queries.edition_as_of("dol-goods", datetime.date(2019, 1, 1)) is None
    assert queries.edition_as_of("dol-goods", D2019) == old
    assert queries.edition_as_of("dol-goods", datetime.date(2022, 1, 1)) == old
    assert queries.edition_as_of("dol-goods", datetime.date(2030, 1, 1)) == new
    assert queries.edition_as_of("cahra", datetime.date(2030, 1, 1)) is None
