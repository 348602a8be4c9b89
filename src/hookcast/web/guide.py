"""The guide page the assistant bot's welcome card links to: ``GET /guide/feishu`` (server-rendered,
English or Chinese from ``?lang=`` or Accept-Language), with its pictures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hookcast.messages.i18n import normalize_language

WEB = Path(__file__).resolve().parent
IMAGES = WEB / "static" / "guide"
IMAGE_NAME = re.compile(r"[a-z0-9\-]{1,60}\.(svg|png)")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}

_templates = Environment(
    loader=FileSystemLoader(str(WEB / "templates" / "guide")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

router = APIRouter(tags=["guide"], include_in_schema=False)


def pick_language(lang: str | None, accept_language: str | None) -> str:
    if lang:
        return normalize_language(lang)
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return "zh_CN" if first.lower().startswith("zh") else "en"


@router.get("/guide/feishu", response_class=HTMLResponse)
async def feishu_guide(
    request: Request,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    runtime = getattr(request.app.state, "runtime", None)
    public_url = runtime.settings.public_url if runtime is not None else None
    base = (public_url or str(request.base_url)).rstrip("/")
    html = _templates.get_template("feishu.html").render(
        lang=pick_language(lang, accept_language),
        base=base,
        events_url=f"{base}/hooks/feishu/events",
        lark_events_url=f"{base}/hooks/lark/events",
    )
    return HTMLResponse(html)


@router.get("/guide/feishu/images/{name}")
async def guide_image(name: str) -> FileResponse:
    if not IMAGE_NAME.fullmatch(name) or not (IMAGES / name).is_file():
        raise HTTPException(404, "no such picture")
    return FileResponse(IMAGES / name, media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]])
