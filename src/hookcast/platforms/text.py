"""Pure text helpers shared by the platform modules: measuring, cutting, escaping, JSON fitting.

Text in a Message is plain user text. Before it reaches a platform it is made single-line, has
its broadcast / mention / markup triggers neutralised for that platform's markup, and is cut to
the platform's limits with a visible ellipsis. Nothing here knows a platform by name: each
platform module picks the escaper that matches its markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

ELLIPSIS = "…"
ZWSP = "\u200b"  # zero-width space: invisible, but breaks a token such as "@all" or "<at"

# How long a text is for a platform's limit: every measure counts each character at least once
# (characters, UTF-8 bytes, UTF-16 code units), which is what lets texts be cut before measuring.
Measure = Callable[[str], int]

# No platform's body holds more bytes than this (`Platform.max_body_bytes`, checked by a unit
# test), so no text of a message is ever shown longer: longer ones are cut first (`precut`).
LONGEST_SHOWN = 64_000
# URLs longer than this are no links: no browser or chat keeps them, and each is measured whole.
LONGEST_URL = 4096
T = TypeVar("T")


# --- measuring -----------------------------------------------------------------------------


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def char_len(text: str) -> int:
    return len(text)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (what JavaScript-side limits count); never less than len()."""
    return len(text.encode("utf-16-le")) // 2


# --- cutting ------------------------------------------------------------------------------


def truncate(text: str, limit: int, measure: Measure = char_len) -> str:
    """``text`` cut to at most ``limit`` units of ``measure``, ending in "…" when it was cut.

    Cuts on code point boundaries only, so a UTF-8 measure never splits a character. Every
    measure here counts each character at least once, so no more than ``limit`` characters are
    ever measured, however long ``text`` is.
    """
    if len(text) <= limit and measure(text) <= limit:
        return text
    room = limit - measure(ELLIPSIS)
    if room < 0:
        return ""
    return _longest_prefix(text[:room], room, measure) + ELLIPSIS


def precut(text: str, longest: int = LONGEST_SHOWN) -> str:
    """``text`` as `one_line` makes it, cut after ``longest`` characters ("…" behind) when longer.

    Escaping and measuring cost as much as a text is long, and the sender decides how long that
    is. No platform shows more than ``LONGEST_SHOWN`` characters of one text (its whole body has
    fewer bytes), escaping never makes a one-line text shorter, and every measure counts each
    character at least once: a text cut here is still too long to be shown whole, and what is
    shown of it (a prefix shorter than the budget) is the same as for the whole text. So this
    bounds the work per text without changing a byte of what is sent.
    """
    if len(text) <= longest:
        return text
    size = longest + 1
    while True:  # line breaks collapse into one space: read on until enough is left
        flat = one_line(text[:size])
        if len(flat) > longest or size >= len(text):
            break
        size *= 2
    return flat[:longest] + ELLIPSIS if len(flat) > longest else text


def _longest_prefix(text: str, limit: int, measure: Measure) -> str:
    """The longest prefix of ``text`` whose measure is at most ``limit`` (binary search)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")


def one_line(text: str) -> str:
    """Collapse line breaks and tabs into spaces: user text never starts a block of markup."""
    return _LINE_BREAKS.sub(" ", text)


# --- escaping -----------------------------------------------------------------------------

_AT = re.compile(r"[@＠﹫]")


def neutralize_plain(text: str) -> str:
    """For fields shown as plain text: break "@all" / "<at …>" style tokens, keep the text."""
    text = one_line(text)
    text = text.replace("<", "<" + ZWSP).replace("]", "]" + ZWSP)
    return _AT.sub(lambda match: match.group(0) + ZWSP, text)


# Emphasis / code characters replaced by look-alikes where the markup has no backslash escape.
_LOOKALIKES = str.maketrans({"*": "∗", "`": "ˋ", "~": "∼", "|": "∣"})
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BLOCK_START = re.compile(r"^(?:[#>+=\-]|\d+[.)])")


def neutralize_markdown(text: str) -> str:
    """For markdown without backslash escapes (DingTalk, WeCom, Teams): readable, inert text.

    Tags and mentions are broken with a zero-width space, links by separating "]" from "(",
    emphasis characters become look-alikes (an underscore inside a word stays, as in
    ``snake_case``), and a line-start block marker ("#", ">", "-", "1.") is pushed off the start.
    """
    text = neutralize_plain(text)
    text = text.translate(_LOOKALIKES)
    text = _EDGE_UNDERSCORE.sub("＿", text)
    if _BLOCK_START.match(text):
        text = ZWSP + text
    return text


def escape_slack_mrkdwn(text: str) -> str:
    """Slack mrkdwn: the three control characters become entities; emphasis made inert."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("]", "]" + ZWSP)
    text = _AT.sub(lambda match: match.group(0) + ZWSP, text)
    text = text.translate(_LOOKALIKES)
    return _EDGE_UNDERSCORE.sub("＿", text)


