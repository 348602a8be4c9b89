"""/docs works with no other site: every asset it names is hookcast's own and is served, no
inline script is needed (the page policy forbids both), and the policy is on the page."""

from __future__ import annotations

import re

import httpx

ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>")


async def test_the_docs_page_names_only_its_own_assets_and_each_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assets = ASSET.findall(page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), f"{asset} is not hookcast's"
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert served.content, asset
        kind = served.headers["content-type"]
        assert kind.startswith(("text/javascript", "text/css", "image/")), (asset, kind)
    assert not INLINE_SCRIPT.search(page.text), "an inline script: the page policy forbids it"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy


async def test_the_page_points_swagger_ui_at_the_openapi_document(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    [url] = re.findall(r'data-openapi-url="([^"]+)"', page.text)
    document = await client.get(url)
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "hookcast"


async def test_only_swagger_ui_files_are_served_from_docs_static(client: httpx.AsyncClient) -> None:
    for name in ("core.py", "..%2f__init__.py", "redoc.standalone.js", "favicon.png"):
        assert (await client.get(f"/docs/static/{name}")).status_code == 404, name
    assert (await client.get("/redoc")).status_code == 404
