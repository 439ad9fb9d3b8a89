def test_create_then_read_back_the_seed_order(api, seed_order):
    # when
    created = api.post("salesorders", seed_order)
    # then
    assert created.status_code == 201, created
    order_id = created.json()["id"]
    assert created.json()["yrn"] == f"urn:yaas:saasag:order:salesorder:acme;{order_id}"
    stored = api.get(f"salesorders/{order_id}").json()
    for field, value in seed_order.items():
        assert stored[field] == value, field
