"""`make run`'s two processes and Ctrl-C (tools/run.py): both stop within seconds, whatever state they are in."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import run  # noqa: E402

# A child that says it is up (a file) and then sleeps; how it reacts to each signal is the test's choice.
CHILD = """
import pathlib, signal, sys, time
for name in sys.argv[2:]:
    signal.signal(getattr(signal, name), signal.SIG_IGN)
pathlib.Path(sys.argv[1]).touch()
while True:
    time.sleep(1)
"""
# What stopping may take at most: every grace period, and room for a loaded machine.
STOP_LIMIT = run.STOP_SECONDS + run.QUIT_SECONDS + 10
START_LIMIT = 60


def child_command(tmp_path: Path, name: str, ignores: str = "") -> str:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return f"{sys.executable} {script} {tmp_path / name} {' '.join(ignores.split(','))}"


def start_run(tmp_path: Path, *, web: str, worker: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "run.py"), "--web", web, "--worker", worker],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        text=True,
    )
    deadline = time.monotonic() + START_LIMIT
    while not ((tmp_path / "web").exists() and (tmp_path / "worker").exists()):
        assert process.poll() is None and time.monotonic() < deadline, "the children did not start"
        time.sleep(0.1)
    return process


def child_pids(process: subprocess.Popen) -> list[int]:
    output = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in output.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def ctrl_c(process: subprocess.Popen) -> tuple[float, str]:
    """SIGINT to the whole process group, as the terminal sends it; returns the seconds until it ended, its output."""
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=STOP_LIMIT + 10)
    return time.monotonic() - started, output


@pytest.mark.parametrize(
    "worker_ignores",
    [
        pytest.param("", id="stops-on-sigterm"),
        pytest.param("SIGTERM", id="hangs-in-warm-shutdown"),
        pytest.param("SIGTERM,SIGQUIT", id="ignores-every-polite-signal"),
    ],
)
def test_ctrl_c_stops_web_server_and_worker_within_seconds(tmp_path, worker_ignores):
    # given
    process = start_run(
        tmp_path, web=child_command(tmp_path, "web"), worker=child_command(tmp_path, "worker", worker_ignores)
    )
    children = child_pids(process)
    # when
    seconds, output = ctrl_c(process)
    # then
    assert len(children) == 2
    assert seconds < STOP_LIMIT
    assert not [pid for pid in children if alive(pid)]
    assert "Segmentation fault" not in output
    assert process.returncode == 0


def test_when_one_child_ends_the_other_is_stopped(tmp_path):
    # given
    process = start_run(tmp_path, web=child_command(tmp_path, "web"), worker=child_command(tmp_path, "worker"))
    web, worker = sorted(child_pids(process), reverse=True)  # the web server was started second
    # when
    os.kill(web, signal.SIGKILL)
    output, _ = process.communicate(timeout=STOP_LIMIT + 10)
    # then
    assert "the web stopped" in output
    assert process.returncode != 0
    assert not alive(worker)
