"""Demo programme: the Mica Workplace Initiative's community programme in Koderma and Giridih
villages (Jharkhand), linked to Koderma Collectors' collection points and picking area, with
monitoring visits over a year and children's cases in different states (pseudonymous; the
names are made up and sealed like real ones)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.demo import demo_step
from oretrace.core.models import Country, Organisation
from oretrace.programmes.choices import AgeBand, IloArea, Remediation, Source
from oretrace.programmes.models import ChildCase, Programme, Village
from oretrace.programmes.services import cases, monitoring, setup
from oretrace.registry.models import Facility

ACTOR = SystemActor("demo")
NAME = "Child-labour-free mica villages, Koderma and Giridih"
SET = "child-labour-free-village"
# (village, district, latitude, longitude, the facilities' Latin names around it)
VILLAGES = (
    ("Dhorkola", "Koderma", "24.4712", "85.6034", ("Dhorkola Mica Collection Centre",)),
    ("Domchanch", "Koderma", "24.4766", "85.6873", ("Domchanch Mica Collection Centre",)),
    ("Tisri", "Giridih", "24.5923", "86.0711", ("Tisri Mica Picking Area",)),
)
# Each visit's values, a quarter apart, oldest first: enrolment up, children at sites down.
VISITS = (
    {"school_enrolment": "71", "children_at_sites": "14", "alternative_income": "38"},
    {
        "school_enrolment": "78",
        "children_at_sites": "9",
        "alternative_income": "44",
        "health_camp": "52",
    },
    {
        "school_enrolment": "86",
        "children_at_sites": "4",
        "alternative_income": "51",
        "health_camp": "67",
        "social_schemes": "74",
    },
)


def _villages(programme: Programme, india: Country) -> list[Village]:
    _share_collection_points(programme.organisation)
    made = []
    for name, district, lat, lon, near in VILLAGES:
        village = setup.add_village(
            programme,
            actor=ACTOR,
            name=name,
            district=district,
            state="Jharkhand",
            country=india,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
        )
        for facility in Facility.objects.filter(organisation__slug=COLLECTOR, name_latin__in=near):
            setup.link_facility(village, facility, actor=ACTOR)
        made.append(village)
    return made


def _visits(villages: list[Village], today: date) -> None:
    for offset, village in enumerate(villages):
        for step, values in enumerate(VISITS):
            day = today - timedelta(days=270 - 90 * step + 7 * offset)
            monitoring.record_visit(
                village,
                actor=ACTOR,
                visited_on=day,
                values={code: Decimal(v) - offset for code, v in values.items()},
                evidence="School registers checked with the head teacher; site walk at noon.",
            )


def _cases(villages: list[Village], today: date) -> None:
    """Four children: one just identified, one with a case plan, one in follow-up with an
    overdue visit, one closed after two follow-ups out of work."""
    dhorkola, domchanch, tisri = villages

    def child(village: Village, name: str, band: str, ago: int, source: str) -> ChildCase:
        return cases.identify(
            village,
            actor=ACTOR,
            identity={"name": name, "birth_date": "", "location": f"{village.name}, ward 3"},
            age_band=band,
            source=source,
            identified_on=today - timedelta(days=ago),
            consent_by="parent",
            consent_on=today - timedelta(days=ago),
        )

    child(dhorkola, "Demo child Asha", AgeBand.TWELVE_TO_14, 5, Source.MONITORING)
    planned = child(domchanch, "Demo child Bablu", AgeBand.SIX_TO_11, 40, Source.SCHOOL)
    cases.assess(planned, actor=ACTOR, on=today - timedelta(days=35))
    cases.make_plan(planned, actor=ACTOR, on=today - timedelta(days=30))
    late = child(tisri, "Demo child Chhotu", AgeBand.TWELVE_TO_14, 200, Source.GRIEVANCE)
    closed = child(dhorkola, "Demo child Dipa", AgeBand.SIX_TO_11, 400, Source.MONITORING)
    for case, services in (
        (late, (Remediation.BRIDGE_SCHOOL,)),
        (closed, (Remediation.SCHOOL, Remediation.INCOME, Remediation.BIRTH_REGISTRATION)),
    ):
        start = case.identified_on
        cases.assess(case, actor=ACTOR, on=start + timedelta(days=3))
        cases.make_plan(case, actor=ACTOR, on=start + timedelta(days=7))
        for kind in services:
            cases.add_service(
                case,
                actor=ACTOR,
                kind=kind,
                planned_on=start + timedelta(days=7),
                referred_to="District Child Protection Unit"
                if kind == Remediation.BIRTH_REGISTRATION
                else "",
                delivered_on=start + timedelta(days=20),
            )
    cases.record_follow_up(
        late, actor=ACTOR, done_on=late.identified_on + timedelta(days=97), still_working=True
    )
    first = closed.identified_on + timedelta(days=97)
    cases.record_follow_up(closed, actor=ACTOR, done_on=first, still_working=False)
    cases.record_follow_up(
        closed, actor=ACTOR, done_on=first + timedelta(days=90), still_working=False
    )
    cases.close(closed, actor=ACTOR, on=first + timedelta(days=95))


@demo_step("programmes")
def build_programmes(say: Callable[[str], None]) -> None:
    initiative = Organisation.objects.filter(slug="mica-initiative").first()
    india = Country.objects.filter(code="IN").first()
    if initiative is None or india is None or Programme.objects.filter(name=NAME).exists():
        return
    today = timezone.localdate()
    programme = setup.create_programme(
        actor=ACTOR,
        organisation_id=initiative.pk,
        name=NAME,
        starts_on=today - timedelta(days=420),
        ends_on=today + timedelta(days=680),
        partners="Bal Vikas Kendra, Koderma\nJharkhand Health Camps Trust",
        donors="Aurelia Motors Foundation\nRhein Pigmente",
        areas=[IloArea.AREA_BASED, IloArea.EDUCATION, IloArea.DECENT_WORK],
        indicator_set=SET,
    )
    setup.set_target(
        programme,
        actor=ACTOR,
        indicator="school_enrolment",
        baseline=Decimal("70"),
        target=Decimal("95"),
        by=today + timedelta(days=680),
    )
    setup.add_period(
        programme,
        actor=ACTOR,
        label="Year 1",
        starts_on=today - timedelta(days=420),
        ends_on=today - timedelta(days=56),
    )
    setup.add_period(
        programme,
        actor=ACTOR,
        label="Year 2",
        starts_on=today - timedelta(days=55),
        ends_on=today + timedelta(days=310),
    )
    villages = _villages(programme, india)
    _visits(villages, today)
    _cases(villages, today)
    _more_cases(villages, today)
    _share_with_donor(programme)
    _report_and_offer(programme)
    count = ChildCase.objects.filter(programme=programme).count()
    say(f"programmes: {NAME} with {len(villages)} villages and {count} children's cases")


# --- formalisation: Koderma Collectors' licences (programmes.services.licences) ----------------
# A tiny PDF standing in for a scanned licence.
_LICENCE_PDF = b"%PDF-1.4\n% demo licence scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_DMO = "District Mining Office, Koderma"


@demo_step("programme-licences")
def build_licences(say: Callable[[str], None]) -> None:
    """The licence histories of the collection points and picking area around the programme's
    villages: Domchanch licensed, Dhorkola's licence expired 25 days ago (read from its date),
    Tisri's applied for; Koderma Collectors shares them with the initiative running the
    programme, which records one of the changes itself."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oretrace.core.services import grant_access
    from oretrace.programmes.models import LicenceEntry
    from oretrace.programmes.services import licences

    programme = Programme.objects.filter(name=NAME).first()
    done = LicenceEntry.objects.filter(facility__programme_villages__programme=programme)
    if programme is None or done.exists():
        return
    today = timezone.localdate()
    sites = {
        f.name_latin: f
        for f in Facility.objects.filter(programme_villages__programme=programme).distinct()
    }

    def record(
        name: str,
        status: str,
        ago: int,
        *,
        by: int | None = None,
        authority: str = _DMO,
        number: str = "",
        expires_on: date | None = None,
        note: str = "",
        documents: tuple[SimpleUploadedFile, ...] = (),
    ) -> None:
        site = sites.get(name)
        if site is None:
            return
        licences.record_licence(
            site,
            actor=ACTOR,
            status=status,
            effective_on=today - timedelta(days=ago),
            expires_on=expires_on,
            authority=authority if status != "none" else "",
            number=number,
            note=note,
            documents=documents,
            organisation_id=by or site.organisation_id,
        )

    for site in sites.values():
        if site.organisation_id is not None and site.organisation_id != programme.organisation_id:
            grant_access(site, to=programme.organisation, actor=ACTOR, owner=site.organisation)
    scan = SimpleUploadedFile("domchanch-licence.pdf", _LICENCE_PDF, content_type="application/pdf")
    record("Domchanch Mica Collection Centre", "applied", 430)
    record(
        "Domchanch Mica Collection Centre",
        "granted",
        300,
        number="JH/KOD/MC/2025/041",
        expires_on=today + timedelta(days=1160),
        documents=(scan,),
    )
    record("Dhorkola Mica Collection Centre", "applied", 800)
    record(
        "Dhorkola Mica Collection Centre",
        "granted",
        755,
        number="JH/KOD/MC/2024/017",
        expires_on=today - timedelta(days=25),
        note="Renewal applied for late; the licence lapsed meanwhile.",
    )
    record("Tisri Mica Picking Area", "none", 400, by=programme.organisation_id)
    record("Tisri Mica Picking Area", "applied", 90, authority="District Mining Office, Giridih")
    say("programmes: licence histories of 3 collection points (one licence expired)")


