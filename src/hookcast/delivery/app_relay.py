"""Delivering a webhook whose URL is an address of its platform's Web API (a Slack app
destination: one channel, `platforms/slack/webhook.py`) through the instance's IM app, which adds
its credentials (the bot token). The courier calls `AppRelay.send` in place of the HTTP post, for
every relayed URL that is not a Feishu / Lark chat URL (those are `feishubot/chat_sender.py`'s),
and records the attempt as usual.

The request is the platform's own encoding, without credentials (so the recorded request is
what was sent, minus the token); the answer is the API's, so that the platform reads the new
message's reference (`Platform.posted_ref`) and tells a message that can no longer be edited
(`Platform.edit_refused`) from it. Neither the reason nor the answer carries the app's secrets.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.directmessages import MessengerPool
from hookcast.platforms.base import Delivered, HttpRequest, HttpResponse, Outcome, Permanent, PlatformName
from hookcast.platforms.text import json_bytes
from hookcast.platforms.url_secrets import scrub
from hookcast.store.directory import ImAppRow


class AppRelay:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], messengers: MessengerPool) -> None:
        self._sessions = sessions
        self._messengers = messengers

    async def send(self, request: HttpRequest, platform: PlatformName) -> tuple[HttpResponse | None, Outcome]:
        """Send ``request`` through ``platform``'s IM app: the API's answer (when there was one)
        and its outcome."""
        async with self._sessions() as session:
            row = await session.get(ImAppRow, platform.value)
        app = self._messengers.get(platform, row)
        if app is None:
            return None, Permanent(
                f"no {platform.value} IM app is set up (or it is disabled): "
                "app destinations are delivered through it",
                pause=True,
            )
        answer, outcome = await app.relay(request)
        secrets = app.secrets()
        if not isinstance(outcome, Delivered):
            outcome = replace(outcome, reason=scrub(outcome.reason, secrets))
        if answer is None:
            return None, outcome
        body = scrub(json_bytes(answer.data).decode("utf-8"), secrets).encode("utf-8")
        return HttpResponse(answer.status, answer.headers, body), outcome
