"""WeCom apps: gettoken (Corp ID + the app's Secret); user id by email or mobile; message/send
as the app (Agent ID) with the group's markdown."""

from __future__ import annotations

from typing import ClassVar

from hookcast.messages.model import Message
from hookcast.platforms.app_client.base import USER_NOT_FOUND, CredentialSpec, Stop, TokenRejected
from hookcast.platforms.app_client.client import BY_EMAIL, AppClient
from hookcast.platforms.app_client.http import Answer, call
from hookcast.platforms.app_client.tokens import Token
from hookcast.platforms.base import Delivered, Outcome, Permanent, RetryAfter

TOKEN_CODES = frozenset({40014, 42001})  # invalid / expired access_token
CODE_NOT_FOUND = 46004  # no such member
NOT_FOUND_CODES = frozenset({CODE_NOT_FOUND, 60111, 81013})  # 81013: every recipient invalid
THROTTLE_CODES = frozenset({45009, 45033})
CODE_BUSY = -1
CODE_IP_NOT_TRUSTED = 60020
EMAIL_TYPES = (1, 2)  # business mailbox, then personal


class WeComMessenger(AppClient):
    default_base_url: ClassVar[str] = "https://qyapi.weixin.qq.com"
    credentials: ClassVar[tuple[CredentialSpec, ...]] = (
        CredentialSpec("corp_id", "Corp ID", "My Company > Company Information: ww…"),
        CredentialSpec("agent_id", "Agent ID", "The self-built app's AgentId", pattern=r"[0-9]{1,12}"),
        CredentialSpec("secret", "Secret", "The self-built app's Secret", secret=True),
    )

    async def fetch_token(self) -> Token:
        answer = await call(
            self.http,
            "GET",
            f"{self.base_url}/cgi-bin/gettoken",
            label=self.label,
            params={"corpid": self.creds["corp_id"], "corpsecret": self.creds["secret"]},
        )
        token = answer.data.get("access_token")
        if answer.data.get("errcode", 0) != 0 or not isinstance(token, str) or not token:
            raise Stop(self._failure(answer, "gettoken"))
        return Token(token, float(answer.data.get("expires_in") or 7200))

    async def find(self, token: str, kind: str, value: str) -> str | None:
        if kind == BY_EMAIL:
            for email_type in EMAIL_TYPES:
                found = await self._find(
                    token, "get_userid_by_email", {"email": value, "email_type": email_type}
                )
                if found is not None:
                    return found
            return None
        return await self._find(token, "getuserid", {"mobile": value})

    async def _find(self, token: str, method: str, body: dict[str, object]) -> str | None:
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/cgi-bin/user/{method}",
            label=self.label,
            params={"access_token": token},
            json_body=body,
        )
        code = answer.data.get("errcode")
        if code == 0:
            user_id = answer.data.get("userid")
            return str(user_id) if user_id else None
        if code in NOT_FOUND_CODES:
            return None
        self._raise_token(answer)
        raise Stop(self._failure(answer, method))

    async def deliver(self, token: str, message: Message, user_id: str, idempotency_key: str) -> Outcome:
        content: str = self.group.direct_payload(message, idempotency_key)["markdown"]["content"]
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/cgi-bin/message/send",
            label=self.label,
            params={"access_token": token},
            json_body={
                "touser": user_id,
                "msgtype": "markdown",
                "agentid": int(self.creds["agent_id"]),
                "markdown": {"content": content},
            },
        )
        code = answer.data.get("errcode")
        self._raise_token(answer)
        if code != 0:
            return self._failure(answer, "message/send")
        if user_id in str(answer.data.get("invaliduser", "")).split("|"):
            return Permanent(f"{USER_NOT_FOUND} on wecom: {user_id} is not reachable by the app")
        return Delivered()

    def _raise_token(self, answer: Answer) -> None:
        code = answer.data.get("errcode")
        if code in TOKEN_CODES:
            raise TokenRejected(code)

    def _failure(self, answer: Answer, what: str) -> Outcome:
        code = answer.data.get("errcode")
        reason = f"{self.label}: {what}: errcode {code} {answer.data.get('errmsg', '')}".strip()
        if code in THROTTLE_CODES:
            return RetryAfter(reason, answer.header_seconds(), throttled=True)
        if code == CODE_BUSY:
            return RetryAfter(reason)
        if code in NOT_FOUND_CODES:
            return Permanent(f"{USER_NOT_FOUND} on wecom ({reason})")
        if code == CODE_IP_NOT_TRUSTED:
            return Permanent(f"{reason}: add this server's IP to the app's trusted IPs")
        return Permanent(reason)
