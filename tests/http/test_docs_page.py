"""The docs page in a real headless Chromium, through the local API, with no other host.

Debian's chromium (installed by make test when missing) is driven by Playwright, which is
told where it is and never downloads a browser of its own. Every request the page makes to
another host is refused and recorded, so the test also proves that the page works offline.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

from tests.support.http import Client

CHROMIUM = Path("/usr/bin/chromium")
# Flags that keep Chromium from calling home, which a machine without internet refuses
# (Playwright adds --headless, --no-sandbox and a fresh --user-data-dir).
OFFLINE_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCUMENT = json.loads(
    (Path(__file__).resolve().parents[2] / "functions" / "openapi" / "openapi.json").read_text()
)
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser(api: Client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A headless Chromium whose requests may reach the local API only."""
    assert shutil.which(str(CHROMIUM)), "Debian's chromium is missing: make test installs it"
    profile = tmp_path_factory.mktemp("chromium-profile")
    elsewhere: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=OFFLINE_FLAGS,
        )

        def local_only(route: Any) -> None:
            if route.request.url.startswith(api.base_url + "/"):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        try:
            yield {"context": context, "elsewhere": elsewhere}
        finally:
            context.close()


def _open(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.locator(".opblock").first.wait_for()
    return page


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs"])
def test_the_page_lists_every_operation_of_the_document(
    api: Client, browser: dict[str, Any], path: str
) -> None:
    # Given the page, with or without its trailing slash
    page = _open(browser["context"], api.base_url + path)
    # Then it shows every operation of the document, and nothing else
    shown = sorted(
        (
            block.locator(".opblock-summary-method").inner_text(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.locator(".opblock").all()
    )
    described = sorted(
        (method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item
    )
    assert shown == described
    assert page.locator(".info .title").inner_text().startswith("Loyalty API")
    page.close()
    assert browser["elsewhere"] == []


def test_try_it_out_on_the_health_check_shows_a_200(api: Client, browser: dict[str, Any]) -> None:
    # Given the page
    page = _open(browser["context"], api.base_url + "/api/docs/")
    operation = page.locator("#operations-Operations-health")
    # When a reader tries GET /api/health out
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    # Then the page shows the API's answer: 200 and the health document, from this stage
    answer = operation.locator(".live-responses-table tbody .response-col_status")
    answer.wait_for()
    assert answer.inner_text().strip() == "200"
    assert operation.locator(".request-url pre").inner_text() == api.base_url + "/api/health"
    body = operation.locator(".live-responses-table tbody .response-col_description pre").first
    assert json.loads(body.inner_text()) == {"status": "ok", "database": "ok"}
    page.close()
    assert browser["elsewhere"] == []
