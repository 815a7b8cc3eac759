"""Every route of the platform, and one world of objects to call them on.

Shared by the role matrix (``test_roles.py``) and the route fuzzer (``test_route_fuzz.py``):

- ``api_operations()`` lists every operation of the ninja API from its OpenAPI document;
- ``web_patterns()`` lists every URL pattern of the web site from Django's URL resolver
  (the API and Django's own admin site excepted: the admin is Django's, staff only);
- ``World`` is the demo (its organisations along the mica and 3TG chains, with declarations,
  campaigns, assessments, custody and ledger leaves), built once per test module (the ``world``
  fixture of ``tests/conftest.py``; rolled back after the module), with a member for
  every role in the organisations that own the objects, and the ids a route's URL needs;
- ``fingerprint()`` counts the rows of every table in one query: a refused write leaves it
  unchanged; ``isolated()`` runs one request in a savepoint that is rolled back afterwards, so
  every request starts from the same world.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.models import Membership, Organisation

WRITE_METHODS = ("post", "put", "patch", "delete")
ROLES = tuple(Role.values)
# Tables a request may change without writing anything of the platform's: the session of the
# logged-in test client, and the throttling records of login attempts.
UNTRACKED = re.compile(r"^(django_session|axes_.*)$")


# --- routes -------------------------------------------------------------------------------------


@functools.cache
def api_operations() -> tuple[tuple[str, str], ...]:
    """(METHOD, path) of every API operation, e.g. ("POST", "/api/v1/facilities").

    Found once per test process: the OpenAPI document takes ~0.2-0.7 s to build, and six
    modules ask for it (the API's routes do not change while the tests run)."""
    from oretrace.api.api import api

    schema = api.get_openapi_schema()
    return tuple(
        sorted(
            (method.upper(), path)
            for path, operations in schema["paths"].items()
            for method in operations
            if method in ("get", *WRITE_METHODS)
        )
    )


@dataclass(frozen=True)
class WebRoute:
    name: str  # "registry:facility"
    route: str  # "facilities/<int:facility_id>/"
    params: tuple[str, ...]  # keyword arguments the pattern captures
    defaults: tuple[tuple[str, Any], ...] = ()


def web_patterns() -> list[WebRoute]:
    """Every named URL pattern of the site but the API's and Django's admin site's."""
    found: list[WebRoute] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for p in patterns:
            text = prefix + str(p.pattern)
            if text.startswith(("api/", "admin/")):
                continue
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, text, ns)
            elif isinstance(p, URLPattern):
                regex = p.pattern.regex
                found.append(
                    WebRoute(
                        name=f"{namespace}{p.name}" if p.name else text,
                        route=text,
                        params=tuple(regex.groupindex),
                        defaults=tuple(sorted((p.default_args or {}).items())),
                    )
                )

    walk(get_resolver().url_patterns, "", "")
    return sorted(found, key=lambda r: r.name)


def fill(route: str, values: dict[str, str]) -> str:
    """The URL of ``route`` with each captured parameter replaced by ``values[name]``."""

    def one(match: re.Match) -> str:
        return values[match.group("name")]

    text = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", one, route)
    text = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", one, text)
    return "/" + text.lstrip("^").rstrip("$")


def fill_api(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: values[m.group(1)], path)


# --- the database ---------------------------------------------------------------------------


def _tables() -> list[str]:
    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and not UNTRACKED.match(m._meta.db_table)
        }
        & set(connection.introspection.table_names())
    )


def fingerprint() -> tuple[int, ...]:
    """The number of rows of every table, in one query."""
    quote = connection.ops.quote_name
    # Table names come from the models, not from input.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in _tables())  # noqa: S608
    sql = f"SELECT {counts}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


