"""What every IM app client offers the delivery worker, and what they share.

The worker calls ``await messenger.send(message, person, idempotency_key=...)`` and gets the
usual `Outcome`: `Delivered`, `RetryAfter` (rate limits, busy, network) or `Permanent` — with
``reason`` starting "user not found" when the person cannot be found on the platform, so the
worker can fall back to the group message and record why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hookcast.events import Person
from hookcast.messages.model import Message
from hookcast.platforms.base import Outcome, PlatformName

USER_NOT_FOUND = "user not found"


class DirectMessenger(Protocol):
    platform: PlatformName

    async def send(
        self, message: Message, person: Person, *, idempotency_key: str, user_id: str | None = None
    ) -> Outcome:
        """Message ``person`` (found by email or mobile, or ``user_id`` when already known)."""
        ...

    async def resolve(self, person: Person) -> str | None:
        """The person's id on the platform (cached, "not found" included), or None."""
        ...

    async def check(self) -> str | None:
        """Validate the credentials now (fetch a token, check scopes): None, or what is wrong."""
        ...


@dataclass(frozen=True, slots=True)
class CredentialSpec:
    """One credential field an IM app takes (declared once: API, CLI and redaction derive)."""

    name: str
    label: str
    help: str
    secret: bool = False
    pattern: str | None = None  # a full-match regular expression


class Stop(Exception):
    """Ends a send early with ``outcome`` (raised by the HTTP helpers, caught in ``send``)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(getattr(outcome, "reason", ""))
        self.outcome = outcome


class TokenRejected(Exception):
    """The platform said the access token is invalid or expired: refresh it and retry once."""


def describe(person: Person) -> str:
    """How a person is named in reasons and logs (email or mobile, and the name)."""
    handle = person.email or person.mobile or person.username or "no email or mobile"
    return f"{person.name} <{handle}>" if person.name else handle
