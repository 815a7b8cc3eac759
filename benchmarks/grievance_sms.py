"""SMS intake under load, as deployed: signed SMS Gateway for Android webhooks posted over
loopback to ``oretrace serve`` (gunicorn sync workers) on PostgreSQL at a fixed rate, with
10 % duplicate deliveries shuffled in, the inbox on and ``oretrace worker`` filing it at a
lower CPU priority; each SMS checked to be filed exactly once, none lost.

Budget (ARCHITECTURE.md): 500 inbound webhooks/s for 60 s with 10 % duplicates, each processed
exactly once, none lost.

    ORETRACE_DATABASE_URL=postgres://…/empty-db .venv/bin/python benchmarks/grievance_sms.py

Options (defaults): ``--rate 500 --seconds 60 --web-workers 6 --worker-nice 19 --senders 500
--duplicates 0.1 --compare-seconds 10 --baseline-share 0``. The database must be empty (the
script migrates it) and on this machine (the CPU of its server processes is read from /proc).

What it does, in order:

1. ``in process``: the CPU one webhook costs in the web process, the WSGI application called
   directly (no network, no gunicorn), through the site's handler (``full``, every middleware)
   and through the webhook handler (``slim``, ``oretrace.webhooks``), interleaved rounds.
2. ``full`` and ``slim``: ``--compare-seconds`` of load at ``--rate`` through each handler
   (``ORETRACE_SMS_WEBHOOK_HANDLER``), the same server and worker otherwise: the old path
   against the new in the same run.
3. ``budget``: ``--rate`` times ``--seconds`` through the slim handler.
4. ``baseline`` (only with ``--baseline-share`` above 0): that share of the deliveries with the
   inbox off, each filed in its request.

Each run posts from one thread of this process, open loop: delivery *i* is sent at
``start + i / rate`` (or as soon as one of ``--max-inflight`` connections is free), on a new
connection, as a gateway does; the request bytes (signed) are built before the clock starts, so
the generator costs little CPU. Latency is counted from the time a request was due, so a server
that falls behind shows it. After the last answer the run waits for the worker to empty the
inbox (the drain) and checks: one ``SmsMessage`` and one message per distinct SMS, the inbox
empty. CPU per accepted webhook is read from /proc for each part: gunicorn (master and workers),
PostgreSQL (postmaster and all its processes), the load generator (this process), the worker;
during the load and, for the worker and PostgreSQL, during the drain.

What to read: the budget holds when the ``budget`` run says ``webhooks 500 /s`` (the rate
asked, kept; a server that falls behind shows a lower rate and latencies of seconds), every
answer ``queued``, ``exactly once: yes``, and the last line ``budget 500 /s for 60 s: met``.
The exit status is 1 when a check of exactly once fails. The drain takes minutes (the worker
files a new sender's case with a slow scrypt hash of its receipt, on purpose). Measured in
session 9: 326 /s on the shared machine; on the idle machine, twice, 500 /s for 60 s, met,
exactly once (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

os.environ.setdefault("ORETRACE_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ORETRACE_FAST_PASSWORD_HASHING", "true")
os.environ.setdefault("ORETRACE_GRIEVANCE_SMS_ANDROID_KEY", "bench-signing-key")
os.environ.setdefault("ORETRACE_GRIEVANCE_REPORTS_PER_DAY", "1000000")

import _django  # noqa: F401 - Django on a scratch data directory
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Role
from oretrace.core.services import add_member, create_organisation, create_user
from oretrace.grievances.models import Message, SmsInbox, SmsMessage
from oretrace.grievances.services import intake

TICK = os.sysconf("SC_CLK_TCK")


def _member():  # type: ignore[no-untyped-def]
    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    org = create_organisation(
        legal_name="Bench Initiative", kind="initiative", country="IN", actor=SYSTEM
    )
    user = create_user(email="bench@example.org", password="bench-password-1", actor=SYSTEM)
    return add_member(org, user=user, roles=[Role.ADMIN], actor=SYSTEM)


def _deliveries(tag: str, count: int, senders: int, duplicates: float) -> tuple[list[bytes], int]:
    """``count`` webhook bodies of which ``duplicates`` share are repeats, shuffled (a repeat
    may come before its first delivery); and the number of distinct SMS among them."""
    distinct = round(count / (1 + duplicates))
    bodies = [_body(tag, i, f"+9197{i % senders:08d}") for i in range(distinct)]
    rng = random.Random(7)
    deliveries = bodies + [rng.choice(bodies) for _ in range(count - distinct)]
    rng.shuffle(deliveries)
    return deliveries, distinct


def _body(tag: str, i: int, sender: str, event: str = "sms:received") -> bytes:
    document = {
        "deviceId": f"bench-{tag}",
        "event": event,
        "payload": {"messageId": f"{tag}-{i}", "message": f"संदेश {i}: शेड में पानी नहीं है"},
    }
    document["payload"]["sender"] = sender  # type: ignore[index]
    return json.dumps(document, ensure_ascii=False).encode()


def _signed(body: bytes, key: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"X-Signature": signature, "X-Timestamp": stamp, "Content-Type": "application/json"}


def _request(port: int, url: str, body: bytes) -> bytes:
    """The whole HTTP request for one delivery, signed now."""
    headers = _signed(body, settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY)
    lines = [f"POST {url} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# --- the load generator ---------------------------------------------------------------------
@dataclass
class Load:
    seconds: float = 0.0
    cpu: float = 0.0  # this process's CPU seconds while posting
    answers: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    retries: int = 0


@dataclass
class _Pending:
    index: int
    due: float
    data: bytes
    sent: int = 0
    received: bytearray = field(default_factory=bytearray)


def _answer(raw: bytes) -> str:
    head, _sep, content = raw.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/") else "?"
    if status != "200":
        return f"HTTP {status}"
    try:
        return str(json.loads(content).get("status", "200"))
    except ValueError:
        return "HTTP 200, not JSON"


def _post_paced(port: int, requests: list[bytes], rate: float, max_inflight: int) -> Load:
    """Send each request at its time (``i / rate`` after the start) on a new connection, at most
    ``max_inflight`` at once, from this one thread; count the answers and the latencies."""
    load = Load()
    selector = selectors.DefaultSelector()
    address = ("127.0.0.1", port)
    waiting = list(range(len(requests)))[::-1]  # a stack: the next due on top
    retry: list[int] = []
    inflight = 0
    cpu_start, start = time.process_time(), time.perf_counter()

    def open_one(index: int, due: float) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(address)
        selector.register(sock, selectors.EVENT_WRITE, _Pending(index, due, requests[index]))

    def finish(sock: socket.socket, pending: _Pending, failed: bool) -> None:
        nonlocal inflight
        selector.unregister(sock)
        sock.close()
        inflight -= 1
        if failed:  # refused or reset: the server's backlog was full; send it again
            load.retries += 1
            retry.append(pending.index)
            return
        status = _answer(bytes(pending.received))
        load.answers[status] = load.answers.get(status, 0) + 1
        load.latencies.append(time.perf_counter() - pending.due)

    while waiting or retry or inflight:
        now = time.perf_counter()
        while inflight < max_inflight and (
            retry or (waiting and start + waiting[-1] / rate <= now)
        ):
            index = retry.pop() if retry else waiting.pop()
            open_one(index, min(now, start + index / rate))
            inflight += 1
        timeout = 0.05
        if waiting and inflight < max_inflight:
            timeout = max(0.0, min(timeout, start + waiting[-1] / rate - now))
        for key, events in selector.select(timeout):
            sock, pending = key.fileobj, key.data
            assert isinstance(sock, socket.socket)
            assert isinstance(pending, _Pending)
            try:
                if events & selectors.EVENT_WRITE:
                    pending.sent += sock.send(pending.data[pending.sent :])
                    if pending.sent == len(pending.data):
                        selector.modify(sock, selectors.EVENT_READ, pending)
                    continue
                chunk = sock.recv(65536)
            except OSError:
                finish(sock, pending, failed=not pending.received)
                continue
            if chunk:
                pending.received += chunk
            else:
                finish(sock, pending, failed=not pending.received)
    load.seconds = time.perf_counter() - start
    load.cpu = time.process_time() - cpu_start
    selector.close()
    return load


# --- CPU of the other processes, from /proc --------------------------------------------------
def _processes() -> dict[int, tuple[int, float]]:
    """Each process: its parent, and its CPU seconds with those of its children it reaped."""
    found: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        found[int(entry)] = (int(fields[1]), ticks / TICK)
    return found


def _tree_cpu(root: int | None, processes: dict[int, tuple[int, float]]) -> float:
    if root is None:
        return 0.0
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += processes.get(pid, (0, 0.0))[1]
        stack += children.get(pid, [])
    return total


def _postmaster() -> int | None:
    """PostgreSQL's postmaster when it runs on this machine (else None: not counted)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    parent = _processes().get(backend, (0, 0.0))[0]
    return parent or None


