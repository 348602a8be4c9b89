"""Slack: a bot token (``xoxb-…``); users.lookupByEmail -> conversations.open -> chat.postMessage
for direct messages, and the Web API requests of Slack app destinations (a channel's
chat.postMessage and chat.update, `platforms/slack/webhook.py`) with the token added."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import urlsplit

from hookcast.messages.model import Message
from hookcast.platforms.app_client.base import USER_NOT_FOUND, Stop
from hookcast.platforms.app_client.client import BY_EMAIL, AppClient
from hookcast.platforms.app_client.http import Answer, call
from hookcast.platforms.app_client.tokens import Token
from hookcast.platforms.base import Delivered, FieldSpec, HttpRequest, Outcome, Permanent, RetryAfter

REQUIRED_SCOPES = ("users:read", "users:read.email", "im:write", "chat:write")
NOT_FOUND_ERRORS = frozenset({"users_not_found", "user_not_found", "user_disabled", "cannot_dm_bot"})
RETRY_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
STATIC_TOKEN_LIFETIME = 365 * 24 * 3600.0
# The Web API methods a Slack app destination's requests may call, by path.
RELAYED_METHODS = {"/api/chat.postMessage": "chat.postMessage", "/api/chat.update": "chat.update"}
# The destination itself refuses the app: pause the webhook until someone fixes it.
# Source: api.slack.com/methods/chat.postMessage and chat.update, "Errors".
PAUSE_HINTS = {
    "channel_not_found": "no such channel, or the app cannot see it (a private one: invite the bot)",
    "not_in_channel": "invite the app's bot to the channel (/invite @the-app)",
    "is_archived": "the channel is archived",
    "missing_scope": "the bot token lacks the scope chat:write",
    "invalid_auth": "the bot token was refused",
    "not_authed": "the bot token was refused",
    "account_inactive": "the bot token was revoked or the app uninstalled",
    "token_revoked": "the bot token was revoked",
    "token_expired": "the bot token expired",
    "restricted_action": "the workspace does not let the app post in this channel",
}


class SlackMessenger(AppClient):
    default_base_url: ClassVar[str] = "https://slack.com"
    finds_by: ClassVar[tuple[str, ...]] = (BY_EMAIL,)
    credentials: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec(
            "bot_token",
            "Bot User OAuth Token",
            "xoxb-… (OAuth & Permissions), with scopes " + ", ".join(REQUIRED_SCOPES),
            secret=True,
            pattern=r"xoxb-[A-Za-z0-9-]{8,}",
            required=True,
        ),
    )

    async def fetch_token(self) -> Token:
        return Token(self.creds["bot_token"], STATIC_TOKEN_LIFETIME)

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def check(self) -> str | None:
        """auth.test: the token works and carries the scopes direct messages need."""
        try:
            answer = await call(
                self.http,
                "POST",
                f"{self.base_url}/api/auth.test",
                label=self.label,
                headers=self._auth(self.creds["bot_token"]),
            )
        except Stop as stop:
            return getattr(stop.outcome, "reason", "slack: auth.test failed")
        if not answer.data.get("ok"):
            return f"slack: the token was refused ({answer.data.get('error', 'unknown error')})"
        granted = {s.strip() for s in answer.headers.get("x-oauth-scopes", "").split(",") if s.strip()}
        missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
        if missing:
            return f"slack: the token lacks the scope(s) {', '.join(missing)}"
        return None

    async def find(self, token: str, kind: str, value: str) -> str | None:
        answer = await call(
            self.http,
            "GET",
            f"{self.base_url}/api/users.lookupByEmail",
            label=self.label,
            params={"email": value},
            headers=self._auth(token),
        )
        if answer.data.get("ok"):
            user = answer.data.get("user")
            user_id = user.get("id") if isinstance(user, dict) else None
            return str(user_id) if user_id else None
        error = str(answer.data.get("error", ""))
        if error in NOT_FOUND_ERRORS:
            return None
        raise Stop(self._failure(answer, "users.lookupByEmail"))

    async def deliver(self, token: str, message: Message, user_id: str, idempotency_key: str) -> Outcome:
        opened = await self._post(token, "conversations.open", {"users": user_id, "return_im": False})
        channel = opened.data.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not channel_id:
            return Permanent("slack: conversations.open gave no channel")
        group = self.group.direct_payload(message, idempotency_key)
        # text (the notification's fallback) and the coloured attachments holding the blocks
        parts = {"text": group["text"], "attachments": group["attachments"]}
        await self._post(token, "chat.postMessage", {"channel": channel_id, **parts})
        return Delivered()

    async def relay(self, request: HttpRequest) -> tuple[Answer | None, Outcome]:
        """A Slack app destination's chat.postMessage or chat.update, with the bot token."""
        method = RELAYED_METHODS.get(urlsplit(request.url).path)
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if method is None or request.method != "POST" or not isinstance(body, dict):
            return None, Permanent("slack: not a request for a Slack app destination", pause=True)
        token = self.creds["bot_token"]
        try:
            answer = await call(
                self.http,
                "POST",
                f"{self.base_url}/api/{method}",
                label=self.label,
                json_body=body,
                headers={**self._auth(token), "Content-Type": "application/json; charset=utf-8"},
            )
        except Stop as stop:
            return None, stop.outcome
        return answer, self._relayed_outcome(answer, method)

    def _relayed_outcome(self, answer: Answer, method: str) -> Outcome:
        if answer.data.get("ok") is True:
            return Delivered()
        error = str(answer.data.get("error", "unknown_error"))
        hint = PAUSE_HINTS.get(error)
        if hint is not None:
            return Permanent(f"slack: {method}: {error} ({hint})", pause=True)
        return self._failure(answer, method)

    async def _post(self, token: str, method: str, body: dict[str, Any]) -> Answer:
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/api/{method}",
            label=self.label,
            json_body=body,
            headers={**self._auth(token), "Content-Type": "application/json; charset=utf-8"},
        )
        if not answer.data.get("ok"):
            raise Stop(self._failure(answer, method))
        return answer

    def _failure(self, answer: Answer, method: str) -> Outcome:
        error = str(answer.data.get("error", "unknown_error"))
        reason = f"slack: {method}: {error}"
        if error in RETRY_ERRORS:
            return RetryAfter(reason, answer.header_seconds(), throttled=error == "ratelimited")
        if error in NOT_FOUND_ERRORS:
            return Permanent(f"{USER_NOT_FOUND} on slack ({error})")
        return Permanent(reason)
