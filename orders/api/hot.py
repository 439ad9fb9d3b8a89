"""The API's hottest reads, answered in front of Django's request handler when they succeed (config/wsgi.py).

ERPs poll `GET …/salesorders/{orderId}`, `GET …/salesorders?q=…` and `HEAD …/salesorders?q=…`. For these, Django's
handler, its middleware and DRF's dispatch cost more CPU than the database's work (docs/performance.md). `HotReads`
wraps Django's WSGI application: for such a request from a client that may make it, it answers with the functions
the views answer with (`order_list_response`, `order_count_response`, the stored document) and the headers the
middleware give every API answer. Anything else goes on to Django, which answers it exactly as before: every error
(a token that fails, another tenant, a missing scope or order, a bad q, sort, fields or paging, a database error),
every other method and path. The token check, scope table, vendor rule and paging rules are the views' own.

The middleware in MIDDLEWARE that act on a successful read, and how they act here:
- SecurityMiddleware, CommonMiddleware, XFrameOptionsMiddleware: their own request and response hooks run (an
  HTTPS redirect, a disallowed host or user agent: Django answers);
- RequestIdMiddleware: the same id rule (`audit.request_id_of`); reads write no change record that would keep it;
- RequestBodyLimitMiddleware: a request that declares a body goes to Django.
The others do nothing to these requests: WhiteNoise (static files), ContentSecurityPolicyMiddleware (HTML answers),
BrowserMiddleware (not on API paths), ApiErrorMiddleware (errors), IdempotencyMiddleware (POST).
`REVIEWED_MIDDLEWARE` is the list this was checked against; a test fails when MIDDLEWARE changes.

With the middleware settings of a plain deployment (`plain_middleware`), GET of one order, the most frequent read,
goes further: no request or response object and no URL resolver. Its path is matched by `hot_route`, which a test
holds to Django's resolver; its headers are those the hooks above give, computed once.
"""

import io
import logging
import re

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from orders import selectors
from orders.audit import request_id_of
from orders.converters import IdentifierConverter
from orders.errors import DomainError
from orders.selectors import Statement
from orders.statements import fetch_row, fetch_together

from .auth import PRINCIPAL_STATEMENT, Grant, grant_from_row, principal_statement, token_of_header, token_params
from .errors import API_PATH_PREFIXES
from .params import page_from
from .permissions import required_scopes
from .views import (
    JSON,
    SalesOrderDetailView,
    SalesOrderListView,
    order_count_response,
    order_list_response,
    order_page_response,
)

logger = logging.getLogger(__name__)

REVIEWED_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "orders.audit.RequestIdMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.browser.BrowserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "orders.api.errors.ApiErrorMiddleware",
    "orders.api.limits.RequestBodyLimitMiddleware",
    "orders.api.idempotency.IdempotencyMiddleware",
]
ORDERS_PATH_PREFIX = API_PATH_PREFIXES[0]
# The token check and the order's document in one round trip: the principal's columns, then the document of the
# token's tenant as its client may see it (NULL when missing or hidden).
PRINCIPAL_AND_DOCUMENT = principal_statement(also_select=selectors.visible_document_of_client_sql())

ORDER_LIST, ORDER = "orders-api:salesorder-list", "orders-api:salesorder-detail"
# The hot reads' paths as orders/api/urls.py routes them. No earlier pattern of config/urls.py matches them, and of
# the later ones only .../salesorders/search, the search view's, also matches ORDER_PATH.
ORDER_LIST_PATH = re.compile(rf"/order-v2/(?P<tenant>{IdentifierConverter.regex})/salesorders")
ORDER_PATH = re.compile(
    rf"/order-v2/(?P<tenant>{IdentifierConverter.regex})/salesorders/(?P<order_id>{IdentifierConverter.regex})"
)
SEARCH_ID = "search"


def hot_route(path: str) -> tuple[str, dict] | None:
    """The view name and arguments Django's resolver gives a path of a hot read's view; None for any other path."""
    if match := ORDER_PATH.fullmatch(path):
        return (ORDER, match.groupdict()) if match["order_id"] != SEARCH_ID else None
    if match := ORDER_LIST_PATH.fullmatch(path):
        return ORDER_LIST, match.groupdict()
    return None


