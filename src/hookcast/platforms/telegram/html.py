"""Telegram's HTML parse mode: making user text inert, and measuring and cutting a text the way
Telegram limits it, after entity parsing (tags gone, character references decoded).

Telegram reads ``<``, ``>`` and ``&`` as markup anywhere outside a tag, so user text gets all three
as character references. It also turns ``@name`` in plain text into a mention that notifies that
person, so ``@`` gets a zero-width space behind it. A cut is made in the visible text and escaped
again afterwards, so it never lands inside a tag or a character reference. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from hookcast.platforms.text import ELLIPSIS, ZWSP, one_line, truncate, utf16_len

_AT = re.compile(f"[@＠﹫](?!{ZWSP})")
_TAG = re.compile(r"<[^<>]*>")


def inert(text: str) -> str:
    """One line, with every ``@`` followed by a zero-width space (idempotent)."""
    return _AT.sub(lambda match: match.group(0) + ZWSP, one_line(text))


def escape_text(text: str) -> str:
    """User text as inert HTML text: the three markup characters as character references."""
    return escape(inert(text), quote=False)


def escape_attribute(value: str) -> str:
    """A value for a double-quoted attribute (an ``href``)."""
    return escape(value, quote=True)


def visible(markup: str) -> str:
    """What Telegram shows of ``markup``: the tags dropped, the character references decoded."""
    return unescape(_TAG.sub("", markup))


def visible_len(markup: str) -> int:
    """Telegram's length of ``markup`` after entity parsing, in UTF-16 code units (the unit of its
    entity offsets; never fewer than the characters, so a text within it fits either count)."""
    return utf16_len(visible(markup))


def shortened(text: str, limit: int) -> str:
    """Visible ``text`` cut to at most ``limit``, ending in "…", escaped again; "" when not even
    the ellipsis fits."""
    return escape(truncate(inert(text), limit, utf16_len), quote=False)


def fit_lines(lines: Sequence[str], budget: int) -> str:
    """Whole lines (HTML) while their visible length fits ``budget``; the first that does not is
    cut, as plain text, to the room left, so a tag is never cut in half."""
    kept: list[str] = []
    used = 0
    for line in lines:
        gap = 1 if kept else 0
        size = visible_len(line)
        if used + gap + size <= budget:
            kept.append(line)
            used += gap + size
            continue
        cut = shortened(visible(line), budget - used - gap)
        if cut:
            kept.append(cut)
        elif kept:  # no room for even an ellipsis: end the line before with one instead
            last = kept.pop()
            kept.append(shortened(visible(last) + ELLIPSIS, visible_len(last)))
        break
    return "\n".join(kept)
