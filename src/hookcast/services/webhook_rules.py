"""A webhook's routing rules as they are stored, checked and applied; the deciding is pure
(`hookcast.rules`); applying them at intake is `services/decisions.py`.

Stored in ``webhooks.rules`` as the list of rules without their defaults (`rules.to_stored`);
the API, the UI and the CLI take and show the same JSON. A redirect's ``to`` is taken as a
webhook's id or its name and always stored as the id, so intake never looks a name up; a
project document (`config_document/webhook_section.py`) writes the name, which is what stays
the same from one instance to another.

Because the id is stored, renaming a target changes nothing for the rules that redirect to it
(they follow the rename by construction; a document exports the new name). Deleting a target
is refused while rules redirect to it (`refuse_removal`): the event would have had nowhere to
go. A target gone another way (SQL) fails open at intake (`hookcast.rules.route_all`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.rules import Rule, RuleAction, stored_rules, to_stored
from hookcast.services.errors import Conflict, Invalid
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
    known = await targets(session, project_id)
    return to_stored(
        [
            rule
            if rule.to is None
            else rule.model_copy(update={"to": known.resolve(index, rule.to, webhook_id)})
            for index, rule in enumerate(rules)
        ]
    )


@dataclass(frozen=True, slots=True)
class Targets:
    """The webhooks of a project a redirect may name (``names``: id -> name), and how a rule's
    ``to`` is resolved among them: on save (`checked`) and when rules are tried, unsaved."""

    names: Mapping[int, str]

    def resolve(self, index: int, target: int | str, webhook_id: int | None) -> int:
        """The id ``target`` names, or `Invalid` saying why none (at ``rules[index].to``)."""
        if isinstance(target, str):
            found = [id_ for id_, name in self.names.items() if name == target]
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
            raise Invalid(
                "rules[{index}].to: a webhook cannot redirect to itself", field="rules", index=index
            )
        if target not in self.names:
            raise Invalid(
                "rules[{index}].to: webhook {to} is not a webhook of this project",
                field="rules",
                index=index,
                to=target,
            )
        return target


async def targets(session: AsyncSession, project_id: int) -> Targets:
    """The project's webhooks by id, read once for all the rules at hand (a few rows)."""
    rows = (
        await session.execute(
            select(Webhook.id, Webhook.name).where(Webhook.project_id == project_id).order_by(Webhook.id)
        )
    ).all()
    return Targets({row.id: row.name for row in rows})


@dataclass(frozen=True, slots=True)
class Referrer:
    """A rule of another webhook that redirects to the webhook at hand."""

    webhook_id: int
    webhook_name: str
    index: int
    rule_name: str

    def label(self) -> str:
        """``'ci' (#3) rules[1] 'db alerts'``: the rule's position as the API names it."""
        rule = f"rules[{self.index}]" + (f" {self.rule_name!r}" if self.rule_name else "")
        return f"{_named(self.webhook_id, self.webhook_name)} {rule}"


def _named(webhook_id: int, name: str) -> str:
    """``'dba' (#7)``, or ``#7`` for a webhook without a name: the same in every language."""
    return f"{name!r} (#{webhook_id})" if name else f"#{webhook_id}"


async def referrers(session: AsyncSession, webhook: Webhook) -> list[Referrer]:
    """The rules of the project's other webhooks that redirect to ``webhook``: by its id, as they
    are stored, or by its name (a rule stored by hand)."""
    rows = (
        await session.execute(
            select(Webhook.id, Webhook.name, Webhook.rules)
            .where(Webhook.project_id == webhook.project_id, Webhook.id != webhook.id)
            .order_by(Webhook.id)
        )
    ).all()
    return [
        Referrer(row.id, row.name, index, rule.name)
        for row in rows
        for index, rule in enumerate(stored_rules(row.rules))
        if rule.action is RuleAction.REDIRECT and rule.to in (webhook.id, webhook.name)
    ]


async def refuse_removal(session: AsyncSession, webhook: Webhook, along: Collection[int] = ()) -> None:
    """A webhook that rules redirect to is not removed (409 naming each rule): what they
    redirect would otherwise go to the webhook holding the rule, not where it was meant to.
    Rules of the webhooks removed ``along`` with it go too, so they do not count."""
    found = [referrer for referrer in await referrers(session, webhook) if referrer.webhook_id not in along]
    if found:
        raise Conflict(
            "webhook {webhook} is the target of redirect rules: {rules}; give them another "
            "target or remove them first",
            webhook=_named(webhook.id, webhook.name),
            rules="; ".join(referrer.label() for referrer in found),
        )
