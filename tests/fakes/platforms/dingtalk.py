"""DingTalk: the custom robot webhook (signature in the query, keyword) and the IM app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.im_servers import FakeImServer, Sent, json_body
from tests.fakes.platforms.base import (
    Answer,
    Dialect,
    FakeBot,
    FakePlatform,
    Refusal,
    Route,
    fresh,
    has_keyword,
)


def dingtalk_expected_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkDialect(Dialect):
    ok = Answer(200, {"errcode": 0, "errmsg": "ok"})
    throttled = Answer(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    permanent = Answer(200, {"errcode": 300001, "errmsg": "token is not exist"})
    invalid = Answer(200, {"errcode": 40035, "errmsg": "缺少参数 json"})
    sign_mismatch = Answer(200, {"errcode": 310000, "errmsg": "sign not match"})
    keyword_missing = Answer(200, {"errcode": 310000, "errmsg": "keywords not in content"})
    message_types = ("text", "link", "markdown", "actionCard", "feedCard")

    def too_large(self) -> Answer:
        return Answer(200, {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"})

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if bot.secret:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            if not timestamp.isdigit() or not fresh(int(timestamp) / 1000):
                return Refusal(self.sign_mismatch, f"stale or missing timestamp {timestamp!r}")
            if sign != dingtalk_expected_sign(timestamp, bot.secret):
                return Refusal(self.sign_mismatch, "sign mismatch")
        if not has_keyword(body, bot.keyword):
            return Refusal(self.keyword_missing, f"keyword {bot.keyword!r} not found")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        kind = body.get("msgtype")
        if kind not in self.message_types:
            return Refusal(self.invalid, f"msgtype {kind!r}")
        part = body.get(kind)
        if not isinstance(part, dict):
            return Refusal(self.invalid, f"{kind} object required")
        needed = {"markdown": ("title", "text"), "actionCard": ("title", "text"), "text": ("content",)}
        missing = [key for key in needed.get(kind, ()) if not isinstance(part.get(key), str) or not part[key]]
        if (
            kind == "actionCard"
            and not (part.get("singleTitle") and part.get("singleURL"))
            and not part.get("btns")
        ):
            missing.append("singleTitle/singleURL or btns")
        return Refusal(self.invalid, f"missing {missing}") if missing else None


FAKES = (
    FakePlatform(
        PlatformName.DINGTALK,
        (Route("/robot/send", lambda r: r.query.get("access_token", ""), DingTalkDialect()),),
        lambda token, secret, legacy: f"/robot/send?access_token={token}",
    ),
)


# --- the IM app ----------------------------------------------------------------------------


class FakeDingTalk(FakeImServer):
    platform = "dingtalk"

    def __init__(
        self, client_id: str, client_secret: str, robot_code: str, token_lifetime: int = 7200
    ) -> None:
        super().__init__(
            {"client_id": client_id, "client_secret": client_secret, "robot_code": robot_code}, token_lifetime
        )

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1.0/oauth2/accessToken", self.token),
            web.post("/topapi/v2/user/getbymobile", self.getbymobile),
            web.post("/v1.0/robot/oToMessages/batchSend", self.batch_send),
        ]

    async def token(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if (
            body.get("appKey") != self.credentials["client_id"]
            or body.get("appSecret") != self.credentials["client_secret"]
        ):
            return web.json_response(
                {"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}, status=400
            )
        return web.json_response({"accessToken": self.issue_token(), "expireIn": self.token_lifetime})

    async def getbymobile(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        user = self.by_mobile(str((await json_body(request)).get("mobile", "")))
        if user is None:
            return web.json_response({"errcode": 60121, "errmsg": "找不到该用户"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": {"userid": user.user_id}})

    async def batch_send(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        scripted = self.next_scripted()
        if scripted == "expired_token":
            self.expire_tokens()
        if request.headers.get("x-acs-dingtalk-access-token") not in self.valid_tokens:
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401
            )
        if scripted == "rate_limit":
            return web.json_response(
                {"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "QPS limit"}, status=403
            )
        body = await json_body(request)
        try:
            param = json.loads(body.get("msgParam", ""))
        except ValueError:
            param = None
        if (
            body.get("robotCode") != self.credentials["robot_code"]
            or body.get("msgKey") not in ("sampleMarkdown", "sampleActionCard")
            or not isinstance(param, dict)
            or not param.get("text")
        ):
            self.calls.problems.append(f"bad batchSend: {body}")
            return web.json_response({"code": "invalidParameter", "message": "bad request"}, status=400)
        user_ids = [str(u) for u in body.get("userIds") or []]
        invalid = [u for u in user_ids if self.by_id(u) is None]
        flow = user_ids if scripted == "flow_control" else []
        for user_id in user_ids:
            if user_id not in invalid and user_id not in flow:
                self.sent.append(Sent(user_id, {"msgKey": body["msgKey"], **param}))
        return web.json_response(
            {"processQueryKey": "pqk", "invalidStaffIdList": invalid, "flowControlledStaffIdList": flow}
        )
