"""Models of the traceability app: captured EPCIS 2.0 events and the documents that brought them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import OrgOwnedModel
from oretrace.traceability.choices import EventType, IdentifierRole

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class EpcisCapture(OrgOwnedModel):
    """One accepted EPCIS document: how many events it brought and how many were known already."""

    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the document as received.")
    context = models.JSONField(
        default=list, help_text="The document's JSON-LD @context (namespaces of extensions)."
    )
    event_count = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0, help_text="Events stored by this capture.")
    schema_checked = models.BooleanField(
        default=False, help_text="Whether the EPCIS JSON Schema was applied besides our checks."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("EPCIS capture")
        verbose_name_plural = _("EPCIS captures")

    def __str__(self) -> str:
        return f"capture {self.pk} ({self.event_count} events)"


class EpcisEvent(OrgOwnedModel):
    """One EPCIS 2.0 event as captured, stored once per organisation under its CBV hash ID."""

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


class EpcisIdentifierQuerySet(models.QuerySet):
    def for_member(self, member: Membership) -> EpcisIdentifierQuerySet:
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


__all__ = ["EpcisCapture", "EpcisEvent", "EpcisIdentifier"]
