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


# CBV 2.0 dispositions (the state of the objects after an event), by their bare term. Pages
# show the label with the standard's term beside it, marked as code; a term not listed here is
# shown as code only.
DISPOSITION_LABELS = {
    "active": _("in use"),
    "available": _("available"),
    "unavailable": _("unavailable"),
    "in_progress": _("being processed"),
    "in_transit": _("on its way"),
    "inactive": _("not yet in use"),
    "conformant": _("conformant"),
    "non_conformant": _("not conformant"),
    "damaged": _("damaged"),
    "destroyed": _("destroyed"),
    "disposed": _("disposed of"),
    "expired": _("expired"),
    "recalled": _("recalled"),
    "reserved": _("reserved"),
    "returned": _("returned"),
    "stolen": _("stolen"),
    "unknown": _("unknown"),
}
