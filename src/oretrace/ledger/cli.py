"""``oretrace verify`` and ``oretrace witness``: stand-alone, without Django, a database or secrets.

``verify`` needs only a bundle and the log's public key. ``witness`` is what another
organisation runs to follow a log: it fetches the checkpoint, proves it consistent with the last
one it cosigned (computing the proof from the log's public tiles), and cosigns it.

Exit codes: 0 success; 1 verification failed or cosigning refused; 2 unusable input (a file
that cannot be read, a malformed key, a log that cannot be reached).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from oretrace.ledger.bundle import HEADER as BUNDLE_HEADER
from oretrace.ledger.bundle import BundleError, VerifiedBundle, verify_bundle
from oretrace.ledger.checkpoint import (
    OPERATOR_ONLY,
    CheckpointError,
    NotWitnessed,
    VerifiedCheckpoint,
    check_quorum,
    default_quorum,
    verify_checkpoint,
)
from oretrace.ledger.merkle import MerkleError, consistency_proof, verify_consistency
from oretrace.ledger.note import (
    COSIGNATURE_V1,
    CosignatureVerifier,
    Ed25519Verifier,
    NoteError,
    Signer,
    parse_note,
    parse_skey,
    parse_vkey,
)
from oretrace.ledger.tiles import TileError, TileStore

OK, FAILED, UNUSABLE = 0, 1, 2


class Unusable(Exception):
    """Input the command cannot work with; the message says what and why."""


def _err(command: str, message: str) -> None:
    print(f"oretrace {command}: {message}", file=sys.stderr)


def _read_key(text: str) -> Ed25519Verifier:
    """A vkey given inline, or the path of a file holding one."""
    candidate = Path(text)
    if candidate.is_file() or "+" not in text:
        try:
            text = candidate.read_text().strip()
        except OSError as exc:
            raise Unusable(f"cannot read the key file {text}: {exc.strerror}") from None
    try:
        return parse_vkey(text)
    except NoteError as exc:
        raise Unusable(f"the key {text[:60]!r} is not a verifier key: {exc}") from None


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise Unusable(f"cannot read {path}: {exc.strerror}") from None


# --- verify -----------------------------------------------------------------------------------


WITNESSES_ENV = "ORETRACE_LEDGER_WITNESSES"
QUORUM_ENV = "ORETRACE_LEDGER_WITNESS_QUORUM"


def _witness_policy(ns: argparse.Namespace) -> tuple[list[CosignatureVerifier], int]:
    """The witnesses to check and how many must cosign: the options, else the log's settings.

    Without ``--witness``, the witnesses are those of ``ORETRACE_LEDGER_WITNESSES`` (and the
    quorum ``ORETRACE_LEDGER_WITNESS_QUORUM``) when set, so that on a machine configured like
    the log, verification asks for the same quorum the log's pages do.
    """
    given = list(ns.witness)
    source = "--witness"
    if not given:
        given = [w.strip() for w in os.environ.get(WITNESSES_ENV, "").split(",") if w.strip()]
        source = WITNESSES_ENV
    witnesses = [_read_key(text) for text in given]
    if any(not isinstance(w, CosignatureVerifier) for w in witnesses):
        raise Unusable(f"{source} takes cosignature keys (type 0x04)")
    required = ns.min_witnesses
    if required is None and source == WITNESSES_ENV and os.environ.get(QUORUM_ENV, "").strip():
        text = os.environ[QUORUM_ENV].strip()
        try:
            required = int(text)
        except ValueError:
            raise Unusable(f"{QUORUM_ENV}={text!r} is not a number") from None
    if required is None:
        required = default_quorum(len(witnesses))
    if not 0 <= required <= len(witnesses):
        raise Unusable(
            f"{required} witness cosignature(s) required, but {len(witnesses)} witness key(s) "
            "given (--witness, or ORETRACE_LEDGER_WITNESSES)"
        )
    return [w for w in witnesses if isinstance(w, CosignatureVerifier)], required


def _is_note(data: bytes) -> bool:
    try:
        parse_note(data)
    except NoteError:
        return False
    return True


def _verify_input(
    data: bytes,
    ns: argparse.Namespace,
    log_keys: list[Ed25519Verifier],
    witnesses: list[CosignatureVerifier],
) -> tuple[VerifiedCheckpoint, VerifiedBundle | None]:
    """Verify a bundle, or a checkpoint on its own; raise ``BundleError`` naming the step."""
    if data.startswith(BUNDLE_HEADER.encode()) or not _is_note(data):
        result = verify_bundle(data, log_keys, origin=ns.origin, witness_verifiers=witnesses)
        return result.verified, result
    try:
        verified = verify_checkpoint(data, log_keys, origin=ns.origin, witness_verifiers=witnesses)
    except CheckpointError as exc:
        raise BundleError("checkpoint", str(exc)) from None
    return verified, None


def cmd_verify(ns: argparse.Namespace) -> int:
    try:
        data = _read_input(ns.bundle)
        log_keys = [_read_key(k) for k in ns.key]
        witnesses, required = _witness_policy(ns)
    except Unusable as exc:
        _err("verify", str(exc))
        return UNUSABLE
    try:
        verified, result = _verify_input(data, ns, log_keys, witnesses)
    except BundleError as exc:
        _err("verify", f"FAILED at {exc.step}: {exc.message}")
        return FAILED
    try:
        check_quorum(verified, required, len(witnesses))
    except NotWitnessed as exc:
        if not ns.accept_operator_only:
            _err(
                "verify",
                f"FAILED at witnesses: {exc} (--accept-operator-only accepts it knowingly)",
            )
            return FAILED
        shortfall = str(exc)
    else:
        shortfall = ""
    cp = verified.checkpoint
    if result is None:
        print(f"verified: checkpoint of the log {cp.origin}, {cp.size} entries")
    else:
        doc = result.document
        print(f"verified: {doc['type']} {doc['id']}, version {doc['version']}")
        print(
            f"  entry {result.bundle.index} of the log {cp.origin}, checkpoint of {cp.size} entries"
        )
    for name, timestamp in verified.witnesses:
        when = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat()
        print(f"  cosigned by witness {name} at {when}")
    if shortfall:
        print(f"  WARNING: {shortfall}; accepted because of --accept-operator-only")
    elif not witnesses:
        print(f"  {OPERATOR_ONLY} (no witness keys given: --witness, or {WITNESSES_ENV})")
    else:
        print(
            f"  witnessed: {len(verified.witnesses)} of {len(witnesses)} witness(es) cosigned, "
            f"{required} required"
        )
    if result is not None and not ns.quiet:
        print("  facts:")
        for key, value in sorted(result.document["facts"].items()):
            print(f"    {key}: {value}")
    return OK


# --- witness ----------------------------------------------------------------------------------


def _fetcher(url: str) -> Callable[[str], bytes]:
    base = url.rstrip("/")
    if "://" not in base:
        base = Path(base).resolve().as_uri()

    def fetch(path: str) -> bytes:
        target = f"{base}/{path}"
        try:
            with urllib.request.urlopen(target, timeout=30) as response:  # noqa: S310
                return bytes(response.read())
        except (urllib.error.URLError, OSError) as exc:
            raise Unusable(f"cannot fetch {target}: {exc}") from None

    return fetch


@contextlib.contextmanager
def _locked_state(path: Path) -> Iterator[dict[str, Any]]:
    """The witness state, locked so that checking and updating it is atomic across runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(path.read_text()) if path.exists() else {}
        before = json.dumps(state, sort_keys=True)
        yield state
        if json.dumps(state, sort_keys=True) != before:
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
            os.replace(temporary, path)


