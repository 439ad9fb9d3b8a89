"""The oracle itself: it finds what contradicts Emporix's response schemas, and lets the named differences by."""

import json

from . import emporix

ORDER_URL = "/order-v2/acme/salesorders/EON1001"
JOB_URL = "/pick-pack/acme/jobs/recalculations/job1"


def answer(document) -> bytes:
    return json.dumps(document).encode()


def test_oracle_finds_a_field_of_the_wrong_type():
    # given a job whose status is no status the spec knows
    job = {"id": "job1", "jobType": "MANUAL", "orders": [], "jobStatus": "DONE", "startedAt": "2026-01-01T10:00:00Z"}
    # when / then
    assert emporix.violations("GET", JOB_URL, 200, answer(job)) == [
        "GET-pick-pack-retrieve-order-recalculation 200 at jobStatus: 'DONE' is not one of "
        "['SUCCESS', 'FAILURE', 'IN_PROGRESS']"
    ]


def test_oracle_finds_a_timestamp_that_is_no_date_time():
    job = {"id": "job1", "jobType": "MANUAL", "orders": [], "jobStatus": "SUCCESS", "startedAt": "yesterday"}
    assert len(emporix.violations("GET", JOB_URL, 200, answer(job))) == 1


def test_oracle_finds_a_null_the_spec_does_not_allow():
    job = {"id": "job1", "jobType": "MANUAL", "orders": [], "jobStatus": "IN_PROGRESS", "finishedAt": None}
    assert len(emporix.violations("GET", JOB_URL, 200, answer(job))) == 1


def test_oracle_checks_error_answers_too():
    assert emporix.violations("GET", ORDER_URL, 404, answer({"message": "gone"})) == [
        "GET-order-retrieve-order-employee 404 at (body): 'status' is a required property",
        "GET-order-retrieve-order-employee 404 at (body): 'type' is a required property",
    ]


def test_oracle_lets_the_named_differences_by():
    # given an order with a tax aggregate list, a weighed amount and a delivery time without seconds
    price = {"netValue": 10, "grossValue": 11.9, "taxValue": 1.9}
    order = {
        "entries": [{"amount": 1.25, "calculatedUnitPrice": price, "calculatedPrice": {"finalPrice": price}}],
        "customer": {"email": "a@example.com"},
        "calculatedPrice": {"finalPrice": {**price, "taxAggregate": {"lines": [price]}}},
        "deliveryWindow": {"deliveryTimeRange": {"timeFrom": "10:00"}},
    }
    # when / then
    assert emporix.violations("GET", ORDER_URL, 200, answer(order)) == []
    assert emporix.violations("GET", ORDER_URL, 200, answer({**order, "entries": [{"amount": "1"}]})) != []


def test_oracle_knows_the_literal_path_before_the_templated_one():
    assert emporix.operation_for("POST", "/order-v2/acme/salesorders/search?pageSize=2").name == (
        "POST-order-tenant-orders-search"
    )
