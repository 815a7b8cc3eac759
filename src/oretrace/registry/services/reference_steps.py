"""One step of a reference import, written in bulk (``reference_lists`` runs the steps).

A step is ``IMPORT_STEP`` facilities in one transaction. What the registry already holds for
them is read when the step starts, in a few set-based queries (the facilities by smelter ID,
their names, metals, latest statuses and listings; the organisations' copies to fold). Each
facility is then worked out in memory, and ``finish`` writes the step: one bulk insert (or
update) per table and one ``log_changes`` call for its change-log entries.

What is written is what the services (``create_facility``, ``add_identifier``, ``add_name``,
``record_status``, ``fold_into_reference``) write one facility at a time, checked the same
way: the same rows, inserted in the same order (so with the same ids), and the same change-log
entries in the same order. A facility whose details changed goes through ``update_facility``
itself, after the rows worked out so far are written; a facility met twice in one step (the
smelter IDs of two merged facilities) is written, then read again before it is met again.
Before this, each facility took some 22 queries and 5 change-log writes of its own: minutes of
CPU for a test suite that loads the RMI lists again and again, and long steps on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from oretrace.core.changelog import Change, log_changes, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Country, Membership, Mineral
from oretrace.registry import services
from oretrace.registry.choices import AssuranceScheme, FacilityKind, IdentifierScheme, NameKind
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.matching import normalise
from oretrace.registry.models import (
    AssuranceStatus,
    Facility,
    FacilityIdentifier,
    FacilityListing,
    FacilityName,
    ReferenceImport,
)
from oretrace.registry.permissions import require_curator, require_editor
from oretrace.registry.reference_files import ReferenceRow
from oretrace.registry.validators import clean_identifier

CID = IdentifierScheme.RMI_CID
Group = tuple[str, list[ReferenceRow]]  # a smelter ID and its rows in the file
# What ``update_facility`` can change when a newer snapshot moves a facility (not its name).
UPDATED_FIELDS = (
    "country_id",
    "subdivision_id",
    "street",
    "city",
    "region",
    "name_latin",
    "updated_at",
)


def first(rows: list[ReferenceRow], attr: str) -> str:
    """The first non-empty value of ``attr`` among a facility's rows."""
    return next((getattr(r, attr) for r in rows if getattr(r, attr)), "")


def _cleaned(cid: str) -> str | None:
    try:
        return clean_identifier(CID, cid)
    except ValueError:
        return None


