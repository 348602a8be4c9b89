"""Mattermost incoming webhooks as the fake server plays them.

Answers like a Mattermost server (200 "ok" as text/plain, JSON app errors otherwise) and checks
what it checks: a post needs text or attachments, attachments are objects whose JSON stays within
7,900 characters (servers before 5.0 refuse more). Stricter than Mattermost, text over 16,383
characters is refused: a real server would split it into several posts, which hookcast must never
rely on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import Answer, Dialect, FakeBot, FakePlatform, Refusal, Route

POST_CHARS = 16_383
ATTACHMENTS_CHARS = 7_900
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}|good|warning|danger")


def app_error(status: int, error_id: str, message: str) -> Answer:
    body = {
        "id": error_id,
        "message": message,
        "detailed_error": "",
        "request_id": "fake",
        "status_code": status,
    }
    return Answer(status, body)


class MattermostDialect(Dialect):
    ok = Answer(200, "ok")
    throttled = Answer(
        429, "limit exceeded", {"Retry-After": "1", "X-RateLimit-Limit": "10", "X-RateLimit-Reset": "1"}
    )
    permanent = app_error(404, "app.webhooks.get_incoming_by_id.app_error", "Unable to get the webhook.")
    invalid = app_error(400, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")
    max_body_bytes = 1_000_000

    def retry_after(self, seconds: float) -> Answer:
        return Answer(
            429, "limit exceeded", {"Retry-After": f"{seconds:g}", "X-RateLimit-Reset": f"{seconds:g}"}
        )

    def bot_key(self, request: web.Request) -> str:
        return request.match_info["hook"]

    def bot_path(self, token: str, secret: str | None) -> str:
        return f"/hooks/{token}"

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if not request.content_type.startswith("application/json"):
            return Refusal(self.invalid, f"content type {request.content_type!r}")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        text, attachments = body.get("text") or "", body.get("attachments") or []
        if not text and not attachments:
            return Refusal(
                app_error(400, "web.incoming_webhook.text.app_error", "No text specified."), "empty post"
            )
        if not isinstance(text, str) or len(text) > POST_CHARS:
            return Refusal(self.invalid, f"text over {POST_CHARS} characters (it would be split)")
        size = len(json.dumps(attachments, ensure_ascii=False))
        if size > ATTACHMENTS_CHARS:
            message = f"Maximum attachments length is {ATTACHMENTS_CHARS} characters, received size is {size}"
            return Refusal(app_error(400, "model.post.is_valid.props.app_error", message), message)
        for attachment in attachments:
            problem = attachment_problem(attachment)
            if problem:
                return Refusal(self.invalid, problem)
        return None


def attachment_problem(attachment: Any) -> str | None:
    if not isinstance(attachment, dict):
        return "an attachment must be an object"
    if "color" in attachment and not _COLOR.fullmatch(str(attachment["color"])):
        return f"attachment color {attachment['color']!r}"
    for item in attachment.get("fields") or []:
        if not isinstance(item, dict) or not isinstance(item.get("title", ""), str):
            return "attachment fields need a title and a value"
    return None


_DIALECT = MattermostDialect()
FAKES = (
    FakePlatform(
        PlatformName.MATTERMOST,
        (Route("/hooks/{hook}", _DIALECT.bot_key, _DIALECT),),
        lambda token, secret, legacy: _DIALECT.bot_path(token, secret),
    ),
)
