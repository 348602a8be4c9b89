"""The API's documentation page (``/docs``): Swagger UI, served by hookcast itself.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; the page
policy (``web/headers.py``) allows neither, and an instance on a closed network cannot reach a
CDN. Swagger UI's files come from the pinned ``fastapi-offline`` package, which ships a current
copy of the ``swagger-ui-dist`` release (nothing else of it is used); they are served under
``/docs/static/``, and hookcast's own ``static/api-docs.js`` starts Swagger UI. ReDoc is not
offered: it needs ``blob:`` workers, which the policy does not allow. The OpenAPI document
itself stays public at ``/openapi.json``, as it was: it describes the API and holds no secret.
"""

from __future__ import annotations

import html
import importlib.resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

SWAGGER_UI = Path(str(importlib.resources.files("fastapi_offline") / "static"))
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
CACHED = {"Cache-Control": "public, max-age=3600"}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} API</title>
  <link rel="icon" href="/favicon.ico">
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
  <script src="/docs/static/swagger-ui-bundle.js" defer></script>
  <script src="/ui/static/api-docs.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def docs_page(request: Request) -> HTMLResponse:
    openapi_url = request.scope.get("root_path", "") + (request.app.openapi_url or "/openapi.json")
    return HTMLResponse(
        PAGE.format(title=html.escape(request.app.title), openapi_url=html.escape(openapi_url, quote=True))
    )


@router.get("/docs/static/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in ASSETS:  # a fixed list: no path from the request reaches the file system
        raise HTTPException(404, "no such file")
    return FileResponse(SWAGGER_UI / name, media_type=ASSETS[name], headers=CACHED)
