"""JSON for order documents: Decimal in, Decimal out, never float.

Every JSON number with a fraction or exponent becomes a `Decimal` on the way in and is
written back as the same JSON number on the way out.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import simplejson


class InvalidJSON(ValueError):
    """The text is not a JSON document we accept."""


def _reject_constant(name: str) -> None:
    raise InvalidJSON(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    try:
        return simplejson.loads(text, use_decimal=True, parse_constant=_reject_constant)
    except simplejson.JSONDecodeError as error:
        raise InvalidJSON(f"Malformed JSON: {error.msg} at line {error.lineno} column {error.colno}") from error
    except RecursionError as error:
        raise InvalidJSON("Malformed JSON: nested too deeply") from error
    except UnicodeDecodeError as error:
        raise InvalidJSON("Malformed JSON: the body is not UTF-8") from error


def dumps(value: Any) -> str:
    return simplejson.dumps(value, use_decimal=True, ensure_ascii=False, separators=(",", ":"))


def dumps_pretty(value: Any) -> str:
    return simplejson.dumps(value, use_decimal=True, ensure_ascii=False, indent=2)


class DecimalJSONEncoder(json.JSONEncoder):
    """Lets Django's JSONField write Decimals as JSON numbers (the stdlib would refuse them)."""

    def encode(self, o: Any) -> str:
        return dumps(o)

    def iterencode(self, o: Any, _one_shot: bool = False):
        yield dumps(o)


class DecimalJSONDecoder(json.JSONDecoder):
    """Lets Django's JSONField read JSON numbers with a fraction as Decimal."""

    def __init__(self, *args, **kwargs):
        kwargs["parse_float"] = Decimal
        super().__init__(*args, **kwargs)


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7396) and return the result; the inputs stay untouched."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def get_path(document: Any, path: str, default: Any = None) -> Any:
    """Read a dotted path (`calculatedPrice.finalPrice.grossValue`) from nested dicts."""
    value = document
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def format_timestamp(moment: datetime) -> str:
    """Emporix's timestamp form: UTC with milliseconds, e.g. 2025-01-30T13:45:34.406Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)
