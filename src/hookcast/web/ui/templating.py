"""Rendering pages: one Jinja2 environment, the chosen language, and what every page needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hookcast.messages.i18n import Translator, available_languages, normalize_language, translator
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.web.ui import csrf
from hookcast.web.ui.common import say, when
from hookcast.web.ui.pauses import reason_text
from hookcast.web.ui.sessions import secure_cookies

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LANGUAGE_COOKIE = "hookcast_lang"
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text


environment.filters["when"] = when
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


def platform_namer(t: Translator) -> Any:
    """``platform_name("dingtalk")`` -> "DingTalk", or "钉钉" in Chinese (the platform declares both)."""

    def platform_name(name: object) -> str:
        key = str(getattr(name, "value", name))
        return get_platform(key).label_in(t.language) if key in PLATFORMS else key

    return platform_name


def logo_style(name: object) -> str:
    """The inline style of a platform's logo letter: its declared brand colour."""
    key = str(getattr(name, "value", name))
    return f"background: {get_platform(key).logo_colour}" if key in PLATFORMS else ""


def _translated(value: Any, t: Translator) -> Any:
    """Error dicts of the context, in the page's language (see ``common.Problem``)."""
    if isinstance(value, dict):
        return {key: say(item, t) if isinstance(item, str) else item for key, item in value.items()}
    return value


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
        "platform_name": platform_namer(t),
        "logo_style": logo_style,
        "say": lambda message: say(message, t),
        "pause_reason": lambda reason: reason_text(reason, t),
    }
    values.update(context or {})
    if "errors" in values:
        values["errors"] = _translated(values["errors"], t)
    html = environment.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    csrf.remember(request, response)
    if request.query_params.get("lang"):
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 86400,
            samesite="lax",
            httponly=True,
            secure=secure_cookies(request),
        )
    return response
