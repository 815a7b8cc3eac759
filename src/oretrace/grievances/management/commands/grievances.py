"""`oretrace grievances new-key | reseal | purge | commit`: the grievance app's upkeep.

- ``new-key``: make a new sealing key; every text written from now on uses it.
- ``reseal``: seal again with the newest key every text an older key sealed; afterwards the
  older key files may be archived (see docs/user-guide/grievances.md, "Rotating the keys").
- ``purge``: empty the texts of cases closed longer than ORETRACE_GRIEVANCE_RETENTION_DAYS ago
  (the worker's daily check does the same).
- ``commit``: commit the case events not yet in the transparency log (daily check too).
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from oretrace.core.exceptions import OretraceError
from oretrace.grievances import sealing
from oretrace.grievances.services import upkeep


class Command(BaseCommand):
    help = "Grievance upkeep: sealing keys, re-sealing, retention, the transparency log."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("new-key", help="make a new sealing key (new texts use it)")
        sub.add_parser("reseal", help="seal every text again with the newest key")
        sub.add_parser("purge", help="empty the texts of cases past their retention")
        sub.add_parser("commit", help="commit pending case events to the transparency log")

    def handle(self, *args: object, **options: object) -> None:
        action = str(options["action"])
        try:
            self.stdout.write(self._run(action))
        except OretraceError as exc:
            raise CommandError(str(exc)) from None

    def _run(self, action: str) -> str:
        if action == "new-key":
            key_id = sealing.new_key()
            return f"new grievance key {key_id} in {sealing.key_dir()}; run `reseal` next"
        if action == "reseal":
            count = upkeep.reseal()
            return ngettext(
                "%(count)d text sealed again with key %(key)s",
                "%(count)d texts sealed again with key %(key)s",
                count,
            ) % {"count": count, "key": sealing.current_key_id()}
        if action == "purge":
            count = upkeep.purge_expired()
            return ngettext(
                "%(count)d case's texts purged", "%(count)d cases' texts purged", count
            ) % {"count": count}
        count = upkeep.commit_events()
        return ngettext(
            "%(count)d case event committed to the log",
            "%(count)d case events committed to the log",
            count,
        ) % {"count": count}
