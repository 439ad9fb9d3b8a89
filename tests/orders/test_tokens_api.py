"""The token server over HTTP: revocation (RFC 7009), tokens bounded by their client's current grant, JSON errors."""

import base64

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from orders import scopes
from orders.models import ApiClient
from orders.services import create_api_client, update_api_client

from ..conftest import ApiSession, issue_token

READ_AND_CREATE = [scopes.ORDER_READ, scopes.ORDER_CREATE]


class Registered:
    """An API client with its secret, able to get tokens and revoke them like an integration would."""

    def __init__(self, http: Client, api_client: ApiClient, secret: str):
        self.http, self.api_client, self.secret = http, api_client, secret
        self.client_id = api_client.application.client_id

    def token(self) -> str:
        return issue_token(self.http, self.client_id, self.secret)

    def session(self, token: str) -> ApiSession:
        return ApiSession(Client(), token, self.api_client.tenant.name)

    def revoke(self, token: str, **form):
        return self.http.post(
            "/oauth/revoke", {"token": token, "client_id": self.client_id, "client_secret": self.secret, **form}
        )

    def ask_for_token(self):
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret}
        return self.http.post("/oauth/token", form)


@pytest.fixture
def register(client, tenant):
    def make(granted=READ_AND_CREATE, **kwargs) -> Registered:
        api_client, secret = create_api_client(tenant=tenant, scopes=list(granted), **kwargs)
        return Registered(client, api_client, secret)

    return make


