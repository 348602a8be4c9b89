"""Turning claimed rows into requests: where a delivery goes (its webhook's decrypted target,
cached per version of the webhook) and what it says (rendered once per event and language,
then encoded for the platform; several jobs become one digest)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from hookcast.crypto import SecretBox
from hookcast.delivery.jobs import Destination, Job
from hookcast.events import Person
from hookcast.messages.digest import render_digest
from hookcast.messages.model import Message
from hookcast.messages.render import render
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, HttpRequest, WebhookTarget
from hookcast.services.webhooks import target_of
from hookcast.store.outbox import Channel
from hookcast.store.tables import Webhook

CACHE_LIMIT = 10_000  # entries; a full cache is simply emptied


class Composer:
    def __init__(self, box: SecretBox) -> None:
        self._box = box
        self._rendered: dict[tuple[int, str], Message] = {}
        self._targets: dict[tuple[int, Any], WebhookTarget] = {}

    def destination(
        self, webhook: Webhook, channel: Channel, recipient: dict[str, Any] | None
    ) -> Destination:
        return Destination(
            webhook_id=webhook.id,
            platform=get_platform(webhook.platform),
            target=self._target(webhook),
            language=webhook.language,
            bot_key=webhook.url_digest
            if channel is Channel.GROUP
            else f"dm:{webhook.platform}:{_identity(recipient)}",
            channel=channel,
            recipient=Person.model_validate(recipient) if recipient else None,
            direct_only=webhook.direct_only,
        )

    def message(self, job: Job) -> Message:
        if job.mentions:  # the same event renders differently with mentions: not cached
            return render(job.event, job.destination.language, mentions=job.mentions)
        key = (job.event_id, job.destination.language)
        message = self._rendered.get(key)
        if message is None:
            if len(self._rendered) > CACHE_LIMIT:
                self._rendered.clear()
            message = render(job.event, job.destination.language)
            self._rendered[key] = message
        return message

    def request(self, jobs: Sequence[Job]) -> HttpRequest:
        """The request carrying one message, or for several jobs their digest."""
        head = jobs[0]
        destination = head.destination
        if len(jobs) == 1:
            message = self.message(head)
        else:
            message = render_digest([self.message(job) for job in jobs], destination.language)
        return destination.platform.encode(
            message, destination.target, EncodeContext(time.time(), head.idempotency_key)
        )

    def _target(self, webhook: Webhook) -> WebhookTarget:
        """The webhook's decrypted URL and secret, decrypted once per version of the webhook."""
        key = (webhook.id, webhook.updated_at)
        target = self._targets.get(key)
        if target is None:
            if len(self._targets) > CACHE_LIMIT:
                self._targets.clear()
            target = self._targets[key] = target_of(webhook, self._box)
        return target


def _identity(recipient: dict[str, Any] | None) -> str:
    person = recipient or {}
    return str(person.get("email") or person.get("mobile") or person.get("username") or person.get("name"))
