"""Discord: the channel webhook (no IM app)."""

from __future__ import annotations

from typing import Any, ClassVar

from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import Answer, Dialect, FakePlatform, Refusal, Route


class DiscordDialect(Dialect):
    ok = Answer(204)
    throttled = Answer(
        429,
        {"message": "You are being rate limited.", "retry_after": 1.0, "global": False},
        {"Retry-After": "1"},
    )
    permanent = Answer(404, {"message": "Unknown Webhook", "code": 10015})
    invalid = Answer(400, {"code": 50035, "message": "Invalid Form Body"})
    max_body_bytes = 8_000_000
    limits: ClassVar[dict[str, int]] = {"title": 256, "description": 4096, "footer": 2048, "author": 256}

    def retry_after(self, seconds: float) -> Answer:
        body = {"message": "You are being rate limited.", "retry_after": seconds, "global": False}
        return Answer(429, body, {"Retry-After": f"{seconds:g}"})

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        embeds = body.get("embeds") or []
        if not body.get("content") and not embeds:
            return Refusal(Answer(400, {"message": "Cannot send an empty message", "code": 50006}), "empty")
        if len(body.get("content") or "") > 2000 or len(embeds) > 10:
            return Refusal(self.invalid, "content over 2000 chars or over 10 embeds")
        for embed in embeds:
            problem = self.embed_problem(embed)
            if problem:
                return Refusal(self.invalid, problem)
        return None

    def embed_problem(self, embed: dict[str, Any]) -> str | None:
        texts = {
            "title": embed.get("title") or "",
            "description": embed.get("description") or "",
            "footer": (embed.get("footer") or {}).get("text") or "",
            "author": (embed.get("author") or {}).get("name") or "",
        }
        for name, text in texts.items():
            if len(text) > self.limits[name]:
                return f"embed {name} {len(text)} chars > {self.limits[name]}"
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "over 25 fields"
        for item in fields:
            if not 0 < len(item.get("name") or "") <= 256 or not 0 < len(item.get("value") or "") <= 1024:
                return "field name 1-256 and value 1-1024 chars"
        total = sum(len(text) for text in texts.values()) + sum(
            len(f["name"]) + len(f["value"]) for f in fields
        )
        return f"embed total {total} chars > 6000" if total > 6000 else None


FAKES = (
    FakePlatform(
        PlatformName.DISCORD,
        (Route("/api/webhooks/{id}/{token}", lambda r: r.match_info["token"], DiscordDialect()),),
        lambda token, secret, legacy: f"/api/webhooks/{int(token[:12], 16)}/{token}",
    ),
)
