"""A fake SMS gateway on loopback for the tests: a small threaded HTTP server on 127.0.0.1
(port 0: the system picks a free one) that takes our outgoing SMS as the real gateway's API
would, and posts inbound webhooks to the app as the real gateway does.

Each received request is kept (``requests``); ``answers`` says what to answer next (status,
body), one per request, then ``default``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeGateway:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes]] = field(default_factory=list)
    default: tuple[int, bytes] = (202, b'{"id": "gw-1"}')
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, received: Received) -> tuple[int, bytes]:
        with self.lock:
            self.requests.append(received)
            return self.answers.pop(0) if self.answers else self.default

    @staticmethod
    def deliver(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Post one webhook to the app, as the gateway would; its status and body."""
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read()


def send_through(
    settings: Any, gateway: FakeGateway, *, twilio_token: str, twilio_sid: str = "AC123"
) -> None:
    """Send the Twilio and Africa's Talking SMS to ``gateway`` (this fake, on loopback), as a
    Twilio account ``twilio_sid`` and the Africa's Talking sandbox (API key ``at-api-key``)."""
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_ACCOUNT_SID = twilio_sid
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN = twilio_token
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_FROM = "+15005550006"
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_API_URL = f"{gateway.url}/2010-04-01"
    settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_USERNAME = "sandbox"
    settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_KEY = "at-api-key"
    settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_URL = f"{gateway.url}/version1/messaging"


def android_received(
    message_id: str, text: str, sender: str, *, key: str, device: str = "phone-1"
) -> tuple[bytes, dict[str, str]]:
    """An ``sms:received`` webhook as SMS Gateway for Android posts it: its JSON body and its
    headers, signed with ``key`` (HMAC-SHA256 of the body and the timestamp)."""
    payload = {"messageId": message_id, "message": text, "sender": sender}
    document = {"deviceId": device, "event": "sms:received", "payload": payload}
    body = json.dumps(document, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    headers = {"X-Signature": signature, "X-Timestamp": stamp, "Content-Type": "application/json"}
    return body, headers


def _handler(gateway: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(
                "POST",
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            status, body = gateway.answer(received)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read ``requests``."""

    return Handler


@contextmanager
def running() -> Iterator[FakeGateway]:
    """A fake gateway listening on 127.0.0.1 for the block's duration."""
    gateway = FakeGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
