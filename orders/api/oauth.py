"""The token server's rule on clients: only an enabled API client authenticates, at /oauth/token and /oauth/revoke."""

from oauth2_provider.oauth2_validators import OAuth2Validator


def is_enabled_api_client(application) -> bool:
    client = getattr(application, "api_client", None)
    return client is not None and client.is_active


class ApiClientOAuth2Validator(OAuth2Validator):
    """An application without an enabled ApiClient (disabled, or never bound to a tenant) is an invalid_client:
    it gets no token rather than a token with no scopes."""

    def authenticate_client(self, request, *args, **kwargs):
        return super().authenticate_client(request, *args, **kwargs) and is_enabled_api_client(request.client)

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        authenticated = super().authenticate_client_id(client_id, request, *args, **kwargs)
        return authenticated and is_enabled_api_client(request.client)
