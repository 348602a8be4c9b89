"""Helpers the platform modules share: tone colours, rendering a Message as markdown lines,
mentions, keyword, reading answers and redacting URLs. Pure functions only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from hookcast.events import Tone
from hookcast.messages.model import Action, Line, Link, Mention, Message, MessageField, Text
from hookcast.platforms.base import (
    Delivered,
    HttpResponse,
    Outcome,
    Palette,
    Permanent,
    PlatformName,
    RetryAfter,
    ToneColour,
)
from hookcast.platforms.text import (
    LONGEST_SHOWN,
    BodyLine,
    neutralize_plain,
    one_line,
    precut,
    safe_url,
    truncate,
)

# --- tones --------------------------------------------------------------------------------

TONE_HEX: dict[Tone, str] = {
    Tone.SUCCESS: "#2EB67D",
    Tone.FAILURE: "#E01E5A",
    Tone.NEUTRAL: "#9E9E9E",
    Tone.WARNING: "#ECB22E",
}
# The palette of the platforms that colour with these hex values directly.
HEX_PALETTE: Palette = Palette(**{tone.name.lower(): ToneColour(hex, hex) for tone, hex in TONE_HEX.items()})

# --- mentions -----------------------------------------------------------------------------


def mention_id(mention: Mention, platform: PlatformName, pattern: re.Pattern[str]) -> str | None:
    """The person's id on ``platform`` if it is there and well-formed (never "all" and kin)."""
    value = mention.ids.get(platform.value)
    if value is None or not pattern.fullmatch(value) or value.lower() in ("all", "everyone", "here"):
        return None
    return value


def all_mentions(message: Message) -> Iterator[Mention]:
    """Every Mention the message carries: in its lines, its fields and its mentions list."""
    for line in (*message.lines, *(field.value for field in message.fields)):
        yield from (segment for segment in line if isinstance(segment, Mention))
    yield from message.mentions


def native_ids(message: Message, platform: PlatformName, pattern: re.Pattern[str]) -> list[str]:
    """Distinct, well-formed platform ids of everyone mentioned, in order of appearance."""
    found = (mention_id(mention, platform, pattern) for mention in all_mentions(message))
    return list(dict.fromkeys(value for value in found if value is not None))


# --- markdown rendering -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Markdown:
    """How one platform spells inline markdown. ``escape`` makes user text inert; bold and links
    are CommonMark's unless the platform spells them otherwise."""

    escape: Callable[[str], str]
    mention: Callable[[Mention], str | None]  # native form, or None for plain "@Name"
    bold: Callable[[str], str] = lambda text: f"**{text}**"
    link: Callable[[str, str], str] = lambda text, url: f"[{text}]({url})"  # (escaped text, safe url)
    code: Callable[[str], str] | None = None  # wraps escaped text; None: no code styling
    field: Callable[[str, str], str] | None = None  # (rendered label, rendered value)


def escaped_text(segment: Text | Link | Mention, md: Markdown, longest: int = LONGEST_SHOWN) -> str:
    """The segment's text made inert, without links or styling. A text longer than ``longest``
    (any platform's most, or what the caller will cut the line to) is cut before it is escaped
    (`precut`: the bytes sent are the same, the work bounded)."""
    if isinstance(segment, Mention):
        return md.escape(precut("@" + segment.name, longest))
    return md.escape(precut(segment.text, longest))


def styled_segment(segment: Text | Link | Mention, escaped: str, md: Markdown) -> str:
    """The segment's markup, given its already escaped text."""
    if isinstance(segment, Mention):
        return md.mention(segment) or escaped
    if isinstance(segment, Link):
        url = safe_url(segment.url)
        return md.link(escaped, url) if url and escaped else escaped
    if segment.code and md.code is not None:
        return md.code(escaped)
    return md.bold(escaped) if segment.bold and escaped.strip() else escaped


