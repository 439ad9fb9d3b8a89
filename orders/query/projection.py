"""The `fields` parameter: keep only the listed dotted paths of an order document."""

from typing import Any

from .errors import invalid_parameter
from .fields import MAX_PATH_DEPTH

MISSING = object()
# Paths one `fields` may list: every field of an order many times over, and a bounded cost per order projected.
MAX_FIELDS = 100


def check_fields(fields: str | None) -> None:
    """Raise ValidationFailed (field "fields") for more than MAX_FIELDS paths or a path too deep."""
    paths = [path for path in (fields or "").split(",") if path.strip()]
    if len(paths) > MAX_FIELDS:
        raise invalid_parameter("fields", f"lists more than {MAX_FIELDS} paths")
    for path in paths:
        if path.count(".") >= MAX_PATH_DEPTH:
            raise invalid_parameter("fields", f"{path.strip()[:60]!r} is more than {MAX_PATH_DEPTH} levels deep")


def project_fields(document: dict, fields: str | None) -> dict:
    """The document with only the comma-separated dotted `fields` (all of it when `fields` is empty).

    A path through an array keeps that field of every element (`entries.product.id`); unknown paths are left out.
    """
    paths = [path.strip() for path in (fields or "").split(",") if path.strip()]
    if not paths:
        return document
    projected: dict = {}
    for path in paths:
        picked = pick(document, path.split("."))
        if picked is not MISSING:
            projected = merge(projected, picked)
    return projected


def pick(value: Any, keys: list[str]) -> Any:
    """The part of `value` on the path `keys`, in its original shape, or MISSING."""
    if not keys:
        return value
    if isinstance(value, dict):
        key, rest = keys[0], keys[1:]
        if key not in value:
            return MISSING
        picked = pick(value[key], rest)
        return MISSING if picked is MISSING else {key: picked}
    if isinstance(value, list):
        # Every object keeps its place (empty when it lacks the path), so two paths merge element by element.
        return [{} if (picked := pick(item, keys)) is MISSING else picked for item in value if isinstance(item, dict)]
    return MISSING


def merge(left: Any, right: Any) -> Any:
    if isinstance(left, dict) and isinstance(right, dict):
        merged = dict(left)
        for key, value in right.items():
            merged[key] = merge(merged[key], value) if key in merged else value
        return merged
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [merge(a, b) for a, b in zip(left, right, strict=True)]
    return right
