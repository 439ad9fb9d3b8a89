"""How many orders per second the pricing engine recalculates, for orders of 5 and 50 entries.

Run: .venv/bin/python bench/pricing_bench.py [--seconds N]

Each order is the seed's EON2076 (full product payloads, mixins) with its entry repeated: a mix of net and gross
entries at two tax rates, one in three with a percent discount, one in four with a fee, plus a coupon, a shipping
line and a percent payment fee.
"""

import argparse
import copy
import json
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from orders.pricing import calculate

SEED_ORDER = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seed_order.json"
SIZES = (5, 50)
ROUNDS = 5


def load_seed() -> dict:
    return json.loads(SEED_ORDER.read_text(), parse_float=Decimal)


def make_order(seed: dict, entry_count: int) -> dict:
    order = copy.deepcopy(seed)
    template = order["entries"][0]
    order["entries"] = [make_entry(template, index) for index in range(entry_count)]
    order["discounts"] = [{"code": "TENOFF", "amount": Decimal(10), "currency": "EUR", "discountType": "ABSOLUTE"}]
    order["shipping"] = {
        "total": {"amount": Decimal("39.2"), "currency": "EUR"},
        "lines": [
            {
                "code": "pickup",
                "amount": Decimal(35),
                "tax": {"rate": 12, "total": {"inclusive": False}},
                "shippingTaxCode": "REDUCED",
            }
        ],
    }
    order["calculatedPrice"]["paymentFees"][0]["value"] = Decimal(10)
    return order


def make_entry(template: dict, index: int) -> dict:
    entry = copy.deepcopy(template)
    entry["id"] = f"{template['id']}-{index}"
    entry["amount"] = 1 + index % 4
    entry["price"]["effectiveAmount"] = Decimal(100) + Decimal(index * 37 % 1000) / 100
    if index % 2:
        entry["calculatedUnitPrice"].update(taxCode="REDUCED", taxRate=7)
        entry["tax"] = {"lines": [{"code": "REDUCED", "rate": 7, "inclusive": True}], "total": {"inclusive": True}}
    if index % 3 == 0:
        entry["externalDiscounts"] = [{"id": "sale", "discountType": "PERCENT", "value": Decimal(15), "sequence": 1}]
    if index % 4 == 0:
        fee = {"currency": "EUR", "amount": Decimal("2.50")}
        entry["externalFees"] = [{"id": "fee", "feeType": "ABSOLUTE", "feeAbsolute": fee, "taxCode": "REDUCED"}]
    return entry


def measure(order: dict, seconds: float, rounds: int = ROUNDS) -> list[float]:
    """Orders per second in each of `rounds` rounds sharing `seconds`; best and median tame a noisy machine."""
    calculate(order)  # warm up
    rates = []
    for _ in range(rounds):
        count, started = 0, time.perf_counter()
        deadline = started + seconds / rounds
        while time.perf_counter() < deadline:
            calculate(order)
            count += 1
        rates.append(count / (time.perf_counter() - started))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent on each order size")
    arguments = parser.parse_args()
    seed = load_seed()
    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}; one process, one thread")
    for size in SIZES:
        rates = measure(make_order(seed, size), arguments.seconds)
        best, median = max(rates), statistics.median(rates)
        print(
            f"{size:>3} entries: best {best:>7,.0f} orders/s ({1000 / best:.3f} ms per order), "
            f"median {median:>7,.0f} orders/s over {len(rates)} rounds"
        )


if __name__ == "__main__":
    main()
