"""A grievance linked to Giridih Mica Processing raises a red flag there, while Giridih's own
users see no trace of the case through any page, export or API (issue 20, "Done means").

The demo's Mica Workplace Initiative receives a report about the Giridih unit, triages it and
links it to the unit. Giridih then sees the flag (its category and severity) and nothing else:
every web page and every API read of the platform, asked by a Giridih member holding every
role (list pages also as CSV exports), is searched for the case's number, its receipt, its
text and its address (the flag's own change log included; it names the link only by a
random token).

From the same case the initiative (whose administrator, its officer, holds the auditor role)
plans an unannounced audit of the unit and, linked to it, adds a finding in its fieldwork
(issue 20 §5): the sweep reaches that audit's and that finding's pages as Giridih, the audited
organisation, and finds no trace of the case there either, nor the report's date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.models import Membership, Organisation
from oretrace.core.tests.factories import MembershipFactory, UserFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.grievances.models import CaseLink, Channel
from oretrace.grievances.services import actions, cases, intake, links
from oretrace.registry.models import Facility
from oretrace.risk.models import RedFlag
from oretrace.risk.redflags.services import recompute_flags
from route_world import api_operations, fill, fill_api, web_patterns

pytestmark = pytest.mark.django_db

TEXT = "Sorting shed 3 at the Giridih unit locks its fire exit at night; zqxvj-7731."
UNIT = "Giridih Mica Processing — Unit 1"
# the day the report arrived: a day nothing else of the demo falls on
REPORTED = date(2024, 2, 29)
OWN_WORDS = "The emergency exit of a sorting shed was found locked during working hours."


@pytest.fixture
def linked(world):
    """The initiative's case about the Giridih unit, triaged, linked, its flags recomputed."""
    officer = Membership.objects.get(
        organisation__slug="mica-initiative", user__email="grievance@initiative.example"
    )
    channel = Channel.objects.get(organisation=officer.organisation)
    filed = intake.record_report(
        channel, actor=officer, text=TEXT, intake="phone", received_on=REPORTED
    )
    cases.triage(
        filed.case, actor=officer, category="health_safety", severity="critical", urgency="urgent"
    )
    cases.reply(filed.case, actor=officer, text="We are looking into the fire exit.")
    unit = Facility.objects.get(name=UNIT)
    link = links.link_case(filed.case, actor=officer, target="facility", target_id=unit.pk)
    recompute_flags(officer.organisation)
    return filed, link, unit


@pytest.fixture
def opened(linked):
    """From the linked case: an unannounced audit of the unit, then a finding on it."""
    from oretrace.assessments.models import Criterion
    from oretrace.audits.models import ProgrammeVersion
    from oretrace.audits.services import audits

    filed, link, _unit = linked
    officer = link.linked_by
    start = timezone.localdate() + timedelta(days=3)
    audit = actions.request_audit(
        filed.case,
        actor=officer,
        link_id=link.pk,
        programme=ProgrammeVersion.objects.get(code="mica-processor-workplace"),
        scope="Emergency exits and night shifts of every shed.",
        planned_start=start,
        planned_end=start + timedelta(days=1),
    )
    audits.start_fieldwork(audit, actor=officer)
    to_audit = links.link_case(filed.case, actor=officer, target="audit", target_id=audit.pk)
    finding = actions.open_finding(
        filed.case,
        actor=officer,
        link_id=to_audit.pk,
        criterion_id=Criterion.objects.filter(section__standard=audit.standard).first().pk,
        grade="major",
        description=OWN_WORDS,
    )
    return audit, finding


def _giridih_member() -> Membership:
    """A Giridih member holding every role, the grievance officer's included."""
    return MembershipFactory.create(
        organisation=Organisation.objects.get(slug="giridih-mica"),
        user=UserFactory.create(email="everything@giridih.example"),
        roles=list(Role.values),
    )


def _traces(filed, link) -> list[re.Pattern[str]]:
    case = filed.case
    digits = filed.receipt
    return [
        re.compile(rf"(?<![\w-])G-{case.pk}(?!\d)"),
        re.compile(rf"/grievances/{case.pk}/"),
        re.compile(re.escape(digits)),
        re.compile(re.escape(filed.grouped_receipt)),
        re.compile(re.escape("zqxvj-7731")),
        re.compile(re.escape("fire exit")),
        re.compile(REPORTED.isoformat()),
        re.compile(r"29\.? Feb|Feb\.? 29|29/0?2/2024|2024/0?2/29"),
    ]


