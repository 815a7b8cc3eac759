"""API list endpoint throughput: oretrace's /api/v1/jobs (token auth + tenancy + pagination)
against a bare django-ninja list endpoint over the same rows, in the same process and run.

Budget (ARCHITECTURE.md): the oretrace endpoint keeps >= 70 % of the bare endpoint's req/s.

    .venv/bin/python benchmarks/api_list.py [--rows 200] [--rounds 9]

Both endpoints are called through Django's full request stack (middleware included) with the
test client, so the comparison isolates what oretrace adds: authentication, the tenancy filter,
pagination with a count, and the problem+json error handlers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# Production mode, as deployed (``_django``: DEBUG off, so no query recording): no TLS redirect
# (the test client speaks plain HTTP).
os.environ.setdefault("ORETRACE_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ORETRACE_FAST_PASSWORD_HASHING", "true")

import _django  # noqa: F401 - Django on a scratch data directory
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Role
from oretrace.core.models import Job
from oretrace.core.schemas import JobOut
from oretrace.core.services import (
    add_member,
    create_organisation,
    create_user,
    issue_token,
)
from oretrace.urls import urlpatterns as oretrace_urls

bare_api = NinjaAPI(urls_namespace="bare")


@bare_api.get("/jobs", response=list[JobOut])  # the same schema: only the plumbing differs
def bare_jobs(request, limit: int = 50, offset: int = 0):
    return list(Job.objects.all()[offset : offset + limit])


urlpatterns = [path("bare/", bare_api.urls), *oretrace_urls]


def _prepare(rows: int) -> str:
    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    org = create_organisation(legal_name="Bench Org", kind="brand", country="FR", actor=SYSTEM)
    other = create_organisation(legal_name="Other Org", kind="brand", country="DE", actor=SYSTEM)
    user = create_user(email="bench@example.org", password="bench-password-1", actor=SYSTEM)
    member = add_member(org, user=user, roles=[Role.ADMIN], actor=SYSTEM)
    Job.objects.bulk_create(
        [Job(organisation=org, kind="reference.reload", title=f"job {i}") for i in range(rows)]
        + [Job(organisation=other, kind="reference.reload", title=f"x {i}") for i in range(rows)]
    )
    _token, secret = issue_token(member, name="bench", actor=SYSTEM)
    return secret


def _rate(client: Client, url: str, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}: {response.content[:200]!r}")
        count += 1
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200, help="jobs per organisation")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=1.0, help="per endpoint per round")
    ns = parser.parse_args()
    secret = _prepare(ns.rows)
    with override_settings(ROOT_URLCONF=__name__):
        bare = Client()
        ours = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for client, url in ((bare, "/bare/jobs"), (ours, "/api/v1/jobs")):
            _rate(client, url, 0.3)  # warm up
        bare_rates, our_rates = [], []
        for _ in range(ns.rounds):  # interleaved, so machine noise hits both alike
            bare_rates.append(_rate(bare, "/bare/jobs?limit=50", ns.seconds))
            our_rates.append(_rate(ours, "/api/v1/jobs?limit=50", ns.seconds))
    ratios = [o / b for o, b in zip(our_rates, bare_rates, strict=True)]
    page = min(50, ns.rows)
    print(f"pages of {page} jobs; {ns.rounds} interleaved rounds of {ns.seconds:g} s each")
    print(f"bare ninja list endpoint: median {statistics.median(bare_rates):8.0f} req/s")
    print(f"oretrace /api/v1/jobs:    median {statistics.median(our_rates):8.0f} req/s")
    print(
        f"ratio oretrace/bare: median {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}); budget >= 0.70"
    )


if __name__ == "__main__":
    main()
