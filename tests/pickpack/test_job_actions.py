"""Acting on jobs: outcomes said plainly, retrying failed orders, cancelling, ids checked before a job starts."""

import pytest

from orders.actors import Actor
from orders.errors import Conflict, ValidationFailed
from orders.models import Order
from orders.services import transition_order
from orders.staff.access import MANAGE_JOBS, MANAGE_ORDERS
from pickpack import services
from pickpack.models import FailureReason, JobOrderStatus, JobStatus, JobType, RecalculationJob

from .conftest import JOB_VIEWER, create_demo_orders, event_body
from .test_staff_jobs import JOBS, flashed, job_url, manual

API_CLIENT = Actor(label="api-client:erp")


@pytest.fixture
def run_jobs(eager_tasks, django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def queued(django_capture_on_commit_callbacks):
    """Jobs started inside stay queued, IN_PROGRESS, as before a worker takes them."""
    return lambda: django_capture_on_commit_callbacks(execute=False)


@pytest.fixture
def completed_order(orders) -> Order:
    for status in ("CONFIRMED", "COMPLETED"):
        transition_order(tenant=orders[0].tenant, order_id=orders[0].order_id, status=status, actor=API_CLIENT)
    return orders[0]


@pytest.fixture
def failed_job(orders, completed_order, run_jobs) -> RecalculationJob:
    """A finished job of three orders: one recalculated, one COMPLETED (refused), one unknown id."""
    with run_jobs():
        job = start(orders[1], completed_order, "EON404")
    job.refresh_from_db()
    return job


def start(*orders: Order | str) -> RecalculationJob:
    """A manual job as the API starts it: ids of no order become failed rows."""
    order_ids = [order if isinstance(order, str) else order.order_id for order in orders]
    return services.create_recalculation_job(
        tenant=orders[0].tenant, job_type=JobType.MANUAL, order_ids=order_ids, actor=API_CLIENT
    )


def versions(orders) -> list[int]:
    return [Order.objects.get(pk=order.pk).version for order in orders]


# --- outcome and wording ----------------------------------------------------------------------------------------


def test_job_with_failures_says_how_many_failed_of_how_many(job_viewer, failed_job):
    # when
    html = job_viewer.get(job_url(failed_job)).content.decode()
    # then
    assert "Finished with 2 failures of 3 orders" in html
    assert failed_job.job_status == JobStatus.FAILURE


def test_job_rows_are_worded_for_staff_while_the_api_keeps_its_messages(job_viewer, failed_job, pickpack):
    # when
    html = job_viewer.get(job_url(failed_job)).content.decode()
    api_rows = pickpack.get(f"jobs/recalculations/{failed_job.job_id}").json()["orders"]
    # then
    assert "Completed orders are final: recalculation skipped." in html
    assert "order.order_update_completed" not in html
    assert "No such order in this tenant" in html
    assert [row["message"] for row in api_rows][1:] == [
        "Changing a COMPLETED order needs the scope order.order_update_completed.",
        "Order with id EON404 not found.",
    ]
    reasons = list(failed_job.order_rows.order_by("pk").values_list("reason", flat=True))
    assert reasons == ["", FailureReason.COMPLETED, FailureReason.NOT_FOUND]


def test_automatic_job_that_finds_nothing_says_so(job_manager, job_viewer, orders, eager_tasks, run_jobs):
    # when
    with run_jobs():
        response = job_manager.post(JOBS, {"job_type": "AUTOMATIC"})
    job = RecalculationJob.objects.get()
    html = job_viewer.get(job_url(job)).content.decode()
    # then
    assert flashed(response) == [f"Job {job.job_id} started: it selects the orders with new packing events."]
    assert "Nothing to recalculate: no order has packing events newer than its last recalculation" in html
    assert job.job_status == JobStatus.SUCCESS


def test_automatic_job_page_says_it_is_selecting_before_its_worker_ran(job_manager, job_viewer, orders, queued):
    with queued():
        job_manager.post(JOBS, {"job_type": "AUTOMATIC"})
    html = job_viewer.get(job_url(RecalculationJob.objects.get())).content.decode()
    assert "Selecting the orders with new packing events" in html


# --- ids checked before the job starts ------------------------------------------------------------------------------


def test_manual_job_with_ids_of_no_order_lists_them_and_starts_nothing(
    job_manager, orders, other_tenant, eager_tasks, run_jobs
):
    # given
    foreign = create_demo_orders(other_tenant, 1, seed=9)[0]
    foreign.order_id = "EON-FOREIGN"
    Order.objects.filter(pk=foreign.pk).update(order_id="EON-FOREIGN")
    # when
    with run_jobs():
        response = job_manager.post(JOBS, manual(orders[0].order_id, "EON404", "EON-FOREIGN", "<b>x</b>"))
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "3 ids of no order of tenant acme: EON404, EON-FOREIGN, &lt;b&gt;x&lt;/b&gt;." in html
    assert orders[0].order_id in html  # the typed ids stay in the form
    assert not RecalculationJob.objects.exists()
    assert versions(orders[:1]) == [1]


# --- retrying failed orders ---------------------------------------------------------------------------------------


def test_retry_failed_orders_starts_a_manual_job_of_the_failed_orders_only(failed_job, completed_order, queued):
    # when
    with queued():
        retry = services.retry_failed_orders(tenant=failed_job.tenant, job_id=failed_job.job_id, actor=API_CLIENT)
    # then: the unknown id is left out, it would only fail again
    assert (retry.job_type, retry.retry_of) == (JobType.MANUAL, failed_job)
    assert retry.requested_order_ids == [completed_order.order_id]


def test_retry_failed_orders_of_a_running_job_is_refused(orders, queued):
    with queued():
        job = start(orders[0])
    with pytest.raises(Conflict, match="still running"):
        services.retry_failed_orders(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)
    assert RecalculationJob.objects.count() == 1


def test_retry_failed_orders_of_a_job_without_failures_is_refused(orders, run_jobs):
    with run_jobs():
        job = start(orders[0])
    with pytest.raises(ValidationFailed, match="no failed orders"):
        services.retry_failed_orders(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)
    assert RecalculationJob.objects.count() == 1


def test_retry_button_starts_the_retry_and_shows_it(staff_client, failed_job, completed_order, run_jobs):
    # given: a manager of orders may change COMPLETED ones, so the retry succeeds
    manager = staff_client(*JOB_VIEWER, MANAGE_JOBS, MANAGE_ORDERS, username="lead")
    assert "Retry failed orders" in manager.get(job_url(failed_job)).content.decode()
    # when
    with run_jobs():
        response = manager.post(f"{job_url(failed_job)}retry-failed/")
    # then
    retry = RecalculationJob.objects.exclude(pk=failed_job.pk).get()
    assert response["Location"] == job_url(retry)
    assert flashed(response) == [f"Job {retry.job_id} started for 1 order."]
    page = manager.get(job_url(retry)).content.decode()
    assert f"job {failed_job.job_id}</a>" in page
    assert "Finished: 1 order recalculated" in page
    assert retry.order_rows.get().status == JobOrderStatus.SUCCESS


def test_retry_needs_the_manage_permission_and_a_post(job_viewer, job_manager, failed_job):
    assert "Retry failed orders" not in job_viewer.get(job_url(failed_job)).content.decode()
    assert job_viewer.post(f"{job_url(failed_job)}retry-failed/").status_code == 403
    assert job_manager.get(f"{job_url(failed_job)}retry-failed/").status_code == 405
    assert RecalculationJob.objects.count() == 1


def test_retry_of_a_job_without_failures_says_why(job_manager, orders, run_jobs):
    with run_jobs():
        job = start(orders[0])
    response = job_manager.post(f"{job_url(job)}retry-failed/", follow=True)
    assert f"The failed orders were not retried: Job {job.job_id} has no failed orders to retry." in flashed(response)
    assert RecalculationJob.objects.count() == 1


# --- cancelling ---------------------------------------------------------------------------------------------------


def test_cancel_fails_the_pending_orders_and_ends_the_job(orders, queued, eager_tasks):
    # given
    with queued():
        job = start(*orders)
    # when
    services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=Actor(label="user:anna"))
    services.run_recalculation_job(job.job_id)  # a worker that takes the job afterwards
    # then
    job.refresh_from_db()
    assert (job.job_status, job.cancelled_by) == (JobStatus.FAILURE, "user:anna")
    assert job.finished_at == job.cancelled_at
    assert set(job.order_rows.values_list("status", "reason")) == {(JobOrderStatus.FAILURE, FailureReason.CANCELLED)}
    assert versions(orders) == [1, 1, 1, 1, 1]


