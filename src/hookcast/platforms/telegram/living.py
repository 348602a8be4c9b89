"""Telegram's side of living messages: which message a ``sendMessage`` created, how to edit it
(``editMessageText``) or reply to it (``reply_parameters``), and which refusals mean it can no
longer be reached. Pure; the contract and its sources are in docs/platforms.md ("Editing a
message after it was posted").

A bot may edit its own messages in groups, supergroups and channels with no documented time
limit (only business messages not sent by the bot have one, 48 hours). The method is the last
segment of the bot URL hookcast stores (``…/bot<token>/sendMessage``): an edit goes to the same
URL with ``editMessageText`` in its place, the token and everything else unchanged.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from hookcast.platforms.base import HttpResponse
from hookcast.platforms.shared import json_object

SEND = "sendMessage"
EDIT = "editMessageText"
# Telegram's message ids are positive integers below 2**31 today (Bot API: "Integer"); 15 digits
# leave room and keep the stored reference small.
MESSAGE_ID = re.compile(r"[1-9][0-9]{0,14}")
# 400 descriptions meaning the earlier message cannot be edited or replied to any more: a new
# message is posted instead.
UNREACHABLE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "message to be replied not found",
)
# An edit that changes nothing (the same text and buttons): Telegram refuses it, but the chat
# already shows what hookcast meant to show.
NOT_MODIFIED = "message is not modified"


def method_url(url: str, method: str) -> str:
    """``url`` with its last path segment (the Bot API method) replaced by ``method``; every other
    character, the query's encoding included, as it was."""
    parts = urlsplit(url)
    head, _, _ = parts.path.rpartition("/")
    return urlunsplit(parts._replace(path=f"{head}/{method}"))


def message_id(ref: str) -> int:
    """The message id of a reference ``posted_ref`` gave; 0 (no message: Telegram answers "message
    to edit not found", and a new message is posted) when ``ref`` is not one."""
    return int(ref) if MESSAGE_ID.fullmatch(ref) else 0


def posted_message_id(response: HttpResponse) -> str:
    """``result.message_id`` of a successful ``sendMessage`` answer, as digits; "" otherwise."""
    if not 200 <= response.status < 300:
        return ""
    body = json_object(response)
    result = body.get("result") if body.get("ok") is True else None
    ident = result.get("message_id") if isinstance(result, dict) else None
    if isinstance(ident, int) and not isinstance(ident, bool) and MESSAGE_ID.fullmatch(str(ident)):
        return str(ident)
    return ""


def description_of(body: dict[str, Any]) -> str:
    return str(body.get("description") or "").lower()


def unreachable(response: HttpResponse) -> bool:
    """A 400 saying the message is gone or cannot be edited (too old, not the bot's)."""
    if response.status != 400:
        return False
    description = description_of(json_object(response))
    return any(words in description for words in UNREACHABLE)


def not_modified(response: HttpResponse, body: dict[str, Any]) -> bool:
    return response.status == 400 and NOT_MODIFIED in description_of(body)
