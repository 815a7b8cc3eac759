"""Training and local staff: organising a session, attendance (counts by role and gender, names
only for field staff), materials, the programme's training indicators by hand-computed cases,
sessions offered on improvement actions and audit findings whose criterion they cover, asking
to join and the organiser's answer; every new route refused to another organisation."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from oretrace.assessments.tests.factories import AssessmentFactory, ImprovementActionFactory
from oretrace.audits.tests.factories import FindingFactory
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.core.tests.downloads import csv_rows
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import JoinRequest, TrainingCount, TrainingSession, TrainingStaff
from oretrace.programmes.queries import training as training_queries
from oretrace.programmes.services import setup, training
from oretrace.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STANDARD = "mica-test-workplace"


def _session(actor, held_on, *, programme=None, codes=("LAB.6",), **kw):
    args = {
        "title": "Dust and first aid",
        "held_on": held_on,
        "trainer": "Health Camps Trust",
        "language": "hi",
        "audiences": ["worker", "supervisor"],
        "standard_code": STANDARD,
        "criterion_codes": list(codes),
        "programme": programme,
    }
    return training.create_session(actor=actor, **(args | kw))


# --- organising and attendance ------------------------------------------------------------------
def test_a_session_is_checked_and_logged(member_a, programme, village, today):
    logged = ChangeLogEntry.objects.count()
    session = _session(
        member_a,
        today,
        programme=programme,
        village=village,
        areas=["education"],
        codes=(" LAB.6", "LAB.6", "OHS.3"),
    )
    assert session.criterion_codes == ["LAB.6", "OHS.3"]
    assert ChangeLogEntry.objects.count() == logged + 1
    with pytest.raises(ProgrammeError, match="who the session is for") as refused:
        _session(member_a, today, audiences=[])
    assert refused.value.field == "audiences"
    with pytest.raises(ProgrammeError, match="Unknown trainee group: children"):
        _session(member_a, today, audiences=["children"])
    with pytest.raises(ProgrammeError, match="Unknown ILO area of work: mining"):
        _session(member_a, today, areas=["mining"])
    with pytest.raises(ProgrammeError, match="who gives the training"):
        _session(member_a, today, trainer=" ")


def test_another_organisations_programme_or_village_is_refused(
    member_a, member_b, programme, village, today
):
    with pytest.raises(ProgrammeError, match="another organisation"):
        _session(member_b, today, programme=programme)
    with pytest.raises(ProgrammeError, match="not a village of the programme"):
        _session(member_b, today, village=village)


def test_only_compliance_officers_and_case_workers_organise(org_a, today):
    viewer = MembershipFactory.create(organisation=org_a, roles=[Role.SUPPLIER_CONTRIBUTOR])
    with pytest.raises(PermissionDenied, match="organise training sessions"):
        _session(viewer, today)
    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    assert _session(officer, today).organisation_id == org_a.pk


def test_attendance_counts_workers_and_names_only_staff(member_a, member_b, today):
    session = _session(member_a, today - timedelta(days=1))
    training.record_attendance(
        session,
        actor=member_a,
        counts={("worker", "women"): 12, ("worker", "men"): 0, ("supervisor", "men"): 2},
        staff=[("Sunita Devi", "women")],
    )
    assert {
        (c.role, c.gender, c.people) for c in TrainingCount.objects.filter(session=session)
    } == {
        ("worker", "women", 12),
        ("supervisor", "men", 2),
    }
    assert [s.name for s in TrainingStaff.objects.filter(session=session)] == ["Sunita Devi"]
    # recorded again: replaced, not added
    training.record_attendance(session, actor=member_a, counts={("worker", "men"): 4})
    assert list(session.counts.values_list("people", flat=True)) == [4]
    assert not session.staff.exists()
    with pytest.raises(ProgrammeError, match="Field staff are named, not counted"):
        training.record_attendance(session, actor=member_a, counts={("field_staff", "men"): 1})
    with pytest.raises(ProgrammeError, match="is not a number of people"):
        training.record_attendance(session, actor=member_a, counts={("worker", "men"): -1})
    with pytest.raises(ProgrammeError, match="name and gender"):
        training.record_attendance(session, actor=member_a, counts={}, staff=[("Ramesh", "male")])
    with pytest.raises(PermissionDenied):
        training.record_attendance(session, actor=member_b, counts={("worker", "men"): 1})
    future = _session(member_a, today + timedelta(days=3))
    with pytest.raises(ProgrammeError, match="once the session has taken place"):
        training.record_attendance(future, actor=member_a, counts={("worker", "men"): 1})


# --- indicators by hand -------------------------------------------------------------------------
def test_people_trained_by_role_gender_and_period(member_a, programme, today):
    setup.add_period(
        programme,
        actor=member_a,
        label="Earlier",
        starts_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=31),
    )
    early = _session(member_a, today - timedelta(days=60), programme=programme, areas=["education"])
    late = _session(member_a, today - timedelta(days=5), programme=programme, codes=("OHS.3",))
    elsewhere = _session(member_a, today - timedelta(days=5))  # no programme: not counted
    training.record_attendance(
        early,
        actor=member_a,
        counts={("worker", "women"): 10, ("worker", "men"): 5},
        staff=[("Asha", "women"), ("Vijay", "men")],
    )
    training.record_attendance(late, actor=member_a, counts={("supervisor", "women"): 3})
    training.record_attendance(elsewhere, actor=member_a, counts={("worker", "men"): 50})
    rows = {r.period: r for r in training_queries.trained_rows(programme)}
    all_time, earlier = rows[""], rows["Earlier"]
    assert (all_time.sessions, all_time.total) == (2, 20)
    assert all_time.of("worker") == 15
    assert all_time.of("field_staff") == 2
    assert all_time.of("supervisor") == 3
    assert (all_time.of_gender("women"), all_time.of_gender("men")) == (14, 6)
    assert (earlier.sessions, earlier.total, earlier.of("supervisor")) == (1, 17, 0)
    topics = {
        (t.kind, t.topic): (t.sessions, t.people) for t in training_queries.topic_rows(programme)
    }
    assert topics[("criterion", "LAB.6")] == (1, 17)
    assert topics[("criterion", "OHS.3")] == (1, 3)
    assert topics[("area", "Education and awareness raising")] == (1, 17)


def test_the_training_indicator_page_and_download(member_a, web_a, programme, today):
    session = _session(member_a, today - timedelta(days=2), programme=programme)
    training.record_attendance(session, actor=member_a, counts={("worker", "women"): 7})
    page = web_a.get(f"/programmes/{programme.pk}/training/").content.decode()
    assert "LAB.6" in page
    rows = csv_rows(web_a.get(f"/programmes/{programme.pk}/training/?export=csv"))
    assert rows[0][:3] == ["Period", "Sessions", "People trained"]
    assert rows[1][:3] == ["All time", "1", "7"]


# --- offered as support -------------------------------------------------------------------------
@pytest.fixture
def supplier(db):
    return OrganisationFactory.create(legal_name="Giridih Test Processing")


@pytest.fixture
def supplier_officer(supplier):
    return MembershipFactory.create(organisation=supplier, roles=[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def action(org_a, supplier):
    """An improvement action on LAB.6 of an assessment A assigned to the supplier."""
    assessment = AssessmentFactory.create(
        organisation=org_a, supplier=supplier, standard__code=STANDARD, status="reviewed"
    )
    return ImprovementActionFactory.create(assessment=assessment, criterion__code="LAB.6")


@pytest.fixture
def finding(org_a, supplier, action):
    """A finding on the same criterion, of an audit of the supplier for whose programme A is
    the owner."""
    criterion = action.criterion
    return FindingFactory.create(
        audit__auditee=supplier,
        audit__programme_owner=org_a,
        audit__standard=criterion.section.standard,
        criterion=criterion,
    )


def test_upcoming_sessions_on_the_criterion_are_offered(
    member_a, supplier_officer, action, finding, today
):
    coming = _session(member_a, today + timedelta(days=10))
    _session(member_a, today - timedelta(days=10))  # held: not offered
    _session(member_a, today + timedelta(days=10), codes=("OHS.1",))  # another criterion
    _session(member_a, today + timedelta(days=10), standard_code="another-standard")
    stranger = MembershipFactory.create(roles=[Role.ADMIN])
    _session(stranger, today + timedelta(days=10))  # not an organisation supporting the supplier
    offer = training_queries.offer_for_action(supplier_officer, action)
    assert [s.pk for s in offer.sessions] == [coming.pk]
    assert offer.may_ask
    offer = training_queries.offer_for_finding(supplier_officer, finding)
    assert [s.pk for s in offer.sessions] == [coming.pk]
    # the assigner sees the offer on its supplier's plan, but does not ask
    assert not training_queries.offer_for_action(member_a, action).may_ask


def _offers(member, **linked) -> str:
    template = Template("{% load programmes %}{% training_offers action=action finding=finding %}")
    context = {"member": member, "action": None, "finding": None, "csrf_token": "x"} | linked
    return template.render(Context(context))


def test_the_supplier_asks_to_join_and_the_organiser_answers(
    member_a, web_a, supplier_officer, action, finding, today
):
    coming = _session(member_a, today + timedelta(days=10))
    supplier_web = web_client(supplier_officer)
    # the plan's and the finding's cards show the offer with a form (the assessments' and
    # audits' templates load this tag under each action and finding)
    for linked in ({"action": action}, {"finding": finding}):
        widget = _offers(supplier_officer, **linked)
        assert "Dust and first aid" in widget
        assert f"/programmes/trainings/{coming.pk}/join/" in widget
    assert "Ask to join" not in _offers(member_a, action=action)  # the assigner sees, not asks
    response = supplier_web.post(
        f"/programmes/trainings/{coming.pk}/join/",
        {"people": "3", "message": "Two sorters and a supervisor", "action": str(action.pk)},
    )
    assert response.status_code == 302
    request = JoinRequest.objects.get()
    assert (request.organisation_id, request.people, request.criterion_code) == (
        supplier_officer.organisation_id,
        3,
        "LAB.6",
    )
    assert "1 person asked to join" not in _offers(supplier_officer, action=action)
    assert "3 people asked to join" in _offers(supplier_officer, action=action)
    response = supplier_web.post(
        f"/programmes/trainings/{coming.pk}/join/", {"people": "1", "finding": str(finding.pk)}
    )
    assert response.status_code == 302
    assert JoinRequest.objects.count() == 2
    # the organiser sees both and accepts one; the supplier sees its answer
    page = web_a.get(f"/programmes/trainings/{coming.pk}/").content.decode()
    assert "Giridih Test Processing" in page
    assert "Two sorters and a supervisor" in page
    web_a.post(
        f"/programmes/trainings/{coming.pk}/",
        {"do": "answer", "request": str(request.pk), "status": "accepted"},
    )
    request.refresh_from_db()
    assert request.status == "accepted"
    assert "Accepted" in supplier_web.get(f"/programmes/trainings/{coming.pk}/").content.decode()
    # the supplier cannot answer, nor record attendance
    response = supplier_web.post(
        f"/programmes/trainings/{coming.pk}/",
        {"do": "answer", "request": str(request.pk), "status": "declined"},
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "accepted"


def test_a_session_not_offered_there_cannot_be_joined(member_a, supplier_officer, action, today):
    other = _session(member_a, today + timedelta(days=10), codes=("OHS.1",))
    held = _session(member_a, today - timedelta(days=1))
    supplier_web = web_client(supplier_officer)
    for session in (other, held):
        response = supplier_web.post(
            f"/programmes/trainings/{session.pk}/join/", {"people": "2", "action": str(action.pk)}
        )
        assert response.status_code == 404
    # an action the member cannot see
    outsider = MembershipFactory.create(roles=[Role.COMPLIANCE_OFFICER])
    coming = _session(member_a, today + timedelta(days=10))
    response = web_client(outsider).post(
        f"/programmes/trainings/{coming.pk}/join/", {"people": "2", "action": str(action.pk)}
    )
    assert response.status_code == 404
    viewer = MembershipFactory.create(
        organisation=supplier_officer.organisation, roles=[Role.VIEWER]
    )
    response = web_client(viewer).post(
        f"/programmes/trainings/{coming.pk}/join/", {"people": "2", "action": str(action.pk)}
    )
    assert response.status_code == 403
    assert not JoinRequest.objects.exists()


# --- pages: another organisation ----------------------------------------------------------------
def test_the_organiser_records_attendance_and_materials_on_the_page(member_a, web_a, today):
    session = _session(member_a, today - timedelta(days=1))
    response = web_a.post(
        f"/programmes/trainings/{session.pk}/",
        {
            "do": "attendance",
            "worker_women": "8",
            "supervisor_men": "1",
            "staff": "Asha Kumari, women",
        },
    )
    assert response.status_code == 302
    assert session.counts.count() == 2
    web_a.post(
        f"/programmes/trainings/{session.pk}/",
        {"do": "material", "language": "hi", "file": SimpleUploadedFile("pustika.pdf", PDF)},
    )
    material = session.materials.get()
    assert material.language == "hi"
    assert web_a.get(f"/programmes/trainings/files/{material.pk}/").status_code == 200
    page = web_a.get(f"/programmes/trainings/{session.pk}/").content.decode()
    assert "Asha Kumari" in page
    response = web_a.post(
        f"/programmes/trainings/{session.pk}/", {"do": "attendance", "staff": "Asha Kumari"}
    )
    assert "name and gender" in response.content.decode()


def test_the_sessions_list_organises_one(web_a, member_a, member_b, programme, village, today):
    unit = FacilityFactory.create(organisation=member_a.organisation, kind="processing_unit")
    elsewhere = FacilityFactory.create(organisation=member_b.organisation, kind="processing_unit")
    response = web_a.post(
        "/programmes/trainings/",
        {
            "title": "At another's unit",
            "held_on": today.isoformat(),
            "trainer": "Trust",
            "language": "hi",
            "audiences": ["worker"],
            "facility": str(elsewhere.pk),
        },
    )
    assert "Select a valid choice" in response.content.decode()  # not a place A may name
    response = web_a.post(
        "/programmes/trainings/",
        {
            "title": "Safe lifting",
            "held_on": today.isoformat(),
            "trainer": "Trust",
            "language": "hi",
            "audiences": ["worker"],
            "criterion_codes": "OHS.2, OHS.3",
            "programme": str(programme.pk),
            "village": str(village.pk),
            "facility": str(unit.pk),
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get(title="Safe lifting")
    assert session.facility == unit
    assert (session.programme, session.village, session.criterion_codes) == (
        programme,
        village,
        ["OHS.2", "OHS.3"],
    )
    assert "Safe lifting" in web_a.get("/programmes/trainings/").content.decode()
    rows = csv_rows(web_a.get("/programmes/trainings/?export=csv"))
    assert rows[1][1] == "Safe lifting"


def test_another_organisation_gets_404_on_every_training_route(member_a, web_b, programme, today):
    session = _session(member_a, today - timedelta(days=1), programme=programme)
    material = training.add_material(
        session, upload=SimpleUploadedFile("m.pdf", PDF), language="hi", actor=member_a
    )
    for url in (
        f"/programmes/trainings/{session.pk}/",
        f"/programmes/trainings/files/{material.pk}/",
        f"/programmes/{programme.pk}/training/",
    ):
        assert web_b.get(url).status_code == 404, url
    logged = ChangeLogEntry.objects.count()
    response = web_b.post(
        f"/programmes/trainings/{session.pk}/", {"do": "attendance", "worker_men": "9"}
    )
    assert response.status_code == 404
    response = web_b.post(
        f"/programmes/trainings/{session.pk}/join/", {"people": "1", "action": "1"}
    )
    assert response.status_code == 404
    assert ChangeLogEntry.objects.count() == logged
    assert "Dust and first aid" not in web_b.get("/programmes/trainings/").content.decode()
