import hashlib
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from orders.actors import Actor
from orders.models import ApiClient, Tenant
from orders.scopes import ORDER_UPDATE_COMPLETED
from orders.statements import fetch_row


@dataclass(frozen=True)
class ApiPrincipal:
    """The API client behind a bearer token, with the scopes that token carries."""

    client: ApiClient
    scopes: frozenset[str]
    is_authenticated = True

    @property
    def tenant_name(self) -> str:
        return self.client.tenant.name

    @property
    def actor(self) -> Actor:
        return Actor(
            label=f"client:{self.client.application.client_id}",
            may_change_completed=ORDER_UPDATE_COMPLETED in self.scopes,
            vendor_id=self.client.vendor_id,
            kind="client",
            id=self.client.application.client_id,
            name=f"API client {self.client.application.name}",
        )


def principal_statement(also_select: str = "") -> str:
    """One indexed lookup by the token's checksum: the live token of an enabled client, with its client, tenant and
    application (no cache: a revoked token, or a client narrowed or disabled by any process, fails the next request).

    `also_select` adds a column after the principal's, which may refer to the client `c` and the tenant `n`; its
    parameters come first.
    """
    token, application = AccessToken._meta, Application._meta
    client, tenant = ApiClient._meta, Tenant._meta
    also = f", {also_select}" if also_select else ""
    return (
        f"SELECT t.scope, c.id, c.vendor_id, c.scopes, n.id, n.name, a.id, a.client_id, a.name{also}"
        f" FROM {token.db_table} t"
        f" JOIN {application.db_table} a ON a.id = t.application_id"
        f" JOIN {client.db_table} c ON c.application_id = a.id"
        f" JOIN {tenant.db_table} n ON n.id = c.tenant_id"
        f" WHERE t.token_checksum = %s AND t.expires > %s AND c.is_active"
    )


PRINCIPAL_STATEMENT = principal_statement()


def loaded_instance(model, **values):
    """A model instance as the database would give it with only these fields (the others load on first use)."""
    fields = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, fields, [values[name] for name in fields])


def token_params(token: str) -> tuple:
    """The principal statement's parameters for a token: its checksum and the moment it must outlive."""
    return hashlib.sha256(token.encode()).hexdigest(), connection.ops.adapt_datetimefield_value(timezone.now())


def principal_of_token(token: str) -> ApiPrincipal | None:
    """The principal of a live token of an enabled client, or None."""
    row = fetch_row(PRINCIPAL_STATEMENT, token_params(token))
    return principal_from_row(row) if row is not None else None


@dataclass(frozen=True)
class Grant:
    """What a token lets its client read, from a principal statement's row without building model instances: the
    hot reads need no more (orders/api/hot.py)."""

    tenant_pk: int
    tenant_name: str
    vendor_id: str
    scopes: frozenset[str]

    @property
    def actor(self) -> Actor:
        """The actor of a read: reads only ask what it may see, which its vendor decides."""
        return Actor(label="", vendor_id=self.vendor_id)


def granted_scopes(token_scope: str, client_scopes: str) -> frozenset[str]:
    # A token never carries more than its client holds now: narrowing the client narrows its tokens at once.
    return frozenset(token_scope.split()) & frozenset(client_scopes.split())


def grant_from_row(row: tuple) -> Grant:
    """The grant from the first columns of a principal statement's row."""
    token_scope, _, vendor_id, client_scopes, tenant_pk, tenant_name = row[:6]
    return Grant(tenant_pk, tenant_name, vendor_id, granted_scopes(token_scope, client_scopes))


def principal_from_row(row: tuple) -> ApiPrincipal:
    """The principal from the first columns of a principal statement's row."""
    token_scope, client_pk, vendor_id, client_scopes, tenant_pk, tenant_name, application_pk, client_id, name = row[:9]
    client = loaded_instance(
        ApiClient,
        id=client_pk,
        application_id=application_pk,
        tenant_id=tenant_pk,
        vendor_id=vendor_id,
        scopes=client_scopes,
        is_active=True,
    )
    client.tenant = loaded_instance(Tenant, id=tenant_pk, name=tenant_name)
    client.application = loaded_instance(Application, id=application_pk, client_id=client_id, name=name)
    return ApiPrincipal(client=client, scopes=granted_scopes(token_scope, client_scopes))


def bearer_token(request, *, refuse: bool = True) -> str | None:
    """The token of the Authorization header; None without one. A malformed header raises AuthenticationFailed, or
    gives None when `refuse` is False."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    token = token_of_header(header)
    if token is None and refuse:
        raise AuthenticationFailed("The Authorization header must be 'Bearer <access token>'.")
    return token


def token_of_header(header: str) -> str | None:
    """The token of an Authorization header 'Bearer <access token>'; None for any other header."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


class BearerTokenAuthentication(BaseAuthentication):
    """OAuth2 bearer tokens, checked with one indexed lookup by the token's checksum.

    Only an enabled client's tokens pass, and only with the scopes that client still holds.
    """

    def authenticate(self, request):
        token = bearer_token(request)
        if token is None:
            return None
        principal = principal_of_token(token)
        if principal is None:
            raise AuthenticationFailed("The access token is unknown, revoked or expired.")
        return principal, None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
