"""What moves between the worker's parts: a claimed delivery ready to send (`Job`, with where it
goes: `Destination`), and the result of an attempt (`Result`) on its way to the recorder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hookcast.clock import utcnow
from hookcast.events import Event, Person
from hookcast.living import Plan, Remembered
from hookcast.messages.model import Mention
from hookcast.platforms.base import Outcome, Permanent, Platform, WebhookTarget
from hookcast.store.outbox import AttemptRow, Channel, outcome_label


@dataclass(frozen=True, slots=True)
class Destination:
    webhook_id: int
    platform: Platform
    target: WebhookTarget
    language: str
    bot_key: str  # the lane: the webhook's URL digest, or ``dm:<platform>:<person>``
    channel: Channel = Channel.GROUP  # or a message to ``recipient`` through the IM app
    recipient: Person | None = None
    recipient_user_id: str | None = None  # the recipient's id on the platform, when the directory knows it
    direct_only: bool = False
    project_id: int = 0  # the webhook's project (the "Silence 1 h" link names it)
    # The webhook's stored message templates by kind (`services/message_templates.py`), None: none.
    templates: Mapping[str, Any] | None = None
    version: object = None  # the webhook's version (its updated_at): its templates' cache key


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: int
    attempts: int
    idempotency_key: str
    event: Event
    event_id: int
    destination: Destination
    mentions: tuple[Mention, ...] = ()
    held: bool = False  # waited for its webhook's quiet hours to end: goes in one digest with the others
    # A living message (`hookcast.living`): the object it is about, and what to do with the
    # object's message, planned at claim time from what is remembered of it. None: a plain post.
    object_key: str | None = None
    plan: Plan | None = None


@dataclass(frozen=True, slots=True)
class Result:
    job: Job
    outcome: Outcome
    started_at: datetime
    duration_ms: int
    status_code: int | None
    response_excerpt: str
    error: str | None
    request_url: str
    request_body: str
    digest_of: int | None = None
    found_user_id: str | None = None  # a direct message's recipient id, found by a look-up: remembered
    # A living message that landed: what to remember of its object's message, by (webhook, object).
    memory: tuple[tuple[int, str], Remembered] | None = None

    def attempt_row(self) -> AttemptRow:
        return AttemptRow(
            delivery_id=self.job.delivery_id,
            started_at=self.started_at,
            duration_ms=self.duration_ms,
            status_code=self.status_code,
            outcome=outcome_label(self.outcome),
            response_excerpt=self.response_excerpt,
            error=self.error,
            request_url=self.request_url,
            request_body=self.request_body,
        )


def unsent(job: Job, reason: str) -> Result:
    """The result of a delivery that could not even be attempted (kept, with the reason)."""
    return Result(
        job=job,
        outcome=Permanent(reason),
        started_at=utcnow(),
        duration_ms=0,
        status_code=None,
        response_excerpt="",
        error=reason,
        request_url="",
        request_body="",
    )