# --- training and local staff (programmes.services.training) -----------------------------------
_HANDOUT = b"%PDF-1.4\n% demo handout (Hindi)\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_WORKPLACE = "mica-processing-workplace"  # the demo's workplace standard


@demo_step("programme-trainings")
def build_trainings(say: Callable[[str], None]) -> None:
    """Two sessions of the initiative's programme: one held in Dhorkola on young workers and
    child labour, with its attendance (counts, and the field staff by name) and a handout in
    Hindi; one to come in Domchanch on dust and first aid, offered on Giridih Mica Processing's
    open improvement action and audit finding on those criteria."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oretrace.programmes.models import TrainingSession
    from oretrace.programmes.services import training

    programme = Programme.objects.filter(name=NAME).first()
    if programme is None or TrainingSession.objects.filter(programme=programme).exists():
        return
    today = timezone.localdate()
    villages = {v.name: v for v in programme.villages.all()}
    held = training.create_session(
        actor=ACTOR,
        organisation_id=programme.organisation_id,
        programme=programme,
        title="Young workers and child labour: what the standard asks",
        topic="Minimum age, light work for 15-17 year olds, what to do when a child is found.",
        standard_code=_WORKPLACE,
        criterion_codes=["LAB.1", "LAB.2"],
        areas=[IloArea.AREA_BASED, IloArea.EDUCATION],
        audiences=["supervisor", "worker", "field_staff"],
        language="hi",
        held_on=today - timedelta(days=40),
        village=villages.get("Dhorkola"),
        place="Panchayat hall",
        trainer="Bal Vikas Kendra, Koderma",
    )
    training.record_attendance(
        held,
        actor=ACTOR,
        counts={
            ("worker", "women"): 14,
            ("worker", "men"): 9,
            ("supervisor", "women"): 2,
            ("supervisor", "men"): 3,
        },
        staff=[("Sunita Devi", "women"), ("Ramesh Yadav", "men")],
    )
    training.add_material(
        held,
        upload=SimpleUploadedFile(
            "bal-shram-pustika.pdf", _HANDOUT, content_type="application/pdf"
        ),
        language="hi",
        actor=ACTOR,
    )
    coming = training.create_session(
        actor=ACTOR,
        organisation_id=programme.organisation_id,
        programme=programme,
        title="Mica dust, masks and first aid",
        topic="Wet sorting, dust masks that fit, the first-aid box and who keeps it.",
        standard_code=_WORKPLACE,
        criterion_codes=["OHS.3", "LAB.6"],
        areas=[IloArea.ADVISORY, IloArea.DECENT_WORK],
        audiences=["processor", "supervisor", "worker"],
        language="hi",
        held_on=today + timedelta(days=20),
        village=villages.get("Domchanch"),
        place="Collection centre yard",
        trainer="Jharkhand Health Camps Trust",
    )
    # the poster the trainers bring, already shared with those who asked to join
    training.add_material(
        coming,
        upload=SimpleUploadedFile(
            "dhool-aur-mask.pdf",
            _HANDOUT.replace(b"demo", b"dust"),
            content_type="application/pdf",
        ),
        language="hi",
        actor=ACTOR,
    )
    say("programmes: 2 training sessions (one held with 30 people, one to come)")


# --- seen from the product (the buyer slice) ---------------------------------------------------
COLLECTOR = "koderma-collectors"
DONOR = "rhein-pigmente"


def _share_collection_points(initiative: Organisation) -> None:
    """Koderma Collectors shares its sites with the initiative (a registry grant, made by its
    administrator), so that the initiative links its villages to them, as a member would."""
    from django.contrib.contenttypes.models import ContentType

    from oretrace.core import services as core_services
    from oretrace.core.models import Grant
    from oretrace.registry.demo import admin_of

    collector = admin_of(COLLECTOR)
    if not Grant.objects.filter(
        owner=collector.organisation,
        grantee=initiative,
        content_type=ContentType.objects.get_for_model(Facility),
        object_id__isnull=True,
        revoked_at__isnull=True,
    ).exists():
        core_services.grant_access(
            Facility,
            owner=collector.organisation,
            to=initiative,
            actor=collector,
            note="the initiative's community programme in the villages around our depots",
        )


def _share_with_donor(programme: Programme) -> None:
    """The programme is shared with one of its donors, the pigment maker: it reads the
    programme, its indicators and donor reports, never a child's case."""
    from oretrace.core import services as core_services
    from oretrace.registry.demo import admin_of

    donor = Organisation.objects.filter(slug=DONOR).first()
    if donor is not None:
        core_services.grant_access(
            programme,
            to=donor,
            actor=admin_of(programme.organisation.slug),
            note="donor of the programme",
        )


