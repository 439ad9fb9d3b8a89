"""The API beside its floor: `make serve` and bench/floor_app.py (the same SQL on bare psycopg, same gunicorn
settings), driven in turn with wrk at 1 and 16 connections for each kind of read request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/obo_bench_1m .venv/bin/python bench/serve_bench.py \\
        --tenant bench [--rounds 3] [--seconds 5] [--workers 3]

The database must hold the tenant's orders (`generate_orders`); the script adds one API client with
`order.order_read` and gets its token at /oauth/token. Each round runs every (kind, connections) pair on both
servers, alternating which goes first, so that a machine shared with other work loads both alike; it prints the
load average per round, then per pair the medians over the rounds of req/s, p50 and p99 for each server and the
API's share of the floor's throughput and its latency as a multiple of the floor's. Any error answer (non-2xx,
socket errors) is printed and fails the run. Only 127.0.0.1 is ever driven.
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The virtualenv this script runs in (.venv/bin/python) also runs manage.py and the floor's gunicorn.
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
HOST = "127.0.0.1"
LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
HEAD_SCRIPT = 'wrk.method = "HEAD"\n'


@dataclass(frozen=True)
class Kind:
    name: str
    method: str
    path: str


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per pair and server")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--api-port", type=int, default=8077)
    parser.add_argument("--floor-port", type=int, default=8078)
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--serve-command", default="make serve", help="how the API is started (run from the repo)")
    return parser.parse_args()


def kinds(tenant: str, order_id: str, status: str, email: str) -> list[Kind]:
    base = f"/order-v2/{tenant}/salesorders"
    return [
        Kind("GET by id", "GET", f"{base}/{order_id}"),
        Kind(f"list q=status:{status}", "GET", f"{base}?{urllib.parse.urlencode({'q': f'status:{status}'})}"),
        Kind(f"HEAD q=status:{status}", "HEAD", f"{base}?{urllib.parse.urlencode({'q': f'status:{status}'})}"),
        Kind("equality q=customer.email", "GET", f"{base}?{urllib.parse.urlencode({'q': f'customer.email:{email}'})}"),
    ]


def sample(tenant: str) -> tuple[str, str]:
    """An order id from the middle of the tenant's orders, and the email of a customer of several orders."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as database:
        tenant_pk = database.execute("SELECT id FROM orders_tenant WHERE name = %s", (tenant,)).fetchone()[0]
        (newest,) = database.execute("SELECT max(id) FROM orders_order WHERE tenant_id = %s", (tenant_pk,)).fetchone()
        order_id, email = database.execute(
            "SELECT order_id, customer_email FROM orders_order WHERE tenant_id = %s AND id <= %s ORDER BY id DESC"
            " LIMIT 1",
            (tenant_pk, newest // 2),
        ).fetchone()
    return order_id, email


def start(command: list[str], port: int, log: Path, **env) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(port, process, log)
    return process


def wait_for(port: int, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"The server on port {port} stopped: see {log}")
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    sys.exit(f"Nothing answers on port {port}: see {log}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=30)


def access_token(tenant: str, api_port: int) -> str:
    created = subprocess.run(
        [str(PYTHON), "manage.py", "create_api_client", "--tenant", tenant, "--scopes", "order.order_read"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    client = json.loads(created.stdout)
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        }
    ).encode()
    with urllib.request.urlopen(f"http://{HOST}:{api_port}/oauth/token", form, timeout=30) as response:
        return json.load(response)["access_token"]


def wrk(port: int, kind: Kind, connections: int, seconds: int, token: str, head_script: str) -> Result:
    command = ["wrk", "--latency", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["-H", f"Authorization: Bearer {token}"]
    if kind.method == "HEAD":
        command += ["-s", head_script]
    output = subprocess.run(
        [*command, f"http://{HOST}:{port}{kind.path}"], check=True, capture_output=True, text=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Result:
    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE).groups()
        return float(value) * LATENCY_UNITS[unit]

    errors = sum(int(count) for count in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors += sum(int(count) for count in socket_errors.groups()) if socket_errors else 0
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return Result(requests_per_second, latency("50"), latency("99"), errors)


def answers(port: int, kinds_: list[Kind], token: str) -> list[tuple[int, str | None, int]]:
    """Status, X-Total-Count and body length of each kind's answer."""
    seen = []
    for kind in kinds_:
        request = urllib.request.Request(
            f"http://{HOST}:{port}{kind.path}", method=kind.method, headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            seen.append((response.status, response.headers.get("X-Total-Count"), len(response.read())))
    return seen


def check_same_answers(servers: dict, kinds_: list[Kind], token: str) -> None:
    """Both servers answer each kind alike (the floor runs the same SQL), so they do the same work."""
    api, floor = (answers(port, kinds_, token) for port in servers.values())
    for kind, api_answer, floor_answer in zip(kinds_, api, floor, strict=True):
        if api_answer != floor_answer or api_answer[0] != 200:
            sys.exit(f"{kind.name}: the API answered {api_answer}, the floor {floor_answer} (status, total, bytes)")
        print(f"{kind.name}: {kind.method} {kind.path} -> {api_answer[1] or '-'} orders, {api_answer[2]} bytes")


def main() -> None:
    arguments = parse_arguments()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database holding the orders.")
    order_id, email = sample(arguments.tenant)
    request_kinds = kinds(arguments.tenant, order_id, "CREATED", email)
    logs = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    head_script = logs / "head.lua"
    head_script.write_text(HEAD_SCRIPT)
    workers = str(arguments.workers)
    api = start(
        shlex.split(arguments.serve_command),
        arguments.api_port,
        logs / "api.log",
        HOST=HOST,
        PORT=str(arguments.api_port),
        WEB_WORKERS=workers,
    )
    floor = start(
        [str(GUNICORN), "bench.floor_app:application", "--bind",
         f"{HOST}:{arguments.floor_port}", "--workers", workers],
        arguments.floor_port,
        logs / "floor.log",
    )  # fmt: skip
    try:
        token = access_token(arguments.tenant, arguments.api_port)
        servers = {"api": arguments.api_port, "floor": arguments.floor_port}
        check_same_answers(servers, request_kinds, token)
        results = run_rounds(arguments, request_kinds, servers, token, str(head_script))
    finally:
        stop(api)
        stop(floor)
    report(results, request_kinds, arguments)


def run_rounds(arguments, request_kinds: list[Kind], servers: dict, token: str, head_script: str) -> dict:
    connection_counts = [int(count) for count in arguments.connections.split(",")]
    results: dict[tuple[str, int, str], list[Result]] = {}
    for kind in request_kinds:  # warm-up: caches, prepared statements, the page cache
        for port in servers.values():
            wrk(port, kind, 2, 2, token, head_script)
    for round_number in range(1, arguments.rounds + 1):
        order = list(servers.items()) if round_number % 2 else list(reversed(servers.items()))
        load_before = os.getloadavg()[0]
        for kind in request_kinds:
            for connections in connection_counts:
                for name, port in order:
                    result = wrk(port, kind, connections, arguments.seconds, token, head_script)
                    if result.errors:
                        sys.exit(f"{result.errors} error answers from {name} on {kind.name} at {connections}")
                    results.setdefault((kind.name, connections, name), []).append(result)
        print(
            f"round {round_number}: {' then '.join(name for name, _ in order)}, load average "
            f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
            flush=True,
        )
    return results


def report(results: dict, request_kinds: list[Kind], arguments) -> None:
    print(f"\n{arguments.workers} gunicorn workers each, {arguments.rounds} rounds of {arguments.seconds} s; medians")
    print(
        f"{'request':32} {'conns':>5} | {'api req/s':>9} {'p50':>7} {'p99':>7} | {'floor req/s':>11} {'p50':>7}"
        f" {'p99':>7} | {'req/s':>6} {'p50':>6} {'p99':>6}"
    )
    for kind in request_kinds:
        for connections in [int(count) for count in arguments.connections.split(",")]:
            api = median_result(results[(kind.name, connections, "api")])
            floor = median_result(results[(kind.name, connections, "floor")])
            print(
                f"{kind.name:32} {connections:>5} | {api.requests_per_second:>9.0f} {api.p50_ms:>7.2f}"
                f" {api.p99_ms:>7.2f} | {floor.requests_per_second:>11.0f} {floor.p50_ms:>7.2f}"
                f" {floor.p99_ms:>7.2f} | {api.requests_per_second / floor.requests_per_second:>6.0%}"
                f" {api.p50_ms / floor.p50_ms:>5.2f}x {api.p99_ms / floor.p99_ms:>5.2f}x"
            )


def median_result(results: list[Result]) -> Result:
    return Result(
        statistics.median(result.requests_per_second for result in results),
        statistics.median(result.p50_ms for result in results),
        statistics.median(result.p99_ms for result in results),
        sum(result.errors for result in results),
    )


if __name__ == "__main__":
    main()
