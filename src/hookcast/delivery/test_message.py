""" "Send test message": a test message through a webhook now, and the platform's answer.

It lives in `delivery/` because it sends: the use cases in `services/` only read the webhook.

No database connection is held while the message is out: a platform may take seconds to answer,
and on SQLite the service has a single connection.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from hookcast.messages.digest import render_test_message
from hookcast.platforms import get_platform
from hookcast.platforms.base import Delivered, EncodeContext
from hookcast.services import projects, webhooks
from hookcast.store.outbox import outcome_label

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from hookcast.crypto import SecretBox
    from hookcast.delivery.courier import Courier


class Sending(Protocol):
    """What sending a test message needs: the running service's Runtime, or the CLI's parts."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...
    @property
    def box(self) -> SecretBox: ...
    @property
    def courier(self) -> Courier: ...


class TestAnswer(BaseModel):
    ok: bool
    outcome: str
    status_code: int | None
    response: str
    error: str | None
    duration_ms: int


async def send_test_message(runtime: Sending, webhook_id: int) -> TestAnswer:
    async with runtime.sessions() as session:
        webhook = await webhooks.get(session, webhook_id)
        project = await projects.get(session, webhook.project_id)
        platform = get_platform(webhook.platform)
        target = webhooks.target_of(webhook, runtime.box)
        message = render_test_message(webhook.language, project.name, platform.label)
    request = platform.encode(message, target, EncodeContext(time.time(), f"test-{time.time_ns()}"))
    sent = await runtime.courier.deliver(platform, target, request)
    return TestAnswer(
        ok=isinstance(sent.outcome, Delivered),
        outcome=outcome_label(sent.outcome),
        status_code=sent.status_code,
        response=sent.answer,
        error=sent.error,
        duration_ms=round(sent.duration * 1000),
    )
