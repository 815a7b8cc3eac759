"""Codes of standards and data shown as a translated label with the code beside it (marked as
code), and texts that keep the language they are written in (issue 15)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from oretrace.assessments.texts import localise, text_language
from oretrace.ledger.records import fact_rows
from oretrace.registry.choices import source_label
from oretrace.traceability.records import EVENT_RECORD


def _render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_an_epcis_event_s_facts_name_the_standard_s_codes_in_the_reader_s_language() -> None:
    document = {
        "type": EVENT_RECORD,
        "id": "7",
        "facts": {
            "hash_id": "ni:///sha-256;abc",
            "type": "TransformationEvent",
            "biz_step": "urn:epcglobal:cbv:bizstep:commissioning",
            "event_time": "2026-01-01T00:00:00Z",
        },
    }
    with translation.override("fr"):
        rows = fact_rows(document)
    assert rows == [
        ("hash_id", "ni:///sha-256;abc", ""),
        ("type", "TransformationEvent", "Événement de transformation"),
        ("biz_step", "urn:epcglobal:cbv:bizstep:commissioning", "produit ou collecté"),
        ("event_time", "2026-01-01T00:00:00Z", ""),
    ]
    # a type no app registered, or no facts: nothing to name
    assert fact_rows({"type": "x.y", "facts": {"a": 1}}) == [("a", 1, "")]
    assert fact_rows({}) == []


def test_the_outcome_page_marks_fact_keys_and_codes_as_not_to_be_translated() -> None:
    outcome = {
        "verified": True,
        "size": 3,
        "index": 2,
        "origin": "example.org/log",
        "document": {"type": EVENT_RECORD, "facts": {"type": "TransformationEvent"}},
        "witnesses": [],
    }
    with translation.override("hi"):
        html = _render("{% include 'ledger/_outcome.html' %}", outcome=outcome)
    assert '<dt><code translate="no">type</code></dt>' in html
    assert 'रूपांतरण घटना <code translate="no">TransformationEvent</code>' in html


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("active", "en service"),
        ("in_transit", "en transit"),
        ("urn:epcglobal:cbv:disp:active", "en service"),
    ],
)
def test_a_disposition_shows_its_label_and_its_code(code: str, label: str) -> None:
    with translation.override("fr"):
        html = _render("{% load custody %}{{ d|disposition_label }}|{{ d|step_label }}", d=code)
    assert html == f"{label}|"


def test_an_unknown_disposition_has_no_label_and_the_page_shows_its_code_only() -> None:
    assert _render("{% load custody %}{{ d|disposition_label }}", d="sold_out") == ""


def test_a_source_oretrace_wrote_is_shown_translated_and_a_document_s_name_as_written() -> None:
    with translation.override("fr"):
        assert source_label("demo") == "données de démonstration"
        assert source_label("entered on the facility page") != "entered on the facility page"
        assert source_label("RMI Smelter Reference List 2026-03") == (
            "RMI Smelter Reference List 2026-03"
        )


def test_a_draft_shows_answer_types_and_severities_as_labels() -> None:
    with translation.override("fr"):
        html = _render(
            "{% load assessments %}{{ t|answer_type_label }}|{{ s|severity_label }}|"
            "{{ u|answer_type_label }}",
            t="evidence",
            s="high",
            u="made_up",
        )
    assert html == "Fichier justificatif|Élevée|made_up"


def test_a_standard_s_text_says_which_language_it_is_shown_in() -> None:
    texts = {"en": "Record every purchase", "fr": "Noter chaque achat"}
    assert (localise(texts, "fr"), text_language(texts, "fr")) == ("Noter chaque achat", "fr")
    # no Swahili: English, marked as English
    assert (localise(texts, "sw"), text_language(texts, "sw")) == ("Record every purchase", "en")
    assert text_language({"hi": "x"}, "fr") == "hi"
    assert text_language(None, "fr") == "fr"


@pytest.mark.parametrize(
    "answer",
    [
        "A. Company",
        "B. Product (or List of Products)",
        "Yes, in conformance with IPC1755 (e.g., CMRT)",
        "Yes, with the SEC and the EU",
        "Other [specify below]",
    ],
)
def test_the_templates_fixed_long_answers_are_translated(answer: str) -> None:
    for language in ("fr", "hi", "sw"):
        with translation.override(language):
            shown = _render("{% load oretrace %}{{ a|answer }}", a=answer)
        assert shown, (language, answer)
        assert shown != answer, (language, answer)
    assert _render("{% load oretrace %}{{ a|answer }}", a="our own words") == "our own words"
