"""The fake Telegram Bot API: ``POST /bot<token>/sendMessage`` checked the way Telegram checks it.

What it checks: the token in the path names a known bot (else 401 "Unauthorized"); ``chat_id`` is
there and well formed; ``parse_mode`` is one Telegram knows; in HTML mode the text uses only the
tags Telegram supports, properly nested and closed, with every ``<``, ``>`` and ``&`` outside a
tag written as a character reference; the text is 1-4096 characters after entity parsing
(counted in UTF-16 code units, which is never less); URL buttons are at most 8 a row and 100 in
all, each with a text and an http(s) or tg:// URL. Answers are Telegram's JSON:
``{"ok": false, "error_code", "description", "parameters"}``.

Two chat ids play the chats that are gone: ``MISSING_CHAT`` (400 "chat not found") and
``MIGRATED_CHAT`` (400 with ``parameters.migrate_to_chat_id``). How large a request Telegram's
front takes is not documented; the fake refuses bodies over 1 MB with a 413.

Messages are kept per bot and chat (``bot.state["chats"]``), numbered from 1 per chat as
Telegram numbers a supergroup's. ``sendMessage`` answers with the new message; its
``reply_parameters`` must name a kept message unless ``allow_sending_without_reply`` is true (400
"message to be replied not found"). ``POST /bot<token>/editMessageText`` replaces a kept
message's text and buttons: 400 "message identifier is not specified" without ``message_id``,
"message to edit not found" for an unknown one, "message can't be edited" for one a test made
uneditable (`forbid_edits`), "message is not modified" when nothing changes. The bot's
``counts`` say how many posts, replies and edits it took.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any, ClassVar

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import Answer, Dialect, FakeBot, FakePlatform, Refusal, Route

TEXT_LIMIT = 4096
MISSING_CHAT = -1009999999999
MIGRATED_CHAT = -4000000001
MIGRATED_TO = -1004000000001
CHAT_ID = re.compile(r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}")
ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote"}
    | {"tg-spoiler", "span", "tg-emoji"}
)
TOKEN = re.compile(
    r"<(?P<end>/?)(?P<tag>[A-Za-z][\w-]*)(?P<attributes>(?:\s+[\w-]+(?:=\"[^\"<>]*\")?)*)\s*>"
    r"|&(?:#[0-9]+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);"
    r"|(?P<bare>[<>&])"
)
HREF = re.compile(r'\s+href="(?P<url>[^"]*)"')


def error(status: int, description: str, **parameters: Any) -> Answer:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Answer(status, body)


def bad_request(description: str) -> Answer:
    return error(400, f"Bad Request: {description}")


def html_problem(text: str) -> str | None:
    """Why Telegram's HTML parser would refuse ``text``, or None."""
    open_tags: list[str] = []
    for match in TOKEN.finditer(text):
        if match.group("bare"):
            return f"can't parse entities: unexpected {match.group('bare')!r} at offset {match.start()}"
        tag = (match.group("tag") or "").lower()
        if not tag:
            continue  # a character reference
        if tag not in ALLOWED_TAGS:
            return f'can\'t parse entities: unsupported start tag "{tag}" at offset {match.start()}'
        if match.group("end"):
            if not open_tags or open_tags.pop() != tag:
                return f'can\'t parse entities: unexpected end tag "{tag}" at offset {match.start()}'
            continue
        if open_tags and open_tags[-1] in ("code", "pre") and not (open_tags[-1] == "pre" and tag == "code"):
            return f"can't parse entities: {tag} inside {open_tags[-1]}"
        if tag == "a":
            href = HREF.fullmatch(match.group("attributes") or "")
            url = unescape(href.group("url")) if href else ""
            if "a" in open_tags or not re.match(r"(https?://[^\s/]+|tg://user\?id=[0-9]+$)", url):
                return f"can't parse entities: bad link {url!r}"
        open_tags.append(tag)
    if open_tags:
        return f"can't parse entities: can't find end tag corresponding to \"{open_tags[-1]}\""
    return None


