"""Fixtures of the assessments' tests: the shipped mica standard, a supplier with a facility,
and an assessment assigned to it by organisation A."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oretrace.assessments import services
from oretrace.assessments.models import Question, Standard
from oretrace.assessments.shipped import shipped_text
from oretrace.core.actors import SystemActor
from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import own_files, web_client
from oretrace.core.tests.scopes import shared_rows
from oretrace.registry import services as registry_services

SYSTEM = SystemActor("tests")


@pytest.fixture(autouse=True)
def media_and_keys(settings, tmp_path):
    """Uploads and ledger keys of each test in its own folder."""
    own_files(settings, tmp_path)


@pytest.fixture(scope="module")
def shipped_mica_standard(django_db_setup: Any, django_db_blocker: Any) -> Iterator[int]:
    """The shipped mica standard imported once for a module's tests (its 60-odd questions take
    a second): the row's id, in a transaction rolled back after the module's last test."""
    with shared_rows(django_db_blocker):
        yield services.import_standard(
            shipped_text("mica-processing-workplace.yaml"), organisation=None, actor=SYSTEM
        ).pk


@pytest.fixture
def mica_standard(shipped_mica_standard: int, db: None) -> Standard:
    """The shipped mica standard, read afresh for each test (its writes are rolled back)."""
    return Standard.objects.get(pk=shipped_mica_standard)


@pytest.fixture
def supplier_org(processor_org):
    return processor_org


@pytest.fixture
def supplier(supplier_org):
    """A supplier contributor (not an administrator) of the assessed organisation."""
    return MembershipFactory.create(organisation=supplier_org, roles=[Role.SUPPLIER_CONTRIBUTOR])


@pytest.fixture
def unit(supplier_org):
    admin = MembershipFactory.create(organisation=supplier_org, roles=[Role.ADMIN])
    return registry_services.create_facility(
        actor=admin,
        kind="processing_unit",
        name="Sigma Unit 1",
        country="IN",
        minerals=["mica"],
        operator=supplier_org,
    )


@pytest.fixture
def assign(mica_standard, member_a, supplier_org, unit):
    """``assign()``: organisation A (the assigner) asks the supplier to assess its unit, due
    in 30 days; each call is a new assessment."""

    def assign_one():
        return services.assign_assessment(
            standard=mica_standard,
            supplier=supplier_org,
            facility=unit,
            due_on=timezone.localdate() + timedelta(days=30),
            actor=member_a,
        )

    return assign_one


@pytest.fixture
def assessment(assign):
    """Organisation A (the assigner) asks the supplier to assess its unit."""
    return assign()


@pytest.fixture
def web_supplier(supplier) -> Client:
    return web_client(supplier)


def questions(standard: Standard) -> dict[str, Question]:
    return {q.code: q for q in standard.questions.all()}
