"""Bulk actions of the staff order list: status changes, CSV of a selection, recalculation jobs; each order on its
own, refused with a reason where not allowed, and the selection itself checked before anything happens."""

import copy

import pytest

from orders.actors import Actor
from orders.models import ChangeRecord, Order
from orders.services import create_order, transition_order
from orders.staff import bulk
from orders.staff.access import MANAGE_JOBS, MANAGE_ORDERS, VIEW_ORDERS
from pickpack.models import JobType, RecalculationJob
from pickpack.services import select_job_orders
from pickpack.staff import bulk as pickpack_bulk

from .test_staff_order_list import LIST, export_rows

BULK = "/staff/acme/order-actions/"
RECALCULATE = "/staff/acme/recalculate-orders/"
STATUSES = {"EON9001": "CREATED", "EON9002": "CREATED", "EON9003": "IN_CHECKOUT", "EON9004": "DECLINED"}


@pytest.fixture
def desk_orders(tenant, seed_order) -> dict[str, Order]:
    orders = {}
    for order_id, status in STATUSES.items():
        document = copy.deepcopy(seed_order) | {"id": order_id, "status": status}
        orders[order_id] = create_order(tenant=tenant, document=document, actor=Actor(label="test"))
    return orders


def ticked(*order_ids: str, version: int = 1) -> list[str]:
    return [f"{order_id}:{version}" for order_id in order_ids]


def statuses(tenant) -> dict[str, str]:
    return dict(Order.objects.filter(tenant=tenant).values_list("order_id", "status"))


def outcome_page(client, response) -> str:
    """The list the action led back to, where its outcome shows once."""
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


# --- status changes -----------------------------------------------------------------------------------------------


def test_confirm_ticked_orders_refusing_each_one_the_status_machine_does_not_allow(manager, tenant, desk_orders):
    # when
    response = manager.post(BULK, {"action": "transition", "status": "CONFIRMED", "order": ticked(*STATUSES)})
    # then
    html = outcome_page(manager, response)
    assert "2 confirmed, 2 refused." in html
    assert "It is In checkout, which can become Created or Declined, not Confirmed." in html
    assert "It is Declined, which no status follows." in html
    assert statuses(tenant) == STATUSES | {"EON9001": "CONFIRMED", "EON9002": "CONFIRMED"}


def test_each_change_goes_through_the_order_service_with_its_change_record(manager, tenant, desk_orders):
    # when
    manager.post(BULK, {"action": "transition", "status": "DECLINED", "order": ticked("EON9001")})
    # then
    record = ChangeRecord.objects.get(order__order_id="EON9001", operation="transition")
    assert record.actor["type"] == "user" and record.actor["id"] == "manager"
    assert {"path": "status", "before": "CREATED", "after": "DECLINED"} in record.changes


def test_an_order_changed_since_the_list_was_shown_is_refused(manager, tenant, desk_orders):
    # given someone else confirms EON9001 after the list showed it at version 1
    transition_order(tenant=tenant, order_id="EON9001", status="CONFIRMED", actor=Actor(label="other"))
    # when
    response = manager.post(BULK, {"action": "transition", "status": "DECLINED", "order": ticked("EON9001", "EON9002")})
    # then
    html = outcome_page(manager, response)
    assert "1 declined, 1 refused." in html
    assert "It was changed by someone else after the list was shown" in html
    assert statuses(tenant)["EON9001"] == "CONFIRMED"


def test_all_orders_matching_the_filters(manager, tenant, desk_orders):
    # when
    response = manager.post(
        BULK, {"action": "transition", "status": "CONFIRMED", "all_matching": "true", "filters": "status=CREATED"}
    )
    # then
    assert "2 confirmed." in outcome_page(manager, response)
    assert statuses(tenant) == STATUSES | {"EON9001": "CONFIRMED", "EON9002": "CONFIRMED"}


def test_ticked_orders_not_found_are_refused_by_name(manager, tenant, desk_orders):
    response = manager.post(BULK, {"action": "transition", "status": "CONFIRMED", "order": ticked("EON9001", "NOPE")})
    html = outcome_page(manager, response)
    assert "1 confirmed, 1 refused." in html
    assert "NOPE</a>: It was not found" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "transition", "status": "CONFIRMED"}, "Select at least one order, or all orders matching"),
        ({"action": "transition", "status": "CONFIRMED", "order": ["EON9001"]}, "The selection could not be read"),
        ({"action": "transition", "status": "CONFIRMED", "order": ["EON9001:x"]}, "The selection could not be read"),
        ({"action": "transition", "status": "", "order": ticked("EON9001")}, "Choose the new status."),
        ({"action": "transition", "status": "IN_CHECKOUT", "order": ticked("EON9001")}, "Choose one of the statuses"),
        ({"action": "delete", "order": ticked("EON9001")}, "choose an action for the selection"),
        (
            {"action": "transition", "status": "CONFIRMED", "all_matching": "true", "filters": "q=status:((("},
            "The filters need fixing before acting on all matching orders.",
        ),
    ],
)
def test_a_selection_or_action_that_is_not_clear_changes_nothing(manager, tenant, desk_orders, data, message):
    # when
    response = manager.post(BULK, data)
    # then
    html = outcome_page(manager, response)
    assert message in html
    assert "Nothing was" in html
    assert statuses(tenant) == STATUSES


