"""Every job kind reads in the reader's language: its title, its progress lines and the labels
of its result are stored as catalogue templates (``core.stored_text``), never as English alone.

Each kind that stored English before (the reference-list import and the re-matching it starts,
the reload of the reference catalogues, the ledger's tamper audit) is run here for real, and
its job page is read in French.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from oretrace.core.choices import JobStatus, Role
from oretrace.core.job_texts import job_title, message_text, result_rows
from oretrace.core.jobs import job_kinds, start_job
from oretrace.core.models import Job
from oretrace.core.stored_text import StoredText
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.registry.services.reference_lists import start_reference_import
from oretrace.registry.services.reviews import REMATCH_JOB, schedule_rematch
from oretrace.registry.tests.factories import MatchReviewFactory

pytestmark = pytest.mark.django_db

# A facility list as the RMI exports it (two smelters), small enough to import in a test.
FACILITY_LIST = (
    b"Metal,New Smelter ID,Smelter Name,Location,Status\n"
    b"Tin,CID001105,Malaysia Smelting Corporation (MSC),Malaysia,Compliant\n"
    b"Gold,CID000035,Allgemeine Gold-und Silberscheideanstalt A.G.,Germany,Compliant\n"
)


def _french(job: Job) -> tuple[str, list[str], list[tuple[str, object, bool]]]:
    job.refresh_from_db()
    with translation.override("fr"):
        return job_title(job), [message_text(m) for m in job.messages], result_rows(job)


def test_every_job_kind_has_a_french_title():
    kinds = {k: spec for k, spec in job_kinds().items() if not k.startswith("test.")}
    assert {"registry.import_reference", REMATCH_JOB, "reference.reload", "ledger.audit"} <= set(
        kinds
    )
    with translation.override("fr"):
        untranslated = [k for k, spec in kinds.items() if str(spec.title) == spec.english_title]
    assert untranslated == []


def test_a_reference_import_and_its_rematch_read_in_french(
    member_a, django_capture_on_commit_callbacks
):
    MatchReviewFactory.create(organisation=member_a.organisation, query="Malaysia Smelting")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_reference_import(FACILITY_LIST, "rmi-facilities.csv", actor=member_a)
    assert job.title == "Import reference list rmi-facilities.csv"  # logs, CLI and API
    title, messages, rows = _french(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert title == "Importer la liste de référence rmi-facilities.csv"
    assert messages[0].startswith("2 lignes lues dans la feuille")
    assert "sites dans le fichier : 2" in messages[-1]
    assert "nouveaux sites : 2" in messages[-1]
    assert ("nouveaux sites", 2, False) in rows
    rematch = Job.objects.get(kind=REMATCH_JOB)
    assert rematch.title == "Re-match open names after reference list rmi-facilities.csv"
    title, messages, rows = _french(rematch)
    assert title == (
        "Rapprocher à nouveau les noms en attente après la liste de référence rmi-facilities.csv"
    )
    assert messages[0] == "1 nom en attente à rapprocher à nouveau"
    assert messages[1].startswith("1 nom sur 1 rapproché à nouveau")
    assert ("toujours en attente", 0, False) in rows or ("toujours en attente", 1, False) in rows
    # The job page, as a French reader gets it.
    client = web_client(member_a)
    page = client.get(f"/jobs/{rematch.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rapprocher à nouveau les noms en attente" in page
    assert "Re-match" not in page


def test_a_confirmed_review_names_itself_in_the_rematch_title(member_a):
    review = MatchReviewFactory.create(organisation=member_a.organisation)
    job = schedule_rematch(
        member_a.organisation_id,
        reason=StoredText.of("review #%(review)s confirmed", review=review.pk),
    )
    assert job is not None
    assert job.params == {"reason": f"review #{review.pk} confirmed"}
    with translation.override("fr"):
        assert job_title(job) == (
            f"Rapprocher à nouveau les noms en attente après la revue n° {review.pk} confirmée"
        )


def _run_in_french(kind: str, actor, capture) -> tuple[str, list[str], list[str]]:
    """Start a job of ``kind`` as ``actor``, let it finish, and read it in French: its title,
    progress lines and the labels of its result."""
    with capture(execute=True):
        job = start_job(kind, actor=actor)
    title, messages, rows = _french(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return title, messages, [label for label, _value, _code in rows]


def test_a_reload_of_the_catalogues_reads_in_french(member_a, django_capture_on_commit_callbacks):
    title, messages, labels = _run_in_french(
        "reference.reload", member_a, django_capture_on_commit_callbacks
    )
    assert title == "Recharger les catalogues de référence"
    assert messages[0] == "Chargement des pays ISO 3166-1"
    assert messages[1].endswith("pays ; chargement des subdivisions ISO 3166-2")
    assert messages[-1].endswith("minerais et métaux")
    assert labels == ["pays", "subdivisions", "minerais et métaux"]


def test_a_tamper_audit_reads_in_french(org_a, django_capture_on_commit_callbacks):
    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    title, messages, labels = _run_in_french(
        "ledger.audit", officer, django_capture_on_commit_callbacks
    )
    assert title == "Audit d'intégrité du registre de transparence"
    assert messages[0] == "Recalcul de chaque feuille et de l'arbre"
    assert "Vérification des points de contrôle" in messages
    assert any(m.endswith(" vérifié") for m in messages)
    assert labels == ["feuilles recalculées", "enregistrements vérifiés", "problèmes trouvés"]
