from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from orders import documents


class DecimalJSONParser(BaseParser):
    """JSON bodies with every fractional number read as Decimal."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return documents.loads(stream.read())
        except documents.InvalidJSON as error:
            raise ParseError(str(error)) from error


class DecimalJSONRenderer(BaseRenderer):
    """JSON responses with Decimals written as exact JSON numbers."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return documents.dumps(data).encode()
