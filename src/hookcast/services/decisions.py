"""What a project's webhooks decide for an event, as intake applies it: the filters, then each
webhook's rules (`hookcast.rules.route_all`, pure). Intake stores the decisions with the event
(``events.decisions``) and makes deliveries for the webhooks `sending` names; "why did (not)
this notify?" (`services/explain.py`) and "try this rule" read the same decisions."""

from __future__ import annotations

from collections.abc import Sequence

from hookcast.events import Event
from hookcast.rules import Candidate, Routing, Rule, route_all, stored_rules
from hookcast.services.webhooks import rules_of
from hookcast.store.tables import Webhook


def candidate_of(webhook: Webhook, rules: Sequence[Rule] | None = None) -> Candidate:
    """The webhook as routing sees it; ``rules`` in place of its stored ones (to try them)."""
    return Candidate(webhook.id, rules_of(webhook), stored_rules(webhook.rules) if rules is None else rules)


def routing(event: Event, webhooks: Sequence[Webhook], protected_branches: Sequence[str]) -> Routing:
    """What each of a project's webhooks decides for ``event``."""
    return route_all(event, [candidate_of(w) for w in webhooks], protected_branches)


def sending(decided: Routing | None, webhooks: Sequence[Webhook]) -> list[Webhook]:
    """The webhooks that send the event, in ``decided``'s order (none when nothing was decided)."""
    by_id = {w.id: w for w in webhooks}
    return [by_id[i] for i in (decided.sending if decided is not None else ()) if i in by_id]