def _load_witness_key(path: Path) -> Signer:
    try:
        signer = parse_skey(path.read_text())
    except OSError as exc:
        raise Unusable(
            f"cannot read the witness key {path}: {exc.strerror} (create one with "
            "`oretrace witness init`)"
        ) from None
    except NoteError as exc:
        raise Unusable(f"the witness key {path} is not valid: {exc}") from None
    if signer.algorithm != COSIGNATURE_V1:
        raise Unusable(f"the witness key {path} is not a cosignature key (type 0x04)")
    return signer


def cmd_witness_init(ns: argparse.Namespace) -> int:
    path = Path(ns.key_file)
    if path.exists():
        _err("witness init", f"{path} exists already; refusing to replace a witness key")
        return UNUSABLE
    try:
        signer = Signer.generate(ns.name, COSIGNATURE_V1)
    except NoteError as exc:
        _err("witness init", str(exc))
        return UNUSABLE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.skey + "\n")
    print(signer.verifier.vkey)
    print(
        f"witness key written to {path} (keep it secret); give the line above to the log's "
        "operator for ORETRACE_LEDGER_WITNESSES",
        file=sys.stderr,
    )
    return OK


class Refusal(Exception):
    """The checkpoint must not be cosigned; the message says why."""


def check_and_record(
    verified: VerifiedCheckpoint, fetch: Callable[[str], bytes], state: dict[str, Any]
) -> None:
    """Refuse a checkpoint inconsistent with the last one cosigned; else remember it."""
    cp = verified.checkpoint
    last = state.get(cp.origin)
    if last is not None:
        old_size, old_root = int(last["size"]), base64.b64decode(last["root"])
        if cp.size < old_size:
            raise Refusal(
                f"the log {cp.origin} went back from size {old_size} to {cp.size}: "
                "its history was rewritten or it shows different views"
            )
        if cp.size == old_size and cp.root != old_root:
            raise Refusal(
                f"the log {cp.origin} signed two different roots for size {cp.size}: a split view"
            )
        if old_size and cp.size > old_size:
            try:
                proof = consistency_proof(old_size, cp.size, TileStore(fetch, cp.size))
                verify_consistency(old_size, cp.size, old_root, cp.root, proof)
            except (MerkleError, TileError, KeyError) as exc:
                raise Refusal(
                    f"the checkpoint of size {cp.size} is not consistent with size {old_size} "
                    f"cosigned on {last.get('cosigned_at', '?')}: {exc}. The log's history was "
                    "rewritten; this witness will not cosign it"
                ) from None
    state[cp.origin] = {
        "size": cp.size,
        "root": base64.b64encode(cp.root).decode(),
        "cosigned_at": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
    }


