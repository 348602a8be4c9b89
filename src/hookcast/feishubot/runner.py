"""Works off the bot's stored events and sends its queued messages, outside the requests.

Runs in each process that serves ``/hooks/feishu/events`` (``serve`` and ``api``); several
processes share the tables (rows are claimed with a lease, ``SKIP LOCKED`` on PostgreSQL). A new
event wakes it at once; it also looks every few seconds, so work left by a stopped process is
picked up. No database transaction is held open across a call to Feishu.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.directmessages import build, open_credentials
from hookcast.feishubot import service
from hookcast.feishubot.client import BotApi, ChatGone
from hookcast.feishubot.events import Envelope, FeishuRefusal, parse_event
from hookcast.platforms.app_client.base import Stop
from hookcast.platforms.base import Delivered, PlatformName, RetryAfter
from hookcast.store.directory import ImAppRow
from hookcast.store.feishu_chats import FeishuBotEvent, FeishuBotMessage

log = structlog.get_logger("hookcast.feishubot")

BATCH = 50
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
BACKOFF = (1.0, 5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)


def backoff(attempts: int, told: float | None = None) -> timedelta:
    seconds = BACKOFF[min(max(attempts - 1, 0), len(BACKOFF) - 1)]
    return timedelta(seconds=max(seconds, told or 0.0))


class Apis:
    """One `BotApi` per platform, rebuilt when the IM app row changes."""

    def __init__(self, box: SecretBox, http: aiohttp.ClientSession) -> None:
        self._box = box
        self._http = http
        self._cache: dict[str, tuple[datetime, BotApi]] = {}

    def get(self, platform: PlatformName, row: ImAppRow | None) -> BotApi | None:
        if row is None or not row.enabled:
            self._cache.pop(platform.value, None)
            return None
        cached = self._cache.get(platform.value)
        if cached is not None and cached[0] == row.updated_at:
            return cached[1]
        api = BotApi(build(platform, open_credentials(row, self._box), self._http, row.api_base_url))
        self._cache[platform.value] = (row.updated_at, api)
        return api

    async def load(self, session: AsyncSession, platform: PlatformName) -> BotApi | None:
        return self.get(platform, await session.get(ImAppRow, platform.value))


class BotRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        box: SecretBox,
        http: aiohttp.ClientSession,
        *,
        is_postgres: bool,
        poll_interval: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._apis = Apis(box, http)
        self._is_postgres = is_postgres
        self._poll = poll_interval
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("feishu bot pass failed")
                busy = False
            if busy:
                continue
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: see delivery/worker.py
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()

    async def run_once(self) -> bool:
        """One pass: due events, then due messages. Whether there may be more to do at once."""
        events = await self._claim(FeishuBotEvent)
        for event_id in events:
            await self._work_event(event_id)
        messages = await self._claim(FeishuBotMessage)
        for message_id in messages:
            await self._send(message_id)
        return len(events) >= BATCH or len(messages) >= BATCH or bool(events)

    async def _claim(self, table: type[FeishuBotEvent] | type[FeishuBotMessage]) -> list[int]:
        now = utcnow()
        due = (
            select(table.id)
            .where(
                or_(
                    and_(table.state == "pending", table.next_attempt_at <= now),
                    and_(table.state == "working", table.lease_until < now),
                )
            )
            .order_by(table.id)
            .limit(BATCH)
        )
        if self._is_postgres:
            due = due.with_for_update(skip_locked=True)
        async with self._sessions.begin() as session:
            rows = await session.execute(
                update(table)
                .where(table.id.in_(due.scalar_subquery()))
                .values(state="working", lease_until=now + LEASE, updated_at=now)
                .returning(table.id)
            )
            return sorted(row[0] for row in rows)

    # --- events -----------------------------------------------------------------------------

    async def _work_event(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(FeishuBotEvent, row_id)
            if row is None:
                return
            platform = PlatformName(row.platform)
            envelope = Envelope(row.event_id, row.event_type, row.payload)
            attempts, base_url, key = row.attempts + 1, row.base_url, row.event_id
            api = await self._apis.load(session, platform)
        parsed = parse_event(envelope)
        if isinstance(parsed, FeishuRefusal):
            await self._finish_event(row_id, "failed", f"not understood: {parsed.reason}", attempts)
            return
        question = service.membership_question(parsed)
        membership: service.Membership | None = None
        if question is not None:
            if api is None:
                reason = f"no {platform.value} IM app is set up: the bot cannot check or answer"
                await self._finish_event(row_id, "failed", reason, attempts)
                return
            try:
                member = await api.is_member(question.chat_id, question.open_id)
                membership = service.Membership.MEMBER if member else service.Membership.STRANGER
            except ChatGone:
                membership = service.Membership.BOT_NOT_IN_CHAT
            except Stop as stop:
                await self._retry_event(row_id, attempts, getattr(stop.outcome, "reason", "failed"))
                return
        async with self._sessions.begin() as session:
            ctx = service.Context(platform, base_url, self._box, utcnow(), key)
            done = await service.apply(session, ctx, parsed, membership)
            await self._mark(session, FeishuBotEvent, row_id, state="done", outcome=done, attempts=attempts)
        log.info("feishu bot event handled", event_id=key, outcome=done)
        self.kick()  # its messages are due now

    async def _retry_event(self, row_id: int, attempts: int, reason: str) -> None:
        if attempts >= MAX_ATTEMPTS:
            await self._finish_event(row_id, "failed", reason, attempts)
            return
        async with self._sessions.begin() as session:
            await self._mark(
                session,
                FeishuBotEvent,
                row_id,
                state="pending",
                outcome=f"will retry: {reason}",
                attempts=attempts,
                next_attempt_at=utcnow() + backoff(attempts),
            )

    async def _finish_event(self, row_id: int, state: str, outcome: str, attempts: int) -> None:
        log.warning("feishu bot event not handled", row=row_id, reason=outcome)
        async with self._sessions.begin() as session:
            await self._mark(session, FeishuBotEvent, row_id, state=state, outcome=outcome, attempts=attempts)

    # --- messages ---------------------------------------------------------------------------

    async def _send(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(FeishuBotMessage, row_id)
            if row is None:
                return
            platform = PlatformName(row.platform)
            api = await self._apis.load(session, platform)
            target = (row.receive_id_type, row.receive_id)
            card: dict[str, Any] = json.loads(self._box.open(row.card_sealed))
            uuid, attempts = row.uuid, row.attempts + 1
        if api is None:
            outcome_state, error, when = "failed", f"no {platform.value} IM app is set up", None
        else:
            _, outcome = await api.send_card(*target, card, uuid)
            if isinstance(outcome, Delivered):
                outcome_state, error, when = "sent", None, None
            elif isinstance(outcome, RetryAfter) and attempts < MAX_ATTEMPTS:
                outcome_state, error = "pending", outcome.reason
                when = utcnow() + backoff(attempts, outcome.seconds)
            else:
                outcome_state, error, when = "failed", getattr(outcome, "reason", "failed"), None
        if error:
            log.warning("feishu bot message not sent", row=row_id, state=outcome_state, reason=error)
        async with self._sessions.begin() as session:
            await self._mark(
                session,
                FeishuBotMessage,
                row_id,
                state=outcome_state,
                last_error=error,
                attempts=attempts,
                **({"next_attempt_at": when} if when is not None else {}),
            )

    @staticmethod
    async def _mark(
        session: AsyncSession,
        table: type[FeishuBotEvent] | type[FeishuBotMessage],
        row_id: int,
        **values: Any,
    ) -> None:
        await session.execute(
            update(table).where(table.id == row_id).values(lease_until=None, updated_at=utcnow(), **values)
        )
