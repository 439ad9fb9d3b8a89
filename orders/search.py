"""The order list's search box: order id, customer email, name and company, case-insensitive and partial.

The fields searched are one upper-cased text per order, the stored column `Order.search_text` (orders/models.py);
each word of a search must occur somewhere in it. On PostgreSQL a trigram index over that column (migration 0017)
serves the match at a million orders; SQLite scans.
"""

import re

from django.db.models import QuerySet, Value
from django.db.models.functions import Upper

from .models import Order

# More words than this are no longer a search for an order, and each one is a condition of its own.
MAX_SEARCH_WORDS = 8
MAX_SEARCH_LENGTH = 200
WORD_SEPARATORS = re.compile(r"\s+")


def search_words(text: str) -> list[str]:
    return [word for word in WORD_SEPARATORS.split(text.strip()) if word]


def search_orders(orders: QuerySet[Order], text: str) -> QuerySet[Order]:
    """The orders whose id, customer email, name or company contain every word of `text`, ignoring case.

    The word is upper-cased by the database, as the column was: the same rule on both sides of the comparison.
    """
    for word in search_words(text):
        orders = orders.filter(search_text__contains=Upper(Value(word)))
    return orders
