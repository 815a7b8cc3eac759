"""Writing standards in the editor: a draft version copied from the latest one (or started
afresh), edited part by part, then published as an immutable ``Standard``.

A draft is kept as the text of its YAML file. Every edit reads it, changes the data, checks the
whole standard by the rules of the file format (``stdfile.validate``) and writes it back, all or
nothing; so a draft is always a valid file and publishing it is importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q

from oretrace.assessments import queries, services, stdfile
from oretrace.assessments.exceptions import StandardFileError
from oretrace.assessments.models import Standard, StandardDraft
from oretrace.core.actors import actor_user
from oretrace.core.changelog import log_change, snapshot, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition
from oretrace.core.models import Membership, Organisation

Data = dict[str, Any]

Change = Callable[[Data], None]
"""One edit of a standard's data, applied in place by ``edit``."""


def spec_of(draft: StandardDraft) -> stdfile.StandardSpec:
    return stdfile.read(draft.source)


def data_of(draft: StandardDraft) -> Data:
    """The draft as plain data (every field, defaults included), for editing."""
    return spec_of(draft).model_dump(mode="python")


def _new_source(data: Data) -> str:
    return stdfile.dump(stdfile.validate(data))


def latest_version(standard: Standard, member: Membership) -> Standard:
    """The most recent version of ``standard``'s code the member sees, from the same owner."""
    same_owner = Q(organisation_id=standard.organisation_id)
    if standard.organisation_id is None:
        same_owner = Q(organisation__isnull=True)
    return (
        queries.standards_for(member)
        .filter(same_owner, code=standard.code)
        .order_by("-created_at", "-id")
        .first()
    ) or standard


@transaction.atomic
def start_draft(
    *,
    actor: Membership,
    version: str,
    base: Standard | None = None,
    data: Data | None = None,
) -> StandardDraft:
    """A new draft owned by the actor's organisation: a copy of ``base`` under a new version,
    or the standard given as ``data`` (a new one)."""
    organisation: Organisation = actor.organisation
    services.require_author(actor, organisation)
    if base is not None:
        data = queries.standard_spec(base).model_dump(mode="python")
    if data is None:
        raise StandardFileError("a draft needs a standard to copy or the new standard's texts")
    data = {**data, "oretrace_standard": stdfile.FORMAT_VERSION, "version": version.strip()}
    source = _new_source(data)
    code = data["code"]
    _require_free_version(organisation, code, data["version"])
    draft = StandardDraft.objects.create(
        organisation=organisation,
        created_by=actor_user(actor),
        code=code,
        base=base,
        source=source,
    )
    log_change(draft, action=ChangeAction.CREATE, actor=actor)
    return draft


def _require_free_version(organisation: Organisation, code: str, version: str) -> None:
    if Standard.objects.filter(organisation=organisation, code=code, version=version).exists():
        raise StandardFileError(
            f"{code} version {version} is already published; give the draft a new version",
            field="version",
        )


@transaction.atomic
def edit(draft: StandardDraft, change: Callable[[Data], None], *, actor: Membership) -> Data:
    """Apply ``change`` to the draft's data, check the whole standard and save it."""
    given, draft = draft, StandardDraft.objects.select_for_update().get(pk=draft.pk)
    services.require_author(actor, draft.organisation)
    if draft.published_id is not None:
        raise InvalidTransition(f"{draft.code} was published as {draft.published}; start a draft")
    before = snapshot(draft)
    data = data_of(draft)
    change(data)
    draft.source = _new_source(data)
    draft.save(update_fields=["source", "updated_at"])
    log_change(draft, action=ChangeAction.UPDATE, actor=actor, before=before)
    given.source, given.updated_at = draft.source, draft.updated_at
    return data


@transaction.atomic
def publish(draft: StandardDraft, *, actor: Membership) -> Standard:
    """Import the draft as an immutable standard version of its organisation; close it."""
    given, draft = draft, StandardDraft.objects.select_for_update().get(pk=draft.pk)
    services.require_author(actor, draft.organisation)
    if draft.published_id is not None:
        raise InvalidTransition(f"{draft.code} was already published as {draft.published}")
    standard = services.import_standard(draft.source, organisation=draft.organisation, actor=actor)
    update_and_log(draft, actor=actor, published=standard)
    given.published = standard
    return standard


