import hashlib
from dataclasses import dataclass

from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from orders.actors import Actor
from orders.models import ApiClient
from orders.scopes import ORDER_UPDATE_COMPLETED


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


class BearerTokenAuthentication(BaseAuthentication):
    """OAuth2 bearer tokens, checked with one indexed lookup by the token's checksum.

    Only an enabled client's tokens pass, and only with the scopes that client still holds.
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise AuthenticationFailed("The Authorization header must be 'Bearer <access token>'.")
        checksum = hashlib.sha256(token.encode()).hexdigest()
        access_token = (
            AccessToken.objects.select_related("application__api_client__tenant")
            .filter(token_checksum=checksum, application__api_client__is_active=True)
            .first()
        )
        if access_token is None or access_token.expires <= timezone.now():
            raise AuthenticationFailed("The access token is unknown, revoked or expired.")
        client = access_token.application.api_client
        # A token never carries more than its client holds now: narrowing the client narrows its tokens at once.
        scopes = frozenset(access_token.scope.split()) & frozenset(client.scope_list)
        return ApiPrincipal(client=client, scopes=scopes), access_token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
