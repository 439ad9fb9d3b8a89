"""Run the web server and the Celery worker side by side for `make run`; Ctrl-C (or SIGTERM) stops both.

Each child runs in a process group of its own, so the terminal's Ctrl-C reaches only this process, which then stops
the children in order: SIGTERM (gunicorn stops gracefully, Celery starts its warm shutdown), then, for whatever still
runs after STOP_SECONDS (a worker waiting for a long job to end), SIGQUIT (Celery's cold shutdown: its task is
acknowledged late, so the job resumes when a worker starts again), then SIGKILL. When one child ends on its own, the
other is stopped too.

The shell recipe this replaces (`trap 'kill 0' INT TERM EXIT`) signalled its own process group from its trap, which
signalled the shell again: the trap recursed until the shell crashed ("Segmentation fault"), while the worker got
SIGINT and SIGTERM over and over and the pool processes were killed under a warm shutdown waiting for them.
"""

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterable

# Seconds a child may take to stop after SIGTERM, then after SIGQUIT, before the next signal.
STOP_SECONDS = 3
QUIT_SECONDS = 2
POLL_SECONDS = 0.1


class Stop(Exception):
    """Raised in the main loop by SIGINT and SIGTERM."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", required=True, help="the web server's command line")
    parser.add_argument("--worker", required=True, help="the Celery worker's command line")
    arguments = parser.parse_args(argv)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _raise_stop)
    children: dict[str, subprocess.Popen] = {}
    try:
        for name in ("worker", "web"):
            children[name] = _start(getattr(arguments, name))
        return _wait_for_any(children)
    except Stop:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(children.values())


def _raise_stop(number, frame) -> None:
    raise Stop


def _start(command: str) -> subprocess.Popen:
    return subprocess.Popen(shlex.split(command), stdin=subprocess.DEVNULL, process_group=0)


def _wait_for_any(children: dict[str, subprocess.Popen]) -> int:
    while True:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"run: the {name} stopped (exit status {child.returncode}); stopping the rest", file=sys.stderr)
                return child.returncode or 1
        time.sleep(POLL_SECONDS)


def stop(children: Iterable[subprocess.Popen]) -> None:
    """SIGTERM, then SIGQUIT to each child, until every child has ended; then SIGKILL to what is left of their
    process groups (pool processes of a worker that was killed)."""
    children = list(children)
    running = [child for child in children if child.poll() is None]
    for number, grace in ((signal.SIGTERM, STOP_SECONDS), (signal.SIGQUIT, QUIT_SECONDS)):
        for child in running:
            # The main process only: it stops its own pool (the worker) or its workers (gunicorn) in order.
            child.send_signal(number)
        running = _wait(running, grace)
    for child in children:
        _kill_group(child)
        child.wait()


def _kill_group(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is empty: everything in it has ended
        os.killpg(child.pid, signal.SIGKILL)


def _wait(children: list[subprocess.Popen], seconds: float) -> list[subprocess.Popen]:
    deadline = time.monotonic() + seconds
    while children and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        children = [child for child in children if child.poll() is None]
    return children


if __name__ == "__main__":
    sys.exit(main())
