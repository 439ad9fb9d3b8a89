"""The q language, sorting and field projection of the order list endpoints (see docs/query-language.md).

orders = visible_orders(tenant, actor).filter(compile_query(q)).order_by(*parse_sort(sort))
body = [project_fields(order.document, fields) for order in orders]
"""

from .compiler import compile_query
from .parser import parse_query
from .projection import check_fields, project_fields
from .sorting import parse_sort

__all__ = ["check_fields", "compile_query", "parse_query", "parse_sort", "project_fields"]
