"""Recalculation jobs over HTTP with real tokens: start, read, the two job types, overlap, errors."""

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.actors import Actor
from orders.models import Order, OrderEvent, OrderEventType
from orders.scopes import ORDER_READ, PICKPACK_MANAGE, PICKPACK_VIEW
from orders.services import create_order, transition_order
from pickpack import services
from pickpack.models import JobStatus, RecalculationJob

from .conftest import assert_error, create_demo_orders, event_body, pickpack_session, recalculable_document

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def run_jobs(eager_tasks, django_capture_on_commit_callbacks):
    """Jobs queued inside the block run when it ends, as a worker would run them after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def start_job(pickpack, body: dict) -> str:
    response = pickpack.post("jobs/recalculations", body)
    assert response.status_code == 200, response
    return response.json()["jobId"]


def versions(orders: list[Order]) -> list[int]:
    return [Order.objects.get(pk=order.pk).version for order in orders]


def vendors_of(order: Order) -> set[str]:
    return {entry["product"]["vendor"]["id"] for entry in order.document["entries"]}


# --- MANUAL -----------------------------------------------------------------------------------------------------


def test_start_manual_job_answers_job_id_and_recalculates_each_order(pickpack, orders, run_jobs):
    # given
    order_ids = [order.order_id for order in orders]
    # when
    with run_jobs():
        response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": order_ids})
    # then
    assert response.status_code == 200
    assert list(response.json()) == ["jobId"]
    assert re.match(r"^[a-zA-Z0-9_-]{3,16}$", response.json()["jobId"])
    assert versions(orders) == [2] * len(orders)


def test_get_job_looks_like_the_seed_example(pickpack, order, run_jobs):
    # given
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [order.order_id]})
    # when
    response = pickpack.get(f"jobs/recalculations/{job_id}")
    # then
    assert response.status_code == 200
    job = response.json()
    assert list(job) == ["id", "jobType", "orders", "jobStatus", "startedAt", "finishedAt"]
    assert job["id"] == job_id
    assert job["jobType"] == "MANUAL"
    assert job["orders"] == [
        {"orderId": order.order_id, "message": "Order recalculated successfully", "jobOrderStatus": "SUCCESS"}
    ]
    assert job["jobStatus"] == "SUCCESS"
    assert TIMESTAMP.match(job["startedAt"]) and TIMESTAMP.match(job["finishedAt"])
    assert job["startedAt"] <= job["finishedAt"]


def test_start_job_is_in_progress_until_a_worker_runs_it(pickpack, orders, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id, orders[1].order_id]})
    # then
    assert len(queued) == 1
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert job["jobStatus"] == "IN_PROGRESS"
    assert "finishedAt" not in job
    assert [row["jobOrderStatus"] for row in job["orders"]] == ["PENDING", "PENDING"]
    assert versions(orders[:2]) == [1, 1]


def test_start_manual_job_folds_duplicate_ids(pickpack, orders, run_jobs):
    # given
    first, second = orders[0].order_id, orders[1].order_id
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [first, second, first, second, first]})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert [row["orderId"] for row in job["orders"]] == [first, second]
    assert versions(orders[:2]) == [2, 2]


def test_start_manual_job_records_unknown_ids_as_failures(pickpack, order, run_jobs):
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": ["EON999999", order.order_id]})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert job["orders"] == [
        {"orderId": "EON999999", "message": "Order with id EON999999 not found.", "jobOrderStatus": "FAILURE"},
        {"orderId": order.order_id, "message": "Order recalculated successfully", "jobOrderStatus": "SUCCESS"},
    ]
    assert job["jobStatus"] == "FAILURE"
    assert job["finishedAt"]
    assert versions([order]) == [2]


def test_start_manual_job_of_only_unknown_ids_fails_at_once(pickpack, run_jobs):
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": ["03DV9N3R", "5XS34VOB"]})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert [row["jobOrderStatus"] for row in job["orders"]] == ["FAILURE", "FAILURE"]
    assert job["jobStatus"] == "FAILURE"


def test_start_manual_job_does_not_see_other_tenants_orders(pickpack, api_session, other_tenant, run_jobs):
    # given
    foreign = create_demo_orders(other_tenant, 1)[0]
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [foreign.order_id]})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert job["orders"][0]["jobOrderStatus"] == "FAILURE"
    assert versions([foreign]) == [1]


def test_job_records_the_recalculation_as_an_order_event(pickpack, order, run_jobs):
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [order.order_id]})
    # then
    event = OrderEvent.objects.get(order=order, type=OrderEventType.RECALCULATED)
    assert event.actor == f"recalculation-job:{job_id}"
    assert event.parameters == {"version": 2}


def test_job_applies_packed_amounts_as_delivered_amounts(pickpack, order, run_jobs):
    # given
    entry = order.document["entries"][0]
    pickpack.post("events", event_body(order, event_id="e1", packedAmount=1, unit=entry["measurementUnit"]["unit"]))
    # when
    with run_jobs():
        start_job(pickpack, {"jobType": "MANUAL", "orderIds": [order.order_id]})
    # then
    stored = Order.objects.get(pk=order.pk).document["entries"][0]
    assert stored["deliveredAmount"] == 1
    assert stored["calculatedPrice"]["finalPrice"]["netValue"] == entry["calculatedUnitPrice"]["netValue"]


def test_job_writes_the_full_unit_price_of_entries_stored_with_tax_code_and_rate_only(pickpack, tenant, run_jobs):
    # given an order stored with unit prices of only a tax code and rate (as `/entries` stored them before)
    document = recalculable_document(random.Random(3), 1, timezone.now())
    for entry in document["entries"]:
        entry["calculatedUnitPrice"] = {"taxCode": "STANDARD", "taxRate": 19}
    order = create_order(tenant=tenant, document=document, actor=Actor(label="test"))
    # when
    with run_jobs():
        start_job(pickpack, {"jobType": "MANUAL", "orderIds": [order.order_id]})
    # then
    for entry in Order.objects.get(pk=order.pk).document["entries"]:
        unit, net = entry["calculatedUnitPrice"], entry["price"]["effectiveAmount"]
        assert (unit["netValue"], unit["taxValue"]) == (net, (net * Decimal("0.19")).quantize(Decimal("0.001")))
        assert unit["grossValue"] == unit["netValue"] + unit["taxValue"]


# --- AUTOMATIC --------------------------------------------------------------------------------------------------


def test_start_automatic_job_takes_orders_with_packing_events_only(pickpack, orders, run_jobs):
    # given
    packed = [orders[1], orders[3]]
    for number, order in enumerate(packed):
        assert pickpack.post("events", event_body(order, event_id=f"auto-{number}")).status_code == 200
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert job["jobType"] == "AUTOMATIC"
    assert sorted(row["orderId"] for row in job["orders"]) == sorted(order.order_id for order in packed)
    assert job["jobStatus"] == "SUCCESS"
    assert versions(orders) == [1, 2, 1, 2, 1]


def test_start_automatic_job_skips_orders_recalculated_since_their_last_event(pickpack, orders, run_jobs):
    # given
    pickpack.post("events", event_body(orders[0], event_id="before-1"))
    pickpack.post("events", event_body(orders[1], event_id="before-2"))
    with run_jobs():
        start_job(pickpack, {"jobType": "AUTOMATIC"})
    pickpack.post("events", event_body(orders[1], event_id="after-2"))
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert [row["orderId"] for row in job["orders"]] == [orders[1].order_id]
    assert versions(orders[:2]) == [2, 3]


def test_start_automatic_job_leaves_out_completed_orders(pickpack, orders, run_jobs):
    # given
    for number, order in enumerate(orders[:2]):
        assert pickpack.post("events", event_body(order, event_id=f"done-{number}")).status_code == 200
    for status in ("CONFIRMED", "COMPLETED"):
        transition_order(tenant=orders[0].tenant, order_id=orders[0].order_id, status=status, actor=Actor(label="t"))
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert ([row["orderId"] for row in job["orders"]], job["jobStatus"]) == ([orders[1].order_id], "SUCCESS")
    assert versions(orders[:2]) == [3, 2]


def test_start_automatic_job_without_new_events_is_an_empty_success(pickpack, orders, run_jobs):
    # when
    with run_jobs():
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC", "orderIds": [orders[0].order_id]})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert (job["orders"], job["jobStatus"]) == ([], "SUCCESS")
    assert versions(orders[:1]) == [1]


# --- overlap ----------------------------------------------------------------------------------------------------


def test_start_job_overlapping_a_job_in_progress_is_409(pickpack, orders, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=False):
        running = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id, orders[1].order_id]})
    # when
    response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [orders[1].order_id]})
    # then
    body = assert_error(response, 409, "conflict_resource", "orderIds")
    overlap = f"{orders[1].order_id} already in job {running}, still IN_PROGRESS"
    assert body["message"] == f"Orders are being recalculated by another job: {overlap}."
    assert body["details"] == [{"field": "orderIds", "type": "conflict_resource", "message": overlap}]
    assert RecalculationJob.objects.count() == 1


def test_start_automatic_job_leaves_out_orders_of_a_job_in_progress(
    pickpack, orders, eager_tasks, django_capture_on_commit_callbacks
):
    # given
    for number, order in enumerate(orders[2:4]):
        assert pickpack.post("events", event_body(order, event_id=f"overlap-{number}")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        running = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[2].order_id]})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # then: the order the running job holds is its own; the automatic job takes the other one
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert ([row["orderId"] for row in job["orders"]], job["jobStatus"]) == ([orders[3].order_id], "SUCCESS")
    assert pickpack.get(f"jobs/recalculations/{running}").json()["jobStatus"] == "IN_PROGRESS"
    assert versions(orders[2:4]) == [1, 2]


def test_start_automatic_job_answers_before_its_orders_are_selected(
    pickpack, orders, django_capture_on_commit_callbacks
):
    # given
    assert pickpack.post("events", event_body(orders[0], event_id="later")).status_code == 200
    # when
    with django_capture_on_commit_callbacks(execute=False):
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # then: no order is read in the request; the job is running and its worker selects them
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert (job["jobStatus"], job["orders"]) == ("IN_PROGRESS", [])
    assert "finishedAt" not in job


def test_start_job_on_other_orders_while_one_is_in_progress(pickpack, orders, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=False):
        running = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
    # when
    with django_capture_on_commit_callbacks(execute=False):
        response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [orders[1].order_id]})
    # then
    assert response.status_code == 200, response
    second = pickpack.get(f"jobs/recalculations/{response.json()['jobId']}").json()
    assert second["id"] != running
    assert (second["jobStatus"], [row["orderId"] for row in second["orders"]]) == ("IN_PROGRESS", [orders[1].order_id])
    assert RecalculationJob.objects.count() == 2


def test_start_job_on_orders_of_a_finished_job(pickpack, orders, run_jobs):
    # given
    with run_jobs():
        start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
    # when
    with run_jobs():
        response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
    # then
    assert response.status_code == 200
    assert versions(orders[:1]) == [3]


def test_start_job_with_the_same_unknown_id_as_a_job_in_progress(pickpack, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=False):
        running = start_job(pickpack, {"jobType": "MANUAL", "orderIds": ["EON404"]})
    # when
    with django_capture_on_commit_callbacks(execute=False):
        response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": ["EON404"]})
    # then: an unknown id is no order the two jobs could both change; the second job's worker finds it unknown
    assert response.status_code == 200, response
    second_id = response.json()["jobId"]
    assert second_id != running
    assert RecalculationJob.objects.count() == 2
    services.select_job_orders(RecalculationJob.objects.get(job_id=second_id))
    second = pickpack.get(f"jobs/recalculations/{second_id}").json()
    assert [(row["orderId"], row["jobOrderStatus"]) for row in second["orders"]] == [("EON404", "FAILURE")]


def test_start_job_overlapping_a_job_whose_rows_are_added_is_409(pickpack, orders, django_capture_on_commit_callbacks):
    # given: the running job's first task has made rows of its ids
    with django_capture_on_commit_callbacks(execute=False):
        running = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id, orders[1].order_id]})
    services.select_job_orders(RecalculationJob.objects.get(job_id=running))
    # when
    body = {"jobType": "MANUAL", "orderIds": ["EON404", orders[1].order_id, orders[2].order_id, orders[0].order_id]}
    response = pickpack.post("jobs/recalculations", body)
    # then: the orders named in the order requested
    overlap = f"{orders[1].order_id}, {orders[0].order_id} already in job {running}, still IN_PROGRESS"
    assert assert_error(response, 409, "conflict_resource", "orderIds")["details"][0]["message"] == overlap


def test_start_job_overlapping_two_jobs_names_both_newest_first(pickpack, orders, django_capture_on_commit_callbacks):
    # given: one job with rows, one still to look up its ids
    with django_capture_on_commit_callbacks(execute=False):
        older = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
        newer = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[1].order_id]})
    services.select_job_orders(RecalculationJob.objects.get(job_id=older))
    # when
    response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [o.order_id for o in orders]})
    # then
    overlap = f"{orders[0].order_id}, {orders[1].order_id} already in job {newer}, {older}, still IN_PROGRESS"
    assert assert_error(response, 409, "conflict_resource", "orderIds")["details"][0]["message"] == overlap


def test_start_job_overlapping_jobs_names_the_latest_started_first_then_the_last_created(
    pickpack, orders, django_capture_on_commit_callbacks
):
    # given: three running jobs, the first started last, the other two at the same moment
    with django_capture_on_commit_callbacks(execute=False):
        first, second, third = [
            start_job(pickpack, {"jobType": "MANUAL", "orderIds": [order.order_id]}) for order in orders[:3]
        ]
    moment = timezone.now() - timedelta(minutes=5)
    RecalculationJob.objects.filter(job_id=first).update(started_at=moment + timedelta(minutes=1))
    RecalculationJob.objects.filter(job_id__in=[second, third]).update(started_at=moment)
    # when
    response = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [o.order_id for o in orders[:3]]})
    # then: the latest start first, then of the two started together the one created last
    named = ", ".join(order.order_id for order in orders[:3])
    overlap = f"{named} already in job {first}, {third}, {second}, still IN_PROGRESS"
    assert assert_error(response, 409, "conflict_resource", "orderIds")["details"][0]["message"] == overlap


def test_start_job_with_an_order_another_vendor_cannot_see_is_no_overlap(
    pickpack, api_session, orders, django_capture_on_commit_callbacks
):
    # given: a vendor's job naming an order without entries of its vendor (which that job will not find)
    vendor_id, stranger = next(
        (vendor_id, order)
        for vendor_id in sorted(vendors_of(orders[0]))
        for order in orders
        if vendor_id not in vendors_of(order)
    )
    vendor = pickpack_session(api_session([PICKPACK_MANAGE, PICKPACK_VIEW], vendor_id=vendor_id))
    with django_capture_on_commit_callbacks(execute=False):
        vendor_job = start_job(vendor, {"jobType": "MANUAL", "orderIds": [stranger.order_id, orders[0].order_id]})
    # when: the tenant's client asks for that order, and the vendor for the order it can see
    with django_capture_on_commit_callbacks(execute=False):
        tenant_job = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [stranger.order_id]})
    refused = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
    # then
    assert assert_error(refused, 409, "conflict_resource", "orderIds")
    services.select_job_orders(RecalculationJob.objects.get(job_id=vendor_job))
    job = vendor.get(f"jobs/recalculations/{vendor_job}").json()
    assert [(row["orderId"], row["jobOrderStatus"]) for row in job["orders"]] == [
        (stranger.order_id, "FAILURE"),
        (orders[0].order_id, "PENDING"),
    ]
    assert RecalculationJob.objects.filter(job_id=tenant_job).exists()


def test_start_automatic_job_leaves_out_orders_a_manual_job_has_yet_to_look_up(
    pickpack, orders, eager_tasks, django_capture_on_commit_callbacks
):
    # given: events for two orders, one of which a MANUAL job still holds as a requested id
    for number, order in enumerate(orders[:2]):
        assert pickpack.post("events", event_body(order, event_id=f"awaited-{number}")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # then
    job = pickpack.get(f"jobs/recalculations/{job_id}").json()
    assert [row["orderId"] for row in job["orders"]] == [orders[1].order_id]


def test_start_manual_job_reads_no_order(
    pickpack, orders, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # given: another job running, so that the overlap check has rows to read
    with django_capture_on_commit_callbacks(execute=False):
        running = start_job(pickpack, {"jobType": "MANUAL", "orderIds": [orders[0].order_id]})
    services.select_job_orders(RecalculationJob.objects.get(job_id=running))
    order_ids = [order.order_id for order in orders[1:]] + [f"EON{number}" for number in range(5000, 9000)]
    # when
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        job_id = start_job(pickpack, {"jobType": "MANUAL", "orderIds": order_ids})
    # then: the ids are stored as given, looked up by the job's worker
    assert not [query["sql"] for query in queries if '"orders_order"' in query["sql"]]
    assert RecalculationJob.objects.get(job_id=job_id).requested_order_ids == order_ids
    assert len(pickpack.get(f"jobs/recalculations/{job_id}").json()["orders"]) == 4004


# --- bad requests -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"orderIds": ["EON1001"]}, "jobType"),
        ({"jobType": None, "orderIds": ["EON1001"]}, "jobType"),
        ({"jobType": "manual", "orderIds": ["EON1001"]}, "jobType"),
        ({"jobType": "SOMETIMES", "orderIds": ["EON1001"]}, "jobType"),
        ({"jobType": 1}, "jobType"),
        ({"jobType": "MANUAL"}, "orderIds"),
        ({"jobType": "MANUAL", "orderIds": []}, "orderIds"),
        ({"jobType": "MANUAL", "orderIds": "EON1001"}, "orderIds"),
        ({"jobType": "MANUAL", "orderIds": ["EON1001", 7]}, "orderIds[1]"),
        ({"jobType": "MANUAL", "orderIds": [""]}, "orderIds[0]"),
        ({"jobType": "MANUAL", "orderIds": ["EON1001", "EON\x00"]}, "orderIds[1]"),
    ],
)
def test_start_job_with_invalid_body_is_400(pickpack, body, field):
    # when
    response = pickpack.post("jobs/recalculations", body)
    # then
    assert_error(response, 400, "validation_violation", field)
    assert RecalculationJob.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", "not json", '"MANUAL"'])
def test_start_job_with_a_body_that_is_no_json_object_is_400(pickpack, body):
    # when
    response = pickpack.post("jobs/recalculations", body=body)
    # then
    assert_error(response, 400, "validation_violation")


@pytest.mark.parametrize("job_id", ["nosuchjob", "nul%00job"])
def test_get_unknown_job_is_404(pickpack, job_id):
    # when
    response = pickpack.get(f"jobs/recalculations/{job_id}")
    # then
    assert_error(response, 404, "element_resource_non_existing")


def test_get_other_tenants_job_is_404(pickpack, api_session, other_tenant, django_capture_on_commit_callbacks):
    # given
    foreign = pickpack_session(api_session(for_tenant=other_tenant))
    with django_capture_on_commit_callbacks(execute=False):
        job_id = start_job(foreign, {"jobType": "AUTOMATIC"})
    # when
    response = pickpack.get(f"jobs/recalculations/{job_id}")
    # then
    assert_error(response, 404, "element_resource_non_existing")


# --- authentication and scopes ----------------------------------------------------------------------------------


def test_jobs_without_token_are_401(pickpack):
    # given
    anonymous = pickpack_session(pickpack)
    anonymous.token = ""
    # when
    responses = [
        anonymous.post("jobs/recalculations", {"jobType": "AUTOMATIC"}),
        anonymous.get("jobs/recalculations/abcdef"),
    ]
    # then
    for response in responses:
        assert_error(response, 401, "unauthorized")


def test_jobs_with_unknown_token_are_401(pickpack):
    # given
    pickpack.token = "not-a-token"
    # when
    response = pickpack.get("jobs/recalculations/abcdef")
    # then
    assert_error(response, 401, "unauthorized")


def test_start_job_needs_the_manage_scope(api_session):
    # given
    viewer = pickpack_session(api_session([PICKPACK_VIEW]))
    # when
    response = viewer.post("jobs/recalculations", {"jobType": "AUTOMATIC"})
    # then
    assert_error(response, 403, "insufficient_permissions")
    assert RecalculationJob.objects.count() == 0


def test_get_job_needs_a_pickpack_scope(api_session):
    # given
    order_reader = pickpack_session(api_session([ORDER_READ]))
    # when
    response = order_reader.get("jobs/recalculations/abcdef")
    # then
    assert_error(response, 403, "insufficient_permissions")


def test_get_job_with_the_view_scope(pickpack, pickpack_viewer, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=False):
        job_id = start_job(pickpack, {"jobType": "AUTOMATIC"})
    # when
    response = pickpack_viewer.get(f"jobs/recalculations/{job_id}")
    # then
    assert response.status_code == 200
    assert response.json()["jobStatus"] == JobStatus.IN_PROGRESS


def test_jobs_of_another_tenant_path_are_403(pickpack, other_tenant):
    # when
    response = pickpack.post("jobs/recalculations", {"jobType": "AUTOMATIC"}, tenant=other_tenant.name)
    # then
    assert_error(response, 403, "insufficient_permissions")
    assert RecalculationJob.objects.count() == 0