def test_cancelled_job_shows_in_the_api_as_a_failure_with_its_orders_failed(pickpack, orders, queued):
    with queued():
        job = start(orders[0])
    services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)
    body = pickpack.get(f"jobs/recalculations/{job.job_id}").json()
    assert body["jobStatus"] == "FAILURE"
    assert "finishedAt" in body
    assert body["orders"] == [
        {"orderId": orders[0].order_id, "message": services.CANCELLED_MESSAGE, "jobOrderStatus": "FAILURE"}
    ]


def test_cancel_keeps_what_was_done(orders, queued):
    # given: one order done before the cancel
    with queued():
        job = start(*orders[:3])
    services.select_job_orders(job)
    services.recalculate_next_orders(job, first=0, actor=services.job_actor(job), limit=1)
    # when
    services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)
    # then
    statuses = list(job.order_rows.order_by("pk").values_list("status", flat=True))
    assert statuses == [JobOrderStatus.SUCCESS, JobOrderStatus.FAILURE, JobOrderStatus.FAILURE]
    assert versions(orders[:3]) == [2, 1, 1]


def test_cancel_of_an_automatic_job_before_its_selection_selects_nothing(pickpack, orders, queued):
    # given
    assert pickpack.post("events", event_body(orders[0], event_id="cancelled")).status_code == 200
    with queued():
        job = services.create_recalculation_job(tenant=orders[0].tenant, job_type=JobType.AUTOMATIC, actor=API_CLIENT)
    # when
    services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)
    services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert (job.job_status, job.order_rows.count()) == (JobStatus.FAILURE, 0)
    assert versions(orders[:1]) == [1]