def render_line(line: Line, md: Markdown, longest: int = LONGEST_SHOWN) -> BodyLine:
    """The line's markup and its plain form (for when it must be cut); each text escaped once.
    A caller that shows at most ``longest`` characters of the line says so: texts are cut to
    that (plus one) before they are escaped."""
    escaped = [escaped_text(segment, md, longest) for segment in line]
    return BodyLine(
        markup="".join(styled_segment(s, text, md) for s, text in zip(line, escaped, strict=True)),
        plain="".join(escaped),
    )


def label_separator(language: str) -> str:
    """What follows a field's label: a full-width colon in Chinese ("状态：已通过")."""
    return "：" if language.startswith("zh") else ": "


def render_field(field: MessageField, md: Markdown, language: str = "en") -> BodyLine:
    label = md.escape(precut(field.label))
    value = render_line(field.value, md)
    colon = label_separator(language)
    join = md.field or (lambda name, text: f"{md.bold(name)}{colon}{text}" if name else text)
    return BodyLine(markup=join(label, value.markup), plain=f"{label}{colon}{value.plain}")


def mentions_line(message: Message) -> Line:
    """The message's mentions list as one line of mentions separated by spaces."""
    segments: list[Text | Mention] = []
    for mention in message.mentions:
        if segments:
            segments.append(Text(" "))
        segments.append(mention)
    return tuple(segments)


def body_lines(message: Message, md: Markdown, with_fields: bool = True) -> list[BodyLine]:
    """The message body as markdown lines: its lines, then fields, then its mentions."""
    lines = [render_line(line, md) for line in message.lines]
    if with_fields:
        lines.extend(render_field(field, md, message.language) for field in message.fields)
    if message.mentions:
        lines.append(render_line(mentions_line(message), md))
    return [line for line in lines if line.markup.strip()]


def usable_actions(message: Message, limit: int) -> list[Action]:
    """Actions with a usable URL, at most ``limit``; the message URL if there are none."""
    actions = [action for action in message.actions if safe_url(action.url)]
    if not actions and safe_url(message.url):
        actions = [Action(label="Open", url=message.url or "")]
    return actions[:limit]


def action_links(actions: Iterable[Action], md: Markdown, separator: str = "  ") -> str:
    return separator.join(
        md.link(md.escape(truncate(action.label, 60) or "Open"), safe_url(action.url) or "")
        for action in actions
    )


# --- titles and keywords ------------------------------------------------------------------


def plain_title(message: Message, limit: int, keyword: str | None = None) -> str:
    """The title as inert plain text, cut to ``limit`` chars, carrying ``keyword`` if set."""
    longest = limit + 1  # still too long once cut, so truncated exactly as the whole would be
    title = neutralize_plain(precut(message.title.strip(), longest)) or neutralize_plain(
        precut(message.summary, longest)
    )
    title = title or "—"
    return with_keyword(truncate(title, limit), keyword, limit)


def with_keyword(text: str, keyword: str | None, limit: int) -> str:
    """``text`` with the bot's keyword in front when it lacks it (it must survive any cut)."""
    keyword = one_line(keyword or "").strip()
    if not keyword or keyword in text:
        return text
    return truncate(f"{keyword} · {text}", max(limit, len(keyword) + 4))


# --- answers ------------------------------------------------------------------------------


def json_object(response: HttpResponse) -> dict[str, Any]:
    """The answer's JSON object, or {} when the body is not one."""
    try:
        value = json.loads(response.body.decode("utf-8", errors="replace") or "null")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def body_text(response: HttpResponse, limit: int = 200) -> str:
    return truncate(response.body.decode("utf-8", errors="replace").strip(), limit)


