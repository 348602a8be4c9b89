"""The preview: an event kind shown as it will look on a platform, plus the exact JSON body.

The message comes from the same ``render`` and platform ``encode`` as real deliveries; the HTML
rendition reuses the platform's own colour choice for the message's tone.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.events import EventKind, Tone
from hookcast.messages.model import LANGUAGES, Link, Mention, Message
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget
from hookcast.platforms.feishu import HEADER_TEMPLATE
from hookcast.platforms.shared import TONE_HEX, with_keyword
from hookcast.platforms.teams import CARD_COLOR
from hookcast.platforms.wecom import FONT_COLOR
from hookcast.preview import EXAMPLE_SETTINGS, EXAMPLE_URLS
from hookcast.web.ui.samples import sample_event, sample_kinds
from hookcast.web.ui.sessions import UserDep
from hookcast.web.ui.templating import language_of, page

router = APIRouter()

# How each platform presents a message, for the rendition's layout.
STYLE: dict[PlatformName, str] = {
    PlatformName.FEISHU: "card",
    PlatformName.LARK: "card",
    PlatformName.DINGTALK: "markdown",
    PlatformName.WECOM: "markdown",
    PlatformName.SLACK: "attachment",
    PlatformName.DISCORD: "embed",
    PlatformName.TEAMS: "adaptive",
    PlatformName.TELEGRAM: "markdown",  # HTML text: drawn like the markdown platforms
}

# Screen colours of the platforms' named colours.
NAMED_HEX: dict[str, str] = {
    # Feishu / Lark card header templates
    "green": "#34C724",
    "red": "#F54A45",
    "grey": "#8F959E",
    "orange": "#FF8800",
    # WeCom markdown font colours
    "info": "#07C160",
    "warning": "#FA9D3B",
    "comment": "#999999",
    # Teams adaptive card text colours
    "good": "#237B4B",
    "attention": "#C4314B",
    "default": "#242424",
}


def colour_of(platform: PlatformName, tone: Tone) -> str:
    """The colour value the platform's body carries for ``tone`` ("green", "#2EB67D", "info"...)."""
    if platform in (PlatformName.FEISHU, PlatformName.LARK):
        return HEADER_TEMPLATE[tone]
    if platform is PlatformName.WECOM:
        return FONT_COLOR[tone]
    if platform is PlatformName.TEAMS:
        return CARD_COLOR[tone]
    return TONE_HEX[tone]


def hex_of(colour: str) -> str:
    return colour.upper() if colour.startswith("#") else NAMED_HEX.get(colour, "#8F959E")


def _segments(line: tuple[Any, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for segment in line:
        if isinstance(segment, Mention):
            out.append({"kind": "mention", "text": "@" + segment.name})
        elif isinstance(segment, Link):
            out.append({"kind": "link", "text": segment.text, "url": segment.url})
        else:
            out.append({"kind": "text", "text": segment.text, "bold": segment.bold, "code": segment.code})
    return out


@dataclass(frozen=True, slots=True)
class Preview:
    platform: str
    platform_label: str
    style: str
    kind: str
    colour: str
    hex: str
    message: dict[str, Any]
    body: str


def build(platform_name: str, language: str, kind: EventKind, keyword: str | None = None) -> Preview:
    platform = get_platform(platform_name)
    message: Message = render(sample_event(kind), language)
    target = WebhookTarget(
        url=EXAMPLE_URLS[platform.name], keyword=keyword, settings=EXAMPLE_SETTINGS.get(platform.name, {})
    )
    request = platform.encode(message, target, EncodeContext(time.time(), "preview"))
    colour = colour_of(platform.name, message.tone)
    title = message.title or message.summary
    if keyword and any(spec.name == "keyword" for spec in platform.settings):
        # Drawn as the platform's encoder writes it: the keyword in front unless already there.
        title = with_keyword(title, keyword, len(title) + len(keyword) + 4)
    shown = {
        "title": title,
        "url": message.url,
        "lines": [_segments(line) for line in message.lines],
        "fields": [{"label": f.label, "value": _segments(f.value), "short": f.short} for f in message.fields],
        "actions": [{"label": a.label, "url": a.url} for a in message.actions],
        "footer": message.footer,
    }
    return Preview(
        platform=platform.name.value,
        platform_label=platform.label,
        style=STYLE[platform.name],
        kind=kind.value,
        colour=colour,
        hex=hex_of(colour),
        message=shown,
        body=json.dumps(json.loads(request.body), ensure_ascii=False, indent=2),
    )


def choose_kind(raw: str | None) -> EventKind:
    kinds = sample_kinds()
    return next((k for k in kinds if k.value == raw), kinds[0])


@router.get("/ui/preview", response_class=HTMLResponse)
async def preview_fragment(
    request: Request,
    _user: UserDep,
    platform: str = "feishu",
    kind: str = "push",
    language: str = "",
    keyword: str = "",
) -> Response:
    """The preview block alone, for the form's script to swap in. ``keyword`` is the one typed in
    the form (saved or not): the preview shows the message as that bot would require it."""
    if platform not in PLATFORMS:
        return HTMLResponse("unknown platform", status_code=404)
    chosen_language = language if language in LANGUAGES else language_of(request)
    shown = build(platform, chosen_language, choose_kind(kind), keyword.strip()[:200] or None)
    response = page(request, "_preview.html", {"preview": shown})
    return response
