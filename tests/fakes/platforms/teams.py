"""Microsoft Teams: Workflows webhooks (the URL's sig is the secret) and the older Office 365
connector URLs (``legacy``). No IM app."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import Answer, Dialect, FakeBot, FakePlatform, Refusal, Route


class TeamsWorkflowDialect(Dialect):
    ok = Answer(202)
    permanent = Answer(404, {"error": {"code": "WorkflowNotFound", "message": "The workflow was not found."}})
    invalid = Answer(400, {"error": {"code": "InvalidRequestContent", "message": "Bad card"}})
    unauthorized = Answer(401, {"error": {"code": "DirectApiAuthorizationRequired", "message": "Bad sig"}})
    max_body_bytes = 28_000

    def too_large(self) -> Answer:
        return Answer(413, {"error": {"code": "RequestEntityTooLarge", "message": "Message too large"}})

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if request.query.get("sig") != bot.secret:
            return Refusal(self.unauthorized, "sig mismatch")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        attachments = body.get("attachments")
        if body.get("type") != "message" or not isinstance(attachments, list) or not attachments:
            return Refusal(self.invalid, "a message with attachments required")
        for attachment in attachments:
            content = attachment.get("content") or {}
            if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
                return Refusal(self.invalid, "adaptive card attachment required")
            if content.get("type") != "AdaptiveCard" or not isinstance(content.get("body"), list):
                return Refusal(self.invalid, "AdaptiveCard with a body required")
        return None


class TeamsLegacyDialect(Dialect):
    ok = Answer(200, "1")
    throttled = Answer(200, "Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0")
    permanent = Answer(404, "Webhook not found")
    invalid = Answer(400, "Summary or Text is required.")
    max_body_bytes = 28_000

    def retry_after(self, seconds: float) -> Answer:
        return self.throttled

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        if body.get("@type") == "MessageCard" and (body.get("summary") or body.get("text")):
            return None
        return Refusal(self.invalid, "MessageCard with summary or text required")


def bot_path(token: str, secret: str | None, legacy: bool) -> str:
    if legacy:
        return f"/webhookb2/{token}@tenant/IncomingWebhook/{token[:8]}/owner"
    return f"/workflows/{token}/triggers/manual/paths/invoke?api-version=2016-06-01&sig={secret}"


FAKES = (
    FakePlatform(
        PlatformName.TEAMS,
        (
            Route("/workflows/{id}{tail:.*}", lambda r: r.match_info["id"], TeamsWorkflowDialect()),
            Route(
                "/webhookb2/{id}{tail:.*}",
                lambda r: r.match_info["id"].partition("@")[0],
                TeamsLegacyDialect(),
            ),
        ),
        bot_path,
        secret_in_url=True,
        has_legacy=True,
    ),
)