def cosign(
    signer: Signer,
    log_key: Ed25519Verifier,
    fetch: Callable[[str], bytes],
    state_path: Path,
    *,
    origin: str | None = None,
    now: int | None = None,
) -> tuple[VerifiedCheckpoint, str]:
    """Fetch the log's checkpoint, check it against this witness's state, and cosign it.

    Returns the verified checkpoint and the cosigned note (the log's signatures and this
    witness's cosignature line) to hand back to the log. Raises ``CheckpointError`` or
    ``Refusal`` when it must not be cosigned, ``Unusable`` when the log cannot be read.
    """
    verified = verify_checkpoint(fetch("checkpoint"), [log_key], origin=origin)
    with _locked_state(state_path) as state:
        check_and_record(verified, fetch, state)
    text = verified.note.text
    line = signer.signature_line(text.encode(), timestamp=now or int(time.time()))
    return verified, text + "\n" + "".join(s.line for s in verified.log_signatures) + line


def _already_cosigned(signer: Signer, fetch: Callable[[str], bytes]) -> bool:
    """Whether the log already serves its checkpoint with this witness's cosignature."""
    try:
        note = parse_note(fetch("checkpoint"))
    except NoteError:
        return False
    return any((s.name, s.key_id) == (signer.name, signer.key_id) for s in note.signatures)


def _cosign_once(ns: argparse.Namespace, signer: Signer, log_key: Ed25519Verifier) -> int:
    fetch = _fetcher(ns.log_url)
    try:
        if ns.every and _already_cosigned(signer, fetch):
            return OK
        verified, cosigned = cosign(signer, log_key, fetch, Path(ns.state), origin=ns.origin)
    except (CheckpointError, Refusal) as exc:
        _err("witness", f"REFUSED: {exc}")
        return FAILED
    except Unusable as exc:
        retry = f"; trying again in {ns.every} s" if ns.every else ""
        _err("witness", f"{exc}{retry}")
        return UNUSABLE
    if not ns.every:
        print(cosigned, end="")
    cp = verified.checkpoint
    print(f"cosigned {cp.origin} at size {cp.size}", file=sys.stderr)
    if not ns.no_submit:
        _submit(ns.log_url, cosigned)
    return OK


