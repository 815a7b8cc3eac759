"""SMS intake throughput: signed webhooks of the SMS Gateway for Android through Django's full
request stack to ``/voice/<channel>/sms/android/``, with a share of duplicate deliveries, beside
the adapter alone (signature check and payload parse, no database) on the same bodies.

Budget (ARCHITECTURE.md): 500 inbound webhooks/s with 10 % duplicates, each processed exactly
once. The run checks exactly-once at the end: one ``SmsMessage`` and one message per distinct
SMS, whatever the duplicates.

    .venv/bin/python benchmarks/grievance_sms.py [--messages 3000] [--senders 200]

A new sender opens a case, whose receipt is hashed with scrypt on purpose (tens of ms: slow for
anyone guessing receipts): the number of distinct senders therefore weighs on the rate.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import time

os.environ.setdefault("ORETRACE_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ORETRACE_FAST_PASSWORD_HASHING", "true")
os.environ.setdefault("ORETRACE_GRIEVANCE_SMS_ANDROID_KEY", "bench-signing-key")
os.environ.setdefault("ORETRACE_GRIEVANCE_REPORTS_PER_DAY", "1000000")

import _django  # noqa: F401 - Django on a scratch data directory
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Role
from oretrace.core.services import add_member, create_organisation, create_user
from oretrace.grievances.models import Message, SmsMessage
from oretrace.grievances.services import intake
from oretrace.grievances.sms import android


def _channel() -> str:
    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    org = create_organisation(
        legal_name="Bench Initiative", kind="initiative", country="IN", actor=SYSTEM
    )
    user = create_user(email="bench@example.org", password="bench-password-1", actor=SYSTEM)
    member = add_member(org, user=user, roles=[Role.ADMIN], actor=SYSTEM)
    return intake.open_channel(actor=member, slug="bench", name="Bench").slug


def _bodies(messages: int, senders: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "deviceId": "bench-device",
                "event": "sms:received",
                "payload": {
                    "messageId": f"m{i}",
                    "message": f"संदेश {i}: शेड में पानी नहीं है",
                    "sender": f"+9198{i % senders:08d}",
                },
            },
            ensure_ascii=False,
        ).encode()
        for i in range(messages)
    ]


def _headers(body: bytes, key: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"HTTP_X_SIGNATURE": signature, "HTTP_X_TIMESTAMP": stamp}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--duplicates", type=float, default=0.1)
    args = parser.parse_args()
    key = settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY
    slug = _channel()
    bodies = _bodies(args.messages, args.senders)
    deliveries = bodies + random.Random(7).sample(bodies, int(len(bodies) * args.duplicates))
    random.Random(11).shuffle(deliveries)
    signed = [(body, _headers(body, key)) for body in deliveries]

    start = time.perf_counter()
    for body, headers in signed:
        android.verify(
            key=key,
            body=body,
            timestamp=headers["HTTP_X_TIMESTAMP"],
            signature=headers["HTTP_X_SIGNATURE"],
            now=time.time(),
            max_skew=300,
        )
        android.parse(body)
    baseline = len(signed) / (time.perf_counter() - start)

    client = Client()
    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    url = f"/voice/{slug}/sms/android/"
    statuses: dict[str, int] = {}
    start = time.perf_counter()
    for body, headers in signed:
        response = client.post(url, body, content_type="application/json", **headers)
        status = response.json().get("status", str(response.status_code))
        statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        profiler.print_stats("cumtime")
    rate = len(signed) / elapsed

    once = SmsMessage.objects.count() == Message.objects.count() == len(bodies)
    print(f"deliveries: {len(signed)} ({len(bodies)} distinct SMS, {args.senders} senders)")
    print(f"answers: {statuses}")
    print(f"adapter alone (verify + parse): {baseline:,.0f} /s")
    print(f"webhook, full stack and database: {rate:,.0f} /s (budget 500 /s)")
    print(f"each SMS exactly once: {'yes' if once else 'NO'}")
    if not once:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
