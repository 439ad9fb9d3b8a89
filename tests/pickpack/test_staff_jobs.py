"""Staff pages of recalculation jobs and packing events: list, new-job form, live progress, results, events."""

# The shared staff fixtures live in tests/orders/test_staff_pages; imported, they shadow.

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from orders.actors import Actor
from orders.models import Tenant
from orders.staff.access import MANAGE_JOBS, VIEW_ORDERS
from pickpack import services
from pickpack.models import JobStatus, JobType, PackingEvent, RecalculationJob

from ..staff import SCRIPT, assert_inert, assert_login_redirect
from .conftest import JOB_VIEWER

JOBS = "/staff/acme/jobs/"
EVENTS = "/staff/acme/events/"
RECENT = "/staff/acme/recent-jobs/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def start_job(job_manager, eager_tasks, django_capture_on_commit_callbacks):
    """Starts a job through the form; `run=False` leaves it queued and IN_PROGRESS, as before a worker takes it."""

    def start(data: dict, *, run: bool = True):
        with django_capture_on_commit_callbacks(execute=run):
            return job_manager.post(JOBS, data)

    return start


@pytest.fixture
def packing_event(tenant, order) -> PackingEvent:
    entry = order.document["entries"][0]
    return PackingEvent.objects.create(
        tenant=tenant,
        event_id=SCRIPT,
        order_number=order.order_id,
        product_id=entry["product"]["id"],
        packed_amount=1,
        unit=entry["measurementUnit"]["unit"],
        timestamp=timezone.now(),
        site="main",
        user=SCRIPT,
    )


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def manual(*order_ids: str) -> dict:
    return {"job_type": "MANUAL", "order_ids": "\n".join(order_ids)}


def job_url(job: RecalculationJob) -> str:
    return f"{JOBS}{job.job_id}/"


# --- access -----------------------------------------------------------------------------------------------------


@pytest.fixture
def some_job(start_job, orders) -> RecalculationJob:
    start_job(manual(orders[0].order_id))
    return RecalculationJob.objects.get()


@pytest.fixture
def page_urls(some_job) -> list[str]:
    return [JOBS, job_url(some_job), RECENT, EVENTS]


def test_job_pages_need_login(client, page_urls):
    for url in page_urls:
        assert_login_redirect(Client().get(url))


def test_job_pages_need_their_view_permission(staff_client, page_urls):
    order_viewer = staff_client(VIEW_ORDERS)
    for url in page_urls:
        assert order_viewer.get(url).status_code == 403, url


def test_job_pages_of_another_tenant_are_404(job_outsider, page_urls):
    for url in page_urls:
        assert job_outsider.get(url).status_code == 404, url


def test_an_unknown_job_is_404(job_viewer):
    assert job_viewer.get(f"{JOBS}nosuchjob/").status_code == 404


def test_starting_a_job_needs_the_manage_permission(job_viewer, orders):
    # when
    page = job_viewer.get(JOBS)
    response = job_viewer.post(JOBS, manual(orders[0].order_id))
    # then
    assert "Start a job" not in page.content.decode()
    assert response.status_code == 403
    assert not RecalculationJob.objects.exists()


def test_starting_a_job_in_another_tenant_is_404(job_outsider, orders):
    assert job_outsider.post(JOBS, manual(orders[0].order_id)).status_code == 404


def test_starting_a_job_needs_the_csrf_token(staff_client, orders, eager_tasks):
    # given
    client = staff_client(*JOB_VIEWER, MANAGE_JOBS, csrf_checks=True)
    client.get(JOBS)
    token = client.cookies["csrftoken"].value
    # when
    refused = client.post(JOBS, manual(orders[0].order_id))
    accepted = client.post(JOBS, manual(orders[0].order_id) | {"csrfmiddlewaretoken": token})
    # then
    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert RecalculationJob.objects.count() == 1


# --- starting jobs ----------------------------------------------------------------------------------------------


def test_manual_job_takes_pasted_ids_folding_duplicates(start_job, orders):
    # when
    response = start_job(
        {"job_type": "MANUAL", "order_ids": f"{orders[0].order_id}, {orders[1].order_id}\n{orders[0].order_id}"}
    )
    # then
    job = RecalculationJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert flashed(response) == [f"Job {job.job_id} started for 2 orders."]
    assert list(job.order_rows.values_list("order_number", flat=True)) == [orders[0].order_id, orders[1].order_id]
    assert job.job_status == JobStatus.SUCCESS
    assert job.created_by == "user:jobs"


def test_manual_job_without_ids_shows_the_form_again(start_job, orders):
    response = start_job({"job_type": "MANUAL", "order_ids": "  \n "})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="field-error">is required for a MANUAL job</p>' in html
    assert not RecalculationJob.objects.exists()


@pytest.mark.parametrize("data", [{"job_type": "SOMETIMES"}, {}, {"job_type": "MANUAL", "order_ids": "x" * 300}])
def test_bad_job_requests_show_an_error_not_a_500(start_job, data):
    response = start_job(data)
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not RecalculationJob.objects.exists()


def test_automatic_job_takes_orders_with_new_packing_events(start_job, packing_event, orders):
    # when
    response = start_job({"job_type": "AUTOMATIC", "order_ids": "ignored"})
    # then
    job = RecalculationJob.objects.get()
    assert response.status_code == 302
    assert list(job.order_rows.values_list("order_number", flat=True)) == [packing_event.order_number]


