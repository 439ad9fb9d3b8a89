"""The contract's management commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import AccessToken, Application

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


def test_update_api_client_prints_the_client_and_deletes_its_tokens(client, tenant):
    # given
    credentials = json.loads(run("create_api_client", "--tenant", "acme", "--scopes", "order.order_read"))
    issue_token(client, credentials["client_id"], credentials["client_secret"])
    # when
    output = run(
        "update_api_client",
        f"--client-id={credentials['client_id']}",  # "=": a generated id may start with "-"
        "--scopes",
        "order.order_read_by_vendor pickpack.pickpack_view",
        "--vendor",
        "v1",
    )
    # then
    assert json.loads(output) == {
        "client_id": credentials["client_id"],
        "tenant": "acme",
        "scopes": ["order.order_read_by_vendor", "pickpack.pickpack_view"],
        "vendor": "v1",
        "active": True,
    }
    assert not AccessToken.objects.exists()


def test_update_api_client_disables_and_enables(client, tenant):
    # given
    credentials = json.loads(run("create_api_client", "--tenant", "acme", "--scopes", "order.order_read"))
    issue_token(client, credentials["client_id"], credentials["client_secret"])
    # when
    disabled = json.loads(run("update_api_client", f"--client-id={credentials['client_id']}", "--disable"))
    # then
    assert (disabled["active"], disabled["scopes"]) == (False, ["order.order_read"])
    assert not AccessToken.objects.exists()
    assert client.post("/oauth/token", {"grant_type": "client_credentials", **credentials}).status_code == 401
    # when
    enabled = json.loads(run("update_api_client", f"--client-id={credentials['client_id']}", "--enable"))
    # then
    assert enabled["active"] is True
    assert issue_token(client, credentials["client_id"], credentials["client_secret"])


@pytest.mark.parametrize(
    "args",
    [
        ["--client-id=nosuch", "--disable"],
        ["--client-id={client_id}", "--scopes", "order.order_fly"],
        ["--client-id={client_id}", "--scopes", ""],
        ["--client-id={client_id}", "--scopes", "order.order_read_by_vendor"],
        ["--client-id={client_id}", "--disable", "--enable"],
    ],
)
def test_update_api_client_refuses_bad_arguments_and_changes_nothing(client, tenant, args):
    # given
    credentials = json.loads(run("create_api_client", "--tenant", "acme", "--scopes", "order.order_read"))
    issue_token(client, credentials["client_id"], credentials["client_secret"])
    # when
    with pytest.raises(CommandError):
        run("update_api_client", *[arg.format(**credentials) for arg in args])
    # then
    stored = ApiClient.objects.get()
    assert (stored.scopes, stored.vendor_id, stored.is_active) == ("order.order_read", "", True)
    assert AccessToken.objects.count() == 1


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


def test_create_staff_user_makes_a_member_of_the_tenant_who_can_sign_in_and_work(tenant, client):
    # when
    output = StringIO()
    call_command(
        "create_staff_user",
        "--tenant",
        "acme",
        "--username",
        "anna",
        "--password",
        "s3cret-pass",
        "--name",
        "Anna Meyer",
        stdout=output,
    )
    # then
    assert json.loads(output.getvalue()) == {
        "username": "anna",
        "tenant": "acme",
        "role": "manager",
        "groups": ["Order desk: managers"],
        "created": True,
    }
    assert client.login(username="anna", password="s3cret-pass")
    assert client.get("/staff/acme/orders/").status_code == 200


def test_create_staff_user_refuses_an_unknown_tenant(db):
    with pytest.raises(CommandError, match="No tenant 'nowhere'"):
        call_command("create_staff_user", "--tenant", "nowhere", "--username", "anna")
