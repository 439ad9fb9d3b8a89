from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from orders import documents
from orders.errors import ErrorDetail, ValidationFailed

MALFORMED_BODY = "The request body is not JSON we accept"


class DecimalJSONParser(BaseParser):
    """JSON bodies with every fractional number read as Decimal, every number and string within bounds."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return documents.loads(stream.read() if stream is not None else b"")
        except documents.InvalidJSON as error:
            detail = ErrorDetail(error.field or "body", str(error))
            raise ValidationFailed(f"{MALFORMED_BODY}: {error}", [detail]) from error


class MergePatchJSONParser(DecimalJSONParser):
    """RFC 7396 merge patches: JSON, read the same way."""

    media_type = "application/merge-patch+json"


class DecimalJSONRenderer(BaseRenderer):
    """JSON responses with Decimals written as exact JSON numbers."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return documents.dumps(data).encode()
