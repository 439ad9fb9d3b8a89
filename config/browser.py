"""The middleware only people in a browser need, skipped by API requests.

API requests carry a bearer token, no cookies: they need no session, no CSRF check (their views are exempt anyway),
no signed-in user, no messages and no htmx details. Running those for each API request costs a few Python frames
and objects per layer; the API's own middleware and the headers every answer gets (X-Frame-Options,
X-Content-Type-Options…) stay outside this group.
"""

from django.core.handlers.exception import convert_exception_to_response
from django.utils.module_loading import import_string

from orders.api.errors import is_api_request

# In the order Django runs them; the same classes MIDDLEWARE listed one by one before.
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]


class BrowserMiddleware:
    """Runs BROWSER_MIDDLEWARE, chained as Django chains MIDDLEWARE, for every request but the API's."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.view_hooks = []
        handler = get_response
        for path in reversed(BROWSER_MIDDLEWARE):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self.view_hooks.insert(0, middleware.process_view)
            handler = convert_exception_to_response(middleware)
        self.browser_chain = handler

    def __call__(self, request):
        if is_api_request(request):
            return self.get_response(request)
        return self.browser_chain(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_api_request(request):
            return None
        for hook in self.view_hooks:
            response = hook(request, view_func, view_args, view_kwargs)
            if response is not None:
                return response
        return None
