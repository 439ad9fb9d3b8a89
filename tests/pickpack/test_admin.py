"""The Django admin of packing events and recalculation jobs: lists, filters, search, a job with its orders."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from orders.actors import Actor
from pickpack import admin as pickpack_admin
from pickpack import services
from pickpack.demo import seed_packing_events
from pickpack.models import JobStatus, JobType, RecalculationJob


@pytest.fixture
def admin_client(client, db):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "secret-pass")
    client.login(username="boss", password="secret-pass")
    return client


@pytest.fixture
def job(orders) -> RecalculationJob:
    with mock.patch.object(services, "enqueue_job"):
        return services.create_recalculation_job(
            tenant=orders[0].tenant,
            job_type=JobType.MANUAL,
            order_ids=[*(order.order_id for order in orders), "<b>EON-unknown</b>"],
            actor=Actor(label="test"),
        )


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "EON1001"},
        {"tenant__id__exact": "1"},
        {"unit": "H87"},
        {"site": "main"},
        {"book_product__exact": "1"},
    ],
)
def test_admin_packing_event_list_renders(admin_client, tenant, orders, query):
    # given
    seed_packing_events(tenant, share=1)
    # when
    page = admin_client.get("/admin/pickpack/packingevent/", query)
    # then
    assert page.status_code == 200


def test_admin_packing_event_search_by_order(admin_client, tenant, orders):
    # given
    seed_packing_events(tenant, share=1)
    # when
    page = admin_client.get("/admin/pickpack/packingevent/", {"q": orders[1].order_id}).content.decode()
    # then
    assert f"{orders[1].order_id}-0-0" in page
    assert f"{orders[2].order_id}-0-0" not in page


@pytest.mark.parametrize(
    "query", [{}, {"job_status__exact": "IN_PROGRESS"}, {"job_type__exact": "MANUAL"}, {"q": "EON1002"}]
)
def test_admin_job_list_renders_and_finds_jobs_by_order(admin_client, job, query):
    # when
    page = admin_client.get("/admin/pickpack/recalculationjob/", query)
    # then
    assert page.status_code == 200
    assert job.job_id in page.content.decode()


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
