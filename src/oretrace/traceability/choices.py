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
