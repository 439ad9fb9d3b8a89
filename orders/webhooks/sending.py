"""One HTTP POST of a signed event to an endpoint: short timeouts, no redirects, a short excerpt of the answer kept."""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from .addresses import Target, UrlRefused, check_url

USER_AGENT = "order-back-office-webhooks/1"
# What is read of an answer, and kept of it: enough to see an error message, never a whole page.
EXCERPT_CHARS = 500
# An attempt takes at most this many timeouts in all: connecting, sending, reading the answer.
MAX_STEPS = 3


@dataclass(frozen=True)
class Answer:
    """How an attempt went: the status code (None when no answer came) or an error, and how long it took."""

    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> Answer:
    """POST `body` to `url`, connecting only to an address checked just now; never raises for the endpoint's faults."""
    started = time.monotonic()

    def answer(status_code: int | None = None, error: str = "", excerpt: str = "") -> Answer:
        return Answer(status_code, round((time.monotonic() - started) * 1000), error[:500], excerpt)

    try:
        target = check_url(url, allow_private=allow_private)
    except UrlRefused as error:
        return answer(error=f"Refused: {error}")
    connection = _PinnedConnection(target, timeout=timeout)
    # Socket timeouts bound each step; this bounds the whole attempt, which an answer trickling in could stretch.
    watchdog = threading.Timer(MAX_STEPS * timeout, connection.abort)
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        # Redirects are answers like any other: not followed, and not a success.
        text = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")[:EXCERPT_CHARS]
        return answer(response.status, excerpt=text)
    except (OSError, http.client.HTTPException) as error:
        return answer(error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    finally:
        watchdog.cancel()
        connection.close()


class _PinnedConnection:
    """An HTTP(S) connection to the target's checked addresses (tried in turn), naming its host for TLS and Host."""

    def __init__(self, target: Target, *, timeout: float):
        self.target = target
        cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        self.connection = cls(target.host, target.port, timeout=timeout)
        self.connection.connect = self._connect

    def _connect(self) -> None:
        connection, last_error = self.connection, None
        for address in self.target.addresses:
            try:
                sock = socket.create_connection((address, self.target.port), timeout=connection.timeout)
                break
            except OSError as error:
                last_error = error
        else:
            raise last_error or OSError("no address to connect to")
        if isinstance(connection, http.client.HTTPSConnection):
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self.target.host)
        connection.sock = sock

    def request(self, *args, **kwargs) -> None:
        self.connection.request(*args, **kwargs)

    def getresponse(self) -> http.client.HTTPResponse:
        return self.connection.getresponse()

    def close(self) -> None:
        self.connection.close()

    def abort(self) -> None:
        """Cut the connection short from another thread: the attempt's pending read fails at once."""
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