def test_cancel_of_a_manual_job_before_it_looked_up_its_ids_lists_each_id(pickpack, orders, queued):
    # given
    with queued():
        job = start(orders[0], "EON404")
    # when
    services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)
    services.run_recalculation_job(job.job_id)
    # then: the order is cancelled, the unknown id not found, as if the job had started with its rows
    body = pickpack.get(f"jobs/recalculations/{job.job_id}").json()
    assert body["jobStatus"] == "FAILURE"
    assert body["orders"] == [
        {"orderId": orders[0].order_id, "message": services.CANCELLED_MESSAGE, "jobOrderStatus": "FAILURE"},
        {"orderId": "EON404", "message": "Order with id EON404 not found.", "jobOrderStatus": "FAILURE"},
    ]
    assert versions(orders[:1]) == [1]


def test_cancel_of_a_finished_job_is_refused(orders, run_jobs):
    with run_jobs():
        job = start(orders[0])
    with pytest.raises(Conflict, match="already finished"):
        services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=API_CLIENT)


def test_cancel_button_on_a_running_job(job_manager, job_viewer, orders, queued):
    # given
    with queued():
        job = start(*orders[:2])
    page = job_manager.get(job_url(job)).content.decode()
    # when
    response = job_manager.post(f"{job_url(job)}cancel/", follow=True)
    # then
    assert "Cancel job" in page
    assert "Cancel job" not in job_viewer.get(job_url(job)).content.decode()
    assert f"Job {job.job_id} cancelled" in flashed(response)[-1]
    assert "Cancelled by user:jobs: 0 of 2 orders recalculated" in response.content.decode()
    assert "Not recalculated: the job was cancelled first." in response.content.decode()


def test_cancel_needs_the_manage_permission_and_refuses_a_finished_job(job_viewer, job_manager, orders, run_jobs):
    with run_jobs():
        job = start(orders[0])
    assert job_viewer.post(f"{job_url(job)}cancel/").status_code == 403
    response = job_manager.post(f"{job_url(job)}cancel/", follow=True)
    assert "The job was not cancelled: Job" in flashed(response)[-1]
    assert "has already finished (SUCCESS)" in flashed(response)[-1]


def test_job_actions_of_another_tenants_job_are_404(job_outsider, orders, queued):
    with queued():
        job = start(orders[0])
    for action in ("cancel/", "retry-failed/"):
        assert job_outsider.post(f"{job_url(job)}{action}").status_code == 404
    job.refresh_from_db()
    assert job.job_status == JobStatus.IN_PROGRESS
