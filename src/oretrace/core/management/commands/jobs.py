"""`oretrace jobs list|recover`: background jobs from a terminal, and the recovery of the jobs
whose worker died (which every `oretrace worker` also runs at start and while it runs)."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand

from oretrace.core.choices import JobStatus
from oretrace.core.jobs import recover_jobs
from oretrace.core.models import Job


class Command(BaseCommand):
    help = "Background jobs: list them, or recover the jobs whose worker stopped."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the newest jobs of every organisation")
        listing.add_argument(
            "--status", choices=JobStatus.values, help="only the jobs with this status"
        )
        listing.add_argument("--limit", type=int, default=20, help="how many (default 20)")
        sub.add_parser(
            "recover",
            help="queue again (or fail) the running jobs whose worker stopped renewing its lease",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "recover":
            self._recover()
        else:
            self._list(options.get("status"), int(options["limit"]))  # type: ignore[call-overload]

    def _recover(self) -> None:
        recovered = recover_jobs()
        for job in recovered:
            self.stdout.write(f"job {job.pk} ({job.title}): {job.messages[-1]['text']}")
        self.stdout.write(f"{len(recovered)} job(s) of stopped workers recovered")

    def _list(self, status: object, limit: int) -> None:
        jobs = Job.objects.select_related("organisation")
        if status:
            jobs = jobs.filter(status=status)
        rows = list(jobs.order_by("-created_at", "-id")[: max(limit, 1)])
        if not rows:
            self.stdout.write("no jobs")
        for job in rows:
            tries = f", attempt {job.attempts}" if job.attempts > 1 else ""
            self.stdout.write(
                f"#{job.pk} {job.status} {job.progress} %{tries} · {job.title} · "
                f"{job.organisation.slug} · {job.created_at:%Y-%m-%d %H:%M}"
            )
            if job.status == JobStatus.FAILED and job.error:
                self.stdout.write(f"    {job.error.splitlines()[0]}")
            elif job.messages and job.messages[-1].get("level") != "info":
                self.stdout.write(f"    {job.messages[-1]['text']}")
