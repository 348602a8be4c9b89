"""The calls the assistant bot makes to the Feishu / Lark open platform, through the instance's
IM app client (its tenant_access_token cache and refresh-once-on-expiry):

- ``POST /open-apis/im/v1/messages?receive_id_type=chat_id|open_id``: an interactive card;
- ``PATCH /open-apis/im/v1/messages/{message_id}``: a card the app sent, updated in place (a
  shared card: ``config.update_multi`` true when sent and in the update; 14 days, 5 QPS per
  message);
- ``POST /open-apis/im/v1/messages/{message_id}/reply``: a card in reply to one the app sent
  (``reply_in_thread``: in the card's thread rather than quoted in the chat);
- ``GET /open-apis/im/v1/chats/{chat_id}/members?member_id_type=open_id``: the chat's members,
  page by page, to tell whether someone belongs to the chat (``members/is_in_chat`` only
  answers for the caller itself: the bot, or the user of a user token).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from hookcast.platforms.app_client.base import Stop, TokenRejected
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.app_client.http import Answer, call
from hookcast.platforms.base import Delivered, Outcome, Permanent, RetryAfter
from hookcast.platforms.feishu.im_app import THROTTLE_CODES, TOKEN_CODES, UUID_CHARS

CODE_OK = 0
# The bot is not in the chat (any more), or the chat is gone: stop posting to it.
CHAT_GONE_CODES = frozenset({230002, 232011})
MEMBER_PAGE_SIZE = 100
MAX_MEMBER_PAGES = 100


class ChatGone(Exception):
    """The open platform says the bot is not in the chat."""


class BotApi:
    def __init__(self, app: AppClient) -> None:
        self.app = app
        self.label = app.label

    async def send_card(
        self, receive_id_type: str, receive_id: str, card: dict[str, Any], uuid: str | None = None
    ) -> tuple[Answer | None, Outcome]:
        """Post ``card``; the answer (when there was one) and its outcome."""
        body: dict[str, Any] = {
            "receive_id": receive_id,
            "msg_type": "interactive",
            "content": json.dumps(card, ensure_ascii=False),
        }
        if uuid:
            body["uuid"] = uuid[:UUID_CHARS]
        return await self._message_call("POST", "", body, "send", {"receive_id_type": receive_id_type})

    async def update_card(self, message_id: str, card: dict[str, Any]) -> tuple[Answer | None, Outcome]:
        """Replace the content of the card ``message_id`` (sent by this app, as a shared card)."""
        body = {"content": json.dumps(card, ensure_ascii=False)}
        return await self._message_call("PATCH", f"/{message_id}", body, "update")

    async def reply_card(
        self, message_id: str, card: dict[str, Any], *, in_thread: bool, uuid: str | None = None
    ) -> tuple[Answer | None, Outcome]:
        """Post ``card`` in reply to the message ``message_id``."""
        body: dict[str, Any] = {
            "msg_type": "interactive",
            "content": json.dumps(card, ensure_ascii=False),
            "reply_in_thread": in_thread,
        }
        if uuid:
            body["uuid"] = uuid[:UUID_CHARS]
        return await self._message_call("POST", f"/{message_id}/reply", body, "reply")

    async def _message_call(
        self, method: str, path: str, body: dict[str, Any], what: str, params: dict[str, str] | None = None
    ) -> tuple[Answer | None, Outcome]:
        """One call under ``/open-apis/im/v1/messages`` with the app's token (refreshed once when
        the platform says it expired); the last answer (when there was one) and its outcome."""
        last: list[Answer] = []

        async def attempt(token: str) -> Outcome:
            answer = await call(
                self.app.http,
                method,
                f"{self.app.base_url}/open-apis/im/v1/messages{path}",
                label=self.label,
                params=params,
                json_body=body,
                headers=_auth(token),
            )
            last.append(answer)
            code = _code(answer)
            if code in TOKEN_CODES:
                raise TokenRejected(code)
            return self._outcome(answer, what)

        try:
            outcome = await self.app.with_token(attempt)
        except Stop as stop:
            outcome = stop.outcome
        return (last[-1] if last else None), outcome

    async def is_member(self, chat_id: str, open_id: str) -> bool:
        """Whether ``open_id`` is a member of ``chat_id``; raises `Stop` when the platform cannot
        tell now, `ChatGone` when the bot is not in the chat."""
        page_token = ""
        for _ in range(MAX_MEMBER_PAGES):
            members, page_token = await self.app.with_token(partial(self._members_page, chat_id, page_token))
            if open_id in members:
                return True
            if not page_token:
                return False
        return False

    async def _members_page(self, chat_id: str, page_token: str, token: str) -> tuple[set[str], str]:
        params = {"member_id_type": "open_id", "page_size": str(MEMBER_PAGE_SIZE)}
        if page_token:
            params["page_token"] = page_token
        answer = await call(
            self.app.http,
            "GET",
            f"{self.app.base_url}/open-apis/im/v1/chats/{chat_id}/members",
            label=self.label,
            params=params,
            headers=_auth(token),
        )
        code = _code(answer)
        if code in TOKEN_CODES:
            raise TokenRejected(code)
        if code in CHAT_GONE_CODES:
            raise ChatGone(f"{self.label}: code {code} {answer.data.get('msg', '')}".strip())
        outcome = self._outcome(answer, "chat members")
        if not isinstance(outcome, Delivered):
            raise Stop(outcome)
        data = answer.data.get("data")
        data = data if isinstance(data, dict) else {}
        items = data.get("items")
        members = {
            str(item["member_id"])
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and item.get("member_id")
        }
        next_page = str(data.get("page_token") or "") if data.get("has_more") else ""
        return members, next_page

    def _outcome(self, answer: Answer, what: str) -> Outcome:
        code = _code(answer)
        if code == CODE_OK and answer.status < 400:
            return Delivered()
        reason = f"{self.label}: {what}: code {code} {answer.data.get('msg', '')}".strip()
        if code in THROTTLE_CODES:
            return RetryAfter(reason, answer.header_seconds(), throttled=True)
        if code in CHAT_GONE_CODES:
            return Permanent(f"{reason} (the bot is not in the chat)", pause=True)
        return Permanent(reason)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"}


def _code(answer: Answer) -> int | None:
    code = answer.data.get("code")
    return code if isinstance(code, int) else None
