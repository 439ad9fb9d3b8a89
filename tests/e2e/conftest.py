"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

They skip when /usr/bin/chromium or the playwright package is missing, so `make test` passes on a fresh machine.
Screenshots land in tests/e2e/artifacts/ (git-ignored).
"""

import importlib.util
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from orders.staff.access import ensure_staff_groups

from ..staff import PASSWORD, permission

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 10_000
MISSING = (
    "playwright is not installed (pip install '.[e2e]')"
    if importlib.util.find_spec("playwright") is None
    else f"{CHROMIUM} is missing (apt-get install chromium)"
    if not CHROMIUM.exists()
    else ""
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if MISSING:
                item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="module")
def browser():
    """One chromium per module. Module-scoped, not session: Playwright's sync API keeps an event loop running in
    this thread while it is open, and Django refuses ORM calls under a running loop unless told they are safe."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the tests' own ORM calls are plain synchronous code
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; a screenshot of how it ended is saved under the test's name."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def desk_user(transactional_db, tenant):
    """A member of tenant `acme` in all three order desk groups."""
    permission("pickpack.manage_jobs")
    ensure_staff_groups()
    user = get_user_model().objects.create_user("desk", "desk@example.com", PASSWORD)
    tenant.members.add(user)
    user.groups.add(*Group.objects.filter(name__startswith="Order desk:"))
    return user


@pytest.fixture
def signed_in(page, live_server, desk_user):
    """The tab, signed in through the login form; returns a function making absolute URLs."""
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(desk_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/staff/acme/")
    return lambda path: f"{live_server.url}{path}"
