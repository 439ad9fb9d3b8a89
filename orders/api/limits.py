"""Request size limits of the API: a body larger than the cap is refused before anything reads it."""

from django.conf import settings
from django.http import JsonResponse

from .errors import error_body, is_api_request


class RequestBodyLimitMiddleware:
    """413 in the error JSON for API requests whose declared body exceeds MAX_REQUEST_BODY_BYTES.

    Django reads no more of a body than its Content-Length says, so the header alone decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request) and self.declared_length(request) > settings.MAX_REQUEST_BODY_BYTES:
            limit = settings.MAX_REQUEST_BODY_BYTES
            message = f"The request body is larger than {limit:,} bytes, the most this server accepts."
            return JsonResponse(
                error_body(413, message, error_type="validation_violation", path=request.path), status=413
            )
        return self.get_response(request)

    @staticmethod
    def declared_length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0
