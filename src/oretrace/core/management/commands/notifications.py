"""``oretrace notifications …``: start the worker's schedule, or run one tick now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Notifications: schedule (the worker's digests and daily checks), tick (one pass now)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("schedule", help="start the worker's digest and daily-check schedule")
        sub.add_parser("tick", help="mail the due digests and run the daily checks when due")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import DatabaseError

        from oretrace.core.services.notifications import run_tick
        from oretrace.core.tasks import ensure_notifications_scheduled

        try:
            if options["action"] == "schedule":
                started = ensure_notifications_scheduled()
                self.stdout.write(
                    "notifications schedule started"
                    if started
                    else "notifications schedule is running"
                )
                return
            result = run_tick()
        except DatabaseError as exc:
            raise CommandError(f"the database is not ready ({exc}): run `oretrace setup`") from None
        checks = ", ".join(f"{name} {count}" for name, count in result["checks"].items())
        self.stdout.write(
            f"{result['digests']} digest(s) sent; daily checks: {checks or 'not due'}"
        )
