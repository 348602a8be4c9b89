"""Feishu and Lark apps: tenant_access_token; contact batch_get_id by email / mobile;
im/v1/messages to the person's open_id with the group card as an interactive message."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from hookcast.messages.model import Message
from hookcast.platforms.app_client.base import USER_NOT_FOUND, CredentialSpec, Stop, TokenRejected
from hookcast.platforms.app_client.client import BY_EMAIL, AppClient
from hookcast.platforms.app_client.http import Answer, call
from hookcast.platforms.app_client.tokens import Token
from hookcast.platforms.base import Delivered, Outcome, Permanent, Platform, RetryAfter

CODE_OK = 0
TOKEN_CODES = frozenset({99991661, 99991663, 99991668})  # missing / invalid / expired token
THROTTLE_CODES = frozenset({11232, 230020, 99991400})
CODE_NOT_VISIBLE = 230013  # the user cannot see the bot (outside the app's availability)
UUID_CHARS = 50  # the send API's dedup key is at most 50 characters


def direct_card(platform: Platform, message: Message, idempotency_key: str) -> dict[str, Any]:
    """The interactive card the group would get, for a message sent through the app."""
    card: dict[str, Any] = platform.direct_payload(message, idempotency_key)["card"]
    return card


class FeishuMessenger(AppClient):
    default_base_url: ClassVar[str] = "https://open.feishu.cn"
    credentials: ClassVar[tuple[CredentialSpec, ...]] = (
        CredentialSpec("app_id", "App ID", "Credentials & Basic Info: cli_…", pattern=r"cli_[A-Za-z0-9]{4,}"),
        CredentialSpec("app_secret", "App Secret", "Credentials & Basic Info", secret=True),
    )

    async def fetch_token(self) -> Token:
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/open-apis/auth/v3/tenant_access_token/internal",
            label=self.label,
            json_body={"app_id": self.creds["app_id"], "app_secret": self.creds["app_secret"]},
        )
        token = answer.data.get("tenant_access_token")
        if _code(answer) != CODE_OK or not isinstance(token, str) or not token:
            raise Stop(self._failure(answer, "tenant_access_token"))
        return Token(token, float(answer.data.get("expire") or 7200))

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"}

    async def find(self, token: str, kind: str, value: str) -> str | None:
        field = "emails" if kind == BY_EMAIL else "mobiles"
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/open-apis/contact/v3/users/batch_get_id",
            label=self.label,
            params={"user_id_type": "open_id"},
            json_body={field: [value]},
            headers=self._auth(token),
        )
        self._raise_unless_ok(answer, "batch_get_id")
        data = answer.data.get("data")
        users = data.get("user_list") if isinstance(data, dict) else None
        for user in users if isinstance(users, list) else []:
            if isinstance(user, dict) and user.get("user_id"):
                return str(user["user_id"])
        return None

    async def deliver(self, token: str, message: Message, user_id: str, idempotency_key: str) -> Outcome:
        body: dict[str, Any] = {
            "receive_id": user_id,
            "msg_type": "interactive",
            "content": json.dumps(direct_card(self.group, message, idempotency_key), ensure_ascii=False),
            "uuid": idempotency_key[:UUID_CHARS],
        }
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/open-apis/im/v1/messages",
            label=self.label,
            params={"receive_id_type": "open_id"},
            json_body=body,
            headers=self._auth(token),
        )
        self._raise_unless_ok(answer, "send")
        return Delivered()

    def _raise_unless_ok(self, answer: Answer, what: str) -> None:
        code = _code(answer)
        if code == CODE_OK and answer.status < 400:
            return
        if code in TOKEN_CODES:
            raise TokenRejected(code)
        raise Stop(self._failure(answer, what))

    def _failure(self, answer: Answer, what: str) -> Outcome:
        code = _code(answer)
        reason = f"{self.label}: {what}: code {code} {answer.data.get('msg', '')}".strip()
        if code in THROTTLE_CODES:
            return RetryAfter(reason, answer.header_seconds(), throttled=True)
        if code == CODE_NOT_VISIBLE:
            return Permanent(f"{USER_NOT_FOUND}: the user cannot see the {self.label} app's bot ({reason})")
        return Permanent(reason)


class LarkMessenger(FeishuMessenger):
    default_base_url: ClassVar[str] = "https://open.larksuite.com"


def _code(answer: Answer) -> int | None:
    code = answer.data.get("code")
    return code if isinstance(code, int) else None