def _wal_syncs() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT wal_sync FROM pg_stat_wal")
        return int(cursor.fetchone()[0])


@dataclass
class Parts:
    web: float
    database: float
    worker: float
    syncs: int

    @classmethod
    def now(cls, web: int, database: int | None, worker: int | None) -> Parts:
        processes = _processes()
        return cls(
            _tree_cpu(web, processes),
            _tree_cpu(database, processes),
            _tree_cpu(worker, processes),
            _wal_syncs(),
        )

    def __sub__(self, other: Parts) -> Parts:
        return Parts(
            self.web - other.web,
            self.database - other.database,
            self.worker - other.worker,
            self.syncs - other.syncs,
        )


# --- servers ---------------------------------------------------------------------------------
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
    """Each gunicorn worker's first requests (its database connection, the channel): signed
    events that are not a received SMS, answered ``ignored``, before the clock starts."""
    requests = [_request(port, url, _body("warm", i, "+1", "sms:sent")) for i in range(count)]
    load = _post_paced(port, requests, rate=1e9, max_inflight=4)
    if load.answers != {"ignored": count}:
        raise RuntimeError(f"the warm-up was answered {load.answers}")


# --- a run -----------------------------------------------------------------------------------
def _run(
    name: str,
    member: object,
    count: int,
    ns: argparse.Namespace,
    *,
    handler: str = "slim",
    inbox: bool = True,
) -> float:
    """One run: start the server and the worker, post, wait for the drain, check; webhooks/s."""
    deliveries, distinct = _deliveries(name, count, ns.senders, ns.duplicates)
    channel = intake.open_channel(actor=member, slug=f"bench-{name}", name=name)  # type: ignore[arg-type]
    port = _free_port()
    env = {
        **os.environ,
        "ORETRACE_ALLOWED_HOSTS": "127.0.0.1",
        "ORETRACE_GRIEVANCE_SMS_INBOX": "true" if inbox else "false",
        "ORETRACE_SMS_WEBHOOK_HANDLER": handler,
    }
    url = f"/voice/{channel.slug}/sms/android/"
    server = _start(["serve", "--workers", str(ns.web_workers), "--bind", f"127.0.0.1:{port}"], env)
    worker = _start(["worker", "--nice", str(ns.worker_nice)], env) if inbox else None
    database = _postmaster()
    try:
        _wait_listening(port, server)
        _warm(port, url, 4 * ns.web_workers)
        requests = [_request(port, url, body) for body in deliveries]
        before = Parts.now(server.pid, database, worker.pid if worker else None)
        load = _post_paced(port, requests, ns.rate, ns.max_inflight)
        after = Parts.now(server.pid, database, worker.pid if worker else None)
        _report(name, handler, count, distinct, load, after - before, ns.rate)
        drained = _drain(channel, ns.drain_timeout) if inbox else 0.0
        drain = Parts.now(server.pid, database, worker.pid if worker else None) - after
    finally:
        _stop(server)
        if worker is not None:
            _stop(worker)
    rate = count / load.seconds
    if inbox:
        print(
            f"  drain: the inbox emptied {drained:.1f} s after the last answer; CPU then: worker "
            f"{drain.worker:.1f} s, PostgreSQL {drain.database:.1f} s"
        )
    _check(channel, distinct)
    return rate