_DISCORD_SPECIALS = re.compile(r"([\\*_~`|>#\-\[\]()<:!.])")


def escape_discord_markdown(text: str) -> str:
    """Discord markdown honours backslash escapes; mentions also get a zero-width space."""
    text = _DISCORD_SPECIALS.sub(r"\\\1", one_line(text)).replace("<", "<" + ZWSP)
    return _AT.sub(lambda match: match.group(0) + ZWSP, text)


# Feishu card markdown renders HTML character references, the documented way to show a
# markdown special character literally.
_FEISHU_ENTITIES = {char: f"&#{ord(char)};" for char in "&<>*_~`[]()#+-!|\\$"}
_FEISHU_TRANSLATION = str.maketrans(_FEISHU_ENTITIES)


def escape_feishu_markdown(text: str) -> str:
    text = one_line(text).translate(_FEISHU_TRANSLATION)
    return _AT.sub(lambda match: match.group(0) + ZWSP, text)


# --- URLs in markup -----------------------------------------------------------------------

_URL_UNSAFE = {char: f"%{ord(char):02X}" for char in " \"'<>()[]{}|\\^`"}
_URL_TRANSLATION = str.maketrans(_URL_UNSAFE)
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with the characters that could end a markdown / mrkdwn link escaped."""
    if not url or len(url) > LONGEST_URL:
        return None
    url = url.strip()
    if not _HTTP_URL.match(url):
        return None
    return _CONTROL_CHARACTERS.sub("", url).translate(_URL_TRANSLATION)


# --- fitting ------------------------------------------------------------------------------

FIT_ATTEMPTS = 12  # builds of one body at most: the full budget, nothing, ten halvings


def json_bytes(payload: Any) -> bytes:
    """The wire form: UTF-8, no ASCII escaping, compact separators (orjson: several times
    faster than the standard library, and encoding is on every send's path)."""
    return orjson.dumps(payload)


@dataclass(frozen=True, slots=True)
class BodyLine:
    """One rendered line of a message body and its link-free fallback for when it must be cut."""

    markup: str
    plain: str


def fit_lines(lines: Sequence[BodyLine], budget: int, measure: Measure, separator: str = "\n") -> str:
    """Whole lines while they fit in ``budget``; the first that does not is cut with "…".

    A cut line uses its plain form, so a link is never cut in half.
    """
    kept: list[BodyLine] = []
    used = 0
    for line in lines:
        gap = measure(separator) if kept else 0
        if used + gap + measure(line.markup) <= budget:
            kept.append(line)
            used += gap + measure(line.markup)
            continue
        cut = truncate(line.plain + ELLIPSIS, budget - used - gap, measure)
        if not cut and kept:  # no room even for "…": cut the line before instead
            last = kept.pop()
            room = measure(last.markup) + budget - used
            cut = truncate(last.plain + ELLIPSIS, room, measure)
        if cut:
            kept.append(BodyLine(cut, cut))
        break
    return separator.join(line.markup for line in kept)


def fit_to_budget(build: Callable[[int], T], fits: Callable[[T], bool], full_budget: int) -> T:
    """``build(budget)`` for about the largest budget in [0, full_budget] whose result ``fits``.

    ``build`` must grow with its budget. The full budget is tried first (the common case: one
    build); otherwise nothing, then a bisection of at most ``FIT_ATTEMPTS`` builds in all, which
    comes within 1/1024 of the largest budget that fits. Each build costs what the budget and the
    message's fixed parts cost (texts are cut first, `precut`), so neither the number of builds
    nor their price grows with the sender's text.
    """
    best = build(full_budget)
    if fits(best):
        return best
    best = build(0)
    low, high = 0, full_budget - 1
    for _ in range(FIT_ATTEMPTS - 2):
        if low > high:
            break
        middle = (low + high + 1) // 2
        candidate = build(middle)
        if fits(candidate):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best
