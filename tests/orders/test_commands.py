"""The contract's management commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from orders.models import ApiClient, Order, Tenant
from pickpack.models import PackingEvent

from ..conftest import issue_token


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_tenant(db):
    run("create_tenant", "acme")
    assert Tenant.objects.filter(name="acme").exists()


@pytest.mark.parametrize("name", ["ab", "Acme", "1acme", "acme-shop", "a" * 17])
def test_create_tenant_refuses_invalid_names(db, name):
    with pytest.raises(CommandError):
        run("create_tenant", name)
    assert not Tenant.objects.exists()


def test_create_tenant_refuses_a_duplicate(db):
    run("create_tenant", "acme")
    with pytest.raises(CommandError, match="already exists"):
        run("create_tenant", "acme")


def test_create_api_client_prints_credentials_that_get_a_token(client, tenant):
    # when
    output = run("create_api_client", "--tenant", "acme", "--scopes", "order.order_read order.order_create")
    # then
    credentials = json.loads(output)
    assert set(credentials) == {"client_id", "client_secret"}
    assert issue_token(client, credentials["client_id"], credentials["client_secret"])
    stored = Application.objects.get(client_id=credentials["client_id"])
    assert stored.client_secret != credentials["client_secret"]  # only a hash is kept


def test_create_api_client_with_vendor(tenant):
    output = run("create_api_client", "--tenant", "acme", "--scopes", "order.order_read_by_vendor", "--vendor", "v1")
    assert ApiClient.objects.get(application__client_id=json.loads(output)["client_id"]).vendor_id == "v1"


@pytest.mark.parametrize(
    "args",
    [
        ["--tenant", "nosuch", "--scopes", "order.order_read"],
        ["--tenant", "acme", "--scopes", "order.order_fly"],
        ["--tenant", "acme", "--scopes", ""],
        ["--tenant", "acme", "--scopes", "order.order_read_by_vendor"],
    ],
)
def test_create_api_client_refuses_bad_arguments(tenant, args):
    with pytest.raises(CommandError):
        run("create_api_client", *args)
    assert not ApiClient.objects.exists()


def test_seed_demo_loads_once_and_skips_what_exists(client, db):
    # when
    run("seed_demo")
    run("seed_demo")
    # then
    assert Order.objects.filter(tenant__name="demo").count() == 200
    assert PackingEvent.objects.filter(tenant__name="demo").exists()
    assert Application.objects.filter(client_id="demo-client").count() == 1
    assert client.login(username="admin", password="admin")
    assert issue_token(client, "demo-client", "demo-secret")
