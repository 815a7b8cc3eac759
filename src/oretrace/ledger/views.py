"""Pages and public endpoints of the ledger.

Public, no login: the C2SP tlog-tiles read API (``/ledger/checkpoint``, ``/ledger/tile/…``),
the log's verifier key, cosignature submission by witnesses, and the verification pages
(``/verify/``). Members: the Ledger page and each record's proof bundle.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oretrace.core.models import Membership
from oretrace.core.queries import with_actor_names
from oretrace.ledger import keys, queries
from oretrace.ledger import services as ledger
from oretrace.ledger.bundle import BundleError, verify_bundle
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.forms import VerifyForm
from oretrace.ledger.models import AuditRun, Leaf
from oretrace.ledger.note import NoteError, parse_vkey
from oretrace.ledger.permissions import can_audit_ledger, can_sign_checkpoint
from oretrace.ledger.tiles import TileError, parse_tile_path
from oretrace.web.exports import Column, ListExport
from oretrace.web.templatetags.oretrace import record_type
from oretrace.web.views import member_required, requires, start_job_page

IMMUTABLE = "public, max-age=31536000, immutable"


# --- tlog-tiles (public) --------------------------------------------------------------------


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint with its witnesses' cosignatures."""
    response = HttpResponse(
        queries.current_checkpoint().with_cosignatures(), content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=5"
    return response


@require_GET
def tile(request: HttpRequest, path: str) -> HttpResponse:
    """A Merkle tile or an entry bundle, per c2sp.org/tlog-tiles."""
    try:
        ref = parse_tile_path("tile/" + path)
    except TileError:
        raise Http404 from None
    if ref.level is None:
        data = queries.entries(ref.index, ref.width)
    else:
        data = queries.tile(ref.level, ref.index, ref.width)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    return response


@require_GET
def vkey(request: HttpRequest) -> HttpResponse:
    """The log's verifier key. Verifiers should get it from a source they trust, too."""
    return HttpResponse(keys.log_verifier().vkey + "\n", content_type="text/plain; charset=utf-8")


@csrf_exempt  # witnesses post from their own machines; the cosignature itself is the proof
@require_POST
def cosignatures(request: HttpRequest) -> HttpResponse:
    """A witness hands in its cosignature(s) of one of this log's checkpoints."""
    try:
        kept = ledger.add_cosignatures(request.body.decode("utf-8", errors="replace"))
    except LedgerError as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(
        f"{len(kept)} cosignature(s) kept\n", content_type="text/plain; charset=utf-8"
    )


# --- members: the Ledger page ----------------------------------------------------------------


@member_required
def ledger_page(request: HttpRequest, member: Membership) -> HttpResponse:
    leaves = queries.leaves_for(member)
    download = LEAVES_EXPORT.response(request, _labelled(member, leaves), count=leaves.count)
    if download is not None:
        return download
    page = Paginator(leaves, 50).get_page(request.GET.get("page"))
    page.object_list = with_actor_names(member, queries.label_leaves(list(page.object_list)))
    return render(
        request,
        "ledger/ledger.html",
        {
            "page": page,
            "checkpoint": ledger.latest_checkpoint(),
            "vkey": keys.log_verifier().vkey,
            "origin": keys.log_signer().name,
            "audit": AuditRun.objects.order_by("-started_at").first(),
            "own_problems": _own_problems(member),
            "can_sign": can_sign_checkpoint(member),
            "can_audit": can_audit_ledger(member),
        },
    )


def _labelled(member: Membership, leaves: QuerySet[Leaf]) -> Iterator[Leaf]:
    """Every leaf with its label and its actor's name, read a thousand at a time."""
    chunk: list[Leaf] = []
    for leaf in leaves.iterator(chunk_size=LABEL_CHUNK):
        chunk.append(leaf)
        if len(chunk) == LABEL_CHUNK:
            yield from with_actor_names(member, queries.label_leaves(chunk))
            chunk = []
    if chunk:
        yield from with_actor_names(member, queries.label_leaves(chunk))


def _leaf_notes(leaf: Leaf) -> str:
    notes = [record_type(leaf.record_type)]
    if getattr(leaf, "deleted", False):
        notes.append(_("deleted"))
    if leaf.erased_at:
        notes.append(_("erased"))
    return " · ".join(notes)


LABEL_CHUNK = 1000
LEAVES_EXPORT = ListExport(
    "ledger",
    (
        Column("#", lambda leaf: leaf.index),
        Column(gettext_lazy("Record"), lambda leaf: getattr(leaf, "label", "")),
        Column(gettext_lazy("Kind"), _leaf_notes),
        Column(gettext_lazy("Version"), lambda leaf: leaf.version),
        Column(gettext_lazy("Logged"), lambda leaf: leaf.created_at),
        Column(gettext_lazy("By"), lambda leaf: getattr(leaf, "actor_name", "")),
    ),
)


def _own_problems(member: Membership) -> list[dict[str, Any]]:
    run = AuditRun.objects.order_by("-started_at").first()
    if run is None:
        return []
    return [p for p in run.problems if p.get("organisation") in (None, member.organisation_id)]


@member_required
@require_POST
@requires(can_sign_checkpoint)
def sign_now(request: HttpRequest, member: Membership) -> HttpResponse:
    cp = ledger.sign_checkpoint(actor=member)
    messages.success(request, _("Checkpoint signed at size %(size)s.") % {"size": cp.size})
    return redirect("ledger:ledger")


@member_required
@require_POST
@requires(can_audit_ledger)
def start_audit(request: HttpRequest, member: Membership) -> HttpResponse:
    return start_job_page(request, member, "ledger.audit", back="ledger:ledger")


@member_required
def record(
    request: HttpRequest, member: Membership, record_type: str, record_id: str
) -> HttpResponse:
    obj = queries.record_for(member, record_type, record_id)
    versions = with_actor_names(member, list(queries.history(record_type, record_id)))
    latest = versions[0] if versions else None
    if latest is None:
        raise Http404
    public_url = _public_url(request, record_type, record_id)
    return render(
        request,
        "ledger/ledger_record.html",
        {
            "object": obj,
            "versions": versions,
            "latest": latest,
            "public_url": public_url,
            "token": keys.link_token(record_type, record_id),
        },
    )


@member_required
def record_bundle(
    request: HttpRequest, member: Membership, record_type: str, record_id: str
) -> HttpResponse:
    queries.record_for(member, record_type, record_id)
    return _bundle_response(queries.latest_leaf(record_type, record_id))


def _bundle_response(leaf: Leaf) -> HttpResponse:
    try:
        text = queries.bundle_for(leaf)
    except LedgerError as exc:
        return HttpResponse(f"{exc}\n", status=410, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queries.bundle_filename(leaf)}"'
    return response


def _public_url(request: HttpRequest, record_type: str, record_id: str) -> str:
    return queries.public_url(record_type, record_id)


# --- the public verification pages -----------------------------------------------------------


def _verify_text(text: str, vkey_text: str) -> dict[str, Any]:
    """Verify a bundle for a page; the outcome as template context.

    For this log's own key, the configured witnesses and their quorum are the policy: a
    bundle whose checkpoint has fewer cosignatures is not called verified, but "signed by the
    operator only — not witnessed". This site knows no witnesses of another log: a bundle of
    one verifies, with the same plain words when it carries no cosignature this page can check.
    """
    try:
        verifier = parse_vkey(vkey_text)
    except NoteError as exc:
        return {"failed_step": "key", "failure": str(exc)}
    own = verifier.vkey == keys.log_verifier().vkey
    witnesses = keys.witness_verifiers() if own else []
    required = keys.witness_quorum(len(witnesses))
    try:
        result = verify_bundle(text, [verifier], witness_verifiers=witnesses)
    except BundleError as exc:
        return {"failed_step": exc.step, "failure": exc.message}
    return {
        "verified": result,
        "document": result.document,
        "origin": result.checkpoint.origin,
        "size": result.checkpoint.size,
        "index": result.bundle.index,
        "witnesses": [
            (name, dt.datetime.fromtimestamp(timestamp, tz=dt.UTC))
            for name, timestamp in result.witnesses
        ],
        "witnesses_configured": len(witnesses),
        "witnesses_required": required,
        "not_witnessed": len(result.witnesses) < required,
        "operator_only": not result.witnesses,
    }


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone pastes or uploads a bundle and sees whether it verifies, and why not."""
    own_vkey = keys.log_verifier().vkey
    form = VerifyForm(request.POST or None, request.FILES or None, initial={"vkey": own_vkey})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = _verify_text(form.bundle_text(), form.cleaned_data["vkey"])
    return render(
        request, "ledger/verify.html", {"form": form, "outcome": outcome, "own_vkey": own_vkey}
    )


def _public_leaf(record_type: str, record_id: str, token: str) -> Leaf:
    if not keys.check_link_token(record_type, record_id, token):
        raise Http404
    return queries.latest_leaf(record_type, record_id)


@require_GET
def public_record(
    request: HttpRequest, record_type: str, record_id: str, token: str
) -> HttpResponse:
    """The page a QR code on a product document leads to: the record's proof, verified."""
    leaf = _public_leaf(record_type, record_id, token)
    vkey_text = keys.log_verifier().vkey
    try:
        text = queries.bundle_for(leaf)
    except LedgerError as exc:
        outcome = {"failed_step": "record", "failure": str(exc)}
    else:
        outcome = _verify_text(text, vkey_text)
    return render(
        request,
        "ledger/public_record.html",
        {
            "leaf": leaf,
            "outcome": outcome,
            "vkey": vkey_text,
            "token": token,
            "witness_vkeys": [w.vkey for w in keys.witness_verifiers()],
        },
    )


@require_GET
def public_bundle(
    request: HttpRequest, record_type: str, record_id: str, token: str
) -> HttpResponse:
    return _bundle_response(_public_leaf(record_type, record_id, token))


@require_GET
def public_qr(request: HttpRequest, record_type: str, record_id: str, token: str) -> HttpResponse:
    """An SVG QR code of the record's public verification URL, drawn on the server."""
    _public_leaf(record_type, record_id, token)
    url = _public_url(request, record_type, record_id)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, dark="#1b1f24")
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
