"""Models of the traceability app: captured EPCIS 2.0 events and the documents that brought them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import (
    OptionalLink,
    OrgOwnedModel,
    creating_user,
    optional_link,
    owning_organisation,
)
from oretrace.registry.models import Facility
from oretrace.traceability.choices import (
    EdgeKind,
    EventType,
    FlagKind,
    IdentifierRole,
    LotKind,
    MovementKind,
)

if TYPE_CHECKING:
    from oretrace.core.models import Membership

# Events, lots, movements and edges are written by the thousand per capture, with the
# organisation and the user of the capture, whose own row the database checks in the same
# transaction. Checked again on each row, those two keys were a fifth of PostgreSQL's work in
# a capture, so the database does not check them there; Django still refuses to delete an
# organisation that owns such rows, and empties ``created_by`` when a user is deleted. (Their
# fields below say ``db_constraint=False``.)


class EpcisCapture(OrgOwnedModel):
    """One accepted EPCIS document: how many events it brought and how many were known already."""

    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the document as received.")
    context = models.JSONField(
        default=list, help_text="The document's JSON-LD @context (namespaces of extensions)."
    )
    event_count = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0, help_text="Events stored by this capture.")
    known_count = models.PositiveIntegerField(
        default=0, help_text="Distinct events of the document the organisation already held."
    )
    schema_checked = models.BooleanField(
        default=False, help_text="Whether the EPCIS JSON Schema was applied besides our checks."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("EPCIS capture")
        verbose_name_plural = _("EPCIS captures")

    def __str__(self) -> str:
        return f"#{self.pk}: {self.event_count} EPCIS"


class EpcisEvent(OrgOwnedModel):
    """One EPCIS 2.0 event as captured, stored once per organisation under its CBV hash ID."""

    # not indexed alone: the unique (organisation, hash_id) starts with it
    organisation = owning_organisation(db_index=False, db_constraint=False)
    created_by = creating_user(db_constraint=False)
    hash_id = models.CharField(
        max_length=120, help_text="The CBV 2.0 event hash ID (ni:///sha-256;…?ver=CBV2.0)."
    )
    declared_id = models.CharField(
        max_length=300, blank=True, help_text="The eventID the document gave, if any."
    )
    capture = models.ForeignKey(
        "traceability.EpcisCapture", on_delete=models.PROTECT, related_name="events"
    )
    event_type = models.CharField(max_length=30, choices=EventType.choices)
    action = models.CharField(max_length=10, blank=True)
    event_time = models.DateTimeField(help_text="When the event happened (UTC).")
    time_zone_offset = models.CharField(max_length=6)
    record_time = models.DateTimeField(help_text="When oretrace captured the event (UTC).")
    biz_step = models.CharField(
        max_length=300, blank=True, help_text="CBV term (e.g. shipping) or the URI as given."
    )
    disposition = models.CharField(max_length=300, blank=True)
    read_point = models.CharField(max_length=300, blank=True)
    biz_location = models.CharField(max_length=300, blank=True)
    body = models.JSONField(help_text="The event as captured (EPCIS 2.0 JSON).")

    class Meta:
        ordering = ["id"]
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "hash_id"], name="epcis_event_hash_unique_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "event_time"], name="epcis_event_org_time"),
            models.Index(fields=["organisation", "record_time"], name="epcis_event_org_record"),
            models.Index(fields=["organisation", "biz_step"], name="epcis_event_org_step"),
            models.Index(fields=["organisation", "biz_location"], name="epcis_event_org_loc"),
            models.Index(fields=["organisation", "read_point"], name="epcis_event_org_point"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.hash_id[14:26]}… at {self.event_time:%Y-%m-%d %H:%M}"


class EpcisIdentifierQuerySet(models.QuerySet["EpcisIdentifier"]):
    def for_member(self, member: Membership) -> Self:
        """Identifiers of the events the member may see."""
        return self.filter(event__in=EpcisEvent.objects.for_member(member).values("pk"))


class EpcisIdentifier(models.Model):
    """One EPC, or one EPC class with its quantity, that an event names (for query and trace)."""

    event = models.ForeignKey(
        "traceability.EpcisEvent", on_delete=models.CASCADE, related_name="identifiers"
    )
    role = models.CharField(max_length=10, choices=IdentifierRole.choices)
    value = models.CharField(max_length=300, help_text="EPC or EPC class URI.")
    is_class = models.BooleanField(default=False)
    quantity = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    uom = models.CharField(max_length=3, blank=True, help_text="UN/CEFACT unit, e.g. KGM.")

    objects = EpcisIdentifierQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["value", "role"], name="epcis_identifier_value")]

    def __str__(self) -> str:
        return f"{self.role} {self.value}"


class Lot(OrgOwnedModel):
    """A quantity of material named by an EPC class + lot or an EPC instance (a bag, a drum).

    Lots come from captured events: created where an event adds them (a collection at a mine or
    a collection point) or where a processing step outputs them. ``quantity_kg`` is what was
    produced or collected; ``remaining_kg`` what has not been shipped or processed since.
    """

    # not indexed alone: the unique (organisation, code) starts with it
    organisation = owning_organisation(db_index=False, db_constraint=False)
    created_by = creating_user(db_constraint=False)
    code = models.CharField(max_length=300, help_text="EPC class or EPC URI.")
    kind = models.CharField(max_length=20, choices=LotKind.choices)
    facility = optional_link(
        Facility,
        "Where the lot was made or collected, when the location is in the registry.",
        related_name="lots",
    )
    location = models.CharField(max_length=300, blank=True, help_text="The EPCIS location URI.")
    quantity_kg = models.DecimalField(max_digits=20, decimal_places=6, default=0)
    remaining_kg = models.DecimalField(max_digits=20, decimal_places=6, default=0)
    other_quantity = models.DecimalField(
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="A quantity in a unit that is not a mass (see other_unit).",
    )
    other_unit = models.CharField(max_length=3, blank=True)
    recycled = models.BooleanField(default=False)
    produced_by = optional_link(EpcisEvent, related_name="lots_produced")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="lot_code_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CustodyEdge(OrgOwnedModel):
    """Material of one lot going into another: a processing step or packing into a container.

    ``share`` is the fraction of the target's inputs that came from the source (the input's
    quantity over all inputs of the event), the weight the trace multiplies along a path.
    """

    organisation = owning_organisation(db_constraint=False)
    created_by = creating_user(db_constraint=False)
    # Not indexed alone: the (target, source) and (source, target) indexes start with them.
    source = models.ForeignKey(
        "traceability.Lot", on_delete=models.PROTECT, related_name="outgoing", db_index=False
    )
    target = models.ForeignKey(
        "traceability.Lot", on_delete=models.PROTECT, related_name="incoming", db_index=False
    )
    kind = models.CharField(max_length=20, choices=EdgeKind.choices)
    quantity_kg = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    share = models.FloatField(help_text="Fraction of the target's inputs from the source (0 to 1).")
    event = models.ForeignKey(
        "traceability.EpcisEvent", on_delete=models.PROTECT, related_name="edges"
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target", "source"], name="custody_edge_target"),
            models.Index(fields=["source", "target"], name="custody_edge_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id} ({self.share:.3f})"


class LotMovement(OrgOwnedModel):
    """A lot shipped from or received at a location (an ObjectEvent shipping or receiving)."""

    organisation = owning_organisation(db_constraint=False)
    created_by = creating_user(db_constraint=False)
    lot = models.ForeignKey("traceability.Lot", on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    quantity_kg = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    facility = optional_link(Facility)
    location = models.CharField(max_length=300, blank=True)
    counterpart = models.CharField(
        max_length=300, blank=True, help_text="Destination (shipping) or source (receiving)."
    )
    shipment: OptionalLink[LotMovement] = optional_link(
        "self", "For a receipt: the shipment it matched.", related_name="receipts"
    )
    event = models.ForeignKey(
        "traceability.EpcisEvent", on_delete=models.PROTECT, related_name="movements"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.lot_id} {self.quantity_kg} kg"


class CustodyFlag(OrgOwnedModel):
    """A mass-balance violation found in captured events, kept on the lot and the facility."""

    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    lot = models.ForeignKey("traceability.Lot", on_delete=models.PROTECT, related_name="flags")
    facility = optional_link(Facility, related_name="custody_flags")
    event = models.ForeignKey(
        "traceability.EpcisEvent", on_delete=models.PROTECT, related_name="flags"
    )
    expected_kg = models.DecimalField(max_digits=20, decimal_places=6)
    actual_kg = models.DecimalField(max_digits=20, decimal_places=6)
    message = models.TextField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.message


__all__ = [
    "CustodyEdge",
    "CustodyFlag",
    "EpcisCapture",
    "EpcisEvent",
    "EpcisIdentifier",
    "Lot",
    "LotMovement",
]