def length_after_entities(text: str) -> int:
    return len(unescape(re.sub(r"<[^<>]*>", "", text)).encode("utf-16-le")) // 2


def keyboard_problem(markup: Any) -> str | None:
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return "can't parse inline keyboard button: InlineKeyboardMarkup must be an Array of Arrays"
    buttons = [button for row in rows for button in row]
    if any(len(row) > 8 for row in rows) or len(buttons) > 100:
        return "reply markup is too long"
    for button in buttons:
        if not isinstance(button, dict) or not str(button.get("text") or "").strip():
            return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        if not re.match(r"(https?://[^\s/]+\.[^\s/]+|tg://)", str(button.get("url") or "")):
            return "BUTTON_URL_INVALID"
    return None


def chat_key(body: dict[str, Any]) -> str:
    return str(body.get("chat_id"))


def chats(bot: FakeBot) -> dict[str, dict[int, dict[str, Any]]]:
    """The bot's messages: chat id -> message id -> {"text", "reply_markup"}."""
    kept: dict[str, dict[int, dict[str, Any]]] = bot.state.setdefault("chats", {})
    return kept


def message_in(bot: FakeBot, body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return chats(bot).setdefault(chat_key(body), {})


def forbid_edits(bot: FakeBot, chat_id: int | str, message_id: int) -> None:
    """Make one kept message uneditable (as a message too old or not the bot's would be)."""
    bot.state.setdefault("uneditable", set()).add((str(chat_id), message_id))


def message_answer(body: dict[str, Any], message_id: int, **extra: Any) -> Answer:
    chat = body.get("chat_id")
    result = {
        "message_id": message_id,
        "date": 1700000000,
        "chat": {"id": chat, "type": "supergroup"},
        "text": unescape(re.sub(r"<[^<>]*>", "", str(body.get("text") or ""))),
    }
    return Answer(200, {"ok": True, "result": result | extra})


def positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class TelegramDialect(Dialect):
    ok = Answer(200, {"ok": True, "result": {"message_id": 1, "date": 1700000000, "text": ""}})
    throttled = error(429, "Too Many Requests: retry after 1", retry_after=1)
    permanent = error(401, "Unauthorized")
    invalid = bad_request("message text is empty")
    chat_not_found = bad_request("chat not found")
    migrated = error(
        400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=MIGRATED_TO
    )
    max_body_bytes = 1_000_000
    parse_modes: ClassVar[tuple[str, ...]] = ("HTML", "Markdown", "MarkdownV2")

    def retry_after(self, seconds: float) -> Answer:
        return error(429, f"Too Many Requests: retry after {seconds:g}", retry_after=seconds)

    def check(self, bot: FakeBot, request: web.Request, raw: bytes, body: Any) -> Refusal | None:
        return super().check(bot, request, raw, body) or self.check_reply(bot, body)

    def check_reply(self, bot: FakeBot, body: dict[str, Any]) -> Refusal | None:
        reply = body.get("reply_parameters")
        if reply is None:
            return None
        if not isinstance(reply, dict) or not positive_int(reply.get("message_id")):
            return Refusal(bad_request("can't parse reply parameters JSON object"), "reply_parameters")
        found = reply["message_id"] in message_in(bot, body)
        if not found and reply.get("allow_sending_without_reply") is not True:
            return Refusal(bad_request("message to be replied not found"), "reply to an unknown message")
        return None

    def accept(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Answer:
        kept = message_in(bot, body)
        message_id = max(kept, default=0) + 1
        kept[message_id] = {"text": body.get("text"), "reply_markup": body.get("reply_markup")}
        bot.counts["posts"] += 1
        extra: dict[str, Any] = {}
        if positive_int(body.get("message_thread_id")):
            extra["message_thread_id"] = body["message_thread_id"]
        reply = body.get("reply_parameters")
        if isinstance(reply, dict):
            bot.counts["replies"] += 1
            if reply.get("message_id") in kept and reply["message_id"] != message_id:
                extra["reply_to_message"] = {"message_id": reply["message_id"]}
        return message_answer(body, message_id, **extra)

    def too_large(self) -> Answer:
        return Answer(413, {"ok": False, "error_code": 413, "description": "Request Entity Too Large"})

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        chat = body.get("chat_id")
        if chat is None or chat == "":
            return Refusal(bad_request("chat_id is empty"), "no chat_id")
        if isinstance(chat, bool) or not CHAT_ID.fullmatch(str(chat)):
            return Refusal(self.chat_not_found, f"chat_id {chat!r} is malformed")
        if chat == MISSING_CHAT:
            return Refusal(self.chat_not_found, "the bot is in no such chat")
        if chat == MIGRATED_CHAT:
            return Refusal(self.migrated, "the group became a supergroup")
        topic = body.get("message_thread_id")
        if topic is not None and (isinstance(topic, bool) or not isinstance(topic, int) or topic <= 0):
            return Refusal(bad_request("message thread not found"), f"message_thread_id {topic!r}")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return Refusal(self.invalid, "no text")
        mode = body.get("parse_mode")
        if mode is not None and mode not in self.parse_modes:
            return Refusal(bad_request(f"unsupported parse_mode {mode!r}"), "parse_mode")
        if mode == "HTML":
            problem = html_problem(text)
            if problem:
                return Refusal(bad_request(problem), problem)
        size = length_after_entities(text) if mode == "HTML" else len(text.encode("utf-16-le")) // 2
        if size > TEXT_LIMIT:
            return Refusal(bad_request("message is too long"), f"text {size} characters > {TEXT_LIMIT}")
        preview = body.get("link_preview_options")
        if preview is not None and not isinstance(preview, dict):
            return Refusal(bad_request("can't parse link preview options"), "link_preview_options")
        if "reply_markup" in body:
            problem = keyboard_problem(body["reply_markup"])
            if problem:
                return Refusal(bad_request(problem), problem)
        return None


class TelegramEditDialect(TelegramDialect):
    """``editMessageText``: the same checks of the chat and the text, then of the message."""

    def check_reply(self, bot: FakeBot, body: dict[str, Any]) -> Refusal | None:
        ident = body.get("message_id")
        if ident is None or isinstance(ident, bool):
            return Refusal(bad_request("message identifier is not specified"), "no message_id")
        kept = message_in(bot, body)
        if not isinstance(ident, int) or ident not in kept:
            return Refusal(bad_request("message to edit not found"), f"message_id {ident!r} unknown")
        if (chat_key(body), ident) in bot.state.get("uneditable", set()):
            return Refusal(bad_request("message can't be edited"), f"message {ident} uneditable")
        old = kept[ident]
        if old["text"] == body.get("text") and old["reply_markup"] == body.get("reply_markup"):
            return Refusal(
                bad_request(
                    "message is not modified: specified new message content and reply markup are "
                    "exactly the same as a current content and reply markup of the message"
                ),
                "not modified",
            )
        return None

    def accept(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Answer:
        ident = body["message_id"]
        message_in(bot, body)[ident] = {"text": body.get("text"), "reply_markup": body.get("reply_markup")}
        bot.counts["edits"] += 1
        return message_answer(body, ident, edit_date=1700000001)


def chat_of(token: str) -> dict[str, str]:
    """The chat a bot posts into: a supergroup id of its own."""
    return {"chat_id": f"-100{int(token[:8], 16)}"}


FAKES = (
    FakePlatform(
        PlatformName.TELEGRAM,
        (
            Route(
                "/bot{key}/sendMessage", lambda r: r.match_info["key"].partition(":")[2], TelegramDialect()
            ),
            Route(
                "/bot{key}/editMessageText",
                lambda r: r.match_info["key"].partition(":")[2],
                TelegramEditDialect(),
            ),
        ),
        lambda token, secret, legacy: f"/bot{int(token[:6], 16)}:{token}/sendMessage",
        settings_of=chat_of,
    ),
)