def allowed_methods(view_class) -> str:
    """The `Allow` header DRF gives the view's answers."""
    view = view_class()
    view.setup(None)
    return ", ".join(view.allowed_methods)


def accepts_json(meta: dict) -> bool:
    """Whether the client's Accept takes the JSON answer; if not, the view answers the 406 every operation gives."""
    accept = meta.get("HTTP_ACCEPT")
    return not accept or "json" in accept or "*/*" in accept or "application/*" in accept


def declares_body(meta: dict) -> bool:
    return meta.get("CONTENT_LENGTH", "") not in ("", "0")


def plain_middleware() -> bool:
    """Whether the middleware's hooks treat every successful read alike but for the host check, which reads only the
    Host header: nothing that depends on the request's scheme (an HTTPS redirect, HSTS) or its user agent, no
    redirect to www., no X-Forwarded-Host. Read once, as SecurityMiddleware reads its settings."""
    return not (
        settings.SECURE_SSL_REDIRECT
        or settings.SECURE_HSTS_SECONDS
        or settings.DISALLOWED_USER_AGENTS
        or settings.PREPEND_WWW
        or settings.USE_X_FORWARDED_HOST
    )


def hooks_only(request):
    raise AssertionError("only the middleware's request and response hooks are called")


class HotRead:
    """The successful reads of one view and method: its `Allow` header and the scopes it accepts."""

    def __init__(self, view_class, method: str, answer):
        self.allow = allowed_methods(view_class)
        self.accepted_scopes = required_scopes(view_class, method)
        self.answer = answer

    def permits(self, grant: Grant, tenant: str) -> bool:
        """HasTenantScope's rule: the path's tenant is the token's and the token carries an accepted scope."""
        return grant.tenant_name == tenant and bool(grant.scopes & self.accepted_scopes)


def order_document(read: HotRead, token: str, kwargs: dict) -> str | None:
    """The document of GET of one order: the token check and the document in one statement."""
    row = fetch_row(PRINCIPAL_AND_DOCUMENT, (kwargs["order_id"], *token_params(token)))
    if row is None or row[-1] is None or not read.permits(grant_from_row(row), kwargs["tenant"]):
        return None  # the view answers 401, 403 or 404 (a document read for another tenant is dropped)
    return row[-1]


def read_order(read: HotRead, request, token: str, kwargs: dict) -> HttpResponse | None:
    document = order_document(read, token, kwargs)
    return HttpResponse(document, content_type=JSON) if document is not None else None


class GrantGuesses:
    """The tenant and vendor each token checksum had when last seen by this process (at most `size` of them): the
    guess of which q plan to read beside the token check, in the same round trip (`principal_with`). Only a guess:
    what was read is used only if the token's row shows that tenant and vendor now, and the answer still needs the
    scope and tenant the same row shows; a wrong guess costs a second round trip, nothing else."""

    def __init__(self, size: int):
        self.size, self.guesses = size, {}

    def get(self, checksum: str) -> tuple[int, str] | None:
        return self.guesses.get(checksum)

    def remember(self, checksum: str, grant: Grant) -> None:
        if len(self.guesses) >= self.size and checksum not in self.guesses:
            self.guesses.clear()
        self.guesses[checksum] = (grant.tenant_pk, grant.vendor_id)

    def forget(self, checksum: str) -> None:
        self.guesses.pop(checksum, None)


GRANT_GUESSES = GrantGuesses(size=1024)


def principal_with(guess: tuple[int, str] | None, token: tuple, statements: list[Statement]) -> tuple:
    """The principal statement's row (None for a dead token) and, if the guess is the token client's tenant and
    vendor, the rows of each of `statements` (of the guessed plan) sent with it in one round trip; else None."""
    if guess is None or not statements:
        return fetch_row(PRINCIPAL_STATEMENT, token), None
    principal, *results = fetch_together([(PRINCIPAL_STATEMENT, token), *((s.sql, s.params) for s in statements)])
    if not principal:
        GRANT_GUESSES.forget(token[0])  # a dead token has its plan read for nothing once, not on every retry
        return None, None
    grant = grant_from_row(principal[0])
    return principal[0], results if (grant.tenant_pk, grant.vendor_id) == guess else None