def _drain(channel: object, timeout: float) -> float:
    start = time.perf_counter()
    while SmsInbox.objects.filter(channel=channel).exists():
        if time.perf_counter() - start > timeout:
            break
        time.sleep(0.5)
    return time.perf_counter() - start


def _report(
    name: str, handler: str, count: int, distinct: int, load: Load, cpu: Parts, asked: float
) -> None:
    accepted = sum(n for status, n in load.answers.items() if status in ("queued", "received"))
    accepted += sum(n for status, n in load.answers.items() if status in ("duplicate", "taken"))
    per = 1000 / max(accepted, 1)
    latencies = sorted(load.latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    total = cpu.web + cpu.database + load.cpu + cpu.worker
    print(
        f"{name} ({handler} handler): {count:,} deliveries ({distinct:,} distinct SMS) in "
        f"{load.seconds:.1f} s, asked {asked:,.0f} /s"
    )
    print(f"  answers {load.answers}; connections retried {load.retries}")
    print(
        f"  webhooks {count / load.seconds:,.0f} /s; latency p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    print(
        f"  CPU per accepted webhook while posting: {total * per:.2f} ms = web "
        f"{cpu.web * per:.2f} + PostgreSQL {cpu.database * per:.2f} + load generator "
        f"{load.cpu * per:.2f} + worker {cpu.worker * per:.2f}; WAL syncs "
        f"{cpu.syncs:,} ({accepted / max(cpu.syncs, 1):.1f} webhooks each)"
    )


def _check(channel: object, distinct: int) -> None:
    rows = SmsMessage.objects.filter(channel=channel).count()
    messages = Message.objects.filter(case__channel=channel).count()
    left = SmsInbox.objects.filter(channel=channel).count()
    once = rows == messages == distinct and left == 0
    print(
        f"  exactly once: {'yes' if once else 'NO'} (SMS rows {rows:,}, messages {messages:,}, "
        f"distinct SMS sent {distinct:,}, left in inbox {left:,})"
    )
    if not once:
        raise SystemExit(1)


# --- in process ------------------------------------------------------------------------------
def _cpu_in_process(member: object, rounds: int, count: int) -> dict[str, float]:
    """CPU milliseconds per webhook in this process, the WSGI application called directly."""
    import io

    from django.test import override_settings

    from oretrace.webhooks import WebhookHandler
    from oretrace.wsgi import site_application

    applications = {"full": site_application, "slim": WebhookHandler()}
    samples: dict[str, list[float]] = {name: [] for name in applications}
    key = settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        if not status.startswith("200"):
            raise RuntimeError(f"in process: {status}")

    with override_settings(ORETRACE_GRIEVANCE_SMS_INBOX=True, ALLOWED_HOSTS=["127.0.0.1"]):
        for step in range(rounds):
            for name, application in applications.items():
                tag = f"cpu-{name}-{step}"
                channel = intake.open_channel(actor=member, slug=f"bench-{tag}", name=tag)  # type: ignore[arg-type]
                deliveries, _distinct = _deliveries(tag, count, 50, 0.1)
                signed = [(body, _signed(body, key)) for body in deliveries]
                start = time.process_time()
                for body, headers in signed:
                    environ = {
                        "REQUEST_METHOD": "POST",
                        "PATH_INFO": f"/voice/{channel.slug}/sms/android/",
                        "SERVER_NAME": "127.0.0.1",
                        "SERVER_PORT": "8000",
                        "HTTP_HOST": "127.0.0.1",
                        "CONTENT_TYPE": "application/json",
                        "CONTENT_LENGTH": str(len(body)),
                        "HTTP_X_SIGNATURE": headers["X-Signature"],
                        "HTTP_X_TIMESTAMP": headers["X-Timestamp"],
                        "wsgi.input": io.BytesIO(body),
                        "wsgi.url_scheme": "http",
                    }
                    b"".join(application(environ, start_response))
                samples[name].append((time.process_time() - start) * 1000 / count)
    return {name: statistics.median(values) for name, values in samples.items()}


def _settings_line() -> str:
    if connection.vendor != "postgresql":
        return f"database: {connection.vendor}"
    names = ("fsync", "synchronous_commit", "commit_delay", "commit_siblings", "wal_sync_method")
    with connection.cursor() as cursor:
        values = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            values.append(f"{name}={cursor.fetchone()[0]}")
    return "database: PostgreSQL, " + ", ".join(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500, help="webhooks/s sent")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--senders", type=int, default=500)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--max-inflight", type=int, default=256, help="connections open at once")
    parser.add_argument("--web-workers", type=int, default=6, help="gunicorn sync workers")
    parser.add_argument("--worker-nice", type=int, default=19, help="oretrace worker --nice")
    parser.add_argument("--compare-seconds", type=int, default=10, help="0: no full/slim runs")
    parser.add_argument("--baseline-share", type=float, default=0.0)
    parser.add_argument("--in-process-rounds", type=int, default=5)
    parser.add_argument("--drain-timeout", type=float, default=1800)
    ns = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each line as it comes
    member = _member()
    print(_settings_line())
    print(
        f"gunicorn sync workers: {ns.web_workers}; worker nice {ns.worker_nice}; senders "
        f"{ns.senders}; load average before: {os.getloadavg()[0]:.1f}"
    )
    if ns.in_process_rounds:
        cpu = _cpu_in_process(member, ns.in_process_rounds, 300)
        print(
            f"in process, CPU per webhook (median of {ns.in_process_rounds} rounds of 300): "
            f"full handler {cpu['full']:.2f} ms, slim handler {cpu['slim']:.2f} ms "
            f"({cpu['full'] / cpu['slim']:.1f}x)"
        )
    if ns.compare_seconds:
        for handler in ("full", "slim"):
            _run(handler, member, int(ns.rate * ns.compare_seconds), ns, handler=handler)
    rate = _run("budget", member, int(ns.rate * ns.seconds), ns)
    if ns.baseline_share > 0:
        count = int(ns.rate * ns.seconds * ns.baseline_share)
        _run("baseline", member, count, ns, inbox=False)
    met = rate >= ns.rate * 0.99 and ns.rate >= 500 and ns.seconds >= 60
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"budget 500 /s for 60 s: {'met' if met else 'not met'} ({rate:,.0f} /s)")


if __name__ == "__main__":
    main()
