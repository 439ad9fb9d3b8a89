"""Fixtures of the webhook tests: a real HTTP receiver on 127.0.0.1, endpoints, and settings that allow loopback."""

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orders.webhooks import services
from orders.webhooks.models import WebhookEndpoint


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    path: str

    def json(self) -> dict:
        return json.loads(self.body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a sender that hangs up early (a timeout, an excerpt read) is part of the tests


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread of its own: answers the scripted status codes in turn, 200 once
    they run out, and keeps every request it got."""

    def __init__(self):
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        self.headers_to_send: dict[str, str] = {}
        self.answer_body = b"ok"
        self.lock = threading.Lock()
        self.hold = threading.Event()  # while cleared, requests wait before they are answered
        self.hold.set()
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def answer(self, *statuses: int) -> "Receiver":
        self.statuses = list(statuses)
        return self

    def _next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body, self.path))
                receiver.hold.wait(timeout=30)
                self.send_response(receiver._next_status())
                for name, value in receiver.headers_to_send.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer_body)))
                self.end_headers()
                self.wfile.write(receiver.answer_body)

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Loopback receivers allowed; retries due at once and short timeouts, so that tests need not wait."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 0
    settings.WEBHOOKS_RETRY_BACKOFF_FACTOR = 2
    settings.WEBHOOKS_RETRY_MAX_DELAY_SECONDS = 3600
    settings.WEBHOOKS_RETRY_FOR_SECONDS = 3600
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return settings


@pytest.fixture
def endpoint_of(tenant):
    """Makes an endpoint of tenant `acme` for a URL; returns it with its secret."""

    def make(url: str, events: tuple[str, ...] = ()) -> tuple[WebhookEndpoint, str]:
        return services.create_endpoint(tenant=tenant, url=url, events=events)

    return make


@pytest.fixture
def subscribed(receiver, endpoint_of) -> tuple[WebhookEndpoint, str]:
    """An endpoint of every event at the receiver, and its secret."""
    return endpoint_of(receiver.url)


def expected_signature(secret: str, received: Received) -> str:
    """Computed here from the specification, independently of the code under test."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{received.headers['webhook-id']}.{received.headers['webhook-timestamp']}.".encode() + received.body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
