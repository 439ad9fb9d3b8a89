"""Packing events over HTTP with real tokens: report once, validation, listing with paging and a timestamp."""

from decimal import Decimal

import pytest

from orders import documents
from orders.models import Order
from orders.scopes import ORDER_CREATE, PICKPACK_VIEW
from pickpack.models import PackingEvent

from .conftest import assert_error, create_demo_orders, event_body, pickpack_session

SUCCESS = {"message": "Success", "code": 200}


# --- POST -------------------------------------------------------------------------------------------------------


def test_post_event_answers_success_and_stores_it(pickpack, order):
    # given
    body = event_body(order, event_id="evt-1")
    # when
    response = pickpack.post("events", body)
    # then
    assert (response.status_code, response.json()) == (200, SUCCESS)
    event = PackingEvent.objects.get(event_id="evt-1")
    assert (event.order_number, event.product_id, event.packed_amount) == (order.order_id, body["productId"], 1)
    assert event.user.startswith("client:")


def test_post_event_reads_back_in_the_spec_shape(pickpack, order):
    # given
    body = event_body(order, event_id="evt-1", packedAmount=2, timestamp="2025-06-02T11:15:00+02:00")
    pickpack.post("events", body)
    # when
    [event] = pickpack.get("events").json()
    # then
    expected = {name: value for name, value in body.items() if name != "timestamp"}
    assert {name: event[name] for name in expected} == expected
    assert event["timestamp"] == "2025-06-02T09:15:00.000Z"
    assert event["user"].startswith("client:")


def test_post_same_event_twice_answers_the_same_and_counts_once(pickpack, order):
    # given
    body = event_body(order, event_id="resent")
    first = pickpack.post("events", body)
    # when
    again = pickpack.post("events", body)
    # then
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (200, SUCCESS)
    assert PackingEvent.objects.filter(event_id="resent").count() == 1


def test_post_same_event_with_equal_numbers_in_another_form_is_the_same_event(pickpack, order):
    # given
    body = documents.dumps(event_body(order, event_id="same", packedAmount=2))
    pickpack.post("events", body=body)
    # when
    again = pickpack.post("events", body=body.replace('"packedAmount":2', '"packedAmount":2.000'))
    # then
    assert again.status_code == 200
    assert PackingEvent.objects.count() == 1


def test_post_same_event_id_for_a_different_event_is_409(pickpack, order):
    # given
    pickpack.post("events", event_body(order, event_id="taken", packedAmount=1))
    # when
    response = pickpack.post("events", event_body(order, event_id="taken", packedAmount=5))
    # then
    assert_error(response, 409, "conflict_resource", "eventId")
    assert PackingEvent.objects.get(event_id="taken").packed_amount == 1


def test_post_event_ids_are_per_tenant(pickpack, order, api_session, other_tenant):
    # given
    foreign_order = create_demo_orders(other_tenant, 1)[0]
    foreign = pickpack_session(api_session(for_tenant=other_tenant))
    pickpack.post("events", event_body(order, event_id="shared-id"))
    # when
    response = foreign.post("events", event_body(foreign_order, event_id="shared-id"))
    # then
    assert response.status_code == 200
    assert PackingEvent.objects.filter(event_id="shared-id").count() == 2