def retry_after(headers: dict[str, str], *names: str) -> float | None:
    """Seconds from the first of ``names`` (default Retry-After) that says how long: a number of
    seconds, or an HTTP date, counted from the answer's own ``Date`` header (so no clock is
    read here; without a Date header a date cannot be turned into a wait and is ignored)."""
    for name in names or ("retry-after",):
        value = headers.get(name)
        if value is None:
            continue
        seconds: float | None
        try:
            seconds = float(value)
        except ValueError:
            seconds = _seconds_until(value, headers.get("date"))
        if seconds is not None and seconds >= 0:
            return seconds  # a huge value is bounded by RetryAfter itself
    return None


def _seconds_until(when: str, answered_at: str | None) -> float | None:
    if answered_at is None:
        return None
    try:
        then, now = parsedate_to_datetime(when), parsedate_to_datetime(answered_at)
    except (TypeError, ValueError, IndexError):
        return None
    if then.tzinfo is None or now.tzinfo is None:
        return None
    return max((then - now).total_seconds(), 0.0)


def int_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


# --- URLs ---------------------------------------------------------------------------------


def with_query(url: str, params: list[tuple[str, str]]) -> str:
    """``url`` with already-encoded ``params`` appended (they are not encoded again)."""
    extra = "&".join(f"{key}={value}" for key, value in params)
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{extra}"


# --- classifying JSON-coded answers (Feishu, Lark, DingTalk, WeCom) -------------------------


@dataclass(frozen=True, slots=True)
class CodeTable:
    """How a platform that answers with a JSON code spells its outcomes."""

    label: str
    code_keys: tuple[str, ...]  # where the code is, first found wins
    message_keys: tuple[str, ...]
    throttled: dict[int, float | None]  # too fast: code -> seconds to wait when known
    busy: frozenset[int] = frozenset()  # retry later, not our fault
    pause: frozenset[int] = frozenset()  # the destination is gone or refuses us
    reset_headers: tuple[str, ...] = ("retry-after",)


def classify_coded(response: HttpResponse, table: CodeTable, label: str | None = None) -> Outcome:
    """Transport trouble first (429, 5xx), then the JSON code of the body."""
    if label is not None:
        table = replace(table, label=label)
    status, headers = response.status, response.headers
    if status == 429:
        return RetryAfter(f"{table.label}: HTTP 429", retry_after(headers, *table.reset_headers), True)
    if status >= 500:
        return RetryAfter(f"{table.label}: HTTP {status}", retry_after(headers))
    body = json_object(response)
    code = next((int_code(body[key]) for key in table.code_keys if key in body), None)
    text = next((str(body[key]) for key in table.message_keys if body.get(key)), "")
    if code is None:
        reason = f"{table.label}: HTTP {status} without a result code: {body_text(response)}"
        return Permanent(reason, pause=status in (401, 403, 404, 410))
    reason = f"{table.label}: code {code}" + (f" ({text})" if text else "")
    if code == 0:
        return Delivered() if 200 <= status < 300 else Permanent(reason + f", HTTP {status}")
    if code in table.throttled:
        return RetryAfter(reason, table.throttled[code], throttled=True)
    if code in table.busy:
        return RetryAfter(reason)
    return Permanent(reason, pause=code in table.pause)


# --- classifying HTTP-status answers (Slack, Discord, Teams) -------------------------------


def classify_status(
    response: HttpResponse,
    label: str,
    pause: frozenset[int] = frozenset({404}),
    seconds: float | None = None,
) -> Outcome:
    """The non-success answers of platforms that speak in HTTP statuses.

    429 is "too fast" (``seconds`` when the body said more precisely than Retry-After), 5xx is
    retried, a status in ``pause`` means the destination is gone, any other is permanent.
    """
    status = response.status
    reason = f"{label}: HTTP {status}"
    excerpt = body_text(response)
    if excerpt:
        reason += f" {excerpt}"
    if status == 429:
        return RetryAfter(reason, seconds if seconds is not None else retry_after(response.headers), True)
    if status >= 500:
        return RetryAfter(reason, retry_after(response.headers))
    return Permanent(reason, pause=status in pause)