def _found(body: bytes, traces: list[re.Pattern[str]], asked: str = "") -> list[str]:
    """The traces in ``body``; the address that was asked for does not count (a 404 page may
    repeat it, and Giridih typed it)."""
    text = body.decode("utf-8", "replace")
    if asked:
        text = text.replace(asked, "")
    return [t.pattern for t in traces if t.search(text)]


def test_the_link_raises_a_flag_at_giridih_that_giridih_sees(linked):
    filed, link, unit = linked
    # the flag of this link (the demo links a case of its own to the unit too)
    [flag] = RedFlag.objects.filter(
        rule="grievance-linked", closed_at=None, key__endswith=f"#{link.token}"
    )
    assert flag.organisation.slug == "mica-initiative"
    assert flag.facility == unit
    assert flag.severity == "high"
    client = Client()
    client.force_login(_giridih_member().user)
    page = client.get(f"/risk/flags/{flag.pk}/").content.decode()
    assert "Grievance linked to this part of the supply chain" in page
    assert "Grievance about Labour: occupational health and safety, of critical severity." in (page)
    assert str(flag.pk) in client.get(f"/facilities/{unit.pk}/").content.decode()
    # the case itself does not exist for Giridih, not even for its own grievance officer
    assert client.get(f"/grievances/{filed.case.pk}/").status_code == 404


def test_giridih_sees_no_trace_of_the_case_on_any_page_export_or_api(world, linked, opened):
    filed, link, unit = linked
    audit, finding = opened
    traces = _traces(filed, link)
    flag = RedFlag.objects.get(
        rule="grievance-linked", closed_at=None, key__endswith=f"#{link.token}"
    )
    member = _giridih_member()
    ids = {
        **world.web_ids,
        "facility_id": str(unit.pk),
        "flag_id": str(flag.pk),
        "case_id": str(filed.case.pk),
        "organisation_id": str(member.organisation_id),
        "org_id": str(member.organisation_id),
        "membership_id": str(member.pk),
        # the change log of the flag itself (its snapshot holds its key, the link's token)
        "app_label": "risk",
        "model_name": "redflag",
        "object_id": str(flag.pk),
        # the audit and the finding opened from the case
        "audit_id": str(audit.pk),
        "criterion_id": str(finding.criterion_id),
        "finding_id": str(finding.pk),
    }
    web = Client(raise_request_exception=False)
    web.force_login(member.user)
    leaks: list[str] = []
    asked = 0
    for route in web_patterns():
        if route.name.startswith(("voice:", "grievances:sms")) or "logout" in route.name:
            continue
        try:
            url = fill(route.route, ids)
        except KeyError:
            continue
        for suffix in ("", "?export=csv"):
            response = web.get(url + suffix)
            asked += 1
            body = b"".join(response.streaming_content) if response.streaming else response.content
            leaks += [f"{url}{suffix}: {t}" for t in _found(body, traces, url)]
    from oretrace.core import services

    _token, secret = services.issue_token(member, name="sweep", actor=member)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)
    api_ids = {**world.ids, **{k: v for k, v in ids.items() if k in world.ids}}
    for method, path in api_operations():
        if method != "GET":
            continue
        try:
            url = fill_api(path, api_ids)
        except KeyError:
            continue
        response = api.get(url)
        asked += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        leaks += [f"API {url}: {t}" for t in _found(body, traces, url)]
    assert asked > 200  # the sweep reached the platform, not a handful of pages
    # it read the audit and the finding opened from the case, as the audited organisation
    detail = web.get(f"/audits/{audit.pk}/")
    assert detail.status_code == 200
    assert OWN_WORDS in detail.content.decode()
    assert _found(detail.content, traces) == []
    # it reached the flag's own change log too, whose snapshot names the link only by its
    # random token (which nothing outside the initiative's grievance officers can resolve)
    changes = web.get(f"/changes/risk/redflag/{flag.pk}/").content.decode()
    assert link.token in changes
    assert leaks == []
    # and the sweep would have seen a trace: the initiative's officer finds the case's number
    officer = web_client(link.linked_by)
    assert _found(officer.get(f"/grievances/{filed.case.pk}/").content, traces)
    assert CaseLink.objects.filter(pk=link.pk).exists()
