"""The hottest request, `GET …/salesorders/{orderId}` (ERPs poll it), answered without DRF's dispatch.

Only a request that succeeds is answered here: a well-formed bearer token of the path's tenant with a scope the
view accepts, and an order the client may see. Anything else goes on to the view, which answers it, errors included,
exactly as before. Both use the same token check, scope table and read; the middleware around this one (security
headers, request id, error shape) treats both answers alike, and DRF's `Allow` header is repeated.
"""

from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from orders import selectors
from orders.errors import NotFound

from .auth import bearer_token, principal_of_token
from .permissions import required_scopes
from .views import JSON, SalesOrderDetailView

DETAIL_URL_NAME = "orders-api:salesorder-detail"


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
            principal = principal_of_token(token) if token else None
            if principal is None or principal.tenant_name != match.kwargs["tenant"]:
                return None
            if not principal.scopes & self.accepted_scopes:
                return None
            text = selectors.order_document_text(principal.client.tenant, match.kwargs["order_id"], principal.actor)
        except (NotFound, DatabaseError):
            return None  # the view answers: 404, or 503 for a database that is unreachable
        response = HttpResponse(text, content_type=JSON)
        response["Allow"] = self.allow
        return response