def permitted_grant(read: HotRead, tenant: str, token: tuple, guess, statements: list[Statement]) -> tuple:
    """The token's grant if it may make this read, remembered for its next request, with the rows of `statements`
    when they went with its check (see principal_with); (None, None) for a dead token or a refused read."""
    row, results = principal_with(guess, token, statements)
    if row is None:
        return None, None
    grant = grant_from_row(row)
    if not read.permits(grant, tenant):
        return None, None
    GRANT_GUESSES.remember(token[0], grant)
    return grant, results


def read_orders(read: HotRead, request, token: str, kwargs: dict) -> HttpResponse | None:
    """GET of a page of orders as the list view answers it. With a guess of the token's grant, the token check and
    the page with its count go in one round trip; else the token check, then the view's code."""
    params, query = token_params(token), request.GET
    guess = GRANT_GUESSES.get(params[0])
    plan = guessed_plan(guess, query)
    page = plan_page(plan, query) if plan is not None else None
    grant, results = permitted_grant(read, kwargs["tenant"], params, guess, [page] if page is not None else [])
    if grant is None:
        return None  # the view answers 401 or 403
    if results is None:
        return order_list_response(query, grant.tenant_pk, grant.actor, q=query.get("q"))
    orders = selectors.OrderSearch(plan)
    texts = orders.texts_of_page(results[0])
    return order_page_response(selectors.page_json(texts), orders.count())


def guessed_plan(guess: tuple[int, str] | None, query) -> selectors.SearchPlan | None:
    return selectors.search_plan(*guess, query.get("q")) if guess is not None else None


def plan_page(plan: selectors.SearchPlan, query) -> Statement | None:
    """The plan's statement of the page asked for, when the view reads the page with it (a q on columns, no
    `fields`, a page of at most UNCHECKED_PAGE_SIZE orders); else None, and the view's code reads the page."""
    page = page_from(query)
    if plan.tests_document or not selectors.reads_plan_page(fields=query.get("fields"), page_size=page.size):
        return None
    return plan.page(query.get("sort"), (page.number - 1) * page.size, page.size)


def count_orders(read: HotRead, request, token: str, kwargs: dict) -> HttpResponse | None:
    """HEAD of the list as the list view answers it: the token check and the count in one round trip when this
    process has seen the token before, else in two."""
    params, query = token_params(token), request.GET
    guess = GRANT_GUESSES.get(params[0])
    plan = guessed_plan(guess, query)
    grant, results = permitted_grant(read, kwargs["tenant"], params, guess, [plan.count] if plan is not None else [])
    if grant is None:
        return None  # the view answers 401 or 403
    if results is None:
        return order_count_response(selectors.search_orders(grant.tenant_pk, grant.actor, q=query.get("q")).count())
    return order_count_response(results[0][0][0])


class HostCheck:
    """Whether a request passes the host check of `request.get_host()` (ALLOWED_HOSTS, read once). Under plain
    middleware a Host header is all that check reads: its verdict is remembered for the last `size` hosts seen."""

    def __init__(self, size: int):
        self.size, self.allowed = size, {}

    def allows(self, environ: dict) -> bool:
        host = environ.get("HTTP_HOST")
        if host is None:  # a request without Host (HTTP/1.0): the server's name and port stand in
            return passes_host_check(WSGIRequest(environ))
        allowed = self.allowed.get(host)
        if allowed is None:
            if len(self.allowed) >= self.size:
                self.allowed.clear()
            request = HttpRequest()
            request.META = {"HTTP_HOST": host}
            allowed = self.allowed[host] = passes_host_check(request)
        return allowed


