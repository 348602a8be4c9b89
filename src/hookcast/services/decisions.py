"""What a project's webhooks decide for an event, as intake applies it: the filters, then each
webhook's rules (`hookcast.rules.route_all`, pure). Intake stores the decisions with the event
(``events.decisions``) and makes deliveries for the webhooks `sending` names; "why did (not)
this notify?" (`services/explain.py`) and "try this rule" read the same decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog

from hookcast.events import Event
from hookcast.rules import Candidate, Routing, Rule, route_all, stored_rules
from hookcast.services.webhooks import rules_of
from hookcast.store.tables import Webhook

log = structlog.get_logger("hookcast.routing")


def candidate_of(webhook: Webhook, rules: Sequence[Rule] | None = None) -> Candidate:
    """The webhook as routing sees it; ``rules`` in place of its stored ones (to try them)."""
    return Candidate(webhook.id, rules_of(webhook), stored_rules(webhook.rules) if rules is None else rules)


class Candidates:
    """Each webhook as routing sees it, worked out once per version of the webhook (its id and
    ``updated_at``, which every change moves) rather than once per event: its filters and rules
    are read from their stored form, the rules validated by pydantic. Stored rules that no
    longer validate route as none (`stored_rules`); that is logged once per version, so it is
    seen rather than silent. Holds at most ``MAX_KEPT`` versions."""

    MAX_KEPT = 20_000

    def __init__(self) -> None:
        self._kept: dict[tuple[int, datetime | None], Candidate] = {}

    def of(self, webhook: Webhook) -> Candidate:
        key = (webhook.id, webhook.updated_at)
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) >= self.MAX_KEPT:
                self._kept.clear()
            found = self._kept[key] = candidate_of(webhook)
            if webhook.rules and not found.rules:
                log.warning(
                    "a webhook's stored routing rules no longer validate: it routes as if it had none",
                    webhook_id=webhook.id,
                )
        return found


def routing(
    event: Event,
    webhooks: Sequence[Webhook],
    protected_branches: Sequence[str],
    candidates: Candidates | None = None,
) -> Routing:
    """What each of a project's webhooks decides for ``event``; ``candidates``: kept webhooks."""
    made = [candidates.of(w) if candidates is not None else candidate_of(w) for w in webhooks]
    return route_all(event, made, protected_branches)


def sending(decided: Routing | None, webhooks: Sequence[Webhook]) -> list[Webhook]:
    """The webhooks that send the event, in ``decided``'s order (none when nothing was decided)."""
    by_id = {w.id: w for w in webhooks}
    return [by_id[i] for i in (decided.sending if decided is not None else ()) if i in by_id]
