"""Findings, flags, minerals, review origins and campaign e-mails in the reader's language.

Findings are stored with their English message and the catalogue template they were made
from; pages translate the template at display time, so one stored row reads in every language,
and a row stored before templates existed still reads (in English).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from oretrace.core.stored_text import StoredText
from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.findings import finding_text, with_text
from oretrace.declarations.queries import RowState, registry_issues
from oretrace.declarations.rmi.checks import _issue
from oretrace.declarations.rmi.maps import DECLARATION, SMELTER_LIST
from oretrace.declarations.rmi.model import Issue, gettext_noop
from oretrace.declarations.services import imports, rows
from oretrace.declarations.services import mail as campaign_mail
from oretrace.registry.origins import MATCH_PAGE, declaration_row, origin_text

pytestmark = pytest.mark.django_db


def _stored(
    issue: Issue, severity: str = "warning"
) -> dict[str, Any]:  # a stored finding, as JSON reads back
    return {"severity": severity, **rows._issue(issue)}


def test_a_checker_finding_is_english_when_stored_and_french_when_shown():
    # given: a finding about a mineral, as the checker makes it
    issue = _issue(
        "missing-answer",
        gettext_noop("question %(question)s is required for %(mineral)s"),
        DECLARATION,
        "D12",
        question="2",
        mineral="tin",
    )
    stored = _stored(issue, "error")
    # then: the stored message is English, with the template's own name of the mineral
    assert stored["message"] == "question 2 is required for Tin"
    assert stored["params"] == {"question": "2", "mineral": "tin"}
    # when / then: shown in French and Hindi, the template and the mineral are translated
    with translation.override("fr"):
        assert finding_text(stored) == "la question 2 est obligatoire pour Étain"
    with translation.override("hi"):
        assert finding_text(stored) == "टिन के लिए प्रश्न 2 आवश्यक है"
    with translation.override("en"):
        assert finding_text(stored) == "question 2 is required for Tin"


def test_a_template_label_and_a_percent_sign_translate():
    required = _stored(
        _issue(
            "missing-field",
            gettext_noop("%(field)s is required"),
            DECLARATION,
            "D8",
            field="Contact Name",
        )
    )
    recycled = _stored(
        _issue(
            "recycled-inconsistent",
            gettext_noop(
                "%(mineral)s is declared 100%% recycled or scrap (question %(question)s) but row "
                "%(row)s's smelter is not fed only by recycled material"
            ),
            SMELTER_LIST,
            "P7",
            mineral="gold",
            question="5",
            row="7",
        )
    )
    assert recycled["message"].startswith("Gold is declared 100% recycled")
    with translation.override("fr"):
        assert finding_text(required) == "Nom du contact (Contact Name) est obligatoire"
        assert finding_text(recycled).startswith("Or est déclaré 100 % recyclé")


def test_an_old_finding_without_template_shows_its_stored_message():
    old = {"severity": "flag", "code": "date-old", "message": "the effective date is old"}
    with translation.override("fr"):
        assert finding_text(old) == "the effective date is old"
        assert with_text([old])[0]["text"] == "the effective date is old"


def test_a_translation_that_does_not_fit_its_parameters_falls_back_to_english():
    broken = {
        "message": "row 3: smelter not yet identified",
        "template": "row %(row)s: smelter not yet identified",
        "params": {},  # the parameter is missing
    }
    with translation.override("fr"):
        assert finding_text(broken) == "row 3: smelter not yet identified"


def test_registry_flag_shows_a_translated_assurance_status():
    # registry flags are derived when read (queries.registry_issues), in the reader's language
    row = RowState(
        row=5, name="Rio Claro Tantalum Refinery", facility_id=7, review_open=False, best_score=None
    )
    with translation.override("en"):
        (flag,) = registry_issues([row], {7: "Active"})
    assert flag["message"] == "row 5: Rio Claro Tantalum Refinery is “Active”, not conformant"
    with translation.override("fr"):
        (flag,) = registry_issues([row], {7: "Active"})
    assert "Actif (audit en cours)" in flag["message"]
    assert "non conforme" in flag["message"]
    assert finding_text(flag) == flag["message"]  # no template: shown as derived


def test_import_summary_counts_in_words(member_a):
    class Parsed:
        family, version, smelters = "CMRT", "6.5", [object()]

    class Declared:
        supplier = "Alpha Metals"

    counts = {"error": 1, "warning": 0, "flag": 2}
    # made by the worker, whatever its language; stored as templates and values
    with translation.override("hi"):
        summary = imports._summary(Parsed(), Declared(), counts)  # type: ignore[arg-type]
    assert summary.english() == (
        "CMRT 6.5 from Alpha Metals: 1 smelter row, 1 checker error, 0 warnings, 2 red flags"
    )
    stored = summary.as_json()
    # and read in the reader's language
    with translation.override("fr"):
        shown = StoredText.render(stored)
    assert "1 ligne de fonderie, 1 erreur du vérificateur, 0 avertissement" in shown
    assert "Alpha Metals" in shown


def test_review_origins_translate_and_free_text_stays():
    origin = declaration_row(12, "Alpha_CMRT.xlsx", 40)
    assert origin == "declaration #12 (Alpha_CMRT.xlsx), Smelter List row 40"
    with translation.override("fr"):
        assert origin_text(origin) == "déclaration n° 12 (Alpha_CMRT.xlsx), Smelter List ligne 40"
        assert origin_text(MATCH_PAGE) == "rapproché sur la page de rapprochement"
        assert origin_text("our ERP export, line 7") == "our ERP export, line 7"


def test_campaign_mail_is_written_in_the_suppliers_language(
    member_a, mailoutbox, django_capture_on_commit_callbacks
):
    # given: a French-speaking and an English-speaking supplier
    french = services.create_supplier(
        actor=member_a, name="Alpha Métaux", email="alpha@example.com", language="fr"
    )
    english = services.create_supplier(actor=member_a, name="Beta Solder", email="b@example.com")
    # when: the campaign is opened by a member reading Hindi
    with translation.override("hi"), django_capture_on_commit_callbacks(execute=True):
        services.create_campaign(
            actor=member_a,
            name="CMRT 2026",
            family="CMRT",
            reporting_year=2026,
            due_date=date(2026, 12, 31),
            message="",
            suppliers=[french, english],
        )
    # then: each e-mail is in its recipient's language
    bodies = {mail.to[0]: mail.body for mail in mailoutbox}
    assert "Madame, Monsieur (Alpha Métaux)," in bodies["alpha@example.com"]
    assert "Dear Beta Solder," in bodies["b@example.com"]
    assert "Dear" not in bodies["alpha@example.com"]
    assert campaign_mail.KINDS == ("request", "reminder", "correction")


def test_an_unknown_supplier_language_is_refused(member_a):
    with pytest.raises(DeclarationError, match="'xx' is not a language of this site"):
        services.create_supplier(actor=member_a, name="Gamma", language="xx")
