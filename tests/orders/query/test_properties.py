"""Property tests: any string gives a filter or ValidationFailed, and well-formed queries agree with the reference."""

import string

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from orders.errors import ValidationFailed
from orders.query import compile_query

from .reference import matching_ids

# The stored orders outlive the examples and no example writes, so the function-scoped fixture is safe here.
EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Q_CHARACTERS = string.ascii_letters[:8] + string.digits[:4] + ':().,<>=!~" \\\t-_ANDnulexistrf\u00e9\u2028'
MONEY = ["50", "100", "119.00", "150", "10.5", "0", "-3", "1000000000000000000"]
MAY_DATES = [
    '"2021-05-15"',
    '"2021-05-18T07:27:27.455Z"',
    '"2021-05-15T00:27:27.000417Z"',
    "2021-05-17T12:00:00Z",
    '"2021-05-20T10:00:00+02:00"',
    '"0001-01-01"',
    '"9999-12-31T23:59:59.999999Z"',
    '"2021-05-16T07:27:27.148Z"',
]
JUNE_DATES = ['"2021-06-06T10:00:00.000Z"', '"2021-06-10"', '"2021-06-18T10:00:00.000Z"', '"2021-06-02T10:00:00Z"']
# The q texts of values each path holds in the fixture (and a few it does not).
VALUES_BY_PATH = {
    "id": ["EON2001", "EON2017", "EON1"],
    "status": ["CREATED", "COMPLETED", "DECLINED"],
    "currency": ["EUR", "USD", "CHF"],
    "siteCode": ["DE", "AT", "US", '""'],
    "customer.id": ["C1000", "C1003", "C1006"],
    "customer.email": ["customer3@example.com", "customer0@example.com"],
    "created": MAY_DATES,
    "lastStatusChange": MAY_DATES,
    "calculatedPrice.finalPrice.grossValue": MONEY,
    "calculatedPrice.finalPrice.netValue": MONEY,
    "totalPrice": MONEY,
    "orderType": ["MASTER_ORDER"],
    "tax.total.amount": ["10", "15", "20", "20.00", "25.5", '"20"'],
    "entries.amount": ["1", "2", "3", "4"],
    "entries.product.vendor.id": ["vendor-a", "vendor-b", "vendor-c"],
    "entries.product.localizedName.de": ['"Produkt 2"', '"Produkt 4"'],
    "entries.tax.lines.code": ["REDUCED", "STANDARD"],
    "entries.tax.lines.rate": ["7", "19"],
    "payments.method": ["card", "invoice", "paypal"],
    "payments": ["card"],
    "mixins.generalAttributes.orderNumber": ["EON2076", "EON2061"],
    "mixins.generalAttributes.extendedOrderStatus": ["01", "05", "10", "5"],
    "mixins.generalAttributes.customerFirstOrder": ["true", "false"],
    "customer.mixins.generalAttributes.invoiceNotDeliveryAddress": ["true", "false", '"true"'],
    "billingAddress.contactPhone": ['"+49 30 1234"', '""'],
    "billingAddress.city": ["Wien", "Berlin", '"New York"'],
    "deliveryWindow.deliveryDate": JUNE_DATES,
    "mixins.tags": ["gift"],
    "mixins.notes.text": [r'"call \"before\" delivery"', '"leave at door"'],
    "shipping.lines.amount": ["35", "12"],
    "mixins": ["x"],
}
OPERATORS = [">", ">=", "<", "<="]

any_bare = st.from_regex(r"[A-Za-z0-9_@.+-][A-Za-z0-9_@.:+-]{0,8}", fullmatch=True).filter(
    lambda text: text not in ("null", "exists")
)
any_quoted = st.text(max_size=12).map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
any_path = st.from_regex(r"[a-z]{1,6}(\.[a-z]{1,6}){0,3}", fullmatch=True)


@st.composite
def terms(draw) -> str:
    path = draw(st.sampled_from(sorted(VALUES_BY_PATH)) | any_path)
    # Mostly values the path holds, so that queries find something; sometimes anything at all.
    values = st.sampled_from(VALUES_BY_PATH.get(path, ["x"])) | any_bare | any_quoted
    values = st.one_of(st.sampled_from(VALUES_BY_PATH.get(path, ["x"])), values)
    bounds = st.tuples(st.sampled_from(OPERATORS), values).map("".join)
    condition = draw(
        st.one_of(
            values,
            st.lists(values, min_size=1, max_size=3).map(lambda items: "(" + ",".join(items) + ")"),
            bounds,
            st.lists(bounds, min_size=1, max_size=3).map(lambda items: "(" + " AND ".join(items) + ")"),
            st.sampled_from(["null", "exists"]),
        )
    )
    return f"{path}:{condition}"


queries = st.lists(terms(), min_size=1, max_size=2).map(" ".join)


def evaluate(orders, q: str) -> set[str] | None:
    """The ids q finds, or None when q is rejected: the only failure allowed."""
    try:
        condition = compile_query(q)
    except ValidationFailed as error:
        assert [(detail.field, detail.type) for detail in error.details] == [("q", "invalid_query_parameter")]
        return None
    return orders.ids(orders.orders().filter(condition))


@EXAMPLES
@given(q=st.text(max_size=60) | st.text(alphabet=Q_CHARACTERS, max_size=40))
def test_compile_query_any_string_runs_or_raises_validation_failed(orders, q):
    evaluate(orders, q)


def test_compile_query_well_formed_queries_agree_with_the_reference(orders):
    outcomes = []

    @EXAMPLES
    @given(q=queries | st.tuples(queries, st.text(alphabet=Q_CHARACTERS, max_size=3)).map("".join))
    def agrees(q):
        found = evaluate(orders, q)
        event("rejected" if found is None else "found some" if found else "found none")
        outcomes.append(found is not None)
        if found is not None:
            assert found == matching_ids(orders.documents, q)

    agrees()
    # Rejecting is allowed, but a compiler that rejected (nearly) everything would agree with any reference.
    assert sum(outcomes) >= len(outcomes) / 2, f"only {sum(outcomes)} of {len(outcomes)} queries compiled"