class ImportStep:
    """The facilities of one step: ``add`` each (in the file's order), then ``finish``."""

    def __init__(self, record: ReferenceImport, actor: Membership, groups: list[Group]) -> None:
        self.record, self.actor, self.shared = record, actor, record.shared
        # what is to be written, in the order the services would write it
        self.changes: list[Change] = []
        self.facilities: list[Facility] = []
        self.facility_minerals: list[tuple[Facility, list[Mineral]]] = []
        self.names: list[FacilityName] = []
        self.identifiers: list[FacilityIdentifier] = []
        self.folded: list[Facility] = []
        self.updated: list[Facility] = []
        self.statuses: list[AssuranceStatus] = []
        self.new_listings: list[FacilityListing] = []
        self.seen_listings: list[FacilityListing] = []
        self.seen: list[Facility] = []
        self.touched: set[int] = set()  # facilities this step met (written or to be written)
        self.planned: dict[str, Facility] = {}  # new facilities of this step, by smelter ID
        self.folded_ids: set[int] = set()
        # what the registry holds, read once for the step
        self.values = {cid: _cleaned(cid) for cid, _rows in groups}
        self.countries = self._countries(groups)
        self.minerals = {m.code: m for m in Mineral.objects.all()}
        self.held_shared: set[str] = set()
        self.existing: dict[str, Facility] = {}
        self._read_holders()
        self.names_of: dict[int, set[str]] = defaultdict(set)
        self.metals_of: dict[int, set[str]] = defaultdict(set)
        self.status_of: dict[int, AssuranceStatus] = {}
        self.listing_of: dict[int, FacilityListing] = {}
        self._read(list(self.existing.values()))
        self.copies = (
            self._copies([cid for cid, _rows in groups])
            if self.shared and record.org_lists_exist  # type: ignore[attr-defined]
            else {}
        )

    # --- reading, once per step ---------------------------------------------------------------

    def _countries(self, groups: list[Group]) -> dict[str, Country]:
        codes = {first(rows, "country").strip().upper() for _cid, rows in groups}
        return {c.code: c for c in Country.objects.filter(code__in=codes)}

    def _read_holders(self) -> None:
        """``find_by_identifier`` for every smelter ID of the step: the shared registry's (an
        organisation's import leaves those to it), and the import's own scope's."""
        wanted = {v for v in self.values.values() if v is not None}
        if not wanted:
            return
        ids = FacilityIdentifier.objects.filter(scheme=CID, value__in=wanted)
        if not self.shared:
            shared = ids.filter(organisation__isnull=True)
            self.held_shared = set(shared.values_list("value", flat=True))
        owner = (
            Q(organisation__isnull=True)
            if self.shared
            else Q(organisation_id=self.record.organisation_id)
        )
        for row in ids.filter(owner).select_related("facility"):
            self.existing[row.value] = services.resolve(row.facility)

    def _read(self, facilities: list[Facility]) -> None:
        """The names, metals, latest status and listing of facilities the registry holds."""
        ids = [f.pk for f in facilities]
        if not ids:
            return
        names = FacilityName.objects.filter(facility_id__in=ids, organisation__isnull=True)
        for facility_id, name in names.values_list("facility_id", "name"):
            self.names_of[facility_id].add(name)
        metals = Facility.minerals.through.objects.filter(facility_id__in=ids)
        for facility_id, code in metals.values_list("facility_id", "mineral__code"):
            self.metals_of[facility_id].add(code)
        owner = (
            Q(organisation__isnull=True)
            if self.shared
            else Q(organisation_id=self.record.organisation_id)
        )
        statuses = AssuranceStatus.objects.filter(
            owner, facility_id__in=ids, scheme=AssuranceScheme.RMAP
        ).order_by("facility_id", "-effective_on", "-id")
        for status in statuses:
            self.status_of.setdefault(status.facility_id, status)
        listings = FacilityListing.objects.filter(
            facility_id__in=ids, list_key=self.record.list_key
        )
        self.listing_of.update((listing.facility_id, listing) for listing in listings)

    def _copies(self, cids: list[str]) -> dict[str, list[Facility]]:
        """Organisations' own copies of the step's facilities, by smelter ID (``_fold``).

        The few facilities holding these IDs first (the identifier's unique index), then the
        join on their listings: one query over every facility's listings per row was slow on
        PostgreSQL."""
        holders: dict[int, list[str]] = defaultdict(list)
        named = FacilityIdentifier.objects.filter(scheme=CID, value__in=cids)
        for facility_id, value in named.values_list("facility_id", "value"):
            holders[facility_id].append(value)
        if not holders:
            return {}
        copies = (
            Facility.objects.filter(
                pk__in=list(holders),
                organisation__isnull=False,
                merged_into__isnull=True,
                listings__first_seen__shared=False,
            )
            .select_related("organisation")
            .distinct()
        )
        by_cid: dict[str, list[Facility]] = defaultdict(list)
        for copy in copies:
            for value in holders[copy.pk]:
                by_cid[value].append(copy)
        return by_cid

    # --- one facility ---------------------------------------------------------------------------

    def add(self, cid: str, rows: list[ReferenceRow], counts: dict[str, int]) -> None:
        """Bring one facility up to the file's rows (written by ``finish``)."""
        record = self.record
        country = first(rows, "country")
        if not country:
            record.warnings.append(
                f"rows {', '.join(str(r.row) for r in rows)}: {cid} has no recognisable country "
                f"('{first(rows, 'country_text')}'); skipped"
            )
            counts["skipped"] += 1
            return
        name = first(rows, "standard_name") or rows[0].name
        metals = sorted({r.metal for r in rows if r.metal})
        details = {
            "street": first(rows, "street"),
            "city": first(rows, "city"),
            "region": first(rows, "state"),
        }
        value = self.values[cid]
        if not self.shared and value in self.held_shared:
            counts["shared"] += 1  # the shared registry holds it: nothing to copy
            return
        facility = self._existing(value)
        created = facility is None
        if facility is None:
            facility, names = self._create(cid, name, country, metals, details, counts)
            changed = True
        else:
            names = self.names_of[facility.pk]
            # an older snapshot leaves the details a newer one settled
            changed = not record.is_older and self._update(facility, name, country, metals, details)
        names_before = counts["names_added"]
        for row in rows:
            for text, kind in ((row.standard_name, NameKind.STANDARD), (row.name, NameKind.ALIAS)):
                if text and " ".join(text.split()) not in names:
                    require_editor(self.actor, facility)  # add_name's checks
                    if not text.strip():
                        raise RegistryError("a name cannot be empty")
                    self._name(facility, text, kind, names)
                    counts["names_added"] += 1
        changed |= self._status(facility, rows, counts)
        changed |= counts["names_added"] != names_before
        counts["created" if created else "updated" if changed else "unchanged"] += 1
        self._list(facility)
        self.seen.append(facility)

    def _existing(self, value: str | None) -> Facility | None:
        if value is None:
            return None
        facility = self.existing.get(value) or self.planned.get(value)
        if facility is None:
            return None
        if facility.pk is None or facility.pk in self.touched:
            # met twice in this step: write what is planned, and read the facility again
            self.flush()
            facility = Facility.objects.get(pk=facility.pk)
            for part in (self.names_of, self.metals_of, self.status_of, self.listing_of):
                part.pop(facility.pk, None)
            self._read([facility])
        self.touched.add(facility.pk)
        return facility

    def _create(
        self,
        cid: str,
        name: str,
        country: str,
        metals: list[str],
        details: dict[str, str],
        counts: dict[str, int],
    ) -> tuple[Facility, set[str]]:
        """``create_facility``, then ``add_identifier`` (and the folds), in memory."""
        actor, record = self.actor, self.record
        if self.shared:
            require_curator(actor)
        else:
            require_editor(actor)
        facility = Facility(
            organisation=None if self.shared else actor.organisation,
            created_by=actor.user,
            kind=FacilityKind.SMELTER,
            name=name.strip(),
            country=self.countries.get(country.strip().upper()) or services._country(country),
        )
        services._apply(facility, details)
        missing = [m for m in metals if m not in self.minerals]
        if missing:
            raise RegistryError(f"unknown mineral(s): {', '.join(missing)}")
        self.facilities.append(facility)
        self.facility_minerals.append((facility, [self.minerals[m] for m in metals]))
        names: set[str] = set()
        self._name(facility, facility.name, NameKind.PRIMARY, names)
        if facility.name_latin and facility.name_latin != facility.name:
            self._name(facility, facility.name_latin, NameKind.TRANSLITERATION, names)
        self.changes.append(Change(facility, ChangeAction.CREATE))
        require_editor(actor, facility)
        try:
            value = clean_identifier(CID, cid)
        except ValueError as exc:
            raise RegistryError(str(exc)) from None
        # No facility in the import's scope holds it (else ``_existing`` had found it).
        identifier = FacilityIdentifier(
            facility=facility,
            scheme=CID,
            value=value,
            source=record.source[:200],
            organisation_id=facility.organisation_id,
        )
        self.identifiers.append(identifier)
        self.changes.append(
            Change(identifier, ChangeAction.CREATE, organisation=facility.organisation)
        )
        self.planned[value] = facility
        if self.shared and record.org_lists_exist:  # type: ignore[attr-defined]
            counts["folded"] += self._fold(facility, cid)
        return facility, names

    def _fold(self, reference: Facility, cid: str) -> int:
        """``fold_into_reference`` for each organisation's copy of a newly shared facility."""
        count = 0
        for copy in self.copies.get(cid, ()):
            if copy.pk in self.folded_ids:  # folded already, for another of its IDs
                continue
            require_curator(self.actor)
            before = snapshot(copy)
            copy.merged_into = reference
            copy.updated_at = timezone.now()
            self.folded.append(copy)
            self.folded_ids.add(copy.pk)
            self.changes.append(Change(copy, ChangeAction.UPDATE, before))
            count += 1
        return count

    def _update(
        self,
        facility: Facility,
        name: str,
        country: str,
        metals: list[str],
        details: dict[str, str],
    ) -> bool:
        """``update_facility`` with the file's details and metals: in memory, but a rename (a
        new name, the old one made former), which goes through the service itself."""
        changes: dict[str, object] = {
            k: v
            for k, v in {"name": name, "country": country, **details}.items()
            if v and str(getattr(facility, "country_id" if k == "country" else k)) != v
        }
        have = self.metals_of[facility.pk]
        wanted = sorted(have | set(metals))
        if not changes and wanted == sorted(have):
            return False
        minerals = wanted if wanted != sorted(have) else None
        if "name" in changes:
            self.flush()  # what this step wrote before goes first, as it would have
            services.update_facility(facility, actor=self.actor, minerals=minerals, **changes)
            self.names_of[facility.pk].add(" ".join(facility.name.split()))  # its new name
            return True
        require_editor(self.actor, facility)
        before = snapshot(facility)
        if "country" in changes:
            changes["country"] = self.countries.get(country.strip().upper()) or country
        services._apply(facility, changes)
        facility.updated_at = timezone.now()  # as save() sets it
        self.updated.append(facility)
        if minerals is not None:
            missing = [m for m in minerals if m not in self.minerals]
            if missing:
                raise RegistryError(f"unknown mineral(s): {', '.join(missing)}")
            added = [self.minerals[m] for m in minerals if m not in have]
            self.facility_minerals.append((facility, added))
        self.changes.append(Change(facility, ChangeAction.UPDATE, before))
        return True

    def _name(self, facility: Facility, text: str, kind: str, names: set[str]) -> None:
        """``_add_name`` (a facility's own name, not an organisation's alias)."""
        name = " ".join(text.split())
        if name in names:
            return
        names.add(name)
        row = FacilityName(
            facility=facility,
            name=name,
            normalised=normalise(name)[:300],
            kind=kind,
            language="",
            source=self.record.source[:200],
            organisation=None,
        )
        self.names.append(row)
        self.changes.append(Change(row, ChangeAction.CREATE, organisation=facility.organisation))

    def _status(self, facility: Facility, rows: list[ReferenceRow], counts: dict[str, int]) -> bool:
        """``record_status`` when the file's RMAP status differs from the latest one."""
        status = first(rows, "status")
        if not status:
            return False
        last_audit: date | None = next((r.last_audit for r in rows if r.last_audit), None)
        current = self.status_of.get(facility.pk) if facility.pk is not None else None
        if (
            current is not None
            and current.status.casefold() == status.casefold()
            and (current.last_audit_on == last_audit)
        ):
            return False
        # The facility is the import's own (or the shared one it resolves to): visible to it.
        if self.shared:
            require_curator(self.actor)
        else:
            require_editor(self.actor)
        if not status.strip():
            raise RegistryError("a status cannot be empty")
        owner = None if self.shared else self.actor.organisation
        entry = AssuranceStatus(
            facility=facility,
            scheme=AssuranceScheme.RMAP,
            status=status.strip(),
            effective_on=last_audit or timezone.localdate(),
            last_audit_on=last_audit,
            valid_until=None,
            cycle="",
            source=f"{self.record.source} ({self.record.filename})"[:300],
            organisation=owner,
        )
        self.statuses.append(entry)
        self.changes.append(Change(entry, ChangeAction.CREATE, organisation=owner))
        counts["statuses_added"] += 1
        return True

    def _list(self, facility: Facility) -> None:
        """Record that this snapshot lists the facility (an older snapshot never overrides)."""
        record = self.record
        listing = self.listing_of.get(facility.pk) if facility.pk is not None else None
        if listing is None:
            listing = FacilityListing(
                facility=facility, list_key=record.list_key, first_seen=record, last_seen=record
            )
            self.new_listings.append(listing)
            self.changes.append(
                Change(listing, ChangeAction.CREATE, organisation=facility.organisation)
            )
        elif not record.is_older:
            listing.facility = facility  # as it is now (its name in the log)
            before = snapshot(listing)
            listing.last_seen, listing.delisted_by = record, None
            self.seen_listings.append(listing)
            self.changes.append(
                Change(listing, ChangeAction.UPDATE, before, organisation=facility.organisation)
            )

    # --- writing ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what is planned so far: one bulk statement per table, then the log."""
        if not self.changes:
            return
        Facility.objects.bulk_create(self.facilities)
        through = Facility.minerals.through
        through.objects.bulk_create(
            through(facility_id=f.pk, mineral_id=m.pk)
            for f, minerals in self.facility_minerals
            for m in minerals
        )
        FacilityName.objects.bulk_create(self.names)
        try:
            FacilityIdentifier.objects.bulk_create(self.identifiers)
        except IntegrityError:
            values = ", ".join(i.value for i in self.identifiers)
            raise RegistryError(f"one of {values} was just given to another facility") from None
        if self.folded:
            Facility.objects.bulk_update(self.folded, ["merged_into", "updated_at"])
        for facility in self.updated:  # a few per step: a statement each is cheaper than a CASE
            Facility.objects.filter(pk=facility.pk).update(
                **{field: getattr(facility, field) for field in UPDATED_FIELDS}
            )
        AssuranceStatus.objects.bulk_create(self.statuses)
        FacilityListing.objects.bulk_create(self.new_listings)
        if self.seen_listings:  # every one seen by this snapshot, and listed again
            FacilityListing.objects.filter(pk__in=[x.pk for x in self.seen_listings]).update(
                last_seen=self.record, delisted_by=None
            )
        log_changes(self.changes, actor=self.actor)
        self.touched.update(f.pk for f in self.facilities)
        for part in (
            self.changes,
            self.facilities,
            self.facility_minerals,
            self.names,
            self.identifiers,
            self.folded,
            self.updated,
            self.statuses,
            self.new_listings,
            self.seen_listings,
        ):
            part.clear()

    def finish(self) -> list[int]:
        """Write the step; returns the ids of the facilities it listed."""
        self.flush()
        return [facility.pk for facility in self.seen]
