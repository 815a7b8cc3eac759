"""Pages of the standard editor: start a draft (a new version of a standard, or a new
standard), edit its header, sections, criteria and questions in forms, and publish it.

Every edit goes through ``authoring.edit``, which checks the whole standard by the rules of
its YAML file; an error is shown above the form with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oretrace.assessments import editform
from oretrace.assessments.models import Standard, StandardDraft
from oretrace.assessments.permissions import can_author_standards
from oretrace.assessments.services import authoring
from oretrace.assessments.texts import localise
from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member, owned
from oretrace.web.views import attempt, errors_as_messages, member_required, requires

NEW_LANGUAGES = ["en", "fr", "hi"]
_PARTS = ("section", "criterion", "question")


def _draft(member: Membership, draft_id: int) -> StandardDraft:
    draft = get_for_member(StandardDraft.objects.select_related("published"), member, pk=draft_id)
    if not can_author_standards(member):
        raise Http404  # drafts are the authors' working copies
    return draft


def _draft_url(draft: StandardDraft, anchor: str = "") -> str:
    return reverse("assessments:draft", args=[draft.pk]) + (f"#{anchor}" if anchor else "")


@member_required
@require_POST
@requires(can_author_standards)
def draft_from(request: HttpRequest, member: Membership, standard_id: int) -> HttpResponse:
    """Start a draft of a new version: a copy of the latest version of this standard."""
    standard = get_for_member(Standard.objects.all(), member, pk=standard_id)
    latest = authoring.latest_version(standard, member)
    with errors_as_messages(request):
        draft = authoring.start_draft(
            actor=member, version=request.POST.get("version", ""), base=latest
        )
        messages.success(
            request, _("Draft started from %(s)s. Edit it, then publish it.") % {"s": latest}
        )
        return redirect(_draft_url(draft))
    return redirect("assessments:standard", standard.pk)


@member_required
@requires(can_author_standards)
def draft_new(request: HttpRequest, member: Membership) -> HttpResponse:
    """A new standard: its header with its first section, criterion and question."""
    if not can_author_standards(member):
        raise Http404
    post = request.POST if request.method == "POST" else None
    error = ""
    if post is not None:
        with attempt() as tried:
            data = {
                "code": (post.get("code") or "").strip(),
                "languages": NEW_LANGUAGES,
                **editform.header_values(post, NEW_LANGUAGES),
                "sections": [_first_section(post, NEW_LANGUAGES)],
            }
            draft = authoring.start_draft(actor=member, version=data["version"], data=data)
            messages.success(request, _("Draft started. Edit it, then publish it."))
            return redirect(_draft_url(draft))
        error = tried.error
    code = editform.Field(
        "code", _("Standard code"), value=post.get("code", "") if post is not None else ""
    )
    code.required, code.hint = True, _("Lower-case letters, digits and '-'; kept by all versions")
    groups = [
        (_("Standard"), [code, *editform.header_fields(NEW_LANGUAGES, post=post)]),
        *_first_groups(NEW_LANGUAGES, post, with_section=True),
    ]
    return render(
        request,
        "assessments/draft_form.html",
        {"title": _("New standard"), "groups": groups, "error": error, "draft": None},
    )


def _first_section(post: Any, languages: list[str]) -> dict[str, Any]:
    return {
        **editform.section_values(post, languages, "s-"),
        "criteria": [_first_criterion(post, languages)],
    }


def _first_criterion(post: Any, languages: list[str]) -> dict[str, Any]:
    return {
        **editform.criterion_values(post, languages, "c-"),
        "questions": [editform.question_values(post, languages, "q-")],
    }


def _first_groups(
    languages: list[str], post: Any, *, with_section: bool
) -> list[tuple[str, list[editform.Field]]]:
    groups: list[tuple[str, list[editform.Field]]] = []
    if with_section:
        groups.append(
            (_("First section"), editform.section_fields(languages, post=post, prefix="s-"))
        )
    groups.append(
        (_("First criterion"), editform.criterion_fields(languages, post=post, prefix="c-"))
    )
    groups.append(
        (_("Its first question"), editform.question_fields(languages, post=post, prefix="q-"))
    )
    return groups


@member_required
def draft_detail(request: HttpRequest, member: Membership, draft_id: int) -> HttpResponse:
    draft = _draft(member, draft_id)
    if request.method == "POST":
        return _draft_post(request, member, draft)
    spec = authoring.spec_of(draft)
    if request.GET.get("format") == "yaml":
        response = HttpResponse(draft.source, content_type="application/yaml; charset=utf-8")
        name = f"{draft.code}-{spec.version}-draft.yaml"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    data = spec.model_dump(mode="python")
    return render(
        request,
        "assessments/draft.html",
        {
            "draft": draft,
            "spec": data,
            "title": localise(data["title"]),
            "header": editform.header_fields(spec.languages, data),
        },
    )


def _draft_post(request: HttpRequest, member: Membership, draft: StandardDraft) -> HttpResponse:
    do = request.POST.get("do")
    kind, code = request.POST.get("kind", ""), request.POST.get("code", "")
    with errors_as_messages(request):
        if do == "publish":
            standard = authoring.publish(draft, actor=member)
            messages.success(request, _("Published as %(s)s.") % {"s": standard})
            return redirect("assessments:standard", standard.pk)
        if do == "discard":
            authoring.discard(draft, actor=member)
            messages.success(request, _("Draft discarded."))
            return redirect("assessments:standards")
        if do == "header":
            languages = authoring.spec_of(draft).languages
            change = authoring.set_header(**editform.header_values(request.POST, languages))
        elif do == "remove" and kind in _PARTS:
            change = authoring.remove(kind, code)
        elif do in ("up", "down") and kind in _PARTS:
            change = authoring.move(kind, code, up=do == "up")
        else:
            raise Http404
        authoring.edit(draft, change, actor=member)
        messages.success(request, _("Draft saved."))
    return redirect(_draft_url(draft, f"{kind}-{code}" if kind in _PARTS else ""))


def _part_page(
    request: HttpRequest,
    member: Membership,
    draft_id: int,
    *,
    title: Callable[[dict[str, Any]], str],
    groups: Callable[[list[str], dict[str, Any], Any], list[tuple[str, list[editform.Field]]]],
    change: Callable[[Any, list[str]], authoring.Change],
    anchor: str,
) -> HttpResponse:
    """The form of one part: shown from the draft's data, saved through ``authoring.edit``."""
    draft = _draft(member, draft_id)
    data = authoring.data_of(draft)
    languages = data["languages"]
    try:
        heading = title(data)  # and a part that is not in the draft is not found
        groups(languages, data, None)
    except OretraceError:
        raise Http404 from None
    post = request.POST if request.method == "POST" else None
    error = ""
    if post is not None:
        with attempt() as tried:
            authoring.edit(draft, change(post, languages), actor=member)
            messages.success(request, _("Draft saved."))
            return redirect(_draft_url(draft, anchor))
        error = tried.error
    return render(
        request,
        "assessments/draft_form.html",
        {"title": heading, "groups": groups(languages, data, post), "error": error, "draft": draft},
    )


