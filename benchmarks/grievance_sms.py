"""SMS intake under load, as deployed: signed SMS Gateway for Android webhooks posted over
loopback to ``oretrace serve`` (gunicorn, sync workers) with 10 % duplicate deliveries shuffled
in, beside the same webhooks filed in the request (the baseline: the inbox off).

Budget (ARCHITECTURE.md): 500 inbound webhooks/s for 60 s with 10 % duplicates, each processed
exactly once, none lost.

    ORETRACE_DATABASE_URL=postgres://…/empty-db .venv/bin/python benchmarks/grievance_sms.py \\
        [--rate 500] [--seconds 60] [--senders 500] [--clients 32] [--web-workers 4]

Two runs on the same database, each with its own channel and messages:

1. ``inbox``: ``ORETRACE_GRIEVANCE_SMS_INBOX=true``. The webhook verifies, parses and inserts
   one sealed inbox row (``ON CONFLICT DO NOTHING``) and answers; ``oretrace worker`` files the
   inbox into cases in batches. ``rate * seconds`` deliveries (10 % of them duplicates) are
   posted by ``--clients`` threads as fast as the server takes them; then the run waits for the
   worker to empty the inbox and checks exactly-once: one ``SmsMessage`` and one message per
   distinct SMS, none lost, the inbox empty.
2. ``baseline``: the inbox off, each webhook filed in its request (``receive_sms``: the sender's
   case found or opened, with the receipt's scrypt hash, the text sealed), on a tenth of the
   deliveries; checked the same way.

A new sender opens a case whose receipt is hashed with scrypt on purpose (tens of ms); the
number of distinct senders (``--senders``) therefore weighs on the filing. The load generator
runs on the same 2 cores as the server, the worker and PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

os.environ.setdefault("ORETRACE_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ORETRACE_FAST_PASSWORD_HASHING", "true")
os.environ.setdefault("ORETRACE_GRIEVANCE_SMS_ANDROID_KEY", "bench-signing-key")
os.environ.setdefault("ORETRACE_GRIEVANCE_REPORTS_PER_DAY", "1000000")
os.environ.setdefault("ORETRACE_GRIEVANCE_SMS_MAX_SKEW_SECONDS", "3600")

import _django  # noqa: F401 - Django on a scratch data directory
from django.conf import settings
from django.core.management import call_command

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Role
from oretrace.core.services import add_member, create_organisation, create_user
from oretrace.grievances.models import Message, SmsInbox, SmsMessage
from oretrace.grievances.services import intake


def _member():  # type: ignore[no-untyped-def]
    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    org = create_organisation(
        legal_name="Bench Initiative", kind="initiative", country="IN", actor=SYSTEM
    )
    user = create_user(email="bench@example.org", password="bench-password-1", actor=SYSTEM)
    return add_member(org, user=user, roles=[Role.ADMIN], actor=SYSTEM)


def _deliveries(tag: str, count: int, senders: int, duplicates: float) -> tuple[list[bytes], int]:
    """``count`` deliveries of which ``duplicates`` share are repeats, shuffled; and the
    number of distinct SMS among them."""
    distinct = round(count / (1 + duplicates))
    bodies = [
        json.dumps(
            {
                "deviceId": f"bench-{tag}",
                "event": "sms:received",
                "payload": {
                    "messageId": f"{tag}-{i}",
                    "message": f"संदेश {i}: शेड में पानी नहीं है",
                    "sender": f"+9197{i % senders:08d}",
                },
            },
            ensure_ascii=False,
        ).encode()
        for i in range(distinct)
    ]
    rng = random.Random(7)
    deliveries = bodies + [rng.choice(bodies) for _ in range(count - distinct)]
    rng.shuffle(deliveries)
    return deliveries, distinct


def _signed(body: bytes, key: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"X-Signature": signature, "X-Timestamp": stamp, "Content-Type": "application/json"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "oretrace.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_listening(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("oretrace serve stopped")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("oretrace serve did not listen within 90 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _warm(port: int, url: str, count: int) -> None:
    """Load the app in every gunicorn worker before the clock starts (its first requests)."""
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", url)
        conn.getresponse().read()
        conn.close()


def _cpu_per_webhook(member: object, inbox: bool, count: int, tag: str = "") -> float:
    """CPU milliseconds one webhook costs in this process (Django's full stack, no network,
    no server): what bounds the rate on two cores whatever the load around."""
    from django.test import Client, override_settings

    name = ("cpu-inbox" if inbox else "cpu-sync") + tag
    channel = intake.open_channel(actor=member, slug=f"bench-{name}", name=name)  # type: ignore[arg-type]
    deliveries, _distinct = _deliveries(name, count, 50, 0.1)
    key = settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY
    client = Client()
    url = f"/voice/{channel.slug}/sms/android/"
    with override_settings(ORETRACE_GRIEVANCE_SMS_INBOX=inbox, ALLOWED_HOSTS=["testserver"]):
        start = time.process_time()
        for body in deliveries:
            headers = _signed(body, key)
            client.post(
                url,
                body,
                content_type="application/json",
                headers={k: v for k, v in headers.items() if k != "Content-Type"},
            )
        return (time.process_time() - start) * 1000 / len(deliveries)


def _post_all(port: int, url: str, deliveries: list[bytes], clients: int) -> tuple[float, dict]:
    """Post every delivery with ``clients`` threads; seconds taken and the answers counted."""
    key = settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY
    signed = [(body, _signed(body, key)) for body in deliveries]
    answers: dict[str, int] = {}
    lock = threading.Lock()
    cursor = iter(range(len(signed)))

    def worker() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            body, headers = signed[index]
            for _attempt in range(5):  # a refused connection is the load's, not the app's
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    conn.request("POST", url, body, headers)
                    response = conn.getresponse()
                    content = response.read()
                    conn.close()
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                content, response = b"", None
            status = (
                json.loads(content).get("status", str(response.status))
                if response is not None and response.status == 200
                else f"HTTP {response.status if response else 'unreachable'}"
            )
            with lock:
                answers[status] = answers.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, answers


def _run(
    name: str, member: object, deliveries: list[bytes], distinct: int, ns: argparse.Namespace
) -> tuple[float, float]:
    """One run; its webhooks/s and the seconds the worker took to empty the inbox after."""
    channel = intake.open_channel(actor=member, slug=f"bench-{name}", name=name)  # type: ignore[arg-type]
    inbox = name == "inbox"
    port = _free_port()
    env = {
        **os.environ,
        "ORETRACE_ALLOWED_HOSTS": "127.0.0.1",
        "ORETRACE_GRIEVANCE_SMS_INBOX": "true" if inbox else "false",
    }
    server = _start(["serve", "--workers", str(ns.web_workers), "--bind", f"127.0.0.1:{port}"], env)
    worker = _start(["worker"], env) if inbox else None
    try:
        _wait_listening(port, server)
        _warm(port, f"/voice/{channel.slug}/", 8 * ns.web_workers)
        elapsed, answers = _post_all(
            port, f"/voice/{channel.slug}/sms/android/", deliveries, ns.clients
        )
        drain_start = time.perf_counter()
        deadline = drain_start + ns.drain_timeout
        while inbox and SmsInbox.objects.exists() and time.perf_counter() < deadline:
            time.sleep(0.5)
        drained = time.perf_counter() - drain_start if inbox else 0.0
    finally:
        _stop(server)
        if worker is not None:
            _stop(worker)
    rows = SmsMessage.objects.filter(channel=channel).count()
    messages = Message.objects.filter(case__channel=channel).count()
    left = SmsInbox.objects.filter(channel=channel).count()
    rate = len(deliveries) / elapsed
    once = rows == messages == distinct and left == 0
    print(f"{name}: {len(deliveries):,} deliveries ({distinct:,} distinct SMS) in {elapsed:.1f} s")
    print(f"  answers {answers}")
    print(f"  webhooks {rate:,.0f} /s", end="")
    print(f"; inbox emptied {drained:.1f} s after the last webhook" if inbox else "")
    print(
        f"  exactly once: {'yes' if once else 'NO'} (SMS rows {rows:,}, messages {messages:,}, "
        f"left in inbox {left:,})"
    )
    if not once:
        raise SystemExit(1)
    return rate, drained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=500, help="webhooks/s aimed at")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--senders", type=int, default=500)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--clients", type=int, default=32, help="posting threads")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--baseline-share", type=float, default=0.1)
    parser.add_argument("--drain-timeout", type=float, default=900)
    ns = parser.parse_args()
    member = _member()
    if os.environ.get("BENCH_CPU_ONLY"):
        for inbox in (True, False):
            print(inbox, f"{_cpu_per_webhook(member, inbox, 300):.2f} ms")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            cProfile.runctx(
                "_cpu_per_webhook(member, True, 300, 'p')", globals(), locals(), sort="cumtime"
            )
        return
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"gunicorn sync workers: {ns.web_workers}; clients: {ns.clients}; "
        f"senders: {ns.senders}"
    )
    count = ns.rate * ns.seconds
    deliveries, distinct = _deliveries("in", count, ns.senders, ns.duplicates)
    rate, _drained = _run("inbox", member, deliveries, distinct, ns)
    small, small_distinct = _deliveries(
        "base", int(count * ns.baseline_share), ns.senders, ns.duplicates
    )
    baseline, _ = _run("baseline", member, small, small_distinct, ns)
    for inbox in (True, False):
        cpu = _cpu_per_webhook(member, inbox, 1000 if inbox else 200)
        print(
            f"CPU per webhook, in process ({'inbox' if inbox else 'filed in the request'}): "
            f"{cpu:.2f} ms -> at most {2000 / cpu:,.0f} /s on 2 idle cores"
        )
    print(
        f"inbox / baseline: {rate / baseline:.1f}x; budget 500 /s: "
        f"{'met' if rate >= 500 else 'not met'}"
    )


if __name__ == "__main__":
    main()