def assert_oauth_error(response, status: int, error: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == error


def assert_contract_error(response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert (body["status"], body["type"]) == (status, error_type)
    assert body["message"]
    return body


# --- revocation -------------------------------------------------------------------------------------------------


def test_revoke_kills_the_token_at_once(register):
    # given
    integration = register()
    token = integration.token()
    api = integration.session(token)
    assert api.get("salesorders").status_code == 200
    # when
    response = integration.revoke(token, token_type_hint="access_token")
    # then
    assert response.status_code == 200
    after = api.get("salesorders")
    assert after.status_code == 401
    assert after.json()["type"] == "unauthorized"
    assert not AccessToken.objects.exists()


def test_revoke_with_http_basic_client_authentication(register):
    # given
    integration = register()
    token = integration.token()
    credentials = base64.b64encode(f"{integration.client_id}:{integration.secret}".encode()).decode()
    # when
    response = integration.http.post("/oauth/revoke", {"token": token}, HTTP_AUTHORIZATION=f"Basic {credentials}")
    # then
    assert response.status_code == 200
    assert integration.session(token).get("salesorders").status_code == 401


def test_revoke_leaves_the_clients_other_tokens_alive(register):
    # given
    integration = register()
    revoked, kept = integration.token(), integration.token()
    # when
    integration.revoke(revoked)
    # then
    assert integration.session(kept).get("salesorders").status_code == 200


def test_revoke_by_another_client_leaves_the_token_alive(register):
    # given
    owner, other = register(), register()
    token = owner.token()
    # when
    response = other.revoke(token)
    # then the other client learns nothing: 200, as for an unknown token
    assert response.status_code == 200
    assert owner.session(token).get("salesorders").status_code == 200


@pytest.mark.parametrize("form", [{"token": "no-such-token"}, {"token": "no-such-token", "token_type_hint": "fancy"}])
def test_revoke_of_an_unknown_token_is_200(register, form):
    integration = register()
    assert integration.revoke(**form).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [{"client_secret": "wrong"}, {"client_id": "no-such-client"}, {"client_secret": ""}],
)
def test_revoke_with_bad_client_credentials_is_401_json(register, credentials):
    # given
    integration = register()
    token = integration.token()
    # when
    response = integration.revoke(token, **credentials)
    # then
    assert_oauth_error(response, 401, "invalid_client")
    assert integration.session(token).get("salesorders").status_code == 200


def test_revoke_without_a_token_is_400_json(register):
    response = register().revoke("")
    assert_oauth_error(response, 400, "invalid_request")


# --- tokens never carry more than the client holds now ---------------------------------------------------------


def test_narrowed_client_scopes_narrow_its_existing_tokens(register, seed_order):
    # given a token issued for read and create
    integration = register(READ_AND_CREATE)
    api = integration.session(integration.token())
    assert api.post("salesorders", seed_order).status_code == 201
    # when an administrator takes create away (in the admin: the token stays)
    ApiClient.objects.filter(pk=integration.api_client.pk).update(scopes=scopes.ORDER_READ)
    # then
    assert_contract_error(api.post("salesorders", seed_order).raw, 403, "insufficient_permissions")
    assert api.get("salesorders").status_code == 200


def test_disabled_client_gets_no_token_and_its_tokens_fail(register):
    # given
    integration = register()
    api = integration.session(integration.token())
    # when (in the admin: the tokens stay)
    ApiClient.objects.filter(pk=integration.api_client.pk).update(is_active=False)
    # then
    assert_oauth_error(integration.ask_for_token(), 401, "invalid_client")
    assert api.get("salesorders").status_code == 401
    assert_oauth_error(integration.revoke("any"), 401, "invalid_client")


def test_application_without_api_client_gets_no_token(register):
    # given an OAuth2 application bound to no tenant, e.g. its API client was deleted
    integration = register()
    integration.api_client.delete()
    assert Application.objects.filter(client_id=integration.client_id).exists()
    # when
    response = integration.ask_for_token()
    # then
    assert_oauth_error(response, 401, "invalid_client")


def test_update_api_client_deletes_tokens_and_new_tokens_carry_the_new_grant(register):
    # given
    integration = register(READ_AND_CREATE)
    old = integration.session(integration.token())
    # when
    update_api_client(client_id=integration.client_id, scopes=[scopes.ORDER_READ])
    # then
    assert old.get("salesorders").status_code == 401
    response = integration.ask_for_token()
    assert response.status_code == 200
    assert response.json()["scope"] == scopes.ORDER_READ


def test_disable_then_enable_through_the_service(register):
    # given
    integration = register()
    old = integration.session(integration.token())
    # when
    update_api_client(client_id=integration.client_id, active=False)
    # then
    assert old.get("salesorders").status_code == 401
    assert_oauth_error(integration.ask_for_token(), 401, "invalid_client")
    # when
    update_api_client(client_id=integration.client_id, active=True)
    # then the old token stays dead, a new one works
    assert old.get("salesorders").status_code == 401
    assert integration.session(integration.token()).get("salesorders").status_code == 200


# --- every token endpoint error is JSON -------------------------------------------------------------------------


def test_token_endpoint_errors_are_json(register):
    integration = register()
    form = {"client_id": integration.client_id, "client_secret": integration.secret}
    http = integration.http
    assert_oauth_error(http.post("/oauth/token", {**form, "grant_type": "magic"}), 400, "unsupported_grant_type")
    assert_oauth_error(http.post("/oauth/token", {**form, "grant_type": "password"}), 400, "invalid_request")
    assert_oauth_error(http.post("/oauth/token", form), 400, "unsupported_grant_type")
    assert_oauth_error(
        http.post("/oauth/token", {"grant_type": "client_credentials", "client_id": integration.client_id}),
        401,
        "invalid_client",
    )
    assert_oauth_error(http.post("/oauth/token", {"grant_type": "client_credentials"}), 401, "invalid_client")


@pytest.mark.parametrize(
    ("method", "path", "status", "error_type"),
    [
        ("GET", "/oauth/token", 405, "method_not_allowed"),
        ("PUT", "/oauth/token", 405, "method_not_allowed"),
        ("GET", "/oauth/revoke", 405, "method_not_allowed"),
        ("GET", "/oauth/authorize", 404, "element_resource_non_existing"),
        ("POST", "/oauth/introspect", 404, "element_resource_non_existing"),
    ],
)
def test_token_server_http_errors_are_json(client, db, method, path, status, error_type):
    response = client.generic(method, path)
    assert_contract_error(response, status, error_type)
    if status == 405:
        assert "POST" in response["Allow"]


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke"])
def test_a_form_that_cannot_be_read_is_400_in_the_token_servers_shape(client, db, path):
    # when a client sends a multipart body without its boundary
    response = client.post(path, "grant_type=client_credentials", content_type="multipart/form-data")
    # then it is told its request is malformed, as RFC 6749 words it, not answered a server error
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
