"""``oretrace ledger …``: audit, checkpoint, key, schedule, cosignatures, key rotation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oretrace.core.sealing import write_once
from oretrace.ledger import keys
from oretrace.ledger import services as ledger
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.note import Signer


class Command(BaseCommand):
    help = "The transparency log: audit, checkpoint, vkey, schedule, tick, cosign, rotate-key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        audit = sub.add_parser("audit", help="recompute every leaf; exit 1 when a problem is found")
        audit.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            type=Path,
            metavar="FILE",
            help="a checkpoint kept outside the database (a witness's, a monitor's) to compare "
            "the log with, besides the published ones; may be repeated",
        )
        sub.add_parser("checkpoint", help="sign a checkpoint now and print it")
        sub.add_parser("vkey", help="print the log's public verifier key")
        sub.add_parser("schedule", help="start the worker's checkpoint/audit schedule")
        sub.add_parser("tick", help="run one scheduled tick now (sign, audit when due)")
        cosign = sub.add_parser("cosign", help="store witness cosignatures from a file or -")
        cosign.add_argument("file")
        sub.add_parser("rotate-key", help="archive the signing key and create a new one")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except LedgerError as exc:
            raise CommandError(str(exc)) from None

    def do_audit(self, options: dict[str, Any]) -> None:
        from oretrace.ledger.audit import run_audit

        run = run_audit(
            trigger="command line", progress=None, checkpoints=options.get("checkpoint") or []
        )
        self.stdout.write(
            f"audited {run.size} leaves and {run.records} records: {len(run.problems)} problem(s)"
        )
        for p in run.problems:
            where = f" {p['record_type']} {p['record_id']}" if p["record_id"] else ""
            self.stderr.write(f"{p['kind']}{where}: {p['detail']}")
        if run.problems:
            raise CommandError(f"{len(run.problems)} problem(s) found")

    def do_checkpoint(self, options: dict[str, Any]) -> None:
        self.stdout.write(ledger.sign_checkpoint().with_cosignatures(), ending="")

    def do_vkey(self, options: dict[str, Any]) -> None:
        self.stdout.write(keys.log_verifier().vkey)

    def do_schedule(self, options: dict[str, Any]) -> None:
        from django.db import DatabaseError

        from oretrace.ledger.tasks import ensure_scheduled

        try:
            started = ensure_scheduled()
        except DatabaseError as exc:
            raise CommandError(f"the database is not ready ({exc}): run `oretrace setup`") from None
        self.stdout.write("ledger schedule started" if started else "ledger schedule is running")

    def do_tick(self, options: dict[str, Any]) -> None:
        from oretrace.ledger.tasks import run_tick

        run_tick()
        self.stdout.write("ledger tick done")

    def do_cosign(self, options: dict[str, Any]) -> None:
        source = options["file"]
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
        kept = ledger.add_cosignatures(text)
        self.stdout.write(f"{len(kept)} cosignature(s) kept")

    def do_rotate_key(self, options: dict[str, Any]) -> None:
        path = Path(settings.ORETRACE_LEDGER_KEY_PATH)
        old = keys.log_signer()
        archived = path.with_name(f"log-{old.key_id:08x}.key")
        path.rename(archived)
        new = Signer.generate(old.name)
        write_once(path, new.skey)
        self.stdout.write(f"new key: {keys.log_verifier().vkey}")
        self.stdout.write(
            f"the old key is kept in {archived}; to sign with both while verifiers update, set "
            f"ORETRACE_LEDGER_PREVIOUS_KEY_PATHS={archived}"
        )
