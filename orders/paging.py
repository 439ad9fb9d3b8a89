"""Pagers that never count a million rows: a count given by the caller (e.g. the status counters), or one that
stops at a cap and is shown as "10,000+"."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

# Past this many matches a pager says "10,000+": counting further is a scan of the matches, and nobody pages there.
COUNT_CAP = 10_000


def count_up_to(objects: QuerySet, limit: int) -> int:
    """How many of `objects` there are, counting no further than `limit`."""
    return objects.order_by()[:limit].count()


class CappedPaginator(Paginator):
    """Counts up to `cap` matches (exactly, below the cap); `known_count`, when given, is used as it is."""

    def __init__(self, object_list, per_page, *, known_count: int | None = None, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = known_count
        self.cap = COUNT_CAP if cap is None else cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        found = count_up_to(self.object_list, self.cap + 1)
        self.capped = found > self.cap
        return min(found, self.cap)
