"""The preview: an event kind shown as it will look on a platform, plus the exact JSON body.

The message comes from the same ``render`` and platform ``encode`` as real deliveries; the HTML
rendition follows the platform's declaration: its preview style, and its palette's colour for
the message's tone (the value the body carries, and how it looks on screen). For a kind whose
events are about an object (a merge request, a pipeline, an alert …), the preview also shows the
states its message goes through in the webhook's message mode (`messages/living_states.py`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hookcast.events import Event, EventKind
from hookcast.living import MessageMode
from hookcast.messages.i18n import translator
from hookcast.messages.living_states import FIRST_LABEL, MODE_NOTES, states
from hookcast.messages.model import LANGUAGES, Link, Mention, Message
from hookcast.messages.templates import Template, TemplateError, check, compile_spec, rendered
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, Platform
from hookcast.platforms.shared import with_keyword
from hookcast.platforms.targets import target_from
from hookcast.sample_events import sample_event, sample_kinds
from hookcast.web.ui.sessions import UserDep
from hookcast.web.ui.template_form import spec_from
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
    # The living message (`messages/living_states.py`): the mode shown, what it does, and the
    # later states of the object's message (none for a kind without an object).
    mode: str = ""
    mode_note: str = ""
    first_label: str = ""
    states: tuple[dict[str, Any], ...] = ()
    # The webhook's template for the kind (or the one being edited): what is wrong with it, with
    # its part and line (the built-in message is shown then, as the worker would send it).
    templated: bool = False
    template_error: str = ""


def _shown(message: Message, platform: Platform, keyword: str | None) -> dict[str, Any]:
    """``message`` as the template draws it, with its tone's colour on ``platform``."""
    colour = platform.palette.of(message.tone)
    title = message.title or message.summary
    if keyword and any(spec.name == "keyword" for spec in platform.settings):
        # Drawn as the platform's encoder writes it: the keyword in front unless already there.
        title = with_keyword(title, keyword, len(title) + len(keyword) + 4)
    return {
        "title": title,
        "url": message.url,
        "lines": [_segments(line) for line in message.lines],
        "fields": [{"label": f.label, "value": _segments(f.value), "short": f.short} for f in message.fields],
        "actions": [{"label": a.label, "url": a.url} for a in message.actions],
        "footer": message.footer,
        "colour": colour.value,
        "hex": colour.hex,
    }


def choose_mode(platform: Platform, raw: str | None) -> MessageMode:
    """The mode the form selected when it names one, else the platform's default (the first of
    its modes for its example URL)."""
    modes = platform.message_modes(platform.example_url)
    return next((mode for mode in MessageMode if mode.value == raw), modes[0])


def build(
    platform_name: str,
    language: str,
    kind: EventKind,
    settings: Mapping[str, str] | None = None,
    mode: str | None = None,
    template: Mapping[str, Any] | None = None,
) -> Preview:
    """``settings``: the platform's plain settings as entered (name -> value, empty when unset);
    ``mode``: the message mode selected in the form, if any; ``template``: the kind's template
    (saved or being edited), if any."""
    platform = get_platform(platform_name)
    chosen = choose_mode(platform, mode)
    compiled, problem = _template(kind, template)
    # The first message is the sample as rendered (a pipeline's as it starts running), the later
    # ones what its object's next events make of it in the chosen mode.
    modes = platform.message_modes(platform.example_url)

    def renderer(event: Event, shown_in: str) -> Message:
        used = compiled if compiled is not None and compiled.kind == event.kind.value else None
        return rendered(event, shown_in, used)[0]

    life = states(sample_event(kind), chosen, language, sample_event, modes, renderer)
    message: Message = life[0].message
    given = {k: v for k, v in (settings or {}).items() if v}
    target = target_from(platform.example_url, {**platform.example_settings, **given})
    payload = platform.payload(message, target, EncodeContext(time.time(), "preview"))
    t = translator(language)
    first = _shown(message, platform, target.keyword)
    return Preview(
        platform=platform.name.value,
        platform_label=platform.label,
        style=platform.preview_style.value,
        kind=kind.value,
        colour=first["colour"],
        hex=first["hex"],
        message=first,
        body=json.dumps(payload, ensure_ascii=False, indent=2),
        mode=chosen.value,
        mode_note=t.gettext(MODE_NOTES[chosen]) if len(life) > 1 else "",
        first_label=t.gettext(FIRST_LABEL) if len(life) > 1 else "",
        states=tuple(
            {
                "label": state.label,
                "action": state.action.value,
                "message": _shown(state.message, platform, target.keyword),
            }
            for state in life[1:]
        ),
        templated=compiled is not None,
        template_error=problem,
    )


def _template(kind: EventKind, spec: Mapping[str, Any] | None) -> tuple[Template | None, str]:
    """``spec`` compiled and checked over the sample, or what is wrong with it."""
    if not spec:
        return None, ""
    try:
        compiled = compile_spec(kind.value, spec)
        check(compiled, sample_event(kind))
    except TemplateError as exc:
        return None, str(exc)
    return compiled, ""


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
    message_mode: str = "",
) -> Response:
    """The preview block alone, for the form's script to swap in. ``keyword`` is the one typed in
    the form (saved or not): the preview shows the message as that bot would require it;
    ``message_mode`` the mode selected (the platform's default when none or unknown); the
    ``template_*`` inputs of the form, the template being edited (for its kind)."""
    platform = platform or next(iter(PLATFORMS))
    if platform not in PLATFORMS:
        return HTMLResponse("unknown platform", status_code=404)
    chosen_language = language if language in LANGUAGES else language_of(request)
    chosen_kind = choose_kind(kind)
    edited = request.query_params.get("template_kind") == chosen_kind.value
    shown = build(
        platform,
        chosen_language,
        chosen_kind,
        {"keyword": keyword.strip()[:200]},
        message_mode[:40],
        template=spec_from(request.query_params) if edited else None,
    )
    response = page(request, "_preview.html", {"preview": shown})
    return response
