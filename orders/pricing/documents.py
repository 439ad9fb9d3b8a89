"""Copies order documents, refusing floats: money is Decimal or int, never binary floating point."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from orders.pricing.errors import PricingError


class _FloatFound(Exception):
    pass


def copy_without_floats(document: Any, root: str = "") -> Any:
    """A deep copy of a JSON-like document; PricingError naming the path of the first float in it."""
    try:
        return _copy(document)
    except _FloatFound:
        path = _float_path(document, root) or "the document"
        raise PricingError(f"{path} is a float: pass numbers as Decimal or int", field=path) from None


# Leaves returned as they are; checked by exact type first because this walk is most of the engine's time.
_PLAIN = frozenset({str, int, bool, Decimal, type(None)})


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _PLAIN else _copy(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _PLAIN else _copy(item) for item in value]
    if kind in _PLAIN:
        return value
    if isinstance(value, float):
        raise _FloatFound
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


def _float_path(value: Any, path: str) -> str | None:
    if isinstance(value, float):
        return path
    if isinstance(value, Mapping):
        children = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        children = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for child_path, item in children:
        found = _float_path(item, child_path)
        if found is not None:
            return found
    return None
