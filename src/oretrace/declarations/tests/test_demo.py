"""The demo's supplier declarations go through the real pipeline and make a useful roll-up."""

import pytest
from django.utils import timezone

from oretrace.core.demo import build_demo
from oretrace.core.models import Membership
from oretrace.declarations.models import Declaration
from oretrace.declarations.queries.rollup import build_rollup

pytestmark = pytest.mark.django_db


def test_demo_declarations_and_rollup(demo):
    build_demo()  # idempotent
    member = Membership.objects.select_related("organisation", "user").get(
        user__email="compliance@brightline.example"
    )
    declarations = Declaration.objects.filter(organisation=member.organisation)
    assert declarations.count() == 3
    assert sorted(declarations.values_list("status", flat=True)) == [
        "accepted",
        "accepted",
        "received",
    ]
    assert all(d.error_count == 0 for d in declarations)
    sierra = declarations.get(company_name__startswith="Sierra")
    assert sierra.smelter_entries.filter(match="unmatched").count() == 1
    kestrel = declarations.get(company_name__startswith="Kestrel")
    assert {f["code"] for f in kestrel.flags} >= {"covered-sourcing", "smelter-not-identified"}
    years = {d.reporting_year for d in declarations if d.reporting_year is not None}
    rollup = build_rollup(member, "CMRT", max(years))
    if len({d.reporting_year for d in declarations.filter(status="accepted")}) == 1:
        assert len(rollup.smelters) == 5
        assert rollup.conformant_share() == pytest.approx(3 / 5)
        assert rollup.answers[("7", "tungsten")] == "No"  # a row not yet identified
        assert rollup.answers[("7", "tin")] == "Yes"
        assert rollup.answers[("3", "tantalum")] == "Yes"  # Kestrel sources from the DRC region
        assert rollup.answers[("3", "tin")] == "No"
    assert timezone.now().year in years or timezone.now().year - 1 in years


def test_the_demo_rollup_takes_its_response_rate_from_the_campaign(demo):
    member = Membership.objects.select_related("organisation", "user").get(
        user__email="compliance@brightline.example"
    )
    first = Declaration.objects.filter(organisation=member.organisation).first()
    assert first is not None
    year = first.reporting_year
    assert year is not None
    rollup = build_rollup(member, "CMRT", year)
    from oretrace.declarations.queries.campaigns import year_response_rate

    asked = year_response_rate(member, "CMRT", year)
    if asked is None:
        pytest.skip("the demo campaign is for another year than its declarations")
    assert rollup.response_source == "campaigns"
    assert (rollup.responded, rollup.suppliers_total) == (asked.responded, asked.requested)


def test_the_demo_holds_a_finished_rollup_export_to_download(
    client, django_capture_on_commit_callbacks
):
    """The page asks for the user's own blank; the demo writes one from what the code knows,
    and the worker fills it: the download page has a file to give (issue 15's crawler)."""
    from oretrace.core.choices import JobStatus
    from oretrace.core.jobs import execute
    from oretrace.core.models import Job
    from oretrace.declarations.services.rollup import KIND

    with django_capture_on_commit_callbacks(execute=False):
        build_demo()
    job = Job.objects.get(kind=KIND, organisation__slug="brightline")
    execute(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.title_text["msgid"] == "Fill %(file)s with the %(family)s roll-up of %(year)s"
    client.force_login(job.created_by)
    response = client.get(job.result_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    build_demo()  # idempotent: no second export
    assert Job.objects.filter(kind=KIND).count() == 1
