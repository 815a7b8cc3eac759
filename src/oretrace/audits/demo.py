"""Demo audit: Thirdline Assurance audits Giridih Mica Processing's unit against the mica
processors' workplace programme. Two major findings (wages, dust masks) with photos; a
corrective action plan made with support from the Mica Workplace Initiative, sent back once
(round 2), then verified: conformant for a year, with the next audit's date.

Written through the services, as the three organisations' demo members; idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from importlib import resources

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oretrace.assessments.models import Criterion
from oretrace.audits.models import Audit, Finding
from oretrace.audits.services import actions, audits, closure, findings, programmes
from oretrace.core import services as core_services
from oretrace.core.demo import ACTOR, demo_step
from oretrace.core.models import Membership, Organisation
from oretrace.core.tenancy import owned_by
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility

# A small JPEG drawn for the demo (96 x 72 px): the demo's photos, read when the demo runs.
DEMO_PHOTO = "static/audits/demo-photo.jpg"
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PROGRAMME = "mica-processor-workplace"

# (criterion, grade, what the auditor saw)
FINDINGS = (
    (
        "LAB.3",
        "major",
        "Sorters paid by the piece earn below the state minimum wage in the low season; wages "
        "are paid in cash without payslips.",
    ),
    (
        "OHS.3",
        "major",
        "No dust masks in the splitting hall on the day of the visit; the store had none left.",
    ),
    ("OHS.4", "good-practice", "A trained first-aider on every shift, with a stocked kit."),
    ("OHS.1", "observation", "The women's toilet has no running water on the first floor."),
)


def _member(slug: str, email: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        organisation__slug=slug, user__email=email
    )


def _photo(name: str) -> SimpleUploadedFile:
    data = resources.files("oretrace.audits").joinpath(DEMO_PHOTO).read_bytes()
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _fieldwork(audit: Audit, auditor: Membership) -> dict[str, Finding]:
    audits.start_fieldwork(audit, actor=auditor)
    recorded = {}
    for code, grade, text in FINDINGS:
        criterion = Criterion.objects.get(section__standard=audit.standard, code=code)
        recorded[code] = findings.record_finding(
            audit, criterion, grade=grade, description=text, actor=auditor
        )
    for code in ("LAB.3", "OHS.3"):
        findings.add_finding_evidence(
            recorded[code], upload=_photo(f"{code.lower()}-site.jpg"), actor=auditor
        )
    return recorded


def _plan(
    audit: Audit, found: dict[str, Finding], processor: Membership, initiative: Membership
) -> None:
    wages, masks = (
        Finding.objects.get(pk=found["LAB.3"].pk),
        Finding.objects.get(pk=found["OHS.3"].pk),
    )
    report = audit.report_on or timezone.localdate()
    pay = actions.add_action(
        wages,
        actor=processor,
        what="Pay sorters at least the minimum wage for every hour, by bank transfer.",
        root_cause="Piece rates were not checked against the minimum wage in the low season.",
        owner_name="Unit manager",
        due_on=report + timedelta(days=45),
    )
    actions.add_action_evidence(pay, upload=_pdf("wage-register.pdf"), actor=processor)
    request = actions.request_support(
        masks,
        kind="training",
        message="A session on mica dust and masks for the splitting hall, in Hindi.",
        actor=processor,
    )
    actions.answer_support(
        request, status="accepted", response="Our trainer comes on the 12th.", actor=initiative
    )
    gear = actions.add_action(
        masks,
        actor=processor,
        what="Keep a month of dust masks in store and check them at each shift.",
        owner_name="Shift supervisor",
        due_on=report + timedelta(days=30),
    )
    actions.add_action_evidence(gear, upload=_photo("masks-store.jpg"), actor=processor)
    actions.update_action(gear, status="done", actor=processor)
    actions.submit_plan(audit, actor=processor)


@demo_step("audits: Thirdline Assurance audits Giridih Mica Processing")
def build_audit(say: Callable[[str], None]) -> None:
    programmes.install_shipped(ACTOR)
    processor_org = Organisation.objects.get(slug="giridih-mica")
    unit = owned_by(Facility.objects.all(), processor_org.pk).get(kind=FacilityKind.PROCESSING_UNIT)
    if unit.audits.exists():
        say("the demo audit is already there")
        return
    auditor = _member("thirdline-audit", "auditor@thirdline.example")
    processor = _member("giridih-mica", "supplier@giridih.example")
    initiative = _member("mica-initiative", "grievance@initiative.example")
    # The processor shares its unit with the audit body (the auditors see its page).
    core_services.grant_access(
        unit, to=auditor.organisation, actor=processor, note="audit by Thirdline Assurance"
    )
    today = timezone.localdate()
    start = today - timedelta(days=120)
    audit = audits.plan_audit(
        actor=auditor,
        organisation=auditor.organisation,
        programme=programmes.shipped_version(PROGRAMME),
        audit_type="initial",
        auditee=processor_org,
        facility=unit,
        scope="Processing unit 1: sorting, splitting and the store; all shifts.",
        planned_start=start,
        planned_end=start + timedelta(days=1),
        programme_owner=initiative.organisation,
    )
    found = _fieldwork(audit, auditor)
    audits.issue_report(audit, actor=auditor, report_on=start + timedelta(days=7))
    _plan(audit, found, processor, initiative)
    actions.send_back(
        audit,
        actor=auditor,
        note="Show a month of payslips for the sorters, not only the wage register.",
    )
    wages = Finding.objects.get(pk=found["LAB.3"].pk)
    payslips = actions.add_action(
        wages,
        actor=processor,
        what="Give every sorter a payslip each month.",
        owner_name="Accountant",
        due_on=_day(audit, 60),
    )
    actions.add_action_evidence(payslips, upload=_pdf("payslips-month-1.pdf"), actor=processor)
    actions.update_action(payslips, status="done", actor=processor)
    actions.submit_plan(audit, actor=processor)
    closure.close_audit(
        audit, actor=auditor, decided_on=today - timedelta(days=20), note="Verified on site."
    )
    audit.refresh_from_db()
    say(
        f"audit A-{audit.pk} of {unit}: {audit.outcome}, valid until {audit.valid_until}, "
        f"next audit due {audit.next_audit_due}"
    )


def _day(audit: Audit, days: int) -> date:
    return (audit.report_on or timezone.localdate()) + timedelta(days=days)


@demo_step("audits: a follow-up with an overdue action, and an audit in its fieldwork")
def build_running_audits(say: Callable[[str], None]) -> None:
    """Two running audits of the same unit: a follow-up whose plan has a corrective action
    past its due date (on the dashboards of the three parties, in their notifications, and a
    red flag once the flags are recomputed), and a surveillance visit in its fieldwork."""
    processor_org = Organisation.objects.get(slug="giridih-mica")
    unit = owned_by(Facility.objects.all(), processor_org.pk).get(kind=FacilityKind.PROCESSING_UNIT)
    if unit.audits.count() > 1:
        return
    auditor = _member("thirdline-audit", "auditor@thirdline.example")
    processor = _member("giridih-mica", "supplier@giridih.example")
    initiative = _member("mica-initiative", "grievance@initiative.example")
    today = timezone.localdate()
    version = programmes.shipped_version(PROGRAMME)

    def plan(audit_type: str, scope: str, start: date, end: date) -> Audit:
        return audits.plan_audit(
            actor=auditor,
            organisation=auditor.organisation,
            programme=version,
            audit_type=audit_type,
            auditee=processor_org,
            facility=unit,
            scope=scope,
            planned_start=start,
            planned_end=end,
            programme_owner=initiative.organisation,
        )

    follow_up = plan(
        "follow-up",
        "The canteen and the toilets after the observation of the initial audit.",
        today - timedelta(days=40),
        today - timedelta(days=40),
    )
    audits.start_fieldwork(follow_up, actor=auditor)
    canteen = findings.record_finding(
        follow_up,
        Criterion.objects.get(section__standard=follow_up.standard, code="OHS.5"),
        grade="minor",
        description="No drinking water in the canteen on the afternoon shift.",
        actor=auditor,
    )
    findings.add_finding_evidence(canteen, upload=_photo("canteen-tap.jpg"), actor=auditor)
    audits.issue_report(follow_up, actor=auditor, report_on=today - timedelta(days=35))
    tank = actions.add_action(
        Finding.objects.get(pk=canteen.pk),
        actor=processor,
        what="Install a filtered water tank in the canteen.",
        owner_name="Unit manager",
        due_on=today - timedelta(days=5),
    )
    # the tank is ordered, not yet installed: the action stays open, and overdue
    actions.add_action_evidence(tank, upload=_pdf("water-tank-order.pdf"), actor=processor)
    visit = plan(
        "surveillance",
        "Sorting hall: hours and wages, a year after the initial audit.",
        today,
        today + timedelta(days=1),
    )
    audits.start_fieldwork(visit, actor=auditor)
    findings.record_finding(
        visit,
        Criterion.objects.get(section__standard=visit.standard, code="LAB.2"),
        grade="observation",
        description="Overtime is recorded by hand; the register has gaps in the peak season.",
        actor=auditor,
    )
    say(f"a follow-up (A-{follow_up.pk}) with an overdue action; A-{visit.pk} in its fieldwork")
