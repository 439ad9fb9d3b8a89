"""The token server's two operations in our OpenAPI document. They are django-oauth-toolkit's views, not DRF's, so
drf-spectacular does not see them: they are added by a postprocessing hook, in RFC 6749 / RFC 7009's shapes."""

import copy

from .openapi import ERROR_REASONS, ref, with_example

FORM = "application/x-www-form-urlencoded"
CLIENT_CREDENTIALS = {
    "client_id": {"type": "string", "description": "The API client's id (or in HTTP Basic authentication)."},
    "client_secret": {"type": "string", "description": "The API client's secret (or in HTTP Basic authentication)."},
}

OAUTH_ERROR = with_example(
    {
        "type": "object",
        "properties": {
            "error": {"type": "string", "description": "RFC 6749's error code, e.g. invalid_client."},
            "error_description": {"type": "string"},
        },
        "required": ["error"],
    },
    {"error": "invalid_client"},
    "An error of the token server, in RFC 6749's shape.",
)
TOKEN_REQUEST = with_example(
    {
        "type": "object",
        "properties": {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            **CLIENT_CREDENTIALS,
            "scope": {
                "type": "string",
                "description": "Space-separated scopes to narrow the token to; all of the client's when absent.",
            },
        },
        "required": ["grant_type"],
    },
    {"grant_type": "client_credentials", "client_id": "erp", "client_secret": "…", "scope": "order.order_read"},
)
TOKEN = with_example(
    {
        "type": "object",
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer", "description": "Seconds the token is valid for."},
            "scope": {"type": "string", "description": "The token's scopes, space-separated."},
        },
        "required": ["access_token", "token_type", "expires_in", "scope"],
    },
    {"access_token": "Zm9vYmFy…", "token_type": "Bearer", "expires_in": 3600, "scope": "order.order_read"},
)
REVOCATION_REQUEST = with_example(
    {
        "type": "object",
        "properties": {
            "token": {"type": "string", "minLength": 1, "description": "The token to revoke."},
            "token_type_hint": {"type": "string", "enum": ["access_token", "refresh_token"]},
            **CLIENT_CREDENTIALS,
        },
        "required": ["token"],
    },
    {"token": "Zm9vYmFy…", "client_id": "erp", "client_secret": "…"},
)
COMPONENTS = {
    "OAuthError": OAUTH_ERROR,
    "TokenRequest": TOKEN_REQUEST,
    "Token": TOKEN,
    "TokenRevocation": REVOCATION_REQUEST,
}


def oauth_error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("OAuthError")}}}


def api_error(status: int) -> dict:
    return {"description": ERROR_REASONS[status], "content": {"application/json": {"schema": ref("Error")}}}


def token_operation(operation_id: str, summary: str, request: str, success: dict) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["Authentication"],
        # the client authenticates in the form or with HTTP Basic
        "security": [{"ClientSecretBasic": []}, {}],
        "requestBody": {"required": True, "content": {FORM: {"schema": ref(request)}}},
        "responses": {
            "200": success,
            "400": oauth_error("A malformed request, an unsupported grant type or a scope the client does not hold."),
            "401": oauth_error("Unknown client, wrong secret, or a disabled client."),
            "413": api_error(413),
            "500": api_error(500),
            "503": {**api_error(503), "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
        },
    }


PATHS = {
    "/oauth/token": {
        "post": token_operation(
            "POST-oauth-token",
            "Getting an access token (client credentials)",
            "TokenRequest",
            {"description": "The token.", "content": {"application/json": {"schema": ref("Token")}}},
        )
    },
    "/oauth/revoke": {
        "post": token_operation(
            "POST-oauth-revoke",
            "Revoking a token (RFC 7009): it is dead at once",
            "TokenRevocation",
            {"description": "Revoked (or unknown: RFC 7009 answers the same)."},
        )
    },
}


def add_token_endpoints(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the token server's operations, components and Basic scheme."""
    result["paths"] = {**copy.deepcopy(PATHS), **result["paths"]}
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(copy.deepcopy(COMPONENTS))
    components.setdefault("securitySchemes", {})["ClientSecretBasic"] = {"type": "http", "scheme": "basic"}
    return result
