"""A webhook's routing rules as they are stored, checked and applied; the deciding is pure
(`hookcast.rules`); applying them at intake is `services/decisions.py`.

Stored in ``webhooks.rules`` as the list of rules without their defaults (`rules.to_stored`);
the API, the UI and the CLI take and show the same JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.rules import Rule, RuleAction, to_stored
from hookcast.services.errors import Invalid
from hookcast.store.tables import Webhook

RULES_HELP = (
    "Routing rules, tried in order after the filters: the first matching deliver, skip or redirect "
    "rule decides (none: deliver); mention rules add people and go on. See docs/rules.md."
)


async def checked(
    session: AsyncSession, project_id: int, webhook_id: int | None, rules: Sequence[Rule]
) -> list[dict[str, Any]] | None:
    """The stored form of ``rules`` (validated as models already), once each redirect names
    another webhook of the same project."""
    targets = {rule.to for rule in rules if rule.action is RuleAction.REDIRECT and rule.to is not None}
    if targets:
        found = set(
            await session.scalars(
                select(Webhook.id).where(Webhook.project_id == project_id, Webhook.id.in_(targets))
            )
        )
        for index, rule in enumerate(rules):
            if rule.to is None:
                continue
            if rule.to == webhook_id:
                raise Invalid(
                    "rules[{index}].to: a webhook cannot redirect to itself", field="rules", index=index
                )
            if rule.to not in found:
                raise Invalid(
                    "rules[{index}].to: webhook {to} is not a webhook of this project",
                    field="rules",
                    index=index,
                    to=rule.to,
                )
    return to_stored(rules)
