"""WeCom: the group robot webhook and the IM app."""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.im_servers import FakeImServer, Sent, json_body
from tests.fakes.platforms.base import Answer, Dialect, FakePlatform, Refusal, Route


class WeComDialect(Dialect):
    ok = Answer(200, {"errcode": 0, "errmsg": "ok"})
    throttled = Answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    permanent = Answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    invalid = Answer(200, {"errcode": 40058, "errmsg": "invalid args"})
    bad_type = Answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
    empty = Answer(200, {"errcode": 44004, "errmsg": "empty content"})
    content_limits: ClassVar[dict[str, int]] = {"markdown": 4096, "markdown_v2": 4096, "text": 2048}

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        kind = body.get("msgtype")
        if kind not in self.content_limits:
            return Refusal(self.bad_type, f"msgtype {kind!r}")
        content = (body.get(kind) or {}).get("content") if isinstance(body.get(kind), dict) else None
        if not isinstance(content, str) or not content.strip():
            return Refusal(self.empty, "empty content")
        size = len(content.encode("utf-8"))
        if size > self.content_limits[kind]:
            limit = self.content_limits[kind]
            return Refusal(self.invalid, f"{kind}.content {size} bytes > {limit}")
        return None


FAKES = (
    FakePlatform(
        PlatformName.WECOM,
        (Route("/cgi-bin/webhook/send", lambda r: r.query.get("key", ""), WeComDialect()),),
        lambda token, secret, legacy: f"/cgi-bin/webhook/send?key={token}",
    ),
)


# --- the IM app ----------------------------------------------------------------------------


class FakeWeCom(FakeImServer):
    platform = "wecom"

    def __init__(self, corp_id: str, agent_id: str, secret: str, token_lifetime: int = 7200) -> None:
        super().__init__({"corp_id": corp_id, "agent_id": agent_id, "secret": secret}, token_lifetime)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/cgi-bin/gettoken", self.token),
            web.post("/cgi-bin/user/get_userid_by_email", self.by_email_handler),
            web.post("/cgi-bin/user/getuserid", self.by_mobile_handler),
            web.post("/cgi-bin/message/send", self.send),
        ]

    async def token(self, request: web.Request) -> web.Response:
        if (
            request.query.get("corpid") != self.credentials["corp_id"]
            or request.query.get("corpsecret") != self.credentials["secret"]
        ):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return web.json_response(
            {
                "errcode": 0,
                "errmsg": "ok",
                "access_token": self.issue_token(),
                "expires_in": self.token_lifetime,
            }
        )

    def _bad_token(self, request: web.Request) -> web.Response | None:
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        return None

    async def by_email_handler(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        body = await json_body(request)
        user = self.by_email(str(body.get("email", "")))
        if user is None or body.get("email_type") not in (1, 2):
            return web.json_response({"errcode": 46004, "errmsg": "user no exist"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user.user_id})

    async def by_mobile_handler(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        user = self.by_mobile(str((await json_body(request)).get("mobile", "")))
        if user is None:
            return web.json_response({"errcode": 46004, "errmsg": "user no exist"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user.user_id})

    async def send(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        scripted = self.next_scripted()
        if scripted == "expired_token":
            self.expire_tokens()
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        if scripted == "rate_limit":
            return web.json_response({"errcode": 45009, "errmsg": "api freq out of limit"})
        body = await json_body(request)
        markdown = body.get("markdown")
        if (
            body.get("msgtype") != "markdown"
            or body.get("agentid") != int(self.credentials["agent_id"])
            or not isinstance(markdown, dict)
            or not markdown.get("content")
        ):
            self.calls.problems.append(f"bad message/send: {body}")
            return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in users if self.by_id(u) is None]
        if users and len(invalid) == len(users):
            return web.json_response({"errcode": 81013, "errmsg": "user & party & tag all invalid"})
        for user_id in users:
            if user_id not in invalid:
                self.sent.append(Sent(user_id, {"content": markdown["content"]}))
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": "m1"}
        )
