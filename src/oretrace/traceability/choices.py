"""Choices of the traceability app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    OBJECT = "ObjectEvent", _("Object event")
    AGGREGATION = "AggregationEvent", _("Aggregation event")
    TRANSACTION = "TransactionEvent", _("Transaction event")
    TRANSFORMATION = "TransformationEvent", _("Transformation event")
    ASSOCIATION = "AssociationEvent", _("Association event")


class IdentifierRole(models.TextChoices):
    """Where an EPC or EPC class sits in an event."""

    EPC = "epc", _("Object")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    INPUT = "input", _("Input")
    OUTPUT = "output", _("Output")


class LotKind(models.TextChoices):
    EPC_CLASS = "epc_class", _("EPC class and lot")
    EPC_INSTANCE = "epc_instance", _("EPC instance")


class EdgeKind(models.TextChoices):
    TRANSFORMATION = "transformation", _("Processing")
    AGGREGATION = "aggregation", _("Packing")


class MovementKind(models.TextChoices):
    SHIPPING = "shipping", _("Shipped")
    RECEIVING = "receiving", _("Received")


class FlagKind(models.TextChoices):
    OVER_YIELD = "over_yield", _("Output above the maximum yield")
    OVER_SHIPMENT = "over_shipment", _("Shipped more than the lot holds")
    OVER_CONSUMPTION = "over_consumption", _("Processed more than the lot holds")
    RECEIPT_MISMATCH = "receipt_mismatch", _("Receipt differs from the shipment")
    PHANTOM_RECEIPT = "phantom_receipt", _("Received from a party that never shipped it")


# CBV 2.0 business steps custody records use, by their bare term.
STEP_LABELS = {
    "commissioning": _("made or collected"),
    "shipping": _("shipped"),
    "departing": _("departed"),
    "arriving": _("arrived"),
    "receiving": _("received"),
    "accepting": _("accepted"),
    "transforming": _("processed"),
    "packing": _("packed"),
    "unpacking": _("unpacked"),
    "inspecting": _("inspected"),
    "storing": _("stored"),
    "loading": _("loaded"),
    "decommissioning": _("retired"),
}
