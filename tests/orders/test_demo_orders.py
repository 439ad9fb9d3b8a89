"""Demo orders are what the pricing engine answers: recalculating one changes nothing, to the cent."""

import random

from django.utils import timezone

from orders import pricing
from orders.demo import demo_order


def test_recalculating_a_demo_order_changes_nothing():
    rng, now = random.Random(20), timezone.now()
    for number in range(200):
        document = demo_order(rng, number, now)
        assert pricing.calculate(document) == document, number


def test_a_demo_order_is_in_emporix_shape_and_authorizes_its_total():
    document = demo_order(random.Random(3), 1, timezone.now())
    assert all("total" in entry["tax"] for entry in document["entries"])
    assert all("sequenceId" in line for line in document["tax"]["lines"])
    assert document["totalAuthorizedAmount"] == document["totalPrice"]
    assert [payment["authorizedAmount"] for payment in document["payments"]] == [document["totalPrice"]]
