"""Take the README's screenshots of a running back office with the demo data (Debian chromium, Playwright).

    make run &                                      # or PORT=8123 make run
    .venv/bin/python tools/screenshots.py --base-url http://127.0.0.1:8000

Signs in as the demo's admin/admin and saves docs/screenshots/*.png: the dashboard, the order list, an order
(the first of the list that has both packing events and a delivered amount, else the first), and the jobs page.
"""

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
VIEWPORT = {"width": 1360, "height": 900}


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/staff/**")


def shoot(page: Page, url: str, name: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / name), full_page=False)
    print(OUT / name)


def first_order_with_packing(page: Page, base_url: str, tenant: str) -> str:
    """An order of the list's first page whose page shows packing events; else the list's first order."""
    page.goto(f"{base_url}/staff/{tenant}/orders/")
    links = page.locator("#order-results tbody a[href*='/orders/EON']").evaluate_all("(as) => as.map(a => a.href)")
    for href in links[:25]:
        page.goto(href)
        if page.get_by_text("No packing events for this order yet.").count() == 0:
            return href
    return links[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()
    if urlsplit(args.base_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("only a local server")
    base_url = args.base_url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        sign_in(page, base_url, args.username, args.password)
        shoot(page, f"{base_url}/staff/{args.tenant}/", "dashboard.png")
        shoot(page, f"{base_url}/staff/{args.tenant}/orders/?status=CREATED", "orders.png")
        shoot(page, first_order_with_packing(page, base_url, args.tenant), "order-detail.png")
        shoot(page, f"{base_url}/staff/{args.tenant}/jobs/", "jobs.png")
        browser.close()


if __name__ == "__main__":
    main()
