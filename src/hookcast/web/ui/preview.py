"""The preview: an event kind shown as it will look on a platform, plus the exact JSON body.

The message comes from the same ``render`` and platform ``encode`` as real deliveries; the HTML
rendition follows the platform's declaration: its preview style, and its palette's colour for
the message's tone (the value the body carries, and how it looks on screen).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.events import EventKind
from hookcast.messages.model import LANGUAGES, Link, Mention, Message
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, WebhookTarget
from hookcast.platforms.shared import with_keyword
from hookcast.web.ui.samples import sample_event, sample_kinds
from hookcast.web.ui.sessions import UserDep
from hookcast.web.ui.templating import language_of, page

router = APIRouter()


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
    target = WebhookTarget(url=platform.example_url, keyword=keyword)
    payload = platform.payload(message, target, EncodeContext(time.time(), "preview"))
    colour = platform.palette.of(message.tone)
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
        style=platform.preview_style.value,
        kind=kind.value,
        colour=colour.value,
        hex=colour.hex,
        message=shown,
        body=json.dumps(payload, ensure_ascii=False, indent=2),
    )


def choose_kind(raw: str | None) -> EventKind:
    kinds = sample_kinds()
    return next((k for k in kinds if k.value == raw), kinds[0])


@router.get("/ui/preview", response_class=HTMLResponse)
async def preview_fragment(
    request: Request,
    _user: UserDep,
    platform: str = "",
    kind: str = "push",
    language: str = "",
    keyword: str = "",
) -> Response:
    """The preview block alone, for the form's script to swap in. ``keyword`` is the one typed in
    the form (saved or not): the preview shows the message as that bot would require it."""
    platform = platform or next(iter(PLATFORMS))
    if platform not in PLATFORMS:
        return HTMLResponse("unknown platform", status_code=404)
    chosen_language = language if language in LANGUAGES else language_of(request)
    shown = build(platform, chosen_language, choose_kind(kind), keyword.strip()[:200] or None)
    response = page(request, "_preview.html", {"preview": shown})
    return response
