from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oretrace.core.demo import DEMO_PASSWORD, build_demo, logins


class Command(BaseCommand):
    help = "Build the demo organisations and users (idempotent) and print the demo logins."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(  # type: ignore[attr-defined]
            "--force",
            action="store_true",
            help="Build the demo even in production mode (it creates users with a known password).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo creates users with a published password; in production mode "
                "(ORETRACE_DEBUG off) it needs --force."
            )
        build_demo(lambda msg: self.stdout.write(msg))
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        width = max(len(e) for e, _o, _r in logins())
        for email, orgs, roles in logins():
            self.stdout.write(f"  {email:<{width}}  {orgs} — {roles}")