@member_required
def draft_section(request: HttpRequest, member: Membership, draft_id: int) -> HttpResponse:
    """Edit a section (``?code=``) or add one with its first criterion and question."""
    code = request.GET.get("code", "")
    if code:
        return _part_page(
            request, member, draft_id,
            title=lambda d: _("Section %(c)s") % {"c": authoring.find_section(d, code)["code"]},
            groups=lambda langs, d, post: [
                ("", editform.section_fields(langs, authoring.find_section(d, code), post))
            ],
            change=lambda post, langs: authoring.set_section(
                code, **_renamed(editform.section_values(post, langs))
            ),
            anchor=f"section-{code}",
        )  # fmt: skip
    return _part_page(
        request, member, draft_id,
        title=lambda d: _("New section"),
        groups=lambda langs, d, post: [
            (_("Section"), editform.section_fields(langs, post=post, prefix="s-")),
            *_first_groups(langs, post, with_section=False),
        ],
        change=lambda post, langs: authoring.add_section(
            section=editform.section_values(post, langs, "s-"),
            criterion=editform.criterion_values(post, langs, "c-"),
            question=editform.question_values(post, langs, "q-"),
        ),
        anchor="",
    )  # fmt: skip


def _renamed(values: dict[str, Any]) -> dict[str, Any]:
    return {"new_code": values["code"], "title": values["title"]}


@member_required
def draft_criterion(request: HttpRequest, member: Membership, draft_id: int) -> HttpResponse:
    """Edit a criterion (``?code=``) or add one to a section (``?section=``)."""
    code, section = request.GET.get("code", ""), request.GET.get("section", "")
    if code:
        return _part_page(
            request, member, draft_id,
            title=lambda d: _("Criterion %(c)s") % {"c": authoring.find_criterion(d, code)["code"]},
            groups=lambda langs, d, post: [
                ("", editform.criterion_fields(langs, authoring.find_criterion(d, code), post))
            ],
            change=lambda post, langs: authoring.set_criterion(
                code, editform.criterion_values(post, langs)
            ),
            anchor=f"criterion-{code}",
        )  # fmt: skip
    if not section:
        raise Http404
    return _part_page(
        request, member, draft_id,
        title=lambda d: _("New criterion in %(s)s")
        % {"s": authoring.find_section(d, section)["code"]},
        groups=lambda langs, d, post: _first_groups(langs, post, with_section=False),
        change=lambda post, langs: authoring.add_criterion(
            section,
            criterion=editform.criterion_values(post, langs, "c-"),
            question=editform.question_values(post, langs, "q-"),
        ),
        anchor=f"section-{section}",
    )  # fmt: skip


@member_required
def draft_question(request: HttpRequest, member: Membership, draft_id: int) -> HttpResponse:
    """Edit a question (``?code=``) or add one to a criterion (``?criterion=``)."""
    code, criterion = request.GET.get("code", ""), request.GET.get("criterion", "")
    if code:

        def current(d: dict[str, Any]) -> dict[str, Any]:
            holder, index = authoring.find_question(d, code)
            questions: list[dict[str, Any]] = holder["questions"]
            return questions[index]

        return _part_page(
            request, member, draft_id,
            title=lambda d: _("Question %(c)s") % {"c": current(d)["code"]},
            groups=lambda langs, d, post: [("", editform.question_fields(langs, current(d), post))],
            change=lambda post, langs: authoring.set_question(
                code, editform.question_values(post, langs)
            ),
            anchor=f"question-{code}",
        )  # fmt: skip
    if not criterion:
        raise Http404
    return _part_page(
        request, member, draft_id,
        title=lambda d: _("New question for %(c)s")
        % {"c": authoring.find_criterion(d, criterion)["code"]},
        groups=lambda langs, d, post: [("", editform.question_fields(langs, post=post))],
        change=lambda post, langs: authoring.add_question(
            criterion, editform.question_values(post, langs)
        ),
        anchor=f"criterion-{criterion}",
    )  # fmt: skip


def drafts_for(member: Membership) -> list[StandardDraft]:
    """The open drafts of the member's organisation (for its authors)."""
    if not can_author_standards(member):
        return []
    return list(owned(StandardDraft.objects.all(), member).filter(published__isnull=True))
