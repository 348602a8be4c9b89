"""DingTalk apps: accessToken (api.dingtalk.com); user id by mobile (oapi getbymobile); the
robot's one-to-one messages (robot/oToMessages/batchSend, sampleMarkdown)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from hookcast.messages.model import Message
from hookcast.platforms.app_client.base import USER_NOT_FOUND, CredentialSpec, Stop, TokenRejected
from hookcast.platforms.app_client.client import BY_MOBILE, AppClient
from hookcast.platforms.app_client.http import Answer, call
from hookcast.platforms.app_client.tokens import Token
from hookcast.platforms.base import Delivered, Outcome, Permanent, RetryAfter

OAPI = "https://oapi.dingtalk.com"
CODE_NOT_FOUND = 60121
OAPI_TOKEN_CODES = frozenset({40001, 40014, 42001})
OAPI_BUSY = frozenset({-1, 90018})
TOKEN_ERRORS = ("InvalidAuthentication", "invalidAuthentication", "Unauthorized")
THROTTLE_ERRORS = ("QpsLimit", "Throttling", "FlowControl", "flowControl")
STAFF_MISSING = "staffId.notExisted"


class DingTalkMessenger(AppClient):
    default_base_url: ClassVar[str] = "https://api.dingtalk.com"
    finds_by: ClassVar[tuple[str, ...]] = (BY_MOBILE,)
    credentials: ClassVar[tuple[CredentialSpec, ...]] = (
        CredentialSpec("client_id", "Client ID", "Credentials & Basic Info (formerly AppKey)"),
        CredentialSpec("client_secret", "Client Secret", "Credentials & Basic Info", secret=True),
        CredentialSpec(
            "robot_code", "Robot Code", "Robot configuration: Copy RobotCode (often the Client ID)"
        ),
    )

    @property
    def oapi_url(self) -> str:
        """The old API host; an overridden base URL serves both."""
        return OAPI if self.base_url == self.default_base_url else self.base_url

    async def fetch_token(self) -> Token:
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/v1.0/oauth2/accessToken",
            label=self.label,
            json_body={"appKey": self.creds["client_id"], "appSecret": self.creds["client_secret"]},
        )
        token = answer.data.get("accessToken")
        if answer.status >= 400 or not isinstance(token, str) or not token:
            raise Stop(self._failure(answer, "accessToken"))
        return Token(token, float(answer.data.get("expireIn") or 7200))

    async def find(self, token: str, kind: str, value: str) -> str | None:
        answer = await call(
            self.http,
            "POST",
            f"{self.oapi_url}/topapi/v2/user/getbymobile",
            label=self.label,
            params={"access_token": token},
            json_body={"mobile": value},
        )
        code = answer.data.get("errcode")
        if code == 0:
            result = answer.data.get("result")
            user_id = result.get("userid") if isinstance(result, dict) else None
            return str(user_id) if user_id else None
        if code == CODE_NOT_FOUND:
            return None
        if code in OAPI_TOKEN_CODES:
            raise TokenRejected(code)
        reason = f"{self.label}: getbymobile: errcode {code} {answer.data.get('errmsg', '')}".strip()
        raise Stop(RetryAfter(reason) if code in OAPI_BUSY else Permanent(reason))

    async def deliver(self, token: str, message: Message, user_id: str, idempotency_key: str) -> Outcome:
        key, param = robot_template(self.group.direct_payload(message, idempotency_key))
        answer = await call(
            self.http,
            "POST",
            f"{self.base_url}/v1.0/robot/oToMessages/batchSend",
            label=self.label,
            json_body={
                "robotCode": self.creds["robot_code"],
                "userIds": [user_id],
                "msgKey": key,
                "msgParam": json.dumps(param, ensure_ascii=False),
            },
            headers={"x-acs-dingtalk-access-token": token},
        )
        if answer.status >= 400:
            if _error_code(answer).startswith(TOKEN_ERRORS) or answer.status == 401:
                raise TokenRejected(_error_code(answer))
            return self._failure(answer, "batchSend")
        if user_id in _strings(answer.data.get("invalidStaffIdList")):
            return Permanent(
                f"{USER_NOT_FOUND} on dingtalk: {user_id} is not a staff member the robot reaches"
            )
        if user_id in _strings(answer.data.get("flowControlledStaffIdList")):
            return RetryAfter("dingtalk: batchSend: flow controlled for this user", throttled=True)
        return Delivered()

    def _failure(self, answer: Answer, what: str) -> Outcome:
        code = _error_code(answer)
        reason = f"{self.label}: {what}: HTTP {answer.status} {code} {answer.data.get('message', '')}".strip()
        if any(word in code for word in THROTTLE_ERRORS):
            return RetryAfter(reason, answer.header_seconds(), throttled=True)
        if code == STAFF_MISSING:
            return Permanent(f"{USER_NOT_FOUND} on dingtalk ({reason})")
        return Permanent(reason)


def robot_template(group: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(msgKey, msgParam) for the robot's one-to-one messages from the group's body:
    sampleMarkdown, or sampleActionCard when the group gets an action card (one button)."""
    if group.get("msgtype") == "actionCard":
        card = group["actionCard"]
        return "sampleActionCard", {
            "title": card["title"],
            "text": card["text"],
            "singleTitle": card["singleTitle"],
            "singleURL": card["singleURL"],
        }
    markdown = group["markdown"]
    return "sampleMarkdown", {"title": markdown["title"], "text": markdown["text"]}


def _error_code(answer: Answer) -> str:
    code = answer.data.get("code")
    return code if isinstance(code, str) else ""


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