def test_post_event_with_decimal_amount_in_another_unit(
    pickpack, tenant, eager_tasks, django_capture_on_commit_callbacks
):
    # given
    weighed = next(
        order
        for order in create_demo_orders(tenant, 20, seed=9)
        if order.document["entries"][0]["measurementUnit"]["unit"] == "KGM"
    )
    # when
    response = pickpack.post("events", event_body(weighed, event_id="grams", unit="GRM", packedAmount=950))
    # then: stored as sent, in grams; a recalculation delivers 950 GRM = 0.95 KGM of the entry sold per kilogram
    assert (response.status_code, response.json()) == (200, SUCCESS)
    event = PackingEvent.objects.get(event_id="grams")
    assert (event.unit, event.packed_amount) == ("GRM", Decimal("950"))
    [listed] = [item for item in pickpack.get("events").json() if item["eventId"] == "grams"]
    assert (listed["unit"], listed["packedAmount"]) == ("GRM", 950)
    with django_capture_on_commit_callbacks(execute=True):
        started = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [weighed.order_id]})
    assert started.status_code == 200, started
    entry = Order.objects.get(pk=weighed.pk).document["entries"][0]
    assert (entry["measurementUnit"]["unit"], entry["deliveredAmount"]) == ("KGM", Decimal("0.95"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"eventId": None}, "eventId"),
        ({"eventId": ""}, "eventId"),
        ({"eventId": 12}, "eventId"),
        ({"eventId": "x" * 129}, "eventId"),
        ({"orderNumber": None}, "orderNumber"),
        ({"productId": None}, "productId"),
        ({"unit": None}, "unit"),
        ({"unit": "BOXES"}, "unit"),
        ({"timestamp": None}, "timestamp"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "2020-09-14T13:35:18"}, "timestamp"),
        ({"site": None}, "site"),
        ({"packedAmount": -1}, "packedAmount"),
        ({"packedAmount": "1"}, "packedAmount"),
        ({"packedAmount": 1.0005}, "packedAmount"),
        ({"canceledAmount": -2}, "canceledAmount"),
        ({"pickedAmount": True}, "pickedAmount"),
        ({"bookProduct": "yes"}, "bookProduct"),
        ({"deliveryCycle": 5}, "deliveryCycle"),
        ({"orderNumber": "EON999999"}, "orderNumber"),
        ({"productId": "NOT-IN-THE-ORDER"}, "productId"),
        ({"unit": "HUR"}, "unit"),
        ({"productId": "BC10033\x00"}, "productId"),
        ({"eventId": "nul\x00"}, "eventId"),
        ({"site": "main\x00"}, "site"),
    ],
)
def test_post_invalid_event_is_400_and_saves_nothing(pickpack, order, change, field):
    # given
    body = event_body(order, event_id="bad") | change
    # when
    response = pickpack.post("events", body)
    # then
    assert_error(response, 400, "validation_violation", field)
    assert PackingEvent.objects.count() == 0


def test_post_event_missing_every_required_field_names_each(pickpack):
    # when
    response = pickpack.post("events", {"packedAmount": 1})
    # then
    body = assert_error(response, 400, "validation_violation")
    assert {detail["field"] for detail in body["details"]} == {
        "eventId",
        "orderNumber",
        "productId",
        "unit",
        "timestamp",
        "site",
    }
    assert {detail["type"] for detail in body["details"]} == {"missing_value"}


@pytest.mark.parametrize("body", ["[]", "{", "null"])
def test_post_event_that_is_no_json_object_is_400(pickpack, body):
    # when
    response = pickpack.post("events", body=body)
    # then
    assert_error(response, 400, "validation_violation")


def test_post_event_needs_the_manage_scope(pickpack_viewer, order):
    # when
    response = pickpack_viewer.post("events", event_body(order, event_id="viewer"))
    # then
    assert_error(response, 403, "insufficient_permissions")
    assert PackingEvent.objects.count() == 0


def test_post_event_without_token_is_401(pickpack, order):
    # given
    pickpack.token = ""
    # when
    response = pickpack.post("events", event_body(order, event_id="anonymous"))
    # then
    assert_error(response, 401, "unauthorized")


# --- GET --------------------------------------------------------------------------------------------------------


@pytest.fixture
def ten_events(pickpack, order) -> list[str]:
    """Events evt-0 … evt-9, packed a minute apart from 09:00, posted in reverse."""
    for minute in reversed(range(10)):
        body = event_body(order, event_id=f"evt-{minute}", timestamp=f"2025-06-02T09:{minute:02d}:00.000Z")
        assert pickpack.post("events", body).status_code == 200
    return [f"evt-{minute}" for minute in range(10)]