@contextmanager
def isolated() -> Iterator[None]:
    """Run a block in a savepoint that is always rolled back."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# --- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    """The demo plus one member per role in the organisations that own objects, and ids."""

    ids: dict[str, str] = field(default_factory=dict)
    web_ids: dict[str, str] = field(default_factory=dict)
    _members: dict[tuple[str, str], Membership] = field(default_factory=dict)
    _api: dict[int, Client] = field(default_factory=dict)
    _web: dict[int, Client] = field(default_factory=dict)

    def member(self, org: str, role: str) -> Membership:
        """A member of organisation ``org`` (a demo slug) holding only ``role``."""
        key = (org, role)
        if key not in self._members:
            from oretrace.core.tests.factories import MembershipFactory, UserFactory

            email = f"{role}.{org}@matrix.example"
            made = Membership.objects.filter(user__email=email, organisation__slug=org).first()
            self._members[key] = made or MembershipFactory(
                organisation=Organisation.objects.get(slug=org),
                user=UserFactory(email=email),
                roles=[role],
            )
        return self._members[key]

    def forget(self) -> None:
        """Drop the members and clients made by the last test (its rows are rolled back)."""
        self._members.clear()
        self._api.clear()
        self._web.clear()

    def api(self, member: Membership) -> Client:
        if member.pk not in self._api:
            from oretrace.core import services

            _token, secret = services.issue_token(member, name="matrix", actor=member)
            self._api[member.pk] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return self._api[member.pk]

    def web(self, member: Membership) -> Client:
        if member.pk not in self._web:
            client = Client()
            client.force_login(member.user)
            self._web[member.pk] = client
        return self._web[member.pk]


def _audit_ids() -> dict[str, Any]:
    """The demo audit's ids: the audit, a criterion of its checklist, a corrective action, a
    support request and an evidence file of a finding and of an action."""
    from oretrace.audits.models import ActionEvidence, Audit, FindingEvidence

    audit = Audit.objects.order_by("pk").first()
    assert audit is not None
    finding = audit.findings.order_by("pk").first()
    assert finding is not None
    action = (
        finding.actions.order_by("pk").first()
        or audit.findings.exclude(actions=None).first().actions.first()
    )
    support = audit.findings.exclude(support_requests=None).first().support_requests.first()
    return {
        "audit_id": audit.pk,
        "criterion_id": finding.criterion_id,
        "finding_id": finding.pk,
        "corrective_id": action.pk,
        "audit_request_id": support.pk,
        "finding_file_id": FindingEvidence.objects.order_by("pk").first().pk,
        "action_file_id": ActionEvidence.objects.order_by("pk").first().pk,
    }


def build_world() -> World:
    """The demo and the ids of one object of each kind, named after the URL parameters."""
    from oretrace.assessments.models import (
        Assessment,
        Evidence,
        ImprovementAction,
        ProgressUpdate,
        Standard,
        SupportRequest,
        TrainingModule,
    )
    from oretrace.assessments.services import authoring
    from oretrace.core.demo import build_demo
    from oretrace.core.models import Job, Notification
    from oretrace.declarations.models import Campaign, Declaration, Supplier
    from oretrace.ledger.models import Leaf
    from oretrace.registry.models import Facility, MatchReview
    from oretrace.risk.models import Edition, RedFlag, RiskEntry, RiskPlan, Score
    from oretrace.traceability.models import EpcisCapture, EpcisEvent, Lot

    build_demo()
    world = World()
    brightline = Organisation.objects.get(slug="brightline")
    admin = next(
        (m for m in Membership.objects.filter(organisation=brightline) if Role.ADMIN in m.roles),
        None,
    ) or world.member("brightline", Role.ADMIN)
    facilities = Facility.objects.filter(organisation=brightline, merged_into=None).order_by("pk")
    campaign = Campaign.objects.get(organisation=brightline)
    submitted = Assessment.objects.filter(status="submitted").first()
    assessment = submitted or Assessment.objects.first()
    assert assessment is not None
    initiative = world.member("mica-initiative", Role.ADMIN)
    draft = authoring.start_draft(
        actor=initiative, version="9.9", base=Standard.objects.order_by("pk").first()
    )
    leaf = Leaf.objects.order_by("pk").first()
    assert leaf is not None
    job = Job.objects.create(
        organisation=brightline, created_by=admin.user, kind="reference.reload"
    )
    notification = Notification.objects.create(
        organisation=brightline, recipient=admin.user, kind="onboarding", message="Welcome."
    )
    ids: dict[str, Any] = {
        "org_id": brightline.pk,
        "membership_id": admin.pk,
        "job_id": job.pk,
        "notification_id": notification.pk,
        "facility_id": facilities[0].pk,
        "duplicate_id": facilities[1].pk,
        "review_id": MatchReview.objects.get(organisation=brightline).pk,
        "declaration_id": Declaration.objects.filter(organisation=brightline).first().pk,
        "supplier_id": Supplier.objects.filter(organisation=brightline).first().pk,
        "campaign_id": campaign.pk,
        "request_id": campaign.requests.first().pk,
        "assessment_id": assessment.pk,
        "question_id": assessment.answers.first().question_id,
        "question_code": assessment.answers.first().question.code,
        "evidence_id": Evidence.objects.first().pk,
        "action_id": ImprovementAction.objects.first().pk,
        "support_id": SupportRequest.objects.first().pk,
        "update_id": ProgressUpdate.objects.first().pk,
        "module_id": TrainingModule.objects.first().pk,
        "standard_id": Standard.objects.order_by("pk").first().pk,
        "standard_code": Standard.objects.order_by("pk").first().code,
        "criterion_code": Standard.objects.order_by("pk").first().questions.first().criterion.code,
        "draft_id": draft.pk,
        "event_id": EpcisEvent.objects.first().pk,
        "capture_id": EpcisCapture.objects.first().pk,
        "scheme": "rmi_cid",
        "value": "CID000001",
        "lot_id": Lot.objects.first().pk,
        "batch_id": 1,
        "token_id": 1,
        "record_type": leaf.record_type,
        "record_id": leaf.record_id,
        "app_label": "core",
        "model_name": "organisation",
        "object_id": brightline.pk,
        "code": "IN",
        "token": "x",
        "uidb64": "MQ",
        "path": "0/000",
        "organisation_id": brightline.pk,
        "invitation_id": 1,
        "secret": "x",
        "edition_id": Edition.objects.order_by("pk").first().pk,
        "score_id": Score.objects.filter(organisation=brightline).first().pk,
        "flag_id": RedFlag.objects.filter(organisation=brightline).order_by("pk").first().pk,
        # the demo's risk of Brightline with no plan yet, and its plan in force
        "entry_id": RiskEntry.objects.filter(organisation=brightline, plan__isnull=True).first().pk,
        "plan_id": RiskPlan.objects.filter(organisation=brightline).first().pk,
        # the demo's audit of Giridih Mica Processing by Thirdline Assurance
        **_audit_ids(),
    }
    from oretrace.grievances.models import Case as GrievanceCase

    # the demo's grievance channel of the Mica Workplace Initiative and one of its cases
    grievance = GrievanceCase.objects.filter(organisation__slug="mica-initiative").first()
    assert grievance is not None
    ids["case_id"] = grievance.pk
    ids["channel"] = grievance.channel.slug
    ids["channel_id"] = grievance.channel_id
    from oretrace.programmes.models import ChildCase

    # the demo's community programme of the Mica Workplace Initiative: a village and the case
    # of a child just identified (the role matrix assesses it)
    child = ChildCase.objects.filter(organisation__slug="mica-initiative", status="identified")
    child_case = child.select_related("village").first()
    assert child_case is not None
    ids["programme_id"] = child_case.programme_id
    ids["village_id"] = child_case.village_id
    ids["child_case_id"] = child_case.pk
    from oretrace.grievances.tests.factories import SurveyFactory

    # a pulse survey of the initiative on its demo channel
    ids["survey_id"] = SurveyFactory.create(channel=grievance.channel).pk
    from oretrace.programmes.models import LicenceDocument

    # the demo's licence of a Koderma Collectors collection point, with its scanned document
    licence_document = LicenceDocument.objects.select_related("entry").order_by("pk").first()
    assert licence_document is not None
    ids["site_id"] = licence_document.entry.facility_id
    ids["licence_document_id"] = licence_document.pk
    from oretrace.programmes.models import TrainingMaterial, TrainingSession

    # the demo's training session to come (offered on Giridih's improvement action on LAB.6),
    # and the material of the one held
    coming = TrainingSession.objects.filter(held_on__gt=timezone.localdate()).order_by("pk")
    ids["training_id"] = coming.first().pk
    ids["training_material_id"] = TrainingMaterial.objects.order_by("pk").first().pk
    from oretrace.programmes.models import DonorReport, SupportOffer

    # the demo's donor report of the programme, and Aurelia Motors' offer to fund it
    ids["report_id"] = DonorReport.objects.order_by("pk").first().pk
    ids["offer_id"] = SupportOffer.objects.order_by("pk").first().pk
    world.ids = {k: str(v) for k, v in ids.items()}
    # On the web, ``request_id`` names a support request (assessments:support).
    world.web_ids = {**world.ids, "request_id": world.ids["support_id"]}
    return world


Check = Callable[[World, Membership], Any]
