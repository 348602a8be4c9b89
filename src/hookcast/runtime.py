"""What a running hookcast process holds: settings, database, secret box, and (for the roles that
deliver) the worker. Built once at start, shared by the API and the worker."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox, new_token, token_digest
from hookcast.delivery.app_relay import AppRelay
from hookcast.delivery.courier import Courier
from hookcast.delivery.egress import instance_policy
from hookcast.delivery.limiter import BotLimiter
from hookcast.delivery.sender import Sender
from hookcast.delivery.worker import Worker
from hookcast.directmessages import MessengerPool
from hookcast.feishubot.chat_sender import ChatSender
from hookcast.feishubot.runner import BotRunner
from hookcast.metrics import Metrics
from hookcast.secret_keys import KeySource, make_owner_only
from hookcast.services.intake import IntakeQueue
from hookcast.services.passwords import PasswordHashing
from hookcast.services.project_tokens import ProjectTokenCache
from hookcast.services.sign_in_throttle import SignInThrottle
from hookcast.services.users import ensure_admin_user
from hookcast.settings import Settings
from hookcast.store import migrate
from hookcast.store.config_cache import ConfigCache
from hookcast.store.db import create_engine, session_factory
from hookcast.store.tables import ApiToken

log = structlog.get_logger("hookcast")


class ProcessRole(StrEnum):
    SERVE = "serve"  # API + UI + worker
    API = "api"
    WORKER = "worker"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    box: SecretBox
    courier: Courier
    intake: IntakeQueue
    tokens: ProjectTokenCache
    messengers: MessengerPool  # the IM app clients, shared by every part of the process
    worker: Worker | None = None
    metrics: Metrics = field(default_factory=Metrics)
    feishu_bot: BotRunner | None = None  # the assistant bot's jobs (in the roles that serve HTTP)
    passwords: PasswordHashing = field(default_factory=PasswordHashing)
    sign_ins: SignInThrottle = field(default_factory=SignInThrottle)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def wake_worker(self) -> None:
        if self.worker is not None:
            self.worker.wake()


@contextlib.asynccontextmanager
async def running(
    settings: Settings, role: ProcessRole, *, apply_migrations: bool = True
) -> AsyncIterator[Runtime]:
    engine = create_engine(settings.database_url)
    try:
        if apply_migrations:
            await migrate.upgrade(engine)
        sessions = session_factory(engine)
        box = secret_box(settings)
        passwords = PasswordHashing(memory_kib=settings.password_hash_memory_kib)
        if role is not ProcessRole.WORKER:
            await ensure_admin_token(sessions, settings)
            await ensure_admin_user(sessions, settings, passwords)
        async with Sender(
            settings.delivery_timeout,
            settings.max_concurrent_sends,
            policy=instance_policy(settings.extra_allowed_hosts),
        ) as sender:
            messengers = MessengerPool(box, sender.session)
            metrics = Metrics()
            courier = Courier(sender, ChatSender(sessions, messengers), AppRelay(sessions, messengers))
            limiter = BotLimiter(settings.redis_url, enabled=settings.enforce_rate_limits)
            config = ConfigCache(engine)  # projects and webhooks, for intake and the claim
            worker = (
                Worker(engine, sessions, settings, box, courier, limiter, messengers, metrics, config=config)
                if role is not ProcessRole.API
                else None
            )
            intake = IntakeQueue(
                sessions,
                on_work=worker.expect if worker is not None else None,
                paused_backlog=settings.paused_backlog,
                config=config,
            )
            runtime = Runtime(
                settings,
                engine,
                sessions,
                box,
                courier,
                intake,
                ProjectTokenCache(sessions),
                messengers,
                worker,
                passwords=passwords,
                sign_ins=SignInThrottle(),
                metrics=metrics,
            )
            if role is not ProcessRole.WORKER:
                intake.start()
            if worker is not None:
                runtime.tasks.append(asyncio.create_task(worker.run(), name="hookcast-worker"))
            if role is not ProcessRole.WORKER:
                runtime.feishu_bot = BotRunner(
                    sessions,
                    box,
                    messengers,
                    is_postgres=not settings.is_sqlite,
                    poll_interval=max(settings.poll_interval, 0.05) * 5,
                )
                runtime.tasks.append(
                    asyncio.create_task(runtime.feishu_bot.run(), name="hookcast-feishu-bot")
                )
            try:
                yield runtime
            finally:
                await intake.stop()
                if worker is not None:
                    await worker.stop()  # sends in flight finish, the rest is given back
                await stop_tasks(runtime.tasks)
                await limiter.close()
    finally:
        await engine.dispose()


async def stop_tasks(tasks: list[asyncio.Task[Any]], grace: float = 10.0) -> None:
    """Cancel the background tasks and wait for them, but never forever: a task that ignores its
    cancellation is reported, and shutdown goes on."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _done, stuck = await asyncio.wait(tasks, timeout=grace)
    for task in stuck:
        log.error("background task did not stop", task=task.get_name())


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_on_signals() -> asyncio.Event:
    """An event set by the first SIGTERM or SIGINT (from now on, even while starting up). The
    handlers go with it: a second signal stops the process at once, without the graceful part."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def first() -> None:
        stop.set()
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, first)
    return stop


async def until_stopped(stop: asyncio.Event, tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for ``stop`` (or for a background task to end, whose error is raised)."""
    waiting = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
    if stop.is_set():
        print("hookcast: stopping", file=sys.stderr, flush=True)
        return
    for task in tasks:
        if task.done() and not task.cancelled() and (error := task.exception()) is not None:
            raise error


def secret_box(settings: Settings) -> SecretBox:
    """The instance's keys (made on first start), the key file narrowed to 0600 if it was wider,
    and watched for a rotation (see SecretBox)."""
    source = KeySource.of(settings)
    if not source.from_setting and make_owner_only(source.path):
        log.warning("the key file was readable by others; it is now 0600", path=str(source.path))
    watch = source.watch()
    return SecretBox(source.load_or_create(), watch=watch)


async def ensure_admin_token(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> str | None:
    """With no HOOKCAST_ADMIN_TOKEN and no API token yet, create one and print it once."""
    if settings.admin_token is not None:
        return None
    async with sessions.begin() as session:
        if await session.scalar(select(func.count()).select_from(ApiToken)):
            return None
        token = new_token("hca")
        session.add(
            ApiToken(name="admin (first start)", token_digest=token_digest(token), created_at=utcnow())
        )
    print(
        f"hookcast: created the admin API token (shown once, keep it): {token}",
        file=sys.stderr,
        flush=True,
    )
    return token