def event_ids(response) -> list[str]:
    assert response.status_code == 200, response
    return [event["eventId"] for event in response.json()]


def test_get_events_oldest_first_with_total_count(pickpack, ten_events):
    # when
    response = pickpack.get("events")
    # then
    assert event_ids(response) == ten_events
    assert response.headers["X-Total-Count"] == "10"


def test_get_events_pages(pickpack, ten_events):
    # when
    pages = [pickpack.get("events", QUERY_STRING=f"pageNumber={number}&pageSize=4") for number in (1, 2, 3, 4)]
    # then
    assert [event_ids(page) for page in pages] == [ten_events[:4], ten_events[4:8], ten_events[8:], []]
    assert pages[0].headers["X-Total-Count"] == "10"


def test_get_events_page_number_zero_is_the_first_page(pickpack, ten_events):
    # when
    response = pickpack.get("events", QUERY_STRING="pageNumber=0&pageSize=3")
    # then
    assert event_ids(response) == ten_events[:3]


def test_get_events_default_page_size_is_16(pickpack, order):
    # given
    for number in range(20):
        pickpack.post("events", event_body(order, event_id=f"many-{number}"))
    # when
    response = pickpack.get("events")
    # then
    assert len(event_ids(response)) == 16
    assert response.headers["X-Total-Count"] == "20"


@pytest.mark.parametrize(
    "timestamp",
    ["2025-06-02T09:06:00.000Z", "2025-06-02T09:06:00Z", "2025-06-02T11:06:00+0200", "2025-06-02T09:06:00"],
)
def test_get_events_after_a_timestamp(pickpack, ten_events, timestamp):
    # when
    response = pickpack.get("events", QUERY_STRING=f"timestamp={timestamp.replace('+', '%2B')}")
    # then
    assert event_ids(response) == ten_events[7:]
    assert response.headers["X-Total-Count"] == "3"


def test_get_events_after_a_timestamp_whose_plus_was_not_encoded(pickpack, ten_events):
    # when
    response = pickpack.get("events", QUERY_STRING="timestamp=2025-06-02T11:08:00+0200")
    # then
    assert event_ids(response) == ten_events[9:]


def test_get_events_after_a_timestamp_and_paged(pickpack, ten_events):
    # when
    response = pickpack.get("events", QUERY_STRING="timestamp=2025-06-02T09:01:00Z&pageNumber=2&pageSize=3")
    # then
    assert event_ids(response) == ten_events[5:8]
    assert response.headers["X-Total-Count"] == "8"


def test_get_events_of_own_tenant_only(pickpack, ten_events, api_session, other_tenant):
    # given
    foreign = pickpack_session(api_session(for_tenant=other_tenant))
    # when
    response = foreign.get("events")
    # then
    assert event_ids(response) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("timestamp=soon", "timestamp"),
        ("pageNumber=-1", "pageNumber"),
        ("pageNumber=x", "pageNumber"),
        ("pageSize=20001", "pageSize"),
        ("pageSize=1.5", "pageSize"),
    ],
)
def test_get_events_with_invalid_query_is_400(pickpack, query, field):
    # when
    response = pickpack.get("events", QUERY_STRING=query)
    # then
    assert_error(response, 400, "validation_violation", field)


def test_get_events_with_the_view_scope(pickpack_viewer, ten_events):
    # when
    response = pickpack_viewer.get("events")
    # then
    assert len(event_ids(response)) == 10


def test_get_events_needs_a_pickpack_scope(api_session):
    # given
    order_creator = pickpack_session(api_session([ORDER_CREATE]))
    # when
    response = order_creator.get("events")
    # then
    assert_error(response, 403, "insufficient_permissions")


def test_get_events_of_another_tenant_path_is_403(api_session, other_tenant):
    # given
    viewer = pickpack_session(api_session([PICKPACK_VIEW]))
    # when
    response = viewer.get("events", tenant=other_tenant.name)
    # then
    assert_error(response, 403, "insufficient_permissions")
