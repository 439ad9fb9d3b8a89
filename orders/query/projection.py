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
    The document is walked once, along the tree of the paths: the cost is that of what is kept, not of the
    paths times the document.
    """
    tree = path_tree(fields)
    if not tree:
        return document
    projected = project(document, tree)
    return {} if projected is MISSING else projected


# A path tree maps each key to the tree of the paths below it, or to KEEP where a path ends (the whole value).
KEEP = None


def path_tree(fields: str | None) -> dict:
    tree: dict = {}
    for path in (fields or "").split(","):
        keys = path.strip().split(".") if path.strip() else []
        node = tree
        for position, key in enumerate(keys):
            if position == len(keys) - 1:
                node[key] = KEEP
            elif node.get(key, {}) is KEEP:
                break  # a shorter path keeps the whole value already
            else:
                node = node.setdefault(key, {})
    return tree


def project(value: Any, tree: dict) -> Any:
    """The part of `value` the path tree selects, in its original shape, or MISSING."""
    if isinstance(value, dict):
        projected = {
            key: value[key] if subtree is KEEP else project(value[key], subtree)
            for key, subtree in tree.items()
            if key in value
        }
        projected = {key: part for key, part in projected.items() if part is not MISSING}
        return projected or MISSING
    if isinstance(value, list):
        # Every object keeps its place (empty when it lacks the paths), as the paths select from each element.
        return [{} if (part := project(item, tree)) is MISSING else part for item in value if isinstance(item, dict)]
    return MISSING
