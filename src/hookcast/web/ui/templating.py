"""Rendering pages: one Jinja2 environment, the chosen language, and what every page needs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hookcast.messages.i18n import available_languages, normalize_language, translator
from hookcast.web.ui import csrf

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LANGUAGE_COOKIE = "hookcast_lang"
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def _pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text


environment.filters["when"] = _when
environment.filters["pretty_json"] = _pretty_json


def language_of(request: Request) -> str:
    """The UI language: ``?lang=``, then the cookie, then the browser's Accept-Language."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen:
        return normalize_language(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            language = normalize_language(tag)
            if language != "en" or tag.lower().startswith("en"):
                return language
    return "en"


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    t = translator(language)
    token = csrf.token_for(request)
    values: dict[str, Any] = {
        "request": request,
        "_": t.gettext,
        "_f": t.format,
        "_n": t.nformat,
        "language": language,
        "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages()],
        "csrf_token": token,
        "user": getattr(request.state, "user", None),
        "path": request.url.path,
    }
    values.update(context or {})
    html = environment.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    csrf.remember(request, response, token)
    if request.query_params.get("lang"):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
