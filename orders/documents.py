"""JSON for order documents: Decimal in, Decimal out, never float.

Every JSON number with a fraction or exponent becomes a `Decimal` on the way in and is
written back as the same JSON number on the way out.
"""

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import accumulate
from typing import Any

import simplejson

from .numbers import MAX_DIGITS, NumberOutOfBounds, bounded_decimal

# Escapes of characters no database stores as text: NUL, and halves of a surrogate pair (a pair as a whole
# decodes to one character, a lone half stays one and cannot be encoded as UTF-8).
UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


# Objects and arrays within each other: far deeper than any order (about 6), shallow enough for every recursive
# walk over a document (merge patches, validation, the databases' JSON functions).
MAX_DEPTH = 32
# Object keys in one body: an order of 1,000 entries as verbose as Emporix's examples holds about 63,000. Every write
# walks its document a few times (merge, validation, the audit trail's diff), so the keys bound its cost.
MAX_KEYS = 70_000


class InvalidJSON(ValueError):
    """The text is not a JSON document we accept; `field` names the offending value when one does."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _reject_constant(name: str) -> None:
    raise InvalidJSON(f"{name} is not a JSON number")


# Integers are read by the parser itself (Python refuses texts of over 4,300 digits, and reading fewer is quick);
# their digits are counted in the text afterwards.
_decoder = simplejson.JSONDecoder(parse_float=bounded_decimal, parse_constant=_reject_constant)
STRING_LITERAL = re.compile(rb'"(?:[^"\\]|\\.)*"')
LONG_DIGITS = re.compile(rb"\d{%d,}" % (MAX_DIGITS + 1))
NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
OPENING_BRACKETS = frozenset(b"[{")


def loads(text: str | bytes) -> Any:
    """A client's JSON: numbers within bounds (see orders.numbers), nesting too, every string storable as text."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    try:
        value = _decoder.decode(raw.decode("utf-8"))
    except simplejson.JSONDecodeError as error:
        raise InvalidJSON(f"Malformed JSON: {error.msg} at line {error.lineno} column {error.colno}") from error
    except UnicodeDecodeError as error:
        raise InvalidJSON("Malformed JSON: the body is not UTF-8") from error
    except InvalidJSON:
        raise
    except NumberOutOfBounds as error:
        raise InvalidJSON(str(error)) from error
    except ValueError as error:  # an integer of over 4,300 digits
        raise InvalidJSON(str(NumberOutOfBounds(LONG_DIGITS.search(raw).group().decode()))) from error
    except RecursionError as error:
        raise InvalidJSON(f"Objects and arrays may be nested at most {MAX_DEPTH} deep") from error
    _check_structure(raw)
    if UNSTORABLE_ESCAPE.search(raw):
        for path in unstorable_text_paths(value):
            raise InvalidJSON(f"Invalid text at {path}: {UNSTORABLE_TEXT_RULE}", path)
    return value


def loads_stored(text: str) -> Any:
    """A document as the back office stored it: checked when it came in, so read without the client checks."""
    return _stored_decoder.decode(text)


_stored_decoder = simplejson.JSONDecoder(parse_float=Decimal)


def _check_structure(raw: bytes) -> None:
    """Refuse integers of too many digits and nesting deeper than MAX_DEPTH, read off the text of valid JSON.

    Counting on the text (strings blanked) runs at the regular-expression engine's speed; a walk over the parsed
    value costs a Python step per element.
    """
    long_digits = LONG_DIGITS.search(raw) is not None
    maybe_deep = raw.count(b"[") + raw.count(b"{") > MAX_DEPTH
    maybe_many_keys = raw.count(b":") > MAX_KEYS
    if not (long_digits or maybe_deep or maybe_many_keys):
        return
    structure = STRING_LITERAL.sub(b'""', raw)  # linear on valid JSON: every quote opens or closes a string
    if maybe_many_keys and (keys := structure.count(b":")) > MAX_KEYS:
        raise InvalidJSON(f"The body holds {keys:,} object keys, more than the {MAX_KEYS:,} one request may hold")
    if long_digits and (match := LONG_DIGITS.search(structure)):
        raise InvalidJSON(str(NumberOutOfBounds(match.group().decode())))
    if maybe_deep and _deepest(structure.translate(None, NOT_A_BRACKET)) > MAX_DEPTH:
        raise InvalidJSON(f"Objects and arrays may be nested at most {MAX_DEPTH} deep")


def _deepest(brackets: bytes) -> int:
    return max(accumulate((1 if bracket in OPENING_BRACKETS else -1 for bracket in brackets), initial=0))


UNSTORABLE_TEXT_RULE = "text must not contain NUL characters or unpaired surrogates (\\ud800 to \\udfff)"


def unstorable_text_paths(value: Any, path: str = "") -> Iterator[str]:
    """The paths of the strings (keys included) in `value` that no database can store as text."""
    if isinstance(value, str):
        if UNSTORABLE_CHARACTER.search(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            item_path = f"{path}.{key}" if path else key
            if UNSTORABLE_CHARACTER.search(key):
                yield path or "body"
            else:
                yield from unstorable_text_paths(item, item_path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_text_paths(item, f"{path}[{index}]")


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
