"""``oretrace erase_user EMAIL``: erase a person's personal data (a right-to-erasure request)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import unsealed_mentions
from oretrace.core.models import User
from oretrace.core.services import erase_user


class Command(BaseCommand):
    help = (
        "Erase a user: their e-mail address, name and access, and the mapping from their "
        "pseudonym in the ledger and the change log, which then names nobody."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the user's e-mail address")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation (it cannot be undone)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = User.objects.normalize_email(options["email"].strip()).lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"no user has the e-mail address {email}")
        if not options["yes"]:
            answer = input(f"Erase {email}? This cannot be undone. Type 'erase' to confirm: ")
            if answer.strip() != "erase":
                raise CommandError("not erased")
        clear = unsealed_mentions(user.pk, email)
        erase_user(user, actor=SystemActor("erase_user command"))
        self.stdout.write(self.style.SUCCESS(f"{email} is erased."))
        if clear:
            self.stdout.write(
                self.style.WARNING(
                    f"{clear} change-log entries written before personal data was sealed "
                    "(before migration core 0006) still name this address; the chain "
                    "commits to them, so they cannot be emptied without breaking it "
                    "(docs/reference/ledger.md)."
                )
            )
