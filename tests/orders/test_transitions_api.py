"""The status machine through the API: every legal and every illegal transition, and the history."""

import pytest

from orders import scopes

SHIPMENT = {"shippedDate": "2026-07-28T00:00:00.000Z", "carrier": "UPS", "trackingNumber": "123456"}

# The status machine as DESIGN.md states it, written out rather than read from orders.statuses, so a change to the
# production table fails here: IN_CHECKOUT→CREATED|DECLINED, CREATED→CONFIRMED|DECLINED,
# CONFIRMED→SHIPPED|COMPLETED|DECLINED, SHIPPED→COMPLETED; everything else (staying put included) is 400.
ALLOWED_NEXT = {
    "IN_CHECKOUT": ["CREATED", "DECLINED"],
    "CREATED": ["CONFIRMED", "DECLINED"],
    "CONFIRMED": ["SHIPPED", "COMPLETED", "DECLINED"],
    "SHIPPED": ["COMPLETED"],
    "DECLINED": [],
    "COMPLETED": [],
}
STATUSES = ["IN_CHECKOUT", "CREATED", "CONFIRMED", "DECLINED", "SHIPPED", "COMPLETED"]
# fmt: off
# rows: from; columns: to, in the order of STATUSES
TRANSITION_ANSWERS = {
    #               IN_CHECKOUT CREATED CONFIRMED DECLINED SHIPPED COMPLETED
    "IN_CHECKOUT": [400,        204,    400,      204,     400,    400],
    "CREATED":     [400,        400,    204,      204,     400,    400],
    "CONFIRMED":   [400,        400,    400,      204,     204,    204],
    "DECLINED":    [400,        400,    400,      400,     400,    400],
    "SHIPPED":     [400,        400,    400,      400,     400,    204],
    "COMPLETED":   [400,        400,    400,      400,     400,    400],
}
# fmt: on
ALL_PAIRS = [
    (current, target, answer)
    for current, answers in TRANSITION_ANSWERS.items()
    for target, answer in zip(STATUSES, answers, strict=True)
]


def test_the_written_out_table_has_36_pairs_and_the_8_legal_ones_of_the_design():
    legal = {(current, target) for current, target, answer in ALL_PAIRS if answer == 204}
    assert len(ALL_PAIRS) == 36
    assert legal == {(current, target) for current, targets in ALLOWED_NEXT.items() for target in targets}
    assert len(legal) == 8


def order_in_status(api, seed_order, status: str, shipments=(SHIPMENT,)) -> str:
    response = api.post("salesorders", {**seed_order, "status": status, "shipments": list(shipments)})
    assert response.status_code == 201, response
    return response.json()["id"]


@pytest.mark.parametrize(("current", "target", "answer"), ALL_PAIRS)
def test_transition_follows_the_status_machine(api, seed_order, current, target, answer):
    # given
    order_id = order_in_status(api, seed_order, current)
    # when
    response = api.post(f"salesorders/{order_id}/transitions", {"status": target})
    # then
    assert response.status_code == answer, response
    stored = api.get(f"salesorders/{order_id}").json()
    if answer == 204:
        assert (stored["status"], stored["metadata"]["version"]) == (target, 2)
        history = api.get(f"salesorders/{order_id}/historical-transitions").json()["transitions"]
        assert [item["status"] for item in history] == [current, target]
    else:
        body = response.json()
        assert body["type"] == "validation_violation"
        assert body["details"][0]["field"] == "status"
        assert body["details"][0]["type"] == "invalid_transition"
        assert body["message"] == (
            f"An order in status {current} cannot change to {target}. "
            f"Allowed: {', '.join(ALLOWED_NEXT[current]) or 'none'}."
        )
        assert (stored["status"], stored["metadata"]["version"]) == (current, 1)


@pytest.mark.parametrize("status", STATUSES)
def test_get_transitions_lists_the_reachable_statuses(api, seed_order, status):
    order_id = order_in_status(api, seed_order, status)
    response = api.get(f"salesorders/{order_id}/transitions")
    assert response.status_code == 200
    assert response.json() == [{"status": target} for target in ALLOWED_NEXT[status]]


