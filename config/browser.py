"""The middleware only people in a browser need, skipped by API requests.

API requests carry a bearer token, no cookies: they need no session, no CSRF check (their views are exempt anyway),
no signed-in user, no messages and no htmx details. Running those for each API request costs a few Python frames
and objects per layer; the API's own middleware and the headers every answer gets (X-Frame-Options,
X-Content-Type-Options…) stay outside this group.
"""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks.security import csrf, sessions
from django.core.handlers.exception import convert_exception_to_response
from django.test.utils import override_settings
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


@register(Tags.security, deploy=True)
def check_browser_cookies(app_configs, **kwargs) -> list:
    """Django's own cookie checks (session and CSRF cookies secure and HTTP-only), which look for their middleware
    in MIDDLEWARE and so would skip it: run as if BROWSER_MIDDLEWARE were listed there, which in effect it is.
    Django's "CSRF middleware missing" warning (security.W003) is silenced in settings for the same reason."""
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, *BROWSER_MIDDLEWARE]):
        return [
            *sessions.check_session_cookie_secure(app_configs),
            *sessions.check_session_cookie_httponly(app_configs),
            *csrf.check_csrf_cookie_secure(app_configs),
        ]
