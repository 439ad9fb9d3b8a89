"""The order list's CSV export: streamed in pieces of many rows when small; above EXPORT_BACKGROUND_ABOVE, a file
written by a worker, listed on the jobs page with its progress, downloaded by whoever asked for it, pruned later."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from orders.documents import format_timestamp
from orders.models import ExportStatus, Order, OrderExport
from orders.staff import exports

from ..pickpack import test_workers as workers

broker_url, start_worker, started_workers = (
    workers.broker_url,
    workers.start_worker,
    workers.started_workers,
)  # fixtures

ORDERS = 300


@pytest.fixture
def exports_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"
    return settings.EXPORTS_DIR


@pytest.fixture
def generated(tenant) -> int:
    call_command("generate_orders", "--tenant", tenant.name, "--count", str(ORDERS), "--workers", "1")
    return ORDERS


@pytest.fixture
def job_viewer(staff_client):
    return staff_client("orders.view_order", "pickpack.view_recalculationjob", username="jobs")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_small_export_streams_many_rows_per_chunk(viewer, generated, settings, exports_dir):
    # given
    settings.EXPORT_BACKGROUND_ABOVE = ORDERS
    # when
    response = viewer.get("/staff/acme/orders.csv")
    chunks = [chunk.decode() for chunk in response.streaming_content]
    # then
    rows = rows_of("".join(chunks))
    assert rows[0][:2] == ["orderId", "status"]
    assert len(rows) == ORDERS + 1
    assert len(chunks) < ORDERS / 50
    assert not OrderExport.objects.exists()


def test_a_large_export_becomes_a_background_export(job_viewer, generated, settings, exports_dir):
    # given
    settings.EXPORT_BACKGROUND_ABOVE = ORDERS - 1
    # when
    response = job_viewer.get("/staff/acme/orders.csv", {"sort": "id"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/staff/acme/jobs/"
    export = OrderExport.objects.get()
    assert export.status == ExportStatus.QUEUED
    assert (export.requested_by.username, export.filters) == ("jobs", "sort=id")


def test_the_export_task_writes_the_filtered_orders_and_the_requester_downloads_them(
    viewer, staff_client, tenant, generated, exports_dir
):
    # given an export of the CONFIRMED orders, asked for by the viewer
    user = viewer.get("/staff/acme/").wsgi_request.user
    export = exports.start_export(tenant=tenant, user=user, filters="status=CONFIRMED&sort=id")
    # when
    exports.write_export(export.pk)
    # then
    export.refresh_from_db()
    confirmed = list(Order.objects.filter(status="CONFIRMED").order_by("order_id").values_list("order_id", flat=True))
    assert (export.status, export.rows_total, export.rows_written, export.percent) == (
        ExportStatus.SUCCESS,
        len(confirmed),
        len(confirmed),
        100,
    )
    download = viewer.get(f"/staff/acme/exports/{export.pk}.csv")
    assert download.status_code == 200
    rows = rows_of(b"".join(download.streaming_content).decode())
    assert [row[0] for row in rows[1:]] == confirmed
    assert not list(exports_dir.glob("*.part"))
    # and nobody else downloads it
    other = staff_client("orders.view_order", username="other")
    assert other.get(f"/staff/acme/exports/{export.pk}.csv").status_code == 404


@pytest.mark.parametrize("status", [ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.FAILURE])
def test_an_unfinished_export_is_not_downloadable(viewer, tenant, exports_dir, status):
    user = viewer.get("/staff/acme/").wsgi_request.user
    export = OrderExport.objects.create(tenant=tenant, requested_by=user, status=status, created=timezone.now())
    assert viewer.get(f"/staff/acme/exports/{export.pk}.csv").status_code == 404
    assert viewer.get("/staff/acme/exports/99999.csv").status_code == 404


def test_an_export_of_filters_that_no_longer_hold_fails_with_its_reason(viewer, tenant, exports_dir):
    user = viewer.get("/staff/acme/").wsgi_request.user
    export = OrderExport.objects.create(tenant=tenant, requested_by=user, filters="total_min=x", created=timezone.now())
    with pytest.raises(ValueError):
        exports.write_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILURE
    assert "not valid" in export.message


def test_the_jobs_page_shows_the_users_exports_with_progress_and_link(job_viewer, tenant, exports_dir):
    # given
    user = job_viewer.get("/staff/acme/").wsgi_request.user
    OrderExport.objects.create(
        tenant=tenant,
        requested_by=user,
        status=ExportStatus.RUNNING,
        rows_total=400,
        rows_written=100,
        filters="site=<b>",
        created=timezone.now(),
    )
    # when
    html = job_viewer.get("/staff/acme/jobs/").content.decode()
    # then
    assert 'id="order-exports"' in html
    assert 'value="25"' in html
    assert "100 of 400 orders" in html
    assert 'hx-trigger="every 2s"' in html
    assert "site=<b>" not in html


def test_exports_past_their_retention_are_pruned_with_their_files(viewer, tenant, settings, exports_dir):
    # given
    settings.EXPORT_RETENTION_HOURS = 24
    user = viewer.get("/staff/acme/").wsgi_request.user
    old = OrderExport.objects.create(
        tenant=tenant,
        requested_by=user,
        status=ExportStatus.SUCCESS,
        file_name="acme-orders-old.csv",
        created=timezone.now() - timedelta(hours=25),
    )
    fresh = OrderExport.objects.create(tenant=tenant, requested_by=user, created=timezone.now())
    exports.exports_dir().joinpath(old.file_name).write_text("orderId\n")
    # when
    pruned = exports.prune_exports()
    # then
    assert pruned == 1
    assert list(OrderExport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not exports.exports_dir().joinpath("acme-orders-old.csv").exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_background_export_runs_on_a_real_worker(
    viewer, tenant, generated, settings, exports_dir, start_worker, started_workers
):
    # given
    start_worker("exports", EXPORTS_DIR=str(exports_dir))
    user = viewer.get("/staff/acme/").wsgi_request.user
    # when
    export = exports.start_export(tenant=tenant, user=user, filters="")

    # then
    def finished() -> bool:
        export.refresh_from_db()
        return export.status in exports.FINISHED

    workers.wait_until(finished, 60, lambda: started_workers[0].log_tail())
    assert export.status == ExportStatus.SUCCESS, export.message
    download = viewer.get(f"/staff/acme/exports/{export.pk}.csv")
    assert len(rows_of(b"".join(download.streaming_content).decode())) == ORDERS + 1


# --- the CSV's cells ----------------------------------------------------------------------------------------------

AWKWARD_TEXTS = {
    "site_code": "=HYPERLINK(1)",
    "currency": "",
    "customer_id": '-5, "quoted"',
    "customer_email": "line\nbreak@example.com",
    "order_type": "\tTAB",
    "master_order": "\rcr, then ü and ß",
}


@pytest.fixture
def awkward_orders(tenant, generated) -> QuerySet:
    """The generated orders, the first two with cells a CSV must quote, guard or leave empty."""
    first, second = Order.objects.filter(tenant=tenant).order_by("pk")[:2]
    Order.objects.filter(pk=first.pk).update(
        created=datetime(2025, 1, 2, 3, 4, 5, 999999, tzinfo=UTC),
        last_status_change=datetime(2025, 1, 2, 4, 4, 5, 1000, tzinfo=UTC),
        total_net=Decimal("0.000"),
        total_tax=None,
        total_gross=Decimal("1234567.891"),
        **AWKWARD_TEXTS,
    )
    Order.objects.filter(pk=second.pk).update(site_code="@sum", customer_id="+49", customer_email=" lead", currency="")
    return Order.objects.filter(tenant=tenant).order_by("pk")


def csv_bytes(batches) -> tuple[bytes, int]:
    pieces = list(batches)
    return b"".join(piece for piece, _ in pieces), sum(rows for _, rows in pieces)


def test_the_csv_quotes_guards_and_leaves_empty_what_it_must(awkward_orders):
    # when
    text, rows = csv_bytes(exports.csv_batches(awkward_orders[:2]))
    # then
    first, second = awkward_orders[:2]
    assert rows == 2
    assert text.decode().split("\n", 1) == [
        "orderId,status,created,lastStatusChange,siteCode,currency,customerId,customerEmail,totalNet,totalTax,"
        "totalGross,orderType,masterOrder",
        f"{first.order_id},{first.status},2025-01-02T03:04:05.999Z,2025-01-02T04:04:05.001Z,'=HYPERLINK(1),,"
        '"\'-5, ""quoted""","line\nbreak@example.com",0.000,,1234567.891,\'\tTAB,"\'\rcr, then ü and ß"\n'
        f"{second.order_id},{second.status},{format_timestamp(second.created)},"
        f"{format_timestamp(second.last_status_change)},'@sum,,'+49, lead,{second.total_net},{second.total_tax},"
        f"{second.total_gross},{second.order_type},{second.master_order}\n",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_writes_the_same_bytes_as_python(awkward_orders):
    # when
    copied = csv_bytes(exports._copied_batches(awkward_orders))
    formatted = csv_bytes(exports._formatted_batches(awkward_orders))
    # then
    assert copied == formatted
    assert copied[1] == ORDERS
    assert len(rows_of(copied[0].decode())) == ORDERS + 1
