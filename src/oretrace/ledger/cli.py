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

from oretrace.ledger.bundle import BundleError, verify_bundle
from oretrace.ledger.checkpoint import CheckpointError, VerifiedCheckpoint, verify_checkpoint
from oretrace.ledger.merkle import MerkleError, consistency_proof, verify_consistency
from oretrace.ledger.note import (
    COSIGNATURE_V1,
    CosignatureVerifier,
    Ed25519Verifier,
    NoteError,
    Signer,
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


def cmd_verify(ns: argparse.Namespace) -> int:
    try:
        data = _read_input(ns.bundle)
        log_keys = [_read_key(k) for k in ns.key]
        witnesses = [_read_key(k) for k in ns.witness]
    except Unusable as exc:
        _err("verify", str(exc))
        return UNUSABLE
    if any(k.algorithm != COSIGNATURE_V1 for k in witnesses):
        _err("verify", "--witness takes cosignature keys (type 0x04)")
        return UNUSABLE
    try:
        result = verify_bundle(
            data,
            log_keys,
            origin=ns.origin,
            witness_verifiers=[w for w in witnesses if isinstance(w, CosignatureVerifier)],
            min_witnesses=ns.min_witnesses,
        )
    except BundleError as exc:
        _err("verify", f"FAILED at {exc.step}: {exc.message}")
        return FAILED
    doc = result.document
    cp = result.checkpoint
    print(f"verified: {doc['type']} {doc['id']}, version {doc['version']}")
    print(f"  entry {result.bundle.index} of the log {cp.origin}, checkpoint of {cp.size} entries")
    for name, timestamp in result.witnesses:
        when = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat()
        print(f"  cosigned by witness {name} at {when}")
    if not ns.quiet:
        print("  facts:")
        for key, value in sorted(doc["facts"].items()):
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


def cmd_witness_cosign(ns: argparse.Namespace) -> int:
    try:
        signer = _load_witness_key(Path(ns.key_file))
        log_key = _read_key(ns.log_key)
        fetch = _fetcher(ns.log_url)
        raw = fetch("checkpoint")
    except Unusable as exc:
        _err("witness", str(exc))
        return UNUSABLE
    try:
        verified = verify_checkpoint(raw, [log_key], origin=ns.origin)
        with _locked_state(Path(ns.state)) as state:
            check_and_record(verified, fetch, state)
    except CheckpointError as exc:
        _err("witness", f"REFUSED: {exc}")
        return FAILED
    except Refusal as exc:
        _err("witness", f"REFUSED: {exc}")
        return FAILED
    except Unusable as exc:
        _err("witness", str(exc))
        return UNUSABLE
    text = verified.note.text
    line = signer.signature_line(text.encode(), timestamp=int(time.time()))
    cosigned = text + "\n" + "".join(s.line for s in verified.log_signatures) + line
    print(cosigned, end="")
    cp = verified.checkpoint
    print(f"cosigned {cp.origin} at size {cp.size}", file=sys.stderr)
    if not ns.no_submit:
        _submit(ns.log_url, cosigned)
    return OK


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
        help="verify a record's proof bundle offline with the log's public key",
        description="Verify a .tlog-proof bundle offline. Exit 0: verified; 1: it failed (the "
        "message names the step); 2: unreadable file or key.",
    )
    verify.add_argument("bundle", help="the .tlog-proof file, or - for standard input")
    verify.add_argument(
        "--key", action="append", required=True, help="the log's verifier key, or a file with it"
    )
    verify.add_argument(
        "--witness", action="append", default=[], help="a witness's cosignature key (repeatable)"
    )
    verify.add_argument(
        "--min-witnesses", type=int, default=0, help="cosignatures required (default 0)"
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
    cosign.set_defaults(func=cmd_witness_cosign)
