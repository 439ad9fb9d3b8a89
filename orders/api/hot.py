"""The hottest request, `GET …/salesorders/{orderId}` (ERPs poll it), answered without DRF's dispatch.

Only a request that succeeds is answered here: a well-formed bearer token of the path's tenant with a scope the
view accepts, and an order the client may see, all read by one statement. Anything else goes on to the view, which
answers it, errors included, exactly as before. Both use the same token check, scope table and vendor rule; the
middleware around this one (security headers, request id, error shape) treats both answers alike, and DRF's
`Allow` header is repeated.
"""

from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from orders import selectors
from orders.statements import fetch_row

from .auth import bearer_token, principal_from_row, principal_statement, token_params
from .permissions import required_scopes
from .views import JSON, SalesOrderDetailView

DETAIL_URL_NAME = "orders-api:salesorder-detail"
# The token check and the order's document in one round trip: the principal's columns, then the document of the
# token's tenant as its client may see it (NULL when missing or hidden).
PRINCIPAL_AND_DOCUMENT = principal_statement(also_select=selectors.visible_document_of_client_sql())


def allowed_methods(view_class) -> str:
    """The `Allow` header DRF gives the view's answers."""
    view = view_class()
    view.setup(None)
    return ", ".join(view.allowed_methods)


def accepts_json(request) -> bool:
    """Whether the client's Accept takes the JSON answer; if not, the view answers the 406 every operation gives."""
    accept = request.META.get("HTTP_ACCEPT")
    return not accept or "json" in accept or "*/*" in accept or "application/*" in accept


class OrderReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.accepted_scopes = required_scopes(SalesOrderDetailView, "GET")
        self.allow = allowed_methods(SalesOrderDetailView)

    def __call__(self, request):
        if request.method == "GET" and request.path_info.startswith("/order-v2/") and accepts_json(request):
            response = self.answer(request)
            if response is not None:
                return response
        return self.get_response(request)

    def answer(self, request) -> HttpResponse | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name != DETAIL_URL_NAME:
            return None
        token = bearer_token(request, refuse=False)
        try:
            row = fetch_row(PRINCIPAL_AND_DOCUMENT, (match.kwargs["order_id"], *token_params(token))) if token else None
        except DatabaseError:
            return None  # the view answers: 503 for a database that is unreachable
        if row is None or row[-1] is None:
            return None  # the view answers: 401, or 404
        principal = principal_from_row(row)
        if principal.tenant_name != match.kwargs["tenant"] or not principal.scopes & self.accepted_scopes:
            return None  # the view answers 403 (the document read is dropped)
        response = HttpResponse(row[-1], content_type=JSON)
        response["Allow"] = self.allow
        return response