@pytest.mark.parametrize("body", [{}, {"status": "LOST"}, {"status": None}, {"status": 3}])
def test_transition_with_invalid_status_is_400(api, seed_order, body):
    order_id = order_in_status(api, seed_order, "CREATED")
    response = api.post(f"salesorders/{order_id}/transitions", body)
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "status"


def test_transition_of_unknown_order_is_404(api):
    assert api.post("salesorders/EON404/transitions", {"status": "CONFIRMED"}).status_code == 404
    assert api.get("salesorders/EON404/transitions").status_code == 404
    assert api.get("salesorders/EON404/historical-transitions").status_code == 404


def test_transition_needs_an_update_scope(api, api_session, seed_order):
    order_id = order_in_status(api, seed_order, "CREATED")
    reader = api_session([scopes.ORDER_READ])
    assert reader.post(f"salesorders/{order_id}/transitions", {"status": "CONFIRMED"}).status_code == 403
    assert reader.get(f"salesorders/{order_id}/transitions").status_code == 200


def test_completing_needs_no_extra_scope_but_leaving_completed_is_impossible(api, api_session, seed_order):
    order_id = order_in_status(api, seed_order, "SHIPPED")
    updater = api_session([scopes.ORDER_UPDATE])
    assert updater.post(f"salesorders/{order_id}/transitions", {"status": "COMPLETED"}).status_code == 204
    assert updater.post(f"salesorders/{order_id}/transitions", {"status": "SHIPPED"}).status_code == 403
    assert api.post(f"salesorders/{order_id}/transitions", {"status": "SHIPPED"}).status_code == 400


def test_historical_transitions_list_every_status_in_order_with_timestamps(api, seed_order):
    # given
    order_id = order_in_status(api, seed_order, "IN_CHECKOUT")
    for status in ("CREATED", "CONFIRMED", "SHIPPED", "COMPLETED"):
        assert api.post(f"salesorders/{order_id}/transitions", {"status": status}).status_code == 204
    api.patch(f"salesorders/{order_id}", {"siteCode": "AT"})  # not a status change
    # when
    response = api.get(f"salesorders/{order_id}/historical-transitions")
    # then
    assert response.status_code == 200
    body = response.json()
    assert [item["status"] for item in body["transitions"]] == [
        "IN_CHECKOUT",
        "CREATED",
        "CONFIRMED",
        "SHIPPED",
        "COMPLETED",
    ]
    timestamps = [item["timestamp"] for item in body["transitions"]]
    assert timestamps == sorted(timestamps)
    assert body["metadata"] == {"version": 5, "createdAt": timestamps[0], "modifiedAt": timestamps[-1]}
    assert api.get(f"salesorders/{order_id}").json()["lastStatusChange"] == timestamps[-1]


def test_shipping_needs_shipment_data_first(api, seed_order):
    # given a confirmed order without shipments
    order_id = order_in_status(api, seed_order, "CONFIRMED", shipments=())
    # when
    refused = api.post(f"salesorders/{order_id}/transitions", {"status": "SHIPPED"})
    # then
    assert refused.status_code == 400
    message = "Add shipment data (shipments with shippedDate and carrier) before changing the status to SHIPPED."
    assert refused.json()["details"] == [{"field": "shipments", "type": "missing_value", "message": message}]
    # when shipments come with the status change in one merge patch
    shipped = api.patch(f"salesorders/{order_id}", {"status": "SHIPPED", "shipments": [SHIPMENT]})
    # then
    assert shipped.status_code == 204
    assert api.get(f"salesorders/{order_id}").json()["status"] == "SHIPPED"


def test_shipments_need_date_and_carrier(api, seed_order):
    order_id = order_in_status(api, seed_order, "CONFIRMED", shipments=())
    response = api.patch(f"salesorders/{order_id}", {"shipments": [{"carrier": "UPS"}]})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "shipments[0].shippedDate"