# Eleven more children, so that the programme's figures reach the threshold buyers see them at
# (``disclosure``): (village index, days ago identified, kinds delivered, out of work at the
# follow-up, or None when not yet followed up). With the four above: 15 identified, 10 with a
# remediation, 5 with more than one type, 10 followed up, 5 out of work at the latest visit.
MORE: tuple[tuple[int, int, tuple[str, ...], bool | None], ...] = (
    (0, 300, (Remediation.SCHOOL, Remediation.INCOME), True),
    (0, 280, (Remediation.SCHOOL, Remediation.HEALTH), True),
    (1, 260, (Remediation.BRIDGE_SCHOOL, Remediation.INCOME), True),
    (2, 250, (Remediation.SCHOOL, Remediation.INCOME), False),
    (0, 240, (Remediation.SCHOOL,), True),
    (1, 230, (Remediation.SCHOOL,), False),
    (2, 220, (Remediation.VOCATIONAL,), False),
    (1, 210, (Remediation.HEALTH,), False),
    (0, 60, (), None),
    (1, 50, (), None),
    (2, 20, (), None),
)
FIRST_NAMES = (
    "Esha",
    "Farhan",
    "Gudiya",
    "Hira",
    "Ishita",
    "Jyoti",
    "Kamal",
    "Lalita",
    "Munna",
    "Nisha",
    "Om",
)