def cmd_witness_cosign(ns: argparse.Namespace) -> int:
    try:
        signer = _load_witness_key(Path(ns.key_file))
        log_key = _read_key(ns.log_key)
    except Unusable as exc:
        _err("witness", str(exc))
        return UNUSABLE
    if not ns.every:
        return _cosign_once(ns, signer, log_key)
    # A witness that keeps following the log: a refusal or an unreachable log is reported
    # and tried again next round (the log may not be up yet; a refusal stays a refusal,
    # since the state is not updated).
    while True:  # pragma: no cover - exercised by `make run`
        _cosign_once(ns, signer, log_key)
        time.sleep(ns.every)


def _submit(log_url: str, cosigned: str) -> None:
    if "://" not in log_url or log_url.startswith("file:"):
        return
    request = urllib.request.Request(  # noqa: S310
        log_url.rstrip("/") + "/cosignatures",
        data=cosigned.encode(),
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            print(f"log: {response.read().decode().strip()}", file=sys.stderr)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace").strip()
        _err("witness", f"warning: the log did not take the cosignature: {detail}")
    except (urllib.error.URLError, OSError) as exc:
        _err("witness", f"warning: could not hand the cosignature to the log: {exc}")


def add_parsers(sub: Any) -> None:
    """Register ``verify`` and ``witness`` on the ``oretrace`` command's sub-parsers."""
    verify = sub.add_parser(
        "verify",
        help="verify a record's proof bundle (or a checkpoint) offline with the log's public key",
        description="Verify a .tlog-proof bundle, or a signed checkpoint, offline. Where "
        "witnesses are given (--witness, or ORETRACE_LEDGER_WITNESSES), a quorum of their "
        "cosignatures is required: a checkpoint signed by the operator only is refused. Exit 0: "
        "verified; 1: it failed (the message names the step); 2: unreadable file or key.",
    )
    verify.add_argument(
        "bundle", help="the .tlog-proof file or a checkpoint, or - for standard input"
    )
    verify.add_argument(
        "--key", action="append", required=True, help="the log's verifier key, or a file with it"
    )
    verify.add_argument(
        "--witness", action="append", default=[], help="a witness's cosignature key (repeatable)"
    )
    verify.add_argument(
        "--min-witnesses",
        type=int,
        default=None,
        help="cosignatures required (default: a majority of the witnesses given, or "
        "ORETRACE_LEDGER_WITNESS_QUORUM with the witnesses of ORETRACE_LEDGER_WITNESSES)",
    )
    verify.add_argument(
        "--accept-operator-only",
        action="store_true",
        help="accept a checkpoint with fewer witness cosignatures than required, with a warning",
    )
    verify.add_argument("--origin", help="the log origin to accept (default: any)")
    verify.add_argument("--quiet", action="store_true", help="do not print the record's facts")
    verify.set_defaults(func=cmd_verify)

    witness = sub.add_parser("witness", help="follow a log, check its consistency, cosign it")
    wsub = witness.add_subparsers(dest="witness_command", required=True)
    init = wsub.add_parser("init", help="create a witness key and print its public key")
    init.add_argument("--name", required=True, help="the witness name, e.g. witness.example.org/w1")
    init.add_argument("--key-file", default="witness.key")
    init.set_defaults(func=cmd_witness_init)
    cosign = wsub.add_parser("cosign", help="cosign a log's checkpoint if it is consistent")
    cosign.add_argument("log_url", help="the log's tiles prefix, e.g. https://host/ledger")
    cosign.add_argument("--log-key", required=True, help="the log's verifier key, or a file")
    cosign.add_argument("--origin", help="the origin to expect (default: any the key signs)")
    cosign.add_argument("--key-file", default="witness.key", help="this witness's key")
    cosign.add_argument(
        "--state", default="witness-state.json", help="where the last cosigned sizes are kept"
    )
    cosign.add_argument(
        "--no-submit", action="store_true", help="print the cosignature, do not post it to the log"
    )
    cosign.add_argument(
        "--every",
        type=int,
        default=0,
        metavar="SECONDS",
        help="keep following the log: check and cosign its new checkpoints every SECONDS",
    )
    cosign.set_defaults(func=cmd_witness_cosign)
