"""Real Celery worker processes for the integration tests, pointed at the test database and a test broker."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 30


def database_url_for_workers() -> str:
    """The URL of the database this test runs on, for processes started by the test."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class CeleryWorker:
    """`celery -A config worker` in its own process group, killed with everything it started."""

    def __init__(self, name: str, log: Path, environment: dict[str, str], concurrency: int = 2):
        self.log = log
        self.hostname = f"{name}@{socket.gethostname()}"  # what %h stands for: the name remote control commands use
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO"]
        command += ["--concurrency", str(concurrency), "--hostname", self.hostname, "--without-gossip"]
        command += ["--without-mingle", "--without-heartbeat"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> "CeleryWorker":
        deadline = time.monotonic() + timeout
        while " ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{self.log.read_text()}")
            time.sleep(0.1)
        return self

    def tasks_received(self, name: str) -> int:
        return sum(f"Task {name}[" in line and line.endswith("received") for line in self.log.read_text().splitlines())

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text().splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes: no warm shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def database_activity() -> str:
    """What every other session of the test database is doing, for a timeout's message (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, left(query, 120) "
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return "\n".join(" | ".join(str(value) for value in row) for row in cursor.fetchall())
