"""/docs in Chromium: Swagger UI draws the API from hookcast's own files alone, under the page's
security policy (no request leaves for another site, no policy violation)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Request, expect

from tests.browser.conftest import DESKTOP, Hookcast


def test_the_api_docs_load_with_no_other_site(browser: Browser, hookcast: Hookcast) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=hookcast.base_url)
    tab = context.new_page()
    origins: set[str] = set()
    complaints: list[str] = []

    def requested(request: Request) -> None:
        parts = urlsplit(request.url)
        origins.add(f"{parts.scheme}://{parts.netloc}" if parts.scheme.startswith("http") else parts.scheme)

    def said(message: ConsoleMessage) -> None:
        if message.type == "error":
            complaints.append(message.text)

    tab.on("request", requested)
    tab.on("console", said)
    tab.goto("/docs")
    expect(tab.get_by_text("/api/v1/projects", exact=True).first).to_be_visible()
    tab.get_by_text("/api/v1/projects", exact=True).first.click()  # open an operation: it is drawn
    expect(tab.get_by_text("Try it out").first).to_be_visible()
    context.close()
    assert origins <= {hookcast.base_url, "data"}, origins
    assert not complaints, complaints
