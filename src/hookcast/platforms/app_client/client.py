"""The part every IM app client shares: find the person (cached), send, refresh the token once
when the platform says it expired, and turn early stops into outcomes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import ClassVar, TypeVar

import aiohttp

from hookcast.events import Person
from hookcast.messages.model import Message
from hookcast.platforms.app_client.base import USER_NOT_FOUND, Stop, TokenRejected, describe
from hookcast.platforms.app_client.http import Answer
from hookcast.platforms.app_client.tokens import AccessTokenCache, Clock, LookupCache, Token
from hookcast.platforms.base import (
    Delivered,
    FieldSpec,
    HttpRequest,
    Outcome,
    Permanent,
    Platform,
    PlatformName,
    RetryAfter,
)
from hookcast.platforms.url_secrets import scrub

T = TypeVar("T")

# The ways to find someone, in the order tried.
BY_EMAIL = "email"
BY_MOBILE = "mobile"


class AppClient:
    """Subclasses declare ``credentials``, ``default_base_url`` and ``finds_by``, and implement
    `fetch_token` (unless the token is static), `find` and `deliver`.

    ``platform`` is the platform the app belongs to: a direct message reuses the body its group
    webhook gets (`Platform.direct_payload`), so it looks like the group's card.
    """

    credentials: ClassVar[tuple[FieldSpec, ...]]
    default_base_url: ClassVar[str]
    finds_by: ClassVar[tuple[str, ...]] = (BY_EMAIL, BY_MOBILE)

    def __init__(
        self,
        platform: Platform,
        credentials: Mapping[str, str],
        http: aiohttp.ClientSession,
        *,
        base_url: str | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.group = platform
        self.platform: PlatformName = platform.name
        self.label = platform.name.value  # how reasons and logs name the app
        self.creds = dict(credentials)
        self.http = http
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.tokens = AccessTokenCache(self.fetch_token, clock)
        self.lookups = LookupCache(clock)

    # --- what subclasses implement ------------------------------------------------------

    async def fetch_token(self) -> Token:
        raise NotImplementedError

    async def find(self, token: str, kind: str, value: str) -> str | None:
        """The user id for ``kind`` (email / mobile) ``value``, or None; raises `TokenRejected`."""
        raise NotImplementedError

    async def deliver(self, token: str, message: Message, user_id: str, idempotency_key: str) -> Outcome:
        """Send; raises `TokenRejected` when the token must be refreshed, `Stop` to end early."""
        raise NotImplementedError

    async def relay(self, request: HttpRequest) -> tuple[Answer | None, Outcome]:
        """Send ``request``, encoded by the platform for a destination it delivers through its
        app (`Platform.relayed`: a Slack channel), with the app's credentials; the API's answer
        (when there was one) and its outcome. Apps whose platform has such destinations
        implement it."""
        return None, Permanent(f"{self.label}: the IM app does not deliver webhooks", pause=True)

    # --- the interface --------------------------------------------------------------------

    async def send(
        self, message: Message, person: Person, *, idempotency_key: str, user_id: str | None = None
    ) -> Outcome:
        """The outcome of messaging ``person``; its reason never carries the app's secrets (an API
        may echo the request it refused, credentials and all)."""
        outcome = await self._send(message, person, idempotency_key, user_id)
        if isinstance(outcome, Delivered):
            return outcome
        return replace(outcome, reason=scrub(outcome.reason, self.secrets()))

    async def _send(
        self, message: Message, person: Person, idempotency_key: str, user_id: str | None
    ) -> Outcome:
        try:
            target = user_id or await self._resolve(person)
            if target is None:
                return Permanent(f"{USER_NOT_FOUND} on {self.label}: {describe(person)}{self._hint(person)}")
            return await self.with_token(lambda token: self.deliver(token, message, target, idempotency_key))
        except Stop as stop:
            return stop.outcome

    async def resolve(self, person: Person) -> str | None:
        try:
            return await self._resolve(person)
        except Stop:
            return None

    async def check(self) -> str | None:
        try:
            await self.tokens.get()
        except Stop as stop:
            return scrub(getattr(stop.outcome, "reason", "the credentials were refused"), self.secrets())
        return None

    def secrets(self) -> tuple[str, ...]:
        """What the client holds that must never be shown: its secret credentials (an app
        secret, a bot token) and the access tokens it was given."""
        held = (self.creds.get(spec.name) for spec in self.credentials if spec.secret)
        return tuple(secret for secret in (*held, *self.tokens.issued) if secret)

    # --- shared machinery -----------------------------------------------------------------

    async def with_token(self, action: Callable[[str], Awaitable[T]]) -> T:
        """Run ``action(token)``; on `TokenRejected`, refresh the token and run it once more."""
        token = await self.tokens.get()
        try:
            return await action(token)
        except TokenRejected:
            self.tokens.invalidate(token)
        token = await self.tokens.get()
        try:
            return await action(token)
        except TokenRejected as exc:
            self.tokens.invalidate(token)
            raise Stop(RetryAfter(f"{self.label}: a fresh access token was refused too")) from exc

    async def _resolve(self, person: Person) -> str | None:
        for kind in self.finds_by:
            value = _handle(person, kind)
            if not value:
                continue
            known, user_id = self.lookups.get(kind, value)
            if not known:
                user_id = await self._find_with_token(kind, value)
                self.lookups.put(kind, value, user_id)
            if user_id is not None:
                return user_id
        return None

    async def _find_with_token(self, kind: str, value: str) -> str | None:
        async def find(token: str) -> str | None:
            return await self.find(token, kind, value)

        return await self.with_token(find)

    def _hint(self, person: Person) -> str:
        usable = [kind for kind in self.finds_by if _handle(person, kind)]
        if usable:
            return ""
        return f" ({self.label} finds people by {' or '.join(self.finds_by)})"


def _handle(person: Person, kind: str) -> str | None:
    if kind == BY_EMAIL:
        return (person.email or "").strip().lower() or None
    if kind == BY_MOBILE:
        return (person.mobile or "").strip() or None
    return None
