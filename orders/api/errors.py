"""Every API error in Emporix's JSON shape: {status, message, type, details}."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from orders.errors import DomainError

logger = logging.getLogger(__name__)

# The token server's paths are JSON-only too; its OAuth2 errors keep RFC 6749's shape ({"error": …}).
PICKPACK_PATH_PREFIX = "/pick-pack/"
OAUTH_PATH_PREFIX = "/oauth/"
API_PATH_PREFIXES = ("/order-v2/", PICKPACK_PATH_PREFIX, OAUTH_PATH_PREFIX)
# Seconds a client should wait before retrying when the database cannot be reached.
DATABASE_RETRY_AFTER_SECONDS = 5
TYPE_BY_STATUS = {
    400: "validation_violation",
    401: "unauthorized",
    403: "insufficient_permissions",
    404: "element_resource_non_existing",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict_resource",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def error_body(
    status: int, message: str, details: list[dict] | None = None, error_type: str = "", *, path: str = ""
) -> dict:
    """The error JSON; on pick-pack paths with the pick-pack spec's `code` and `detailInfo` as well."""
    body = {
        "status": status,
        "message": message,
        "type": error_type or TYPE_BY_STATUS.get(status, "internal_service_error"),
    }
    if details:
        body["details"] = details
    if path.startswith(PICKPACK_PATH_PREFIX):
        body["code"] = status
        body["detailInfo"] = "; ".join(f"{detail['field']}: {detail['message']}" for detail in details or ()) or message
    return body


def _drf_details(detail) -> list[dict]:
    """Flatten DRF's nested validation errors into [{field, type, message}]."""
    if isinstance(detail, dict):
        return [
            {"field": field, "type": "invalid_field", "message": str(message)}
            for field, messages in detail.items()
            for message in (messages if isinstance(messages, list) else [messages])
        ]
    return []


def emporix_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        details = [detail.as_dict() for detail in exc.details]
        body = error_body(exc.status, exc.message, details, exc.type, path=request_path(context))
        return Response(body, status=exc.status)
    if isinstance(exc, drf.APIException):
        set_rollback()
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, drf.ValidationError):
            message = "There are validation problems, see details section for more information"
            body = error_body(400, message, _drf_details(exc.detail), path=request_path(context))
        else:
            body = error_body(exc.status_code, str(exc.detail), path=request_path(context))
        return Response(body, status=exc.status_code, headers=headers)
    return None  # anything else is a bug: the middleware logs it and answers a JSON 500


def request_path(context: dict) -> str:
    request = context.get("request")
    return request.path if request is not None else ""


def unreadable_body(request, exception: Exception) -> JsonResponse:
    """A form body that cannot be read as its Content-Type says (multipart without a boundary…): the client's error,
    in the token server's RFC 6749 shape on its paths."""
    message = f"The request body cannot be read as its Content-Type says: {exception}."
    if request.path.startswith(OAUTH_PATH_PREFIX):
        return JsonResponse({"error": "invalid_request", "error_description": message}, status=400)
    return JsonResponse(error_body(400, message, path=request.path), status=400)


def is_api_request(request) -> bool:
    return request.path.startswith(API_PATH_PREFIXES)


class ApiErrorMiddleware:
    """Keeps API paths JSON-only: unmatched URLs and unexpected exceptions get the error shape, never HTML."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api_request(request) and response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            message = "No such resource." if response.status_code == 404 else response.reason_phrase
            json_response = JsonResponse(
                error_body(response.status_code, message, path=request.path), status=response.status_code
            )
            if response.has_header("Allow"):  # a 405 says which methods the URL takes
                json_response["Allow"] = response["Allow"]
            return json_response
        return response

    def process_exception(self, request, exception):
        if not is_api_request(request):
            return None
        if isinstance(exception, MultiPartParserError):
            return unreadable_body(request, exception)
        if isinstance(exception, OperationalError | InterfaceError):
            # The database is down, restarting or out of connections: worth a retry, not a bug.
            logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
            response = JsonResponse(
                error_body(
                    503,
                    "The database is unavailable; try again shortly.",
                    error_type="internal_service_error",
                    path=request.path,
                ),
                status=503,
            )
            response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
            return response
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return JsonResponse(
            error_body(500, "Some server side error occurred.", error_type="internal_service_error", path=request.path),
            status=500,
        )
