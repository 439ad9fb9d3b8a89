"""Staff pages and admin order views timed beside the API's first list page, and the staff pages during exports.

Run by hand against a server started like production (docs/performance.md), with the same DATABASE_URL, and a
Celery worker for the background exports:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale_1m .venv/bin/python bench/staff_bench.py \\
        --tenant bench [--base-url http://127.0.0.1:8077] [--rounds 20]

It creates a staff user with `create_staff_user` (role all; staff status for the admin) and an API client, signs
in through /accounts/login/, then times every page in rounds: each round requests the API's first list page and
then every page once, so the reference and the pages see the same load. It prints p50 and p99 per page and the
ratio of its p50 to the API's. Then it starts two exports of the largest status (250,000+ orders at a million),
timing how fast each start answers, and times the dashboard and the order list while both run.
"""

import argparse
import io
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import django
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.query_bench import authorized_session, check_local  # noqa: E402
from orders.counts import counts_by_status  # noqa: E402
from orders.models import ChangeRecord, ExportStatus, Order, OrderEntry, OrderExport, Tenant  # noqa: E402

USERNAME, PASSWORD = "staff-bench", "staff-bench-password"
# The done-when bar: every page's p50 within this many times the API's first list page.
MAX_RATIO = 3
# A staff page must answer within this while two large exports run.
MAX_SECONDS_DURING_EXPORTS = 1.0
EXPORT_TIMEOUT = 900


@dataclass(frozen=True)
class Page:
    title: str
    path: str
    params: dict


def staff_pages(tenant: Tenant) -> list[Page]:
    """Every staff page and admin order view, with the samples they need read from the database."""
    name = tenant.name
    sample = Order.objects.filter(tenant=tenant).only("pk", "order_id", "customer_email").order_by("-pk").first()
    vendor = OrderEntry.objects.filter(order=sample).values_list("vendor_id", flat=True).first() or "vendor-deli"
    email_prefix = sample.customer_email.split("@")[0]
    job = tenant.recalculation_jobs.order_by("-pk").values_list("job_id", flat=True).first()
    records = ChangeRecord.objects.filter(tenant=tenant)
    record = records.values_list("order_number", flat=True).first() or sample.order_id
    pages = [
        Page("dashboard", f"/staff/{name}/", {}),
        Page("order list", f"/staff/{name}/orders/", {}),
        Page("order list, status CREATED", f"/staff/{name}/orders/", {"status": "CREATED"}),
        Page("order list, site DE", f"/staff/{name}/orders/", {"site": "DE"}),
        Page(f"order list, vendor {vendor}", f"/staff/{name}/orders/", {"vendor": vendor}),
        Page("order list, created in a month", f"/staff/{name}/orders/",
             {"created_from": "2025-03-01", "created_until": "2025-03-31"}),
        Page("order list, total 100 to 200", f"/staff/{name}/orders/", {"total_min": "100", "total_max": "200"}),
        Page("order list, q status:CONFIRMED", f"/staff/{name}/orders/", {"q": "status:CONFIRMED"}),
        Page(f"order list, search {email_prefix}", f"/staff/{name}/orders/", {"search": email_prefix}),
        Page("order list, sort by total, page 50", f"/staff/{name}/orders/", {"sort": "-total", "page": "50"}),
        Page("order detail", f"/staff/{name}/orders/{sample.order_id}/", {}),
        Page("jobs", f"/staff/{name}/jobs/", {}),
        Page("packing events", f"/staff/{name}/events/", {}),
        Page("exports", f"/staff/{name}/exports/", {}),
        Page("admin orders", "/admin/orders/order/", {}),
        Page("admin orders, tenant and status", "/admin/orders/order/",
             {"tenant__id__exact": str(tenant.pk), "status": "CONFIRMED"}),
        Page("admin orders, created this year", "/admin/orders/order/", this_year()),
        Page("admin orders, search id", "/admin/orders/order/", {"q": sample.order_id}),
        Page("admin orders, search email prefix", "/admin/orders/order/", {"q": email_prefix}),
        Page("admin order page", f"/admin/orders/order/{sample.pk}/change/", {}),
        Page("admin order delete page", f"/admin/orders/order/{sample.pk}/delete/", {}),
        Page("admin order events", "/admin/orders/orderevent/", {}),
        Page("admin order events, search id", "/admin/orders/orderevent/", {"q": sample.order_id}),
        Page("admin change records", "/admin/orders/changerecord/", {"q": record}),
        Page("admin packing events", "/admin/pickpack/packingevent/", {}),
        Page("admin jobs", "/admin/pickpack/recalculationjob/", {}),
    ]  # fmt: skip
    if job:
        pages.insert(12, Page("job detail", f"/staff/{name}/jobs/{job}/", {}))
    return pages


def this_year() -> dict:
    """The admin's "created: this year" filter link."""
    year = time.gmtime().tm_year
    return {"created__gte": f"{year}-01-01 00:00:00+00:00", "created__lt": f"{year + 1}-01-01 00:00:00+00:00"}


def main() -> None:
    arguments = parse_arguments()
    check_local(arguments.base_url)
    tenant = Tenant.objects.get(name=arguments.tenant)
    api = authorized_session(arguments.base_url, tenant, arguments.timeout, name="staff bench")
    staff = staff_session(arguments.base_url, tenant, arguments.timeout)
    reference = Page("API GET /salesorders (first page)", f"/order-v2/{tenant.name}/salesorders", {})
    pages = staff_pages(tenant)
    print(f"{Order.objects.filter(tenant=tenant).count():,} orders of {tenant.name}; {arguments.rounds} rounds\n")
    latencies = timed_rounds(arguments, api, staff, reference, pages)
    report(reference, pages, latencies)
    if not arguments.skip_exports:
        exports_under_load(arguments, tenant, staff)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--base-url", default="http://127.0.0.1:8077")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2, help="Unmeasured rounds first.")
    parser.add_argument("--timeout", type=float, default=60, help="Seconds a request may take.")
    parser.add_argument("--skip-exports", action="store_true", help="Only the page timings.")
    return parser.parse_args()


