"""Hypothesis strategies for random but well-formed order documents."""

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from .builders import entry, order

# Every tax code the random orders use, with its rate (passed to `calculate` as `tax_rates`).
TAX_RATES = {"STANDARD": 19, "REDUCED": 7, "SERVICE": Decimal("20.5"), "ZERO": 0, "HIGH": 100}


def amounts(max_value: int, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=places, allow_nan=False, allow_infinity=False)


tax_codes = st.sampled_from(sorted(TAX_RATES))
percents = amounts(100)
quantities = st.one_of(st.integers(min_value=0, max_value=40), amounts(40, places=3))


@st.composite
def entry_discounts(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(["PERCENT", "ABSOLUTE"]))
    value = draw(percents if kind == "PERCENT" else amounts(300))
    discount = {"id": f"d{draw(st.integers(0, 999))}", "discountType": kind, "value": value}
    sequence = draw(st.none() | st.integers(min_value=0, max_value=5))
    return discount if sequence is None else {**discount, "sequence": sequence}


@st.composite
def entry_fees(draw, proportional: bool = False) -> dict[str, Any]:
    kinds = ["PERCENT", "ABSOLUTE_MULTIPLY_ITEMQUANTITY"] + ([] if proportional else ["ABSOLUTE"])
    kind = draw(st.sampled_from(kinds))
    fee: dict[str, Any] = {"id": "fee", "feeType": kind}
    if kind == "PERCENT":
        fee["feePercentage"] = draw(amounts(20))
    else:
        fee["feeAbsolute"] = {"currency": "EUR", "amount": draw(amounts(15))}
    code = draw(st.none() | tax_codes)
    return fee if code is None else {**fee, "taxable": True, "taxCode": code}


@st.composite
def entries(draw, index: int, *, gross: bool, proportional: bool = False) -> dict[str, Any]:
    code = draw(tax_codes)
    discounts = entry_discounts()
    if proportional:
        discounts = discounts.filter(lambda discount: discount["discountType"] == "PERCENT")
    document = entry(
        f"entry-{index}",
        unit_price=draw(amounts(500, places=draw(st.sampled_from([2, 3])))),
        quantity=draw(quantities),
        tax_code=code,
        tax_rate=TAX_RATES[code],
        gross=gross,
        externalDiscounts=draw(st.lists(discounts, max_size=2)),
        externalFees=draw(st.lists(entry_fees(proportional), max_size=2)),
    )
    delivered = draw(st.none() | quantities)
    return document if delivered is None else {**document, "deliveredAmount": delivered}


@st.composite
def order_discounts(draw, proportional: bool = False) -> dict[str, Any]:
    kind = "PERCENT" if proportional else draw(st.sampled_from(["PERCENT", "ABSOLUTE"]))
    discount = {"code": f"C{draw(st.integers(0, 99))}", "currency": "EUR", "discountType": kind}
    if kind == "PERCENT":
        return {**discount, "discountRate": draw(percents)}
    return {**discount, "amount": draw(amounts(200))}


@st.composite
def shipping_lines(draw) -> dict[str, Any]:
    code = draw(tax_codes)
    return {
        "code": "ship",
        "amount": draw(amounts(50)),
        "tax": {"total": {"inclusive": draw(st.booleans())}, "rate": TAX_RATES[code]},
        "shippingTaxCode": code,
    }


@st.composite
def stored_prices(draw) -> dict[str, Any]:
    """A stored price in cents, as this engine writes them."""
    net, tax = draw(amounts(50)), draw(amounts(10))
    code = draw(tax_codes)
    return {"netValue": net, "grossValue": net + tax, "taxValue": tax, "taxCode": code, "taxRate": TAX_RATES[code]}


@st.composite
def payment_fees(draw, proportional: bool = False) -> dict[str, Any]:
    fee = {"id": "payment", "type": "PERCENT" if proportional else draw(st.sampled_from(["PERCENT", "ABSOLUTE"]))}
    fee["price"] = draw(stored_prices())
    if proportional or draw(st.booleans()):
        fee["value"] = draw(amounts(10))
    return fee


@st.composite
def orders(draw, *, proportional: bool = False) -> dict[str, Any]:
    """An order of up to 6 entries, all net, all gross or mixed. `proportional`: nothing in it is a fixed amount."""
    model = draw(st.sampled_from(["net", "gross", "mixed"]))
    count = draw(st.integers(min_value=0 if not proportional else 1, max_value=6))
    grosses = [draw(st.booleans()) if model == "mixed" else model == "gross" for _ in range(count)]
    documents = [draw(entries(index, gross=gross, proportional=proportional)) for index, gross in enumerate(grosses)]
    fields: dict[str, Any] = {"discounts": draw(st.lists(order_discounts(proportional), max_size=2))}
    calculated: dict[str, Any] = {"upliftValue": {"netValue": Decimal(1), "grossValue": Decimal(1), "taxValue": 0}}
    if not proportional:
        shipping = draw(st.sampled_from(["lines", "stored", "none"]))
        if shipping == "lines":
            lines = draw(st.lists(shipping_lines(), min_size=1, max_size=2))
            fields["shipping"] = {"total": {"amount": 0}, "lines": lines}
        elif shipping == "stored":
            calculated["totalShipping"] = draw(stored_prices())
    calculated["paymentFees"] = draw(st.lists(payment_fees(proportional), max_size=2))
    return order(*documents, calculatedPrice=calculated, **fields)
