"""factory_boy factories for custody rows (tests only): rows, not captures (the EPCIS tests
capture real documents through ``services.capture_document``)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory

from oretrace.core.tests.factories import OrganisationFactory
from oretrace.traceability import models

WHEN = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


class EpcisCaptureFactory(factory.django.DjangoModelFactory[models.EpcisCapture]):
    class Meta:
        model = "traceability.EpcisCapture"

    organisation = factory.SubFactory(OrganisationFactory)
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class EpcisEventFactory(factory.django.DjangoModelFactory[models.EpcisEvent]):
    class Meta:
        model = "traceability.EpcisEvent"

    capture = factory.SubFactory(EpcisCaptureFactory)
    organisation = factory.SelfAttribute("capture.organisation")
    hash_id = factory.Sequence(lambda n: f"ni:///sha-256;{n:064x}?ver=CBV2.0")
    event_type = "ObjectEvent"
    event_time = WHEN
    time_zone_offset = "+00:00"
    record_time = WHEN
    body = factory.LazyFunction(lambda: {"type": "ObjectEvent", "action": "OBSERVE"})


class EpcisIdentifierFactory(factory.django.DjangoModelFactory[models.EpcisIdentifier]):
    class Meta:
        model = "traceability.EpcisIdentifier"

    event = factory.SubFactory(EpcisEventFactory)
    role = "epc"
    value = factory.Sequence(lambda n: f"urn:epc:id:sgtin:8901234.000001.{n}")


class LotFactory(factory.django.DjangoModelFactory[models.Lot]):
    class Meta:
        model = "traceability.Lot"

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"urn:epc:class:lgtin:8901234.000001.LOT-{n}")
    kind = "epc_class"
    quantity_kg = Decimal("100")
    remaining_kg = Decimal("100")


class CustodyEdgeFactory(factory.django.DjangoModelFactory[models.CustodyEdge]):
    class Meta:
        model = "traceability.CustodyEdge"

    organisation = factory.SubFactory(OrganisationFactory)
    source = factory.SubFactory(LotFactory, organisation=factory.SelfAttribute("..organisation"))
    target = factory.SubFactory(LotFactory, organisation=factory.SelfAttribute("..organisation"))
    kind = "transformation"
    share = 1.0
    event = factory.SubFactory(
        EpcisEventFactory, capture__organisation=factory.SelfAttribute("...organisation")
    )


class LotMovementFactory(factory.django.DjangoModelFactory[models.LotMovement]):
    class Meta:
        model = "traceability.LotMovement"

    organisation = factory.SubFactory(OrganisationFactory)
    lot = factory.SubFactory(LotFactory, organisation=factory.SelfAttribute("..organisation"))
    kind = "shipping"
    event = factory.SubFactory(
        EpcisEventFactory, capture__organisation=factory.SelfAttribute("...organisation")
    )


class CustodyFlagFactory(factory.django.DjangoModelFactory[models.CustodyFlag]):
    class Meta:
        model = "traceability.CustodyFlag"

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "over_shipment"
    lot = factory.SubFactory(LotFactory, organisation=factory.SelfAttribute("..organisation"))
    event = factory.SubFactory(
        EpcisEventFactory, capture__organisation=factory.SelfAttribute("...organisation")
    )
    expected_kg = Decimal("10")
    actual_kg = Decimal("12")
    message = "Shipped 12 kg of a lot holding 10 kg."