@transaction.atomic
def discard(draft: StandardDraft, *, actor: Membership) -> None:
    services.require_author(actor, draft.organisation)
    if draft.published_id is not None:
        raise InvalidTransition(f"{draft.code} was published; it stays as the record of it")
    log_change(draft, action=ChangeAction.DELETE, actor=actor)
    draft.delete()


# --- finding parts in the data ------------------------------------------------------------------


def find_section(data: Data, code: str) -> Data:
    sections: list[Data] = data["sections"]
    for section in sections:
        if section["code"] == code:
            return section
    raise StandardFileError(f"there is no section {code!r}", field="sections")


def find_criterion(data: Data, code: str) -> Data:
    sections: list[Data] = data["sections"]
    for section in sections:
        criteria: list[Data] = section["criteria"]
        for criterion in criteria:
            if criterion["code"] == code:
                return criterion
    raise StandardFileError(f"there is no criterion {code!r}", field="criteria")


def find_question(data: Data, code: str) -> tuple[Data, int]:
    """The criterion holding question ``code`` and its index there."""
    for section in data["sections"]:
        for criterion in section["criteria"]:
            for i, question in enumerate(criterion["questions"]):
                if question["code"] == code:
                    return criterion, i
    raise StandardFileError(f"there is no question {code!r}", field="questions")


# --- changes (each a function of the data, for ``edit``) ----------------------------------------


def set_header(*, version: str, title: dict[str, str], description: dict[str, str]) -> Change:
    def change(data: Data) -> None:
        data.update(version=version.strip(), title=title, description=description)

    return change


def set_section(code: str, *, new_code: str, title: dict[str, str]) -> Change:
    def change(data: Data) -> None:
        section = find_section(data, code)
        section.update(code=new_code.strip(), title=title)

    return change


def add_section(*, section: Data, criterion: Data, question: Data) -> Change:
    """A new section at the end, with its first criterion and question (a section needs one)."""

    def change(data: Data) -> None:
        data["sections"].append({**section, "criteria": [{**criterion, "questions": [question]}]})

    return change


def set_criterion(code: str, values: Data) -> Change:
    def change(data: Data) -> None:
        find_criterion(data, code).update(values)

    return change


def add_criterion(section_code: str, *, criterion: Data, question: Data) -> Change:
    """A new criterion at the end of a section, with its first question."""

    def change(data: Data) -> None:
        find_section(data, section_code)["criteria"].append({**criterion, "questions": [question]})

    return change


def set_question(code: str, values: Data) -> Change:
    """Replace question ``code`` by ``values``; conditions on its old code follow a new code."""

    def change(data: Data) -> None:
        criterion, index = find_question(data, code)
        criterion["questions"][index] = values
        if values["code"] != code:
            for _c, other in _all_questions(data):
                condition = other.get("shown_when")
                if condition and condition["question"] == code:
                    condition["question"] = values["code"]

    return change


def add_question(criterion_code: str, values: Data) -> Change:
    def change(data: Data) -> None:
        find_criterion(data, criterion_code)["questions"].append(values)

    return change


def remove(kind: str, code: str) -> Change:
    """Remove a section, criterion or question; the check refuses leaving a part empty or a
    condition pointing at a removed question."""

    def change(data: Data) -> None:
        if kind == "section":
            data["sections"].remove(find_section(data, code))
        elif kind == "criterion":
            find_criterion(data, code)
            for section in data["sections"]:
                section["criteria"] = [c for c in section["criteria"] if c["code"] != code]
        elif kind == "question":
            criterion, index = find_question(data, code)
            del criterion["questions"][index]
        else:
            raise StandardFileError(f"cannot remove a {kind}")

    return change


def move(kind: str, code: str, *, up: bool) -> Change:
    """Move a section, criterion or question one place up or down within its parent."""

    def change(data: Data) -> None:
        if kind == "section":
            items = data["sections"]
        elif kind == "criterion":
            find_criterion(data, code)
            items = next(
                s["criteria"]
                for s in data["sections"]
                if any(c["code"] == code for c in s["criteria"])
            )
        elif kind == "question":
            items = find_question(data, code)[0]["questions"]
        else:
            raise StandardFileError(f"cannot move a {kind}")
        index = next(i for i, item in enumerate(items) if item["code"] == code)
        other = index - 1 if up else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]

    return change


def _all_questions(data: Data) -> list[tuple[Data, Data]]:
    return [(c, q) for s in data["sections"] for c in s["criteria"] for q in c["questions"]]