def passes_host_check(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


class FinishedBody(list):
    """A WSGI body; closing it sends request_finished, as closing Django's response does (old connections close)."""

    def close(self):
        request_finished.send(sender=None)


class AnswerHeaders:
    """The headers of a successful GET of one order as the middleware pass them on under plain middleware, built
    once through their hooks; each answer puts in its length and request id."""

    def __init__(self, hot_reads: "HotReads", read: HotRead):
        probe = HttpResponse(b"", content_type=JSON)
        probe["Allow"] = read.allow
        probe = hot_reads.with_middleware_headers(probe_request(), probe)
        self.charset, self.headers = probe.charset, list(probe.items())
        names = [name for name, _ in self.headers]
        self.length_at, self.request_id_at = names.index("Content-Length"), names.index("X-Request-Id")

    def of(self, length: int, request_id: str) -> list[tuple[str, str]]:
        headers = self.headers.copy()
        headers[self.length_at] = ("Content-Length", str(length))
        headers[self.request_id_at] = ("X-Request-Id", request_id)
        return headers


def probe_request() -> WSGIRequest:
    """A request for the middleware's response hooks, which under plain middleware do not look at it."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "probe", "SERVER_PORT": "80"}
    return WSGIRequest(environ | {"wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"})


class HotReads:
    """WSGI application: the hot reads that succeed answered here, every other request by Django's `application`."""

    def __init__(self, application):
        self.application = application
        self.security = SecurityMiddleware(hooks_only)
        self.common = CommonMiddleware(hooks_only)
        self.frame_options = XFrameOptionsMiddleware(hooks_only)
        self.reads = {
            (ORDER, "GET"): HotRead(SalesOrderDetailView, "GET", read_order),
            (ORDER_LIST, "GET"): HotRead(SalesOrderListView, "GET", read_orders),
            (ORDER_LIST, "HEAD"): HotRead(SalesOrderListView, "HEAD", count_orders),
        }
        self.order_read = self.reads[(ORDER, "GET")]
        self.order_headers = AnswerHeaders(self, self.order_read) if plain_middleware() else None
        self.hosts = HostCheck(size=64)

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if method == "GET" and self.order_headers is not None and path.isascii():
            # An ASCII PATH_INFO is the path Django resolves as it is (no bytes to decode).
            route = hot_route(path)
            if route is not None and route[0] == ORDER:
                return self.read_order_directly(environ, route[1], start_response)
        response = None
        if method in ("GET", "HEAD") and path.startswith(ORDERS_PATH_PREFIX):
            response = self.answer(WSGIRequest(environ))
        if response is None:
            return self.application(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        # Closing the response sends request_finished, as after any answer of Django's: old connections close.
        return response

    def read_order_directly(self, environ, kwargs: dict, start_response):
        """GET of one order under plain middleware: `answer`'s checks and answer without its request and response
        objects."""
        document = None
        if self.hosts.allows(environ) and not declares_body(environ) and accepts_json(environ):
            token = token_of_header(environ.get("HTTP_AUTHORIZATION", ""))
            if token is not None:
                document = attempted(
                    order_document, self.order_read, token, kwargs, described=f"GET {environ['PATH_INFO']}"
                )
        if document is None:
            return self.application(environ, start_response)
        body = document.encode(self.order_headers.charset)
        start_response("200 OK", self.order_headers.of(len(body), request_id_of(environ)))
        return FinishedBody([body])

    def answer(self, request: WSGIRequest) -> HttpResponse | None:
        if not self.passes_middleware(request) or declares_body(request.META) or not accepts_json(request.META):
            return None
        route = hot_route(request.path_info)
        read = self.reads.get((route[0], request.method)) if route is not None else None
        token = token_of_header(request.META.get("HTTP_AUTHORIZATION", ""))
        if read is None or token is None:
            return None
        response = attempted(read.answer, read, request, token, route[1], described=f"{request.method} {request.path}")
        if response is None:
            return None
        response["Allow"] = read.allow
        return self.with_middleware_headers(request, response)

    def passes_middleware(self, request) -> bool:
        """Whether the middleware's request hooks let the request through (no redirect, an allowed host and agent)."""
        try:
            return self.security.process_request(request) is None and self.common.process_request(request) is None
        except (PermissionDenied, SuspiciousOperation):
            return False

    def with_middleware_headers(self, request, response: HttpResponse) -> HttpResponse:
        """The response as the middleware would pass it on, innermost first."""
        response = self.frame_options.process_response(request, response)
        response = self.common.process_response(request, response)
        response["X-Request-Id"] = request_id_of(request.META)
        return self.security.process_response(request, response)


def attempted(read, *args, described: str):
    """What `read(*args)` answers, or None when it fails: Django's views then answer (a bad parameter's 400, a
    database's 503, or whatever the failure is)."""
    try:
        return read(*args)
    except (DomainError, DatabaseError):
        return None
    except Exception:
        logger.exception("The hot read of %s failed; Django answers it", described)
        return None
