"""URL path converters."""

from django.urls import register_converter


class IdentifierConverter:
    """A path segment naming a tenant, an order or a job: anything but "/" and NUL.

    PostgreSQL text cannot hold NUL, so a segment with one can name nothing: it does not match, and the
    answer is the 404 of an unknown URL rather than a database error.
    """

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdentifierConverter, "id")