def test_more_orders_than_a_request_changes_are_refused_as_a_whole(manager, tenant, desk_orders, monkeypatch):
    # given
    monkeypatch.setattr(bulk, "MAX_BULK_TRANSITIONS", 1)
    # when
    response = manager.post(
        BULK, {"action": "transition", "status": "CONFIRMED", "order": ticked("EON9001", "EON9002")}
    )
    # then
    assert "at most 1 orders change status at once" in outcome_page(manager, response)
    assert statuses(tenant) == STATUSES


def test_changing_statuses_needs_the_manage_permission(viewer, tenant, desk_orders):
    response = viewer.post(BULK, {"action": "transition", "status": "CONFIRMED", "order": ticked("EON9001")})
    assert response.status_code == 403
    assert statuses(tenant) == STATUSES


def test_bulk_actions_are_post_only_with_csrf(staff_client, tenant, desk_orders):
    # given
    client = staff_client(VIEW_ORDERS, MANAGE_ORDERS, csrf_checks=True)
    # when
    without_token = client.post(BULK, {"action": "transition", "status": "CONFIRMED", "order": ticked("EON9001")})
    # then
    assert without_token.status_code == 403
    assert client.get(BULK).status_code == 405
    assert statuses(tenant) == STATUSES


def test_orders_of_another_tenant_are_out_of_reach(outsider, tenant, desk_orders):
    response = outsider.post(BULK, {"action": "transition", "status": "CONFIRMED", "order": ticked("EON9001")})
    assert response.status_code == 404
    assert statuses(tenant) == STATUSES


# --- export -------------------------------------------------------------------------------------------------------


def test_export_of_the_ticked_orders(viewer, desk_orders):
    response = viewer.post(BULK, {"action": "export", "order": ticked("EON9002", "EON9004")})
    assert response.status_code == 200
    assert 'filename="acme-selected-orders.csv"' in response["Content-Disposition"]
    assert sorted(row["orderId"] for row in export_rows(response)) == ["EON9002", "EON9004"]


def test_export_of_all_matching_orders_is_the_lists_own_export(viewer, desk_orders):
    # when
    response = viewer.post(BULK, {"action": "export", "all_matching": "true", "filters": "status=CREATED"})
    # then
    assert response.status_code == 302 and response["Location"] == "/staff/acme/orders.csv?status=CREATED"
    assert sorted(row["orderId"] for row in export_rows(viewer.get(response["Location"]))) == ["EON9001", "EON9002"]


# --- recalculation jobs -------------------------------------------------------------------------------------------


@pytest.fixture
def job_manager(staff_client):
    return staff_client(VIEW_ORDERS, MANAGE_JOBS, username="jobs")


def test_a_recalculation_job_of_the_selection(job_manager, tenant, desk_orders):
    # when
    response = job_manager.post(RECALCULATE, {"order": ticked("EON9001", "EON9003")})
    # then: the job holds the ids, which its first task makes rows of
    job = RecalculationJob.objects.get(tenant=tenant)
    assert response.status_code == 302 and response["Location"] == f"/staff/acme/jobs/{job.job_id}/"
    assert job.job_type == JobType.MANUAL
    assert sorted(job.requested_order_ids) == ["EON9001", "EON9003"]
    select_job_orders(job)
    assert sorted(job.order_rows.values_list("order_number", flat=True)) == ["EON9001", "EON9003"]


def test_a_recalculation_job_of_orders_a_running_job_holds_is_not_started(job_manager, tenant, desk_orders):
    # given
    job_manager.post(RECALCULATE, {"order": ticked("EON9001", "EON9002")})
    running = RecalculationJob.objects.get(tenant=tenant)
    # when
    response = job_manager.post(RECALCULATE, {"order": ticked("EON9002", "EON9003")})
    # then
    html = outcome_page(job_manager, response)
    assert "No job was started: " in html and f"EON9002 already in job {running.job_id}, still IN_PROGRESS" in html
    assert RecalculationJob.objects.count() == 1


def test_a_recalculation_job_of_more_orders_than_a_job_takes_is_not_started(
    job_manager, tenant, desk_orders, monkeypatch
):
    # given
    monkeypatch.setattr(pickpack_bulk, "MAX_ORDER_IDS", 2)
    # when
    response = job_manager.post(RECALCULATE, {"all_matching": "true", "filters": ""})
    # then
    html = outcome_page(job_manager, response)
    assert "No job was started: a recalculation job takes at most 2 orders, and 4 are selected." in html
    assert not RecalculationJob.objects.exists()


def test_recalculation_jobs_need_the_jobs_permission(manager, desk_orders):
    assert manager.post(RECALCULATE, {"order": ticked("EON9001")}).status_code == 403
    assert not RecalculationJob.objects.exists()


def test_the_list_offers_the_actions_its_user_may_take(manager, viewer, desk_orders):
    managing, viewing = manager.get(LIST).content.decode(), viewer.get(LIST).content.decode()
    assert 'value="EON9001:1"' in managing and 'name="csrfmiddlewaretoken"' in managing
    assert 'value="transition"' in managing and 'value="transition"' not in viewing
    assert 'value="export"' in viewing
    assert RECALCULATE not in managing
