"""The `sort` parameter: `a,b:desc`, hot fields by their columns, document paths (`name.en`) by their values."""

import re

from django.db.models import F, OrderBy

from .errors import invalid_sort
from .fields import HOT_FIELDS, MAX_PATH_DEPTH
from .json_sql import DocumentSortKey
from .parser import excerpt

SORT_ITEM = re.compile(rf"(?P<path>\w+(?:\.\w+){{0,{MAX_PATH_DEPTH - 1}}})(?::(?P<direction>asc|desc))?", re.IGNORECASE)
TIE_BREAK = "order_id"
MAX_SORT_ITEMS = 10


def parse_sort(sort: str | None) -> list[OrderBy]:
    """Order-by expressions for `sort`, ending with a tie-break on the order id so pages never overlap.

    Missing values sort last either way; on a document path numbers come before texts. An empty `sort` gives
    an empty list (keep your default ordering). Raises ValidationFailed (field "sort") for a bad item.
    """
    items = [item.strip() for item in (sort or "").split(",")]
    if items == [""]:
        return []
    if len(items) > MAX_SORT_ITEMS:
        raise invalid_sort(f"lists more than {MAX_SORT_ITEMS} fields")
    ordering = [expression for item in items for expression in sort_expressions(item)]
    return [*ordering, F(TIE_BREAK).asc()]


def sort_expressions(item: str) -> list[OrderBy]:
    if not item:
        raise invalid_sort("has an empty item: separate fields with single commas")
    match = SORT_ITEM.fullmatch(item)
    if match is None:
        raise invalid_sort(
            f"{excerpt(item)!r} is not a field to sort by: use field, field:asc or field:desc, "
            f"where field is a dotted path of letters, digits and underscores, at most "
            f"{MAX_PATH_DEPTH} levels deep"
        )
    path, descending = match["path"], (match["direction"] or "asc").lower() == "desc"
    hot_field = HOT_FIELDS.get(path)
    keys = (
        [F(hot_field.column)]
        if hot_field
        else [
            DocumentSortKey(tuple(path.split(".")), numeric=True),
            DocumentSortKey(tuple(path.split(".")), numeric=False),
        ]
    )
    return [key.desc(nulls_last=True) if descending else key.asc(nulls_last=True) for key in keys]
