"""The order list's search box: order id, customer email, name and company, case-insensitive and partial.

The fields searched are one text per order (`SEARCHED_TEXT`); each word of a search must occur somewhere in it.
On PostgreSQL a trigram index over that text, upper-cased (migration 0015), serves the match at a million orders:
Django's `icontains` compiles to `UPPER(text) LIKE UPPER('%word%')`, the expression the index holds. SQLite scans.
"""

import re

from django.db.models import F, QuerySet, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Concat

from .models import Order

# Spaces between the fields, so "anna müller" finds a first name followed by a last name.
SEARCHED_TEXT = Concat(
    F("order_id"),
    Value(" "),
    F("customer_email"),
    Value(" "),
    KT("document__customer__name"),
    Value(" "),
    KT("document__customer__firstName"),
    Value(" "),
    KT("document__customer__lastName"),
    Value(" "),
    KT("document__customer__company"),
    output_field=TextField(),
)
# More words than this are no longer a search for an order, and each one is a condition of its own.
MAX_SEARCH_WORDS = 8
MAX_SEARCH_LENGTH = 200
WORD_SEPARATORS = re.compile(r"\s+")


def search_words(text: str) -> list[str]:
    return [word for word in WORD_SEPARATORS.split(text.strip()) if word]


def search_orders(orders: QuerySet[Order], text: str) -> QuerySet[Order]:
    """The orders whose id, customer email, name or company contain every word of `text`, ignoring case."""
    orders = orders.alias(searched_text=SEARCHED_TEXT)
    for word in search_words(text):
        orders = orders.filter(searched_text__icontains=word)
    return orders
