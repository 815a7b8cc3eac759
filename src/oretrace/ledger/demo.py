"""Demo data of the ledger: a signed checkpoint over the demo's records, cosigned by a witness.

``make run`` creates a local witness key in ``<DATA_DIR>/witness/witness.key`` and configures
it in ``ORETRACE_LEDGER_WITNESSES``; the demo's last step then has that witness follow the log
and cosign its checkpoint through the witness protocol (``oretrace witness cosign``'s code,
reading the log's tiles in this process instead of over HTTP), so that a newcomer's first
public verification page shows a cosigned checkpoint. ``make run`` keeps the same witness
following the served log afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from oretrace.core.demo import ACTOR, demo_step
from oretrace.core.models import Organisation
from oretrace.ledger import keys, queries
from oretrace.ledger import services as ledger
from oretrace.ledger.checkpoint import CheckpointError
from oretrace.ledger.cli import Refusal, Unusable, cosign
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.models import Leaf
from oretrace.ledger.note import COSIGNATURE_V1, NoteError, parse_skey


@demo_step("ledger: organisation registrations and a checkpoint")
def build_ledger(say: Callable[[str], None]) -> None:
    logged = set(
        Leaf.objects.filter(record_type="core.organisation").values_list("record_id", flat=True)
    )
    missing = [o for o in Organisation.objects.order_by("pk") if str(o.pk) not in logged]
    if missing:
        # Organisations created before the ledger existed get their first leaf now.
        with transaction.atomic():
            ledger.append_many(missing, actor=ACTOR)
    checkpoint = ledger.sign_checkpoint(actor=ACTOR)
    say(f"ledger: {checkpoint.size} leaves, checkpoint signed")


def local_witness_paths() -> tuple[Path, Path]:
    """The demo witness's key and state files (``make run`` creates the key)."""
    folder = Path(settings.DATA_DIR) / "witness"
    return folder / "witness.key", folder / "witness-state.json"


def _fetch(path: str) -> bytes:
    data = queries.tlog_file(path)
    if data is None:
        raise Unusable(f"the log has no {path}")
    return data


@demo_step("ledger: a local witness cosigns the checkpoint", last=True)
def cosign_with_local_witness(say: Callable[[str], None]) -> None:
    checkpoint = ledger.sign_checkpoint(actor=ACTOR)  # covers every record the demo logged
    key_path, state_path = local_witness_paths()
    if not key_path.exists():
        say(
            f"ledger: no local witness ({key_path} does not exist; `make run` creates one): the "
            "checkpoint is signed by the operator only"
        )
        return
    try:
        signer = parse_skey(key_path.read_text())
    except (OSError, NoteError) as exc:
        say(f"ledger: the local witness key {key_path} cannot be used: {exc}")
        return
    configured = {w.vkey for w in keys.witness_verifiers()}
    if signer.algorithm != COSIGNATURE_V1 or signer.verifier.vkey not in configured:
        say(
            f"ledger: the local witness {signer.name} is not in ORETRACE_LEDGER_WITNESSES: the "
            "checkpoint is signed by the operator only"
        )
        return
    try:
        _verified, cosigned = cosign(signer, keys.log_verifier(), _fetch, state_path)
        ledger.add_cosignatures(cosigned)
    except (CheckpointError, Refusal, Unusable, LedgerError) as exc:
        say(f"ledger: the local witness did not cosign: {exc}")
        return
    say(f"ledger: checkpoint of {checkpoint.size} leaves cosigned by the witness {signer.name}")
