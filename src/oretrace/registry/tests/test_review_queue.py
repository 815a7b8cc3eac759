"""The review queue: pages, counts, filters, confirming in bulk, a new facility that keeps the
declared ID, and re-matching after a decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oretrace.core.choices import JobStatus
from oretrace.core.models import Job, Mineral
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.matching import MatchResult, Scored
from oretrace.registry.models import Facility, FacilityIdentifier, MatchReview
from oretrace.registry.queries import bulk_candidates
from oretrace.registry.services import reviews
from oretrace.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db
URL = "/facilities/reviews/"


def _smelter(name: str, metal: str = "tin", country: str = "CN"):
    facility: Facility = FacilityFactory.create(
        organisation=None, kind="smelter", name=name, country_id=country
    )
    facility.minerals.set(Mineral.objects.filter(code=metal))
    return facility


def _queue(member, name: str, candidates: list[tuple[int, float, bool]], **query):
    result = MatchResult(
        name, "review", tuple(Scored(fid, score, name, other) for fid, score, other in candidates)
    )
    return reviews.queue_review(
        member, reviews.NameQuery(name=name, **{"metal": "tin", **query}), result
    )


@pytest.fixture
def crowded(member_a):
    """30 open names of organisation A: 12 clear at 96, 3 tied at 97, 15 at 75 (cobalt)."""
    one, two = _smelter("Alpha Tin"), _smelter("Beta Tin")
    cobalt = _smelter("Gamma Cobalt", metal="cobalt")
    for n in range(12):
        _queue(member_a, f"Alpha Tin {n}", [(one.pk, 96.0, False), (two.pk, 70.0, False)])
    for n in range(3):
        _queue(member_a, f"Tied Tin {n}", [(one.pk, 97.0, False), (two.pk, 97.0, False)])
    for n in range(15):
        _queue(member_a, f"Gamma {n}", [(cobalt.pk, 75.0, False)], metal="cobalt")
    return {"one": one, "two": two, "cobalt": cobalt}


def test_the_queue_pages_and_counts(web_a, crowded):
    page = web_a.get(URL).content.decode()
    assert "30 names wait for review." in page
    assert page.count('class="review"') == 25
    assert "Page 1 of 2" in page
    second = web_a.get(URL + "?page=2").content.decode()
    assert second.count('class="review"') == 5
    # best score first
    assert page.index("Tied Tin") < page.index("Alpha Tin") < page.index("Gamma")


def test_filters_are_choices_and_narrow_the_queue(web_a, member_a, crowded):
    page = web_a.get(URL).content.decode()
    assert '<select id="f-metal" name="metal">' in page
    assert '<option value="cobalt">' in page
    cobalt = web_a.get(URL + "?metal=cobalt").content.decode()
    assert "15 of 30 open names match the filters." in cobalt
    assert "Alpha Tin" not in cobalt
    high = web_a.get(URL + "?score=90").content.decode()
    assert "15 of 30 open names match the filters." in high
    # age: none waited a week; make five old
    assert "0 of 30" in web_a.get(URL + "?age=7").content.decode()
    old = MatchReview.objects.filter(query__startswith="Gamma")[:5]
    MatchReview.objects.filter(pk__in=[r.pk for r in old]).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    assert "5 of 30" in web_a.get(URL + "?age=7").content.decode()
    # an unknown value is ignored, not an error
    assert web_a.get(URL + "?score=abc&age=-1&metal=x&supplier=y").status_code == 200


def test_bulk_confirmation_asks_with_the_count_then_confirms(web_a, member_a, crowded):
    # when: asked to confirm everything scoring 95 or more
    first = web_a.post(reverse("registry:review_bulk"), {"min_score": "95"})
    # then: it shows how many (ties and other scores left out) and changes nothing yet
    text = first.content.decode()
    assert "12 names score at least 95" in text
    assert "Confirm 12 names" in text
    assert MatchReview.objects.filter(status="open").count() == 30
    # when: confirmed with the count seen
    done = web_a.post(
        reverse("registry:review_bulk"), {"min_score": "95", "step": "confirm", "expected": "12"}
    )
    assert done.status_code == 302
    confirmed = MatchReview.objects.filter(status="confirmed")
    assert confirmed.count() == 12
    assert {r.facility_id for r in confirmed} == {crowded["one"].pk}
    assert MatchReview.objects.filter(status="open", query__startswith="Tied").count() == 3


def test_bulk_confirmation_asks_again_when_the_queue_changed(web_a, member_a, crowded):
    again = web_a.post(
        reverse("registry:review_bulk"), {"min_score": "95", "step": "confirm", "expected": "11"}
    )
    assert "The queue changed" in again.content.decode()
    assert not MatchReview.objects.filter(status="confirmed").exists()


def test_bulk_confirmation_stays_within_the_filter_and_the_organisation(
    web_a, web_b, member_a, crowded
):
    cobalt = {"min_score": "70", "metal": "cobalt", "step": "confirm", "expected": "15"}
    web_a.post(reverse("registry:review_bulk"), cobalt)
    assert set(MatchReview.objects.filter(status="confirmed").values_list("metal", flat=True)) == {
        "cobalt"
    }
    # another organisation's member finds nothing of A's to confirm
    other = web_b.post(
        reverse("registry:review_bulk"), {"min_score": "70", "step": "confirm", "expected": "0"}
    )
    assert "No name in the queue" in other.content.decode()
    assert MatchReview.objects.filter(status="open").count() == 15


def test_more_names_than_a_second_s_work_are_confirmed_by_a_job(
    web_a, member_a, django_capture_on_commit_callbacks
):
    """Over ``BULK_AT_ONCE`` names, the confirmation runs as a job with progress: the reviewer
    lands on its page, and every name is confirmed as it would be one by one."""
    from django.utils import translation

    from oretrace.core.job_texts import job_title, message_text, result_rows
    from oretrace.core.models import ChangeLogEntry

    one = _smelter("Omega Tin")
    many = reviews.BULK_AT_ONCE + 5
    for n in range(many):
        _queue(member_a, f"Omega Tin {n}", [(one.pk, 96.0, False)])
    with django_capture_on_commit_callbacks(execute=True):
        answer = web_a.post(
            reverse("registry:review_bulk"),
            {"min_score": "95", "step": "confirm", "expected": str(many)},
        )
    job = Job.objects.get(kind=reviews.BULK_CONFIRM_JOB)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("web:jobs_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"confirmed": many, "skipped": 0}
    assert MatchReview.objects.filter(status="confirmed", facility=one).count() == many
    confirmed = MatchReview.objects.filter(status="confirmed").values_list("pk", flat=True)
    logged = ChangeLogEntry.objects.filter(object_id__in=[str(pk) for pk in confirmed])
    assert logged.values("object_id").distinct().count() == many
    with translation.override("fr"):
        assert job_title(job) == f"Confirmer {many} noms en bloc"
        assert message_text(job.messages[-1]) == f"{many} noms sur {many} traités"
        assert ("noms confirmés", many, False) in result_rows(job)


def test_a_bulk_job_leaves_alone_a_name_decided_meanwhile(member_a, member_b):
    one = _smelter("Sigma Tin")
    queued = [_queue(member_a, f"Sigma Tin {n}", [(one.pk, 96.0, False)]) for n in range(3)]
    reviews.reject_review(queued[0], actor=member_a)
    counts = reviews.run_bulk_confirmation([r.pk for r in queued], min_score=95, actor=member_a)
    assert counts == {"confirmed": 2, "skipped": 1}
    assert MatchReview.objects.get(pk=queued[0].pk).status == "rejected"
    # another organisation's member confirms nothing of A's, whatever ids it names
    other = [_queue(member_a, f"Tau Tin {n}", [(one.pk, 96.0, False)]) for n in range(2)]
    counts = reviews.run_bulk_confirmation([r.pk for r in other], min_score=95, actor=member_b)
    assert counts == {"confirmed": 0, "skipped": 2}
    assert MatchReview.objects.filter(pk__in=[r.pk for r in other], status="open").count() == 2


def test_bulk_never_confirms_a_candidate_of_another_metal(member_a):
    tin = _smelter("Delta Refinery", metal="tin")
    review = _queue(member_a, "Delta Refinery", [(tin.pk, 98.0, True)], metal="cobalt")
    assert bulk_candidates(MatchReview.objects.all(), 70) == []
    with pytest.raises(RegistryError, match="no candidate of its metal"):
        reviews.confirm_in_bulk([review], min_score=70, actor=member_a)


def test_another_organisations_review_is_not_shown(web_b, member_a, crowded):
    review = MatchReview.objects.first()
    assert review is not None
    page = web_b.get(URL + f"?review={review.pk}").content.decode()
    assert review.query not in page


def test_a_new_facility_keeps_the_declared_smelter_id(member_a):
    cid = _queue(member_a, "Omega Smelting", [], identifier="CID990001", country="PE")
    own = _queue(member_a, "Sigma Smelting", [], identifier="SUP-77", country="PE")
    for review in (cid, own):
        reviews.create_from_review(review, actor=member_a, kind="smelter", country="PE")
    assert FacilityIdentifier.objects.get(value="CID990001").scheme == "rmi_cid"
    assert FacilityIdentifier.objects.get(value="SUP-77").scheme == "other"
    cid.refresh_from_db()
    assert cid.facility.identifiers.get().value == "CID990001"


def test_a_declared_id_held_by_another_facility_is_named(member_a):
    holder = _smelter("Held Smelter")
    FacilityIdentifier.objects.create(facility=holder, scheme="rmi_cid", value="CID990002")
    review = _queue(member_a, "Another Name", [], identifier="CID990002", country="PE")
    with pytest.raises(RegistryError, match="already identifies Held Smelter"):
        reviews.create_from_review(review, actor=member_a, kind="smelter", country="PE")
    review.refresh_from_db()
    assert review.status == "open"


def test_confirming_a_name_settles_the_same_name_elsewhere_in_the_queue(
    member_a, django_capture_on_commit_callbacks
):
    target = _smelter("Kappa Metals Refinery")
    first = _queue(member_a, "KMR Tin Works", [(target.pk, 80.0, False)], country="CN")
    second = _queue(member_a, "KMR Tin Works", [(target.pk, 70.0, False)], country="")
    with django_capture_on_commit_callbacks(execute=True):
        reviews.confirm_review(first, facility=target, actor=member_a)
    second.refresh_from_db()
    assert (second.status, second.facility_id) == ("matched", target.pk)
    job = Job.objects.get(kind=reviews.REMATCH_JOB, organisation=member_a.organisation)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["matched"] == 1