def _more_cases(villages: list[Village], today: date) -> None:
    for (index, ago, kinds, out), first in zip(MORE, FIRST_NAMES, strict=True):
        village = villages[index]
        start = today - timedelta(days=ago)
        case = cases.identify(
            village,
            actor=ACTOR,
            identity={
                "name": f"Demo child {first}",
                "birth_date": "",
                "location": f"{village.name}, ward {index + 4}",
            },
            age_band=AgeBand.TWELVE_TO_14 if ago % 20 else AgeBand.FIFTEEN_TO_17,
            source=Source.MONITORING if index != 1 else Source.SCHOOL,
            identified_on=start,
            consent_by="parent",
            consent_on=start,
        )
        if ago < 30:
            continue
        cases.assess(case, actor=ACTOR, on=start + timedelta(days=3))
        if not kinds:
            continue
        cases.make_plan(case, actor=ACTOR, on=start + timedelta(days=7))
        for kind in kinds:
            cases.add_service(
                case,
                actor=ACTOR,
                kind=kind,
                planned_on=start + timedelta(days=7),
                delivered_on=start + timedelta(days=25),
            )
        if out is not None:
            cases.record_follow_up(
                case, actor=ACTOR, done_on=start + timedelta(days=95), still_working=not out
            )


def _report_and_offer(programme: Programme) -> None:
    """The first year's donor report, issued (its fingerprint in the transparency log), and
    Aurelia Motors' offer to fund the programme, made from its car batch's trace, unanswered."""
    from oretrace.core.models import Membership
    from oretrace.programmes.services import reports, support

    year = programme.periods.order_by("starts_on").first()
    if year is not None:
        reports.issue_report(
            programme,
            actor=ACTOR,
            label=year.label,
            starts_on=year.starts_on,
            ends_on=year.ends_on,
        )
    buyer = Membership.objects.filter(
        organisation__slug="aurelia-motors", user__email="compliance@aurelia.example"
    ).first()
    if buyer is not None:
        support.offer_support(
            programme,
            actor=buyer,
            kind="fund",
            message="We source mica for our paint from these villages and would co-fund "
            "the bridge schools.",
        )
