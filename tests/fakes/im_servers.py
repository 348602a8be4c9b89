"""Fake IM app servers: real aiohttp HTTP on 127.0.0.1, one app per platform at the real paths.

Each plays a platform's token endpoint (tokens that expire, and `expire_tokens()` to expire them
mid-run), its user look-up by email / mobile (unknown users answered as the platform does), and
its send endpoint, which records what it gets. `script()` queues answers for the next sends:
``"rate_limit"``, ``"expired_token"``, ``"busy"``.
"""

from __future__ import annotations

import json
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web


@dataclass(frozen=True)
class FakeUser:
    user_id: str
    email: str | None = None
    mobile: str | None = None


@dataclass(frozen=True)
class Sent:
    user_id: str
    body: dict[str, Any]


@dataclass
class Calls:
    tokens: int = 0
    lookups: int = 0
    sends: int = 0
    problems: list[str] = field(default_factory=list)


class FakeImServer:
    platform: ClassVar[str]

    def __init__(self, credentials: dict[str, str], token_lifetime: int = 7200) -> None:
        self.credentials = credentials
        self.token_lifetime = token_lifetime
        self.users: list[FakeUser] = []
        self.sent: list[Sent] = []
        self.calls = Calls()
        self.valid_tokens: set[str] = set()
        self._scripted: deque[str] = deque()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- control ------------------------------------------------------------------------

    def add_user(self, user_id: str, *, email: str | None = None, mobile: str | None = None) -> FakeUser:
        user = FakeUser(user_id, email, mobile)
        self.users.append(user)
        return user

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def script(self, *answers: str) -> None:
        self._scripted.extend(answers)

    def next_scripted(self) -> str | None:
        return self._scripted.popleft() if self._scripted else None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeImServer:
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- helpers --------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    def issue_token(self) -> str:
        self.calls.tokens += 1
        token = f"{self.platform}-token-{secrets.token_hex(8)}"
        self.valid_tokens.add(token)
        return token

    def by_email(self, email: str) -> FakeUser | None:
        return next((u for u in self.users if u.email and u.email.lower() == email.lower()), None)

    def by_mobile(self, mobile: str) -> FakeUser | None:
        return next((u for u in self.users if u.mobile == mobile), None)

    def by_id(self, user_id: str) -> FakeUser | None:
        return next((u for u in self.users if u.user_id == user_id), None)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _bearer(request: web.Request) -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ").strip()


# --- Slack ------------------------------------------------------------------------------------


class FakeSlack(FakeImServer):
    platform = "slack"

    def __init__(
        self, bot_token: str, scopes: str = "users:read,users:read.email,im:write,chat:write"
    ) -> None:
        super().__init__({"bot_token": bot_token}, token_lifetime=0)
        self.scopes = scopes

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/auth.test", self.auth_test),
            web.get("/api/users.lookupByEmail", self.lookup),
            web.post("/api/conversations.open", self.open_im),
            web.post("/api/chat.postMessage", self.post_message),
        ]

    def _authorized(self, request: web.Request) -> bool:
        return _bearer(request) == self.credentials["bot_token"]

    async def auth_test(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(
            {"ok": True, "team": "T", "user_id": "UBOT"}, headers={"x-oauth-scopes": self.scopes}
        )

    async def lookup(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        user = self.by_email(request.query.get("email", ""))
        if user is None:
            return web.json_response({"ok": False, "error": "users_not_found"})
        return web.json_response({"ok": True, "user": {"id": user.user_id}})

    async def open_im(self, request: web.Request) -> web.Response:
        body = await _json(request)
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.by_id(str(body.get("users", ""))) is None:
            return web.json_response({"ok": False, "error": "user_not_found"})
        return web.json_response({"ok": True, "channel": {"id": "D" + str(body["users"])}})

    async def post_message(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        body = await _json(request)
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.next_scripted() == "rate_limit":
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "3"}
            )
        channel = str(body.get("channel", ""))
        if (
            not channel.startswith("D")
            or not body.get("text")
            or not isinstance(body.get("attachments"), list)
        ):
            self.calls.problems.append(f"bad chat.postMessage body: {body}")
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        self.sent.append(Sent(channel.removeprefix("D"), body))
        return web.json_response({"ok": True, "channel": channel, "ts": "1.0"})


# --- Feishu / Lark ----------------------------------------------------------------------------


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
        body = await _json(request)
        if (
            body.get("app_id") != self.credentials["app_id"]
            or body.get("app_secret") != self.credentials["app_secret"]
        ):
            return web.json_response({"code": 10014, "msg": "app secret invalid"}, status=400)
        return web.json_response(
            {"code": 0, "msg": "ok", "tenant_access_token": self.issue_token(), "expire": self.token_lifetime}
        )

    def _bad_token(self, request: web.Request) -> web.Response | None:
        if _bearer(request) not in self.valid_tokens:
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
        body = await _json(request)
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
        body = await _json(request)
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


# --- DingTalk ---------------------------------------------------------------------------------


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
        body = await _json(request)
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
        user = self.by_mobile(str((await _json(request)).get("mobile", "")))
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
        body = await _json(request)
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


# --- WeCom ------------------------------------------------------------------------------------


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
        body = await _json(request)
        user = self.by_email(str(body.get("email", "")))
        if user is None or body.get("email_type") not in (1, 2):
            return web.json_response({"errcode": 46004, "errmsg": "user no exist"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user.user_id})

    async def by_mobile_handler(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        user = self.by_mobile(str((await _json(request)).get("mobile", "")))
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
        body = await _json(request)
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
