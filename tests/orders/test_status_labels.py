"""The one label people see for each status, everywhere (staff pages, admin, exports)."""

from orders.statuses import OrderStatus


def test_every_status_has_the_label_people_read():
    assert OrderStatus.choices == [
        ("IN_CHECKOUT", "In checkout"),
        ("CREATED", "Created"),
        ("CONFIRMED", "Confirmed"),
        ("DECLINED", "Declined"),
        ("SHIPPED", "Shipped"),
        ("COMPLETED", "Completed"),
    ]