def staff_session(base_url: str, tenant: Tenant, timeout: float) -> requests.Session:
    """A browser-like session of a staff user of every staff group, with staff status for the admin."""
    call_command(
        "create_staff_user", tenant=tenant.name, username=USERNAME, password=PASSWORD, role="all", stdout=io.StringIO()
    )
    get_user_model().objects.filter(username=USERNAME).update(is_staff=True, is_superuser=True)
    session = requests.Session()
    login = f"{base_url}/accounts/login/"
    session.get(login, timeout=timeout).raise_for_status()
    response = session.post(
        login,
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": login},
        timeout=timeout,
        allow_redirects=False,
    )
    if response.status_code != 302:
        sys.exit(f"login failed: {response.status_code}")
    return session


def timed(session: requests.Session, base_url: str, page: Page, timeout: float) -> float:
    started = time.perf_counter()
    response = session.get(base_url + page.path, params=page.params, timeout=timeout, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"{page.title} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def timed_rounds(arguments, api, staff, reference: Page, pages: list[Page]) -> dict[str, list[float]]:
    """Each round: the API's first page, then every page once; the API again between pages keeps both alike."""
    latencies: dict[str, list[float]] = {page.title: [] for page in [reference, *pages]}
    for number in range(arguments.warmup + arguments.rounds):
        for page in pages:
            api_ms = timed(api, arguments.base_url, reference, arguments.timeout)
            page_ms = timed(staff, arguments.base_url, page, arguments.timeout)
            if number >= arguments.warmup:
                latencies[reference.title].append(api_ms)
                latencies[page.title].append(page_ms)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(reference: Page, pages: list[Page], latencies: dict[str, list[float]]) -> None:
    reference_p50 = statistics.median(latencies[reference.title])
    print("| page | p50 ms | p99 ms | p50 / API p50 | within 3x |")
    print("|---|---|---|---|---|")
    print(f"| {reference.title} | {reference_p50:.1f} | {percentile(latencies[reference.title], 0.99):.1f} | 1.00 | |")
    for page in pages:
        p50 = statistics.median(latencies[page.title])
        ratio = p50 / reference_p50
        met = "yes" if ratio <= MAX_RATIO else "NO"
        print(f"| {page.title} | {p50:.1f} | {percentile(latencies[page.title], 0.99):.1f} | {ratio:.2f} | {met} |")
    print(flush=True)


def largest_status(tenant: Tenant) -> tuple[str, int]:
    return max(counts_by_status(tenant).items(), key=lambda item: item[1])


def exports_under_load(arguments, tenant: Tenant, staff: requests.Session) -> None:
    """Start two exports of the largest status and time staff pages until both are written (or downloaded)."""
    status, count = largest_status(tenant)
    print(f"Two exports of status {status} ({count:,} orders) at once")
    started_at = time.perf_counter()
    export_path = f"{arguments.base_url}/staff/{tenant.name}/orders.csv"
    known = set(OrderExport.objects.values_list("pk", flat=True))
    downloads, start_ms = [], []
    for sort in ("id", "-id"):  # two different exports, not one answered twice
        began = time.perf_counter()
        response = staff.get(export_path, params={"status": status, "sort": sort}, stream=True, allow_redirects=False)
        start_ms.append((time.perf_counter() - began) * 1000)
        if response.status_code == 200:  # streamed in the request: read it beside the pages
            downloads.append(threading.Thread(target=lambda r=response: sum(len(c) for c in r.iter_content(65536))))
            downloads[-1].start()
        elif response.status_code != 302:
            sys.exit(f"the export answered {response.status_code}")
    print(f"starting each export answered in {', '.join(f'{ms:.0f}' for ms in start_ms)} ms")
    pages = [Page("dashboard", f"/staff/{tenant.name}/", {}), Page("order list", f"/staff/{tenant.name}/orders/", {})]
    during = []
    while exports_running(known, downloads) and time.perf_counter() - started_at < EXPORT_TIMEOUT:
        for page in pages:
            during.append(timed(staff, arguments.base_url, page, arguments.timeout))
        time.sleep(0.2)
    exports = OrderExport.objects.exclude(pk__in=known)
    for export in exports:
        took = (export.finished - export.created).total_seconds() if export.finished else float("nan")
        print(f"export {export.pk}: {export.status}, {export.rows_written:,} rows, {took:.1f} s from request to file")
    if during:
        worst = max(during) / 1000
        verdict = "met" if worst < MAX_SECONDS_DURING_EXPORTS else "MISSED"
        print(f"staff pages during the exports: {len(during)} requests, p50 {statistics.median(during):.0f} ms, "
              f"max {max(during):.0f} ms (< 1 s: {verdict})")  # fmt: skip
    print(f"both exports done after {time.perf_counter() - started_at:.1f} s")


def exports_running(known: set[int], downloads: list[threading.Thread]) -> bool:
    finished = [ExportStatus.SUCCESS, ExportStatus.FAILURE]
    unfinished = OrderExport.objects.exclude(pk__in=known).exclude(status__in=finished)
    return unfinished.exists() or any(thread.is_alive() for thread in downloads)


if __name__ == "__main__":
    main()
