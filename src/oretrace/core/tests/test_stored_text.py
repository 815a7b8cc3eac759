"""Texts stored as a template and its values, shown in the reader's language: jobs' titles,
progress lines and result codes, whatever language the worker ran in."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from oretrace.core.job_texts import job_title, message_text, result_rows
from oretrace.core.jobs import JobContext, job_handler, start_job
from oretrace.core.models import Job
from oretrace.core.stored_text import StoredText

# Msgids of the catalogues (the import pipeline's), so that fr/hi translations exist.
FILES = ("Import %(count)s declaration file", "Import %(count)s declaration files")


@job_handler(
    "test.stored_text",
    title=gettext_lazy("Import supplier declarations"),
    result_labels={"imported": gettext_lazy("imported")},
)
def _stored(ctx: JobContext) -> dict[str, Any]:
    with translation.override("hi"):  # the worker's language does not matter
        ctx.progress(50, StoredText.of("reading %(file)s", file="a.xlsx"))
        ctx.info("plain English, as older jobs wrote")
    return {"data": {"imported": 2, "made_up_code": 1}}


def test_a_text_is_stored_as_its_template_and_shown_in_each_language() -> None:
    text = StoredText.of(*FILES, count=3)
    assert text.english() == "Import 3 declaration files"
    stored = text.as_json()
    assert stored == {"msgid": FILES[0], "plural": FILES[1], "values": {"count": 3}}
    with translation.override("fr"):
        assert StoredText.render(stored) == "Importer 3 fichiers de déclaration"
    with translation.override("hi"):
        assert StoredText.render(stored) == "3 घोषणा फ़ाइलें आयात करें"
    with translation.override("sw"):
        assert StoredText.render(stored) == "Ingiza mafaili 3 ya tamko"
    with translation.override("fr"):  # the plural follows the count, by the language's rule
        assert StoredText.render(StoredText.of(*FILES, count=1).as_json()).startswith(
            "Importer 1 fichier "
        )


def test_parts_and_nested_texts_translate_each_on_its_own() -> None:
    line = StoredText.joined(
        StoredText.of("%(count)s imported", "%(count)s imported", count=3),
        StoredText.of("%(count)s already imported", "%(count)s already imported", count=0),
        StoredText.of("%(count)s refused", "%(count)s refused", count=1),
    )
    assert line.english() == "3 imported, 0 already imported, 1 refused"
    with translation.override("fr"):
        assert StoredText.render(line.as_json()) == "3 importés, 0 déjà importé, 1 refusé"
    nested = StoredText.of("reading %(file)s", file=StoredText.of("A. Company"))
    with translation.override("fr"):
        assert str(nested) == "lecture de A. Entreprise"


def test_a_row_without_a_template_shows_its_stored_text() -> None:
    assert StoredText.render({}, fallback="Import 3 declaration file(s)") == (
        "Import 3 declaration file(s)"
    )
    assert StoredText.render({"text": "old"}, fallback="old") == "old"
    # values that do not fit the template: the stored English rather than a 500
    broken = {"msgid": "reading %(file)s", "values": {}}
    assert StoredText.render(broken, fallback="reading a.xlsx") == "reading a.xlsx"
    with pytest.raises(ValueError, match="count"):
        StoredText.of(*FILES)


@pytest.mark.django_db
def test_a_job_keeps_templates_and_codes_and_pages_show_them_translated(
    member_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test.stored_text", actor=member_a, title=StoredText.of(*FILES, count=2))
    job.refresh_from_db()
    # English where logs, the CLI and the API read it
    assert job.title == "Import 2 declaration files"
    assert [m["text"] for m in job.messages] == [
        "reading a.xlsx",
        "plain English, as older jobs wrote",
    ]
    assert job.result == {"imported": 2, "made_up_code": 1}
    with translation.override("fr"):
        assert job_title(job) == "Importer 2 fichiers de déclaration"
        assert [message_text(m) for m in job.messages] == [
            "lecture de a.xlsx",
            "plain English, as older jobs wrote",
        ]
        # a code the kind names is labelled; another is shown as a code
        assert result_rows(job) == [("importé", 2, False), ("made_up_code", 1, True)]
        html = Template(
            "{% load oretrace %}{% for label, value, is_code in job|job_result %}"
            '{% if is_code %}<code translate="no">{{ label }}</code>{% else %}{{ label }}'
            "{% endif %}={{ value }};{% endfor %}"
        ).render(Context({"job": job}))
    assert html == 'importé=2;<code translate="no">made_up_code</code>=1;'


@pytest.mark.django_db
def test_a_job_of_before_shows_its_stored_title(member_a) -> None:
    job = Job.objects.create(
        organisation=member_a.organisation, kind="declarations.import", title="Import 3 file(s)"
    )
    with translation.override("fr"):
        assert job_title(job) == "Import 3 file(s)"
    job.title = "Import supplier declarations"  # the kind's own title, stored in English
    with translation.override("fr"):
        assert job_title(job) == "Importer des déclarations de fournisseurs"