def test_overlapping_job_is_refused_with_a_message(start_job, orders):
    # given
    start_job(manual(orders[0].order_id), run=False)
    # when
    response = start_job(manual(orders[0].order_id, orders[1].order_id))
    # then
    assert response.status_code == 302
    assert response["Location"] == JOBS
    assert "already in job" in flashed(response)[-1]
    assert RecalculationJob.objects.count() == 1


# --- job page and progress --------------------------------------------------------------------------------------


def test_running_job_page_polls_for_progress(start_job, job_viewer, orders):
    # given
    start_job(manual(*(order.order_id for order in orders)), run=False)
    job = RecalculationJob.objects.get()
    services.select_job_orders(job)  # what its first task does before it recalculates
    # when
    page = job_viewer.get(job_url(job))
    poll = job_viewer.get(job_url(job), headers=HTMX)
    # then
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-live="polite"' in html
    assert "0 of 5 orders done" in html
    assert poll.status_code == 200
    assert "<html" not in poll.content.decode()


def test_finished_job_stops_the_polling(start_job, job_viewer, orders):
    # given
    start_job(manual(*(order.order_id for order in orders)))
    job = RecalculationJob.objects.get()
    # when
    page = job_viewer.get(job_url(job))
    poll = job_viewer.get(job_url(job), headers=HTMX)
    # then
    assert "hx-trigger" not in page.content.decode()
    assert "100 %" in page.content.decode()
    assert poll.status_code == 286  # htmx stops polling on 286
    assert "5 of 5 orders done" in poll.content.decode()
    assert 'hx-swap-oob="innerHTML"' in poll.content.decode()


def start_api_job(order_ids: list[str]) -> RecalculationJob:
    """A manual job as the API starts it: ids of no order become failed rows (the staff form refuses them)."""
    tenant = Tenant.objects.get(name="acme")
    return services.create_recalculation_job(
        tenant=tenant, job_type=JobType.MANUAL, order_ids=order_ids, actor=Actor(label="api-client:erp")
    )


def test_job_results_link_to_orders_and_escape_unknown_ids(
    job_viewer, orders, eager_tasks, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        job = start_api_job([orders[0].order_id, SCRIPT])
    # when
    html = job_viewer.get(job_url(job)).content.decode()
    # then
    assert f'href="/staff/acme/orders/{orders[0].order_id}/"' in html
    assert "Order recalculated successfully" in html
    assert_inert(html)
    assert job.order_rows.filter(status="FAILURE").count() == 1


def test_job_results_can_show_failures_only(job_viewer, orders, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_api_job([orders[0].order_id, "EON404"])
    html = job_viewer.get(job_url(job), {"status": "FAILURE"}).content.decode()
    assert "EON404" in html
    assert f'href="/staff/acme/orders/{orders[0].order_id}/"' not in html


# --- job list ---------------------------------------------------------------------------------------------------


def test_job_list_shows_jobs_with_their_progress(start_job, job_viewer, orders):
    start_job(manual(orders[0].order_id))
    job = RecalculationJob.objects.get()
    html = job_viewer.get(JOBS).content.decode()
    assert f'href="{job_url(job)}"' in html
    assert "100 %" in html


def test_job_list_filters_by_status(start_job, job_viewer, orders):
    start_job(manual(orders[0].order_id))
    job = RecalculationJob.objects.get()
    assert job.job_id in job_viewer.get(JOBS, {"job_status": "SUCCESS"}).content.decode()
    assert job.job_id not in job_viewer.get(JOBS, {"job_status": "FAILURE"}).content.decode()


@pytest.mark.parametrize("params", [{"job_status": "MAYBE"}, {"page": "x"}, {"job_type": "<b>"}])
def test_job_list_with_bad_filters_is_not_a_500(job_viewer, params):
    assert job_viewer.get(JOBS, params).status_code == 200


def test_job_list_over_htmx_is_the_results_only(job_viewer):
    html = job_viewer.get(JOBS, headers=HTMX).content.decode()
    assert "<html" not in html and "<table" in html


def test_recent_jobs_panel_lists_the_latest(start_job, job_viewer, orders):
    start_job(manual(orders[0].order_id))
    job = RecalculationJob.objects.get()
    assert job.job_id in job_viewer.get(RECENT).content.decode()


# --- packing events ---------------------------------------------------------------------------------------------


def test_events_page_lists_events_escaped_and_linked(job_viewer, packing_event):
    html = job_viewer.get(EVENTS).content.decode()
    assert f'href="/staff/acme/orders/{packing_event.order_number}/"' in html
    assert_inert(html)


def test_events_page_filters_by_order(job_viewer, packing_event):
    assert (
        packing_event.order_number
        in job_viewer.get(EVENTS, {"order_number": packing_event.order_number}).content.decode()
    )
    assert "No packing events match." in job_viewer.get(EVENTS, {"order_number": "EON1"}).content.decode()


@pytest.mark.parametrize("params", [{"packed_from": "soon"}, {"page": "-3"}])
def test_events_page_with_bad_filters_is_not_a_500(job_viewer, packing_event, params):
    response = job_viewer.get(EVENTS, params)
    assert response.status_code == 200


def test_events_page_reports_a_bad_date(job_viewer, packing_event):
    html = job_viewer.get(EVENTS, {"packed_from": "soon"}).content.decode()
    assert "The filters need fixing" in html
    assert re.search(r"Packed from</a>: Enter a valid date", html)
