"""The figures of the staff dashboard: orders by status, orders per day, and the bar chart drawn from them."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Tenant

CHART_DAYS = 30
CHART_WIDTH = 600
CHART_HEIGHT = 160
BAR_GAP = 2


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    maximum: int

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def orders_per_day(tenant: Tenant, *, days: int = CHART_DAYS, today: date | None = None) -> list[tuple[date, int]]:
    """Orders created on each of the last `days` days (UTC), today included, oldest first."""
    today = today or timezone.now().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    rows = (
        tenant.orders.filter(created__gte=since)
        .annotate(day=TruncDate("created", tzinfo=UTC))
        .values_list("day")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    return [(first + timedelta(days=offset), counts.get(first + timedelta(days=offset), 0)) for offset in range(days)]


def bar_chart(series: list[tuple[date, int]], *, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> BarChart:
    """Bars scaled to the largest count, laid out left to right in a box of the given width and height."""
    maximum = max((count for _, count in series), default=0)
    slot = width / max(len(series), 1)
    bars = []
    for index, (day, count) in enumerate(series):
        bar_height = round(height * count / maximum, 1) if maximum else 0
        bars.append(
            Bar(
                day=day,
                count=count,
                x=round(index * slot + BAR_GAP / 2, 1),
                y=round(height - bar_height, 1),
                width=round(slot - BAR_GAP, 1),
                height=bar_height,
            )
        )
    return BarChart(bars=bars, width=width, height=height, maximum=maximum)
