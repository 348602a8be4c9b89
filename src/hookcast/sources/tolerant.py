"""Reading untrusted JSON: one toolkit for every parser of inbound requests.

Every inbound byte is hostile, and a sender's bug must not cost the rest of the message: a
field of the wrong type reads as absent (``""``, ``None``, ``{}``, ``[]``) instead of raising,
so a parser fills in whatever else the body carries. Used by the GitLab parsers
(`hookcast.sources.gitlab`), Alertmanager (`hookcast.sources.alertmanager`) and the Feishu
assistant bot's events (`hookcast.feishubot.pushed`). Pure: no I/O.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from hookcast.sources import Rejection

JsonObject = dict[str, object]

MAX_INTEGER = 10**18  # larger numbers are read as absent: no id or count is that large
MAX_TIME_LENGTH = 64
CLIP_LENGTH = 80


# A UTF-16 surrogate written as an escape: only valid in a high + low pair.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


# Characters no chat text should carry: C0 controls but tab and line breaks, DEL and C1 controls,
# and the bidirectional overrides and isolates that make text read other than it is (U+202E).
# JSON can only carry the controls escaped (``\\u0007``); the bidi marks may also come raw.
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
UNWANTED_IN_JSON = re.compile(
    rb"\\u00[01][0-9a-fA-F]|\\u00[7-9][0-9a-fA-F]|\\u20(?:0[eEfF]|2[a-eA-E]|6[6-9])"
    rb"|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xc2[\x80-\x9f]"
)


def load_json(body: bytes, **options: Any) -> Any:
    """``json.loads`` for hostile bodies: ValueError for anything that is not JSON, also for
    nesting too deep to read and for a lone surrogate escape (``"\\ud800"``), which Python
    accepts but which no UTF-8 text (a database, a chat message) can hold. Control and
    bidirectional-override characters are taken out of every string (see `UNWANTED`); the bytes
    are searched first, so a body without any costs one scan."""
    try:
        value = json.loads(body, **options)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error
    if SURROGATE_ESCAPE.search(body):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError("a lone UTF-16 surrogate (\\ud800-\\udfff) is not text") from error
    if UNWANTED_IN_JSON.search(body):
        value = _cleaned(value)
    return value


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return UNWANTED.sub("", value)
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def decode_json_object(body: bytes) -> JsonObject | Rejection:
    """The body as a JSON object, keys stripped of surrounding blanks (some senders pad them), or
    a 400 `Rejection` saying why not."""
    try:
        value = load_json(body, object_pairs_hook=_strip_keys)
    except ValueError as error:
        return Rejection(400, f"malformed JSON body: {clip(str(error))}")
    if not isinstance(value, dict):
        return Rejection(400, f"the body must be a JSON object, not {_type_name(value)}")
    return value


def _strip_keys(pairs: list[tuple[str, object]]) -> JsonObject:
    return {key.strip(): value for key, value in pairs}


def _type_name(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def clip(text: str, limit: int = CLIP_LENGTH) -> str:
    """``text`` cut to ``limit`` characters for a refusal's reason."""
    return text if len(text) <= limit else text[:limit] + "..."


def as_obj(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def as_objs(value: object) -> list[JsonObject]:
    """The objects of a list (other entries skipped); ``[]`` for anything but a list."""
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def as_text(value: object) -> str:
    """A scalar as trimmed text ("" for anything else, booleans included); numbers are written
    plainly (``3.0`` as ``3``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value) if abs(value) < MAX_INTEGER else ""
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < MAX_INTEGER else str(value)
    return ""


def as_raw(value: object) -> str:
    """Free text kept exactly as sent (descriptions, comments, message text)."""
    return value if isinstance(value, str) else ""


def as_opt(value: object) -> str | None:
    """`as_text`, or None when that is empty."""
    return as_text(value) or None


def as_texts(value: object) -> list[str]:
    """The non-empty scalars of a list, as text."""
    if not isinstance(value, list):
        return []
    return [text for text in (as_text(entry) for entry in value) if text]


def changed_paths(commits: list[JsonObject]) -> tuple[str, ...]:
    """The files a push's commits added, modified or removed, each once, in the order they first
    appear. GitLab and GitHub name them alike (``added`` / ``modified`` / ``removed`` lists of
    paths on each commit); routing rules match them (`matching.py`), `caps.py` bounds them."""
    seen: dict[str, None] = {}
    for commit in commits:
        for field in ("added", "modified", "removed"):
            for path in as_texts(commit.get(field)):
                seen.setdefault(path, None)
    return tuple(seen)


def as_string_map(value: object) -> dict[str, str]:
    """An object of scalars as ``{key: text}``, entries with an empty key or value left out."""
    if not isinstance(value, dict):
        return {}
    pairs = ((str(key).strip(), as_text(entry)) for key, entry in value.items())
    return {key: entry for key, entry in pairs if key and entry}


def as_flag(value: object) -> str | None:
    """A boolean as ``"true"`` / ``"false"``; None for anything else."""
    return ("true" if value else "false") if isinstance(value, bool) else None


def as_int(value: object) -> int | None:
    """A whole number (also written as text, or as a float without a fraction), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < MAX_INTEGER:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    return None


def as_seconds(value: object) -> str | None:
    """A duration in seconds, rounded to a whole number, as text; None when it is not a
    plausible one (negative, not finite, beyond 30,000 years)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0 or value > 1e12:
        return None
    return str(round(value))


def joined(values: Iterable[str]) -> str | None:
    """Non-empty texts joined by ", ", or None when there are none."""
    return ", ".join(value for value in values if value) or None


def iso_time(text: str) -> datetime | None:
    """An ISO 8601 time (``Z`` for UTC allowed) as an aware datetime (UTC when it names no
    zone); None when it is not one. Callers bound the text's length (`MAX_TIME_LENGTH`)."""
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_email(value: object) -> str | None:
    """An e-mail address, or None for anything without an ``@`` (GitLab and GitHub send
    placeholders such as "[REDACTED]" where the user hides it)."""
    text = as_text(value)
    return text if "@" in text else None
