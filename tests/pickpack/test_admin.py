"""The Django admin of packing events and recalculation jobs: lists, filters, search, a job with its orders."""

import re
from unittest import mock

import pytest
from django.utils import timezone

from orders.actors import Actor
from pickpack import admin as pickpack_admin
from pickpack import services
from pickpack.demo import seed_packing_events
from pickpack.models import JobStatus, JobType, PackingEvent, RecalculationJob


def new_job(orders) -> RecalculationJob:
    """A MANUAL job of the orders and an unknown id, not queued: its rows are not added yet."""
    with mock.patch.object(services, "enqueue_job"):
        return services.create_recalculation_job(
            tenant=orders[0].tenant,
            job_type=JobType.MANUAL,
            order_ids=[*(order.order_id for order in orders), "<b>EON-unknown</b>"],
            actor=Actor(label="test"),
        )


@pytest.fixture
def job(orders) -> RecalculationJob:
    """The job once its first task has added its rows."""
    job = new_job(orders)
    services.select_job_orders(job)
    return job


def listed(html: str, column: str) -> list[str]:
    """The values of the list's first column (the link to each row), not the search box's echo of the query."""
    return re.findall(rf'<th class="field-{column}"><a href="[^"]*">([^<]+)</a></th>', html)


@pytest.fixture
def listed_events(tenant, other_tenant):
    """Four events differing in tenant, order, unit, site and booking."""
    at = timezone.now()

    def event(owner, event_id: str, order_number: str, unit: str, site: str, book: bool | None) -> None:
        PackingEvent.objects.create(
            tenant=owner,
            event_id=event_id,
            order_number=order_number,
            product_id="P-1",
            picked_amount=1,
            packed_amount=1,
            canceled_amount=0,
            unit=unit,
            timestamp=at,
            site=site,
            book_product=book,
        )

    event(tenant, "ev-shoes", "EON1001", "H87", "main", True)
    event(tenant, "ev-cheese", "EON1002", "KGM", "main", False)
    event(tenant, "ev-north", "EON1003", "H87", "north", None)
    event(other_tenant, "ev-globex", "EON1001", "H87", "main", True)
    return {"acme": tenant.pk, "globex": other_tenant.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"ev-shoes", "ev-cheese", "ev-north", "ev-globex"}),
        ({"q": "EON1001"}, {"ev-shoes", "ev-globex"}),
        ({"q": "ev-cheese"}, {"ev-cheese"}),
        ({"q": "ev-ch"}, set()),  # exact ids only: a part of one would be a scan of every event
        ({"tenant__id__exact": "globex"}, {"ev-globex"}),
        ({"unit__exact": "KGM"}, {"ev-cheese"}),
        ({"site__exact": "north"}, {"ev-north"}),
        ({"book_product__exact": "1"}, {"ev-shoes", "ev-globex"}),
        ({"book_product__exact": "0"}, {"ev-cheese"}),
    ],
)
def test_admin_packing_event_list_filters_and_searches(admin_client, listed_events, query, expected):
    # given
    if "tenant__id__exact" in query:
        query = {"tenant__id__exact": listed_events[query["tenant__id__exact"]]}
    # when
    page = admin_client.get("/admin/pickpack/packingevent/", query)
    # then
    assert page.status_code == 200
    assert sorted(listed(page.content.decode(), "event_id")) == sorted(expected)


def test_admin_packing_event_search_by_order(admin_client, tenant, orders):
    # given
    seed_packing_events(tenant, share=1)
    expected = PackingEvent.objects.filter(order_number=orders[1].order_id).values_list("event_id", flat=True)
    # when
    page = admin_client.get("/admin/pickpack/packingevent/", {"q": orders[1].order_id})
    # then: the events of that order, read from the list's cells, and none of the other orders'
    assert page.status_code == 200
    assert f"{orders[1].order_id}-0-0" in expected
    assert sorted(listed(page.content.decode(), "event_id")) == sorted(expected)
    assert PackingEvent.objects.exclude(order_number=orders[1].order_id).exists()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({}, True),
        ({"job_status__exact": "IN_PROGRESS"}, True),
        ({"job_type__exact": "MANUAL"}, True),
        ({"q": "EON1002"}, True),
        ({"job_status__exact": "SUCCESS"}, False),
        ({"job_type__exact": "AUTOMATIC"}, False),
        ({"q": "EON9999"}, False),
    ],
)
def test_admin_job_list_filters_and_finds_jobs_by_order(admin_client, job, query, found):
    # given a finished AUTOMATIC job of no order, which only the filters for it may list
    finished = RecalculationJob.objects.create(tenant=job.tenant, job_id="finished1", job_type=JobType.AUTOMATIC)
    RecalculationJob.objects.filter(pk=finished.pk).update(job_status=JobStatus.SUCCESS)
    # when
    page = admin_client.get("/admin/pickpack/recalculationjob/", query)
    # then
    assert page.status_code == 200
    listed_jobs = listed(page.content.decode(), "job_id")
    assert (job.job_id in listed_jobs) is found
    assert ("finished1" in listed_jobs) is (
        query in ({}, {"job_status__exact": "SUCCESS"}, {"job_type__exact": "AUTOMATIC"})
    )


def test_admin_job_list_finds_a_job_by_an_order_it_has_yet_to_look_up(admin_client, orders):
    # given
    awaiting = new_job(orders)
    # when
    found = listed(admin_client.get("/admin/pickpack/recalculationjob/", {"q": "eon1002"}).content.decode(), "job_id")
    missed = listed(admin_client.get("/admin/pickpack/recalculationjob/", {"q": "EON9999"}).content.decode(), "job_id")
    # then
    assert (found, missed) == ([awaiting.job_id], [])


def test_admin_job_page_of_a_job_yet_to_look_up_its_orders(admin_client, orders):
    # given
    awaiting = new_job(orders)
    # when
    html = admin_client.get(f"/admin/pickpack/recalculationjob/{awaiting.pk}/change/").content.decode()
    # then
    assert "6 requested, not looked up yet" in html


def test_admin_job_page_shows_progress_and_orders_escaped(admin_client, job):
    # when
    page = admin_client.get(f"/admin/pickpack/recalculationjob/{job.pk}/change/")
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "5 pending, 0 success, 1 failure" in html
    assert "EON1001" in html
    assert "&lt;b&gt;EON-unknown&lt;/b&gt;" in html and "<b>EON-unknown</b>" not in html


def test_admin_job_page_lists_a_bounded_number_of_orders(admin_client, job, monkeypatch):
    # given
    monkeypatch.setattr(pickpack_admin, "INLINE_ORDER_LIMIT", 2)
    # when
    html = admin_client.get(f"/admin/pickpack/recalculationjob/{job.pk}/change/").content.decode()
    # then
    assert "EON1001" in html and "EON1002" in html and "EON1003" not in html


def test_admin_resume_jobs_queues_jobs_in_progress_only(admin_client, job):
    # given
    finished = RecalculationJob.objects.create(tenant=job.tenant, job_id="finished1", job_type=JobType.AUTOMATIC)
    RecalculationJob.objects.filter(pk=finished.pk).update(job_status=JobStatus.SUCCESS)
    # when
    with mock.patch.object(services, "enqueue_job") as enqueue:
        admin_client.post(
            "/admin/pickpack/recalculationjob/",
            {"action": "resume_jobs", "_selected_action": [job.pk, finished.pk]},
        )
    # then
    enqueue.assert_called_once_with(job.job_id)


def test_admin_pickpack_needs_a_staff_login(client, db):
    # then
    assert client.get("/admin/pickpack/recalculationjob/").status_code == 302
