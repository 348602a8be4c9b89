"""Feishu and Lark: the custom bot webhook (signature in the body, keyword) and the IM app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.im_servers import FakeImServer, Sent, bearer, json_body
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


def feishu_expected_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuDialect(Dialect):
    ok = Answer(200, {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"})
    throttled = Answer(200, {"code": 11232, "data": {}, "msg": "frequency limited"})
    permanent = Answer(
        200, {"code": 19001, "data": {}, "msg": "param invalid: incoming webhook access token invalid"}
    )
    invalid = Answer(400, {"code": 9499, "data": {}, "msg": "Bad Request"})
    sign_mismatch = Answer(
        200,
        {
            "code": 19021,
            "data": {},
            "msg": "sign match fail or timestamp is not within one hour from current time",
        },
    )
    keyword_missing = Answer(200, {"code": 19024, "data": {}, "msg": "Key Words Not Found"})
    message_types = ("text", "post", "image", "share_chat", "interactive")

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if bot.secret:
            timestamp, sign = str(body.get("timestamp", "")), body.get("sign")
            if not timestamp.isdigit() or not fresh(int(timestamp)):
                return Refusal(self.sign_mismatch, f"stale or missing timestamp {timestamp!r}")
            if sign != feishu_expected_sign(timestamp, bot.secret):
                return Refusal(self.sign_mismatch, "sign mismatch")
        if not has_keyword(body, bot.keyword):
            return Refusal(self.keyword_missing, f"keyword {bot.keyword!r} not found")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        kind = body.get("msg_type")
        if kind not in self.message_types:
            return Refusal(self.invalid, f"msg_type {kind!r}")
        if kind == "interactive":
            card = body.get("card")
            if not isinstance(card, dict) or not isinstance(card.get("elements"), list):
                return Refusal(self.invalid, "card with elements required")
            header = card.get("header", {})
            if header and not isinstance(header.get("title", {}).get("content"), str):
                return Refusal(self.invalid, "card header title content required")
        if kind == "text" and not isinstance(body.get("content", {}).get("text"), str):
            return Refusal(self.invalid, "content.text required")
        return None


DIALECT = FeishuDialect()
ROUTE = Route("/open-apis/bot/v2/hook/{token}", lambda r: r.match_info["token"], DIALECT)


def bot_path(token: str, secret: str | None, legacy: bool) -> str:
    return f"/open-apis/bot/v2/hook/{token}"


FAKES = (
    FakePlatform(PlatformName.FEISHU, (ROUTE,), bot_path),
    FakePlatform(PlatformName.LARK, (ROUTE,), bot_path),
)


# --- the IM app (Feishu and Lark) ---------------------------------------------------------


class FakeFeishu(FakeImServer):
    platform = "feishu"

    def __init__(self, app_id: str, app_secret: str, token_lifetime: int = 7200) -> None:
        super().__init__({"app_id": app_id, "app_secret": app_secret}, token_lifetime)
        self.seen_uuids: set[str] = set()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/open-apis/auth/v3/tenant_access_token/internal", self.token),
            web.post("/open-apis/contact/v3/users/batch_get_id", self.batch_get_id),
            web.post("/open-apis/im/v1/messages", self.send),
        ]

    async def token(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if (
            body.get("app_id") != self.credentials["app_id"]
            or body.get("app_secret") != self.credentials["app_secret"]
        ):
            return web.json_response({"code": 10014, "msg": "app secret invalid"}, status=400)
        return web.json_response(
            {"code": 0, "msg": "ok", "tenant_access_token": self.issue_token(), "expire": self.token_lifetime}
        )

    def _bad_token(self, request: web.Request) -> web.Response | None:
        if bearer(request) not in self.valid_tokens:
            return web.json_response(
                {"code": 99991663, "msg": "Invalid access token for authorization"}, status=400
            )
        return None

    async def batch_get_id(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        if request.query.get("user_id_type") != "open_id":
            self.calls.problems.append("batch_get_id without user_id_type=open_id")
        body = await json_body(request)
        found: list[dict[str, str]] = []
        for email in body.get("emails") or []:
            user = self.by_email(email)
            found.append({"email": email, **({"user_id": user.user_id} if user else {})})
        for mobile in body.get("mobiles") or []:
            user = self.by_mobile(mobile)
            found.append({"mobile": mobile, **({"user_id": user.user_id} if user else {})})
        return web.json_response({"code": 0, "msg": "success", "data": {"user_list": found}})

    async def send(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        scripted = self.next_scripted()
        if scripted == "expired_token":
            self.expire_tokens()
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        if scripted == "rate_limit":
            return web.json_response(
                {"code": 99991400, "msg": "request trigger frequency limit"},
                status=429,
                headers={"x-ogw-ratelimit-reset": "2"},
            )
        if scripted == "busy":
            return web.json_response({"code": 230020, "msg": "This operation triggers the frequency limit"})
        body = await json_body(request)
        if request.query.get("receive_id_type") != "open_id" or body.get("msg_type") != "interactive":
            self.calls.problems.append(f"bad send: {request.query_string} {body}")
            return web.json_response({"code": 230001, "msg": "invalid param"}, status=400)
        try:
            card = json.loads(body.get("content", ""))
        except ValueError:
            return web.json_response({"code": 230001, "msg": "content is not JSON"}, status=400)
        if self.by_id(str(body.get("receive_id"))) is None:
            return web.json_response(
                {"code": 230013, "msg": "Bot has NO availability to this user."}, status=400
            )
        uuid = str(body.get("uuid", ""))
        if not uuid or uuid not in self.seen_uuids:
            self.seen_uuids.add(uuid)
            self.sent.append(Sent(str(body["receive_id"]), {"card": card, "uuid": uuid}))
        return web.json_response({"code": 0, "msg": "success", "data": {"message_id": "om_1"}})
