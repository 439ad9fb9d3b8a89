"""A job that ended with failures, in a real browser: it says so, and Retry failed orders runs just those again."""

import pytest

from orders.actors import Actor
from orders.services import transition_order
from pickpack import services
from pickpack.models import JobType, RecalculationJob

from ..pickpack.conftest import create_demo_orders

pytestmark = pytest.mark.django_db(transaction=True)
ERP = Actor(label="api-client:erp")  # may not change COMPLETED orders, unlike the desk's managers


def test_retry_failed_orders_runs_a_new_job_of_the_failed_ones(page, signed_in, tenant, settings):
    # given: an ERP's job in which a COMPLETED order failed
    settings.CELERY_TASK_ALWAYS_EAGER = True
    done, completed = create_demo_orders(tenant, 2)
    for status in ("CONFIRMED", "COMPLETED"):
        transition_order(tenant=tenant, order_id=completed.order_id, status=status, actor=ERP)
    job = services.create_recalculation_job(
        tenant=tenant, job_type=JobType.MANUAL, order_ids=[done.order_id, completed.order_id], actor=ERP
    )
    # when
    page.goto(signed_in(f"/staff/acme/jobs/{job.job_id}/"))
    page.get_by_text("Finished with 1 failure of 2 orders").wait_for()
    page.get_by_text("Completed orders are final: recalculation skipped.").wait_for()
    page.get_by_role("button", name="Retry failed orders").click()
    # then: a new job of the one failed order, which a manager may recalculate
    page.get_by_text("started for 1 order.").wait_for()
    retry = RecalculationJob.objects.exclude(pk=job.pk).get()
    assert page.url.endswith(f"/staff/acme/jobs/{retry.job_id}/")
    page.get_by_text("Finished: 1 order recalculated").wait_for()
    page.get_by_role("link", name=f"job {job.job_id}").wait_for()
    assert list(retry.order_rows.values_list("order_number", flat=True)) == [completed.order_id]
