"""OpenAPI description of our authentication: OAuth2 client credentials, with each operation's scopes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from orders.scopes import ALL_SCOPES


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "orders.api.auth.BearerTokenAuthentication"
    name = "OAuth2"

    def get_security_definition(self, auto_schema):
        return {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": ALL_SCOPES}}}

    def get_security_requirement(self, auto_schema):
        accepted = getattr(auto_schema.view, "required_scopes", {}).get(auto_schema.method, ())
        return {self.name: sorted(accepted)}
