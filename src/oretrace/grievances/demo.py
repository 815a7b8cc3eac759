"""Demo grievances: the Mica Workplace Initiative's channel with three cases in different
states (a new web report, a phoned-in one acknowledged and under investigation, a paper one
closed with an outcome)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.demo import demo_step
from oretrace.core.models import Membership
from oretrace.grievances.choices import Category, Intake, Severity, Urgency
from oretrace.grievances.models import Channel
from oretrace.grievances.services import cases, intake

SLUG = "mica-workplace"


@demo_step("grievances")
def build_grievances(say: Callable[[str], None]) -> None:
    if Channel.objects.filter(slug=SLUG).exists():
        return
    admin = Membership.objects.filter(
        organisation__slug="mica-initiative", user__email="grievance@initiative.example"
    ).first()
    if admin is None or Role.GRIEVANCE_OFFICER not in admin.roles:
        return
    channel = intake.open_channel(
        actor=admin,
        slug=SLUG,
        name="Mica Workplace Initiative",
        welcome="The Initiative's grievance officers read every report. You need not give "
        "your name.",
    )
    today = timezone.localdate()
    intake.file_report(channel, text="गिरिडीह इकाई के छंटाई शेड में पीने का पानी नहीं है।", language="hi")
    heard = intake.record_report(
        channel,
        actor=admin,
        text="Caller said children under 14 carry mica sacks at a collection point near Koderma.",
        intake=Intake.PHONE,
        received_on=today - timedelta(days=20),
    )
    cases.acknowledge(heard.case, actor=admin, text="We received your report and are acting.")
    cases.triage(
        heard.case,
        actor=admin,
        category=Category.CHILD_LABOUR,
        severity=Severity.CRITICAL,
        urgency=Urgency.IMMEDIATE,
    )
    old = intake.record_report(
        channel,
        actor=admin,
        text="Wages for October were paid two weeks late.",
        intake=Intake.PAPER,
        received_on=today - timedelta(days=9),
    )
    cases.close(old.case, actor=admin, outcome="The unit paid the wages and a late fee.")
    say(f"grievances: channel /voice/{SLUG}/ with 3 cases")


# A pulse survey of the initiative at the Giridih unit (services.surveys): open, waiting for
# workers to text its keyword. Two questions, in English and Hindi.
SURVEY = """
Are you paid on time? | hi: क्या आपको समय पर भुगतान मिलता है?
- Yes | hi: हाँ
- No | hi: नहीं
Is drinking water available at work? | hi: क्या काम पर पीने का पानी मिलता है?
- Always | hi: हमेशा
- Sometimes | hi: कभी-कभी
- Never | hi: कभी नहीं
"""


@demo_step("grievance-surveys")
def build_surveys(say: Callable[[str], None]) -> None:
    from oretrace.grievances import queries
    from oretrace.grievances.models import Survey
    from oretrace.grievances.services import surveys

    channel = Channel.objects.filter(slug=SLUG).first()
    if channel is None or Survey.objects.filter(channel=channel).exists():
        return
    officer = Membership.objects.filter(
        organisation__slug="mica-initiative", user__email="grievance@initiative.example"
    ).first()
    if officer is None:
        return
    unit = queries.link_choices(officer)
    facility = next(
        (
            queries.link_target(officer, "facility", value.split(":")[1])
            for _group, choices in unit
            for value, label in choices
            if value.startswith("facility:") and "Giridih" in label
        ),
        None,
    )
    if facility is None:
        return
    surveys.create_survey(
        actor=officer,
        channel=channel,
        facility=facility,
        title="Wages and water at the Giridih unit",
        keyword="PULSE",
        definition=SURVEY,
        language="hi",
    )
    say("grievances: a pulse survey at Giridih Mica Processing — Unit 1 (keyword PULSE)")


# A case heard in person about the Giridih unit, triaged and linked to it (services.links): its
# red flag is shared with Giridih, and its page offers to plan an unannounced audit of the unit
# (services.actions; the initiative's officer is its administrator, who holds the auditor role).
LINKED = "Told in person: the splitting hall of the Giridih unit has had no dust masks for weeks."


@demo_step("grievance-links")
def build_linked_case(say: Callable[[str], None]) -> None:
    from oretrace.grievances import queries
    from oretrace.grievances.services import links
    from oretrace.risk.redflags.services import recompute_flags

    channel = Channel.objects.filter(slug=SLUG).first()
    officer = Membership.objects.filter(
        organisation__slug="mica-initiative", user__email="grievance@initiative.example"
    ).first()
    if channel is None or officer is None or Role.GRIEVANCE_OFFICER not in officer.roles:
        return
    if queries.cases_for(officer).filter(intake=Intake.IN_PERSON).exists():
        return
    unit = next(
        (
            value.split(":")[1]
            for _group, choices in queries.link_choices(officer)
            for value, label in choices
            if value.startswith("facility:") and "Giridih" in label
        ),
        None,
    )
    if unit is None:
        return
    heard = intake.record_report(
        channel,
        actor=officer,
        text=LINKED,
        intake=Intake.IN_PERSON,
        received_on=timezone.localdate() - timedelta(days=4),
    )
    cases.acknowledge(heard.case, actor=officer, text="We heard you and are looking into it.")
    cases.triage(
        heard.case,
        actor=officer,
        category=Category.HEALTH_SAFETY,
        severity=Severity.HIGH,
        urgency=Urgency.URGENT,
    )
    links.link_case(heard.case, actor=officer, target="facility", target_id=unit)
    # its red flag now, not at the next demo run (the link's own recompute is a queued task)
    recompute_flags(officer.organisation)
    say("grievances: a case linked to Giridih Mica Processing — Unit 1")
