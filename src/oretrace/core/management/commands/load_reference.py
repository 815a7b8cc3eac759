from django.core.management.base import BaseCommand

from oretrace.core.reference import load_reference_data


class Command(BaseCommand):
    help = "Load or refresh countries, subdivisions and minerals (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        counts = load_reference_data(lambda p, msg: self.stdout.write(f"[{int(p):3d}%] {msg}"))
        self.stdout.write(self.style.SUCCESS(", ".join(f"{v} {k}" for k, v in counts.items())))
