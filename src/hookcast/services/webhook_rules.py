"""A webhook's routing rules as they are stored, checked and applied; the deciding is pure
(`hookcast.rules`); applying them at intake is `services/decisions.py`.

Stored in ``webhooks.rules`` as the list of rules without their defaults (`rules.to_stored`);
the API, the UI and the CLI take and show the same JSON. A redirect's ``to`` is taken as a
webhook's id or its name and always stored as the id, so intake never looks a name up; a
project document (`config_document/webhook_section.py`) writes the name, which is what stays
the same from one instance to another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.rules import Rule, RuleAction, to_stored
from hookcast.services.errors import Invalid
from hookcast.store.tables import Webhook

RULES_HELP = (
    "Routing rules, tried in order after the filters: the first matching deliver, skip or redirect "
    "rule decides (none: deliver); mention rules add people and go on; a redirect's `to` is a "
    "webhook of the project by id or name (stored as its id). See docs/rules.md."
)


async def checked(
    session: AsyncSession, project_id: int, webhook_id: int | None, rules: Sequence[Rule]
) -> list[dict[str, Any]] | None:
    """The stored form of ``rules`` (validated as models already), once each redirect names
    another webhook of the same project, by id or by a name no other webhook of it shares; a
    name is stored as the id."""
    if not any(rule.action is RuleAction.REDIRECT for rule in rules):
        return to_stored(rules)
    rows = (
        await session.execute(select(Webhook.id, Webhook.name).where(Webhook.project_id == project_id))
    ).all()
    ids = {row.id for row in rows}
    named: dict[str, list[int]] = {}
    for row in rows:
        named.setdefault(row.name, []).append(row.id)
    return to_stored([_resolved(index, rule, ids, named, webhook_id) for index, rule in enumerate(rules)])


def _resolved(
    index: int, rule: Rule, ids: set[int], named: Mapping[str, Sequence[int]], webhook_id: int | None
) -> Rule:
    if rule.to is None:
        return rule
    target = rule.to
    if isinstance(target, str):
        found = named.get(target, ())
        if not found:
            raise Invalid(
                "rules[{index}].to: no webhook of this project is named {name!r}",
                field="rules",
                index=index,
                name=target,
            )
        if len(found) > 1:
            raise Invalid(
                "rules[{index}].to: {count} webhooks of this project are named {name!r}: give its "
                "id, or rename one",
                field="rules",
                index=index,
                name=target,
                count=len(found),
            )
        target = found[0]
    if target == webhook_id:
        raise Invalid("rules[{index}].to: a webhook cannot redirect to itself", field="rules", index=index)
    if target not in ids:
        raise Invalid(
            "rules[{index}].to: webhook {to} is not a webhook of this project",
            field="rules",
            index=index,
            to=target,
        )
    return rule.model_copy(update={"to": target})
