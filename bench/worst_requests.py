"""CPU seconds of the most expensive requests a client may send, each run in this process through Django's full
HTTP stack (middleware, token check, views), so that `time.process_time()` around a request is its CPU cost.

    VAR_DIR=$(mktemp -d) .venv/bin/python bench/worst_requests.py            # embedded SQLite, a fresh database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/worst .venv/bin/python bench/worst_requests.py   # empty database

The target (docs/reliability.md): no request keeps a worker busy for more than a second of CPU. On SQLite the
database's own work is in this process too, so the figures are an upper bound of the web worker's share.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from orders import documents  # noqa: E402
from orders.documents import MAX_KEYS  # noqa: E402
from orders.schema import MAX_ENTRIES_PER_ORDER  # noqa: E402
from orders.scopes import ALL_SCOPES, VENDOR_SCOPES  # noqa: E402
from orders.services import create_api_client, create_tenant  # noqa: E402
from pickpack.inputs import MAX_ORDER_IDS  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seed_order.json"
TENANT = "worst"


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    tenant = create_tenant(name=TENANT)
    scopes = [scope for scope in ALL_SCOPES if scope not in VENDOR_SCOPES]
    client, secret = create_api_client(tenant=tenant, scopes=scopes)
    http = Client()
    token = http.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": client.application.client_id, "client_secret": secret},
    ).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    seed = documents.loads(SEED.read_text())
    entry = seed["entries"][0]
    largest = {**seed, "entries": [{**entry, "id": f"e{index}"} for index in range(MAX_ENTRIES_PER_ORDER)]}
    body = documents.dumps(largest)
    print(f"largest order: {MAX_ENTRIES_PER_ORDER} entries, {len(body):,} bytes")

    def call(label: str, method: str, path: str, data: str = "", **extra) -> str:
        start = time.process_time()
        response = http.generic(
            method, f"/order-v2/{TENANT}/{path}", data=data, content_type="application/json", **auth, **extra
        )
        cpu = time.process_time() - start
        print(f"{cpu:7.3f} s CPU  {response.status_code}  {label}")
        return response

    order_id = call("create the largest order", "POST", "salesorders", body).json()["id"]
    for _number in range(20):
        call_quietly = http.generic(
            "POST", f"/order-v2/{TENANT}/salesorders", data=body, content_type="application/json", **auth
        )
        assert call_quietly.status_code == 201, call_quietly.content[:200]
    patch = documents.dumps(
        {"entries": [{**entry, "id": f"e{index}", "amount": 2} for index in range(MAX_ENTRIES_PER_ORDER)]}
    )
    call("PATCH all entries, recalculate", "PATCH", f"salesorders/{order_id}?recalculate=true", patch)
    deliveries = json.dumps(
        {"entries": [{"entryId": f"e{index}", "deliveredAmount": 1} for index in range(MAX_ENTRIES_PER_ORDER)]}
    )
    call("calculations for every entry", "POST", f"salesorders/{order_id}/calculations", deliveries)
    call(
        "entries?store=true for every entry",
        "POST",
        f"salesorders/{order_id}/entries?store=true",
        json.dumps({"entries": [{"entryId": f"e{index}", "quantity": 3} for index in range(MAX_ENTRIES_PER_ORDER)]}),
    )
    call("GET the largest order", "GET", f"salesorders/{order_id}")
    fields = ",".join(f"entries.product.f{index}" for index in range(99)) + ",entries.id"
    call("list 10 largest orders (10,000 entries, the page budget)", "GET", "salesorders?pageSize=10")
    call("the same projected on 100 fields", "GET", f"salesorders?pageSize=10&fields={fields}")
    call("list 21 largest orders (over the budget: 400)", "GET", f"salesorders?pageSize=21&fields={fields}")
    call("q on document paths, 50 terms", "GET", "salesorders?q=" + "%20".join(f"mixins.a{i}:x" for i in range(50)))
    call("hostile number 1E+1000000", "PATCH", f"salesorders/{order_id}", '{"metadata":{"version":1E+1000000}}')
    call("a 9,000-digit integer", "PATCH", f"salesorders/{order_id}", '{"metadata":{"version":' + "9" * 9000 + "}}")
    junk = '{"mixins": {"a": "' + "x" * (settings.MAX_REQUEST_BODY_BYTES - 40) + '"}}'
    call("a body at the size cap", "PATCH", f"salesorders/{order_id}", junk)
    nested = '{"mixins": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    call("100,000 nested arrays", "PATCH", f"salesorders/{order_id}", nested)
    for keys in (MAX_KEYS - 100, 100_000):
        many = documents.dumps({"mixins": {f"k{index}": [index] for index in range(keys)}})
        call(f"{keys:,} mixin keys ({len(many):,} bytes)", "PATCH", f"salesorders/{order_id}", many)
    job = json.dumps({"jobType": "MANUAL", "orderIds": [f"EON{index}" for index in range(MAX_ORDER_IDS)]})
    start = time.process_time()
    response = http.post(f"/pick-pack/{TENANT}/jobs/recalculations", data=job, content_type="application/json", **auth)
    print(f"{time.process_time() - start:7.3f} s CPU  {response.status_code}  a MANUAL job of {MAX_ORDER_IDS:,} ids")
    job_id = response.json()["jobId"]
    start = time.process_time()
    response = http.get(f"/pick-pack/{TENANT}/jobs/recalculations/{job_id}", **auth)
    print(f"{time.process_time() - start:7.3f} s CPU  {response.status_code}  GET that job")


if __name__ == "__main__":
    main()
