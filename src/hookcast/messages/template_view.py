"""What a message template sees of an event: a documented, typed, read-only view.

The variables are declared once, in `VARIABLES` (name, type, meaning); `view_of` builds exactly
those names from an `Event` (a unit test holds the two together, and another checks that
docs/templates.md lists every one). Every name is always there, an absent value being an empty
string, list or zero, so that a template that uses a known name never fails on an event that
lacks it, and a misspelt name fails at once, at save time (the environment's undefined is
strict). The values are plain strings, numbers, lists and mappings: a template reads them, it
cannot call into hookcast's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hookcast.events import DETAIL_KEYS, Event, Item, Tone, pipeline_change

# A view's mappings hold only these types (so that the sandbox's rules cover all of them).
View = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    type: str
    about: str


ITEM_FIELDS = ("title", "url", "id", "author", "status", "stage", "failure_reason")

VARIABLES: tuple[Variable, ...] = (
    Variable("kind", "text", "the event's kind, as its trigger is named: push, merge_request, pipeline …"),
    Variable("kind_label", "text", "the kind's name in the webhook's language: Push / 推送"),
    Variable("action", "text", "what happened to the object: open, update, merge, success, failed …"),
    Variable(
        "status", "text", "the object's status where the event has one (details.status), else the action"
    ),
    Variable(
        "tone",
        "text",
        "the message's tone as hookcast computes it from the status: success, failure, warning or neutral",
    ),
    Variable(
        "source", "text", "where the event came from: gitlab, github, alertmanager, workflow, cloudevents"
    ),
    Variable("title", "text", "the object's title: a merge request's, an issue's, a commit's subject"),
    Variable("url", "text", "the object's web address (empty when none)"),
    Variable("description", "text", "the object's description or a comment's text"),
    Variable("object_id", "text", "the object's number or id: the merge request's !iid, the pipeline's id"),
    Variable("ref", "text", "the Git ref: refs/heads/main"),
    Variable("branch", "text", "the branch (empty for a tag)"),
    Variable("is_tag", "yes/no", "whether the ref is a tag"),
    Variable("labels", "list of text", "the object's labels"),
    Variable("confidential", "yes/no", "whether the object is confidential"),
    Variable("project", "mapping", "project.name, project.path, project.url, project.default_branch"),
    Variable("actor", "mapping", "who did it: actor.name, actor.username"),
    Variable("items", "list of mappings", "commits, jobs, alerts …, each with " + ", ".join(ITEM_FIELDS)),
    Variable("total_items", "number", "how many items the event counted (the list may hold fewer)"),
    Variable("details", "mapping", "the kind's facts by name (details.source_branch, …); see the list below"),
    Variable(
        "pipeline_change",
        "text",
        "a finished pipeline's effect on its ref: broken, still_failing, fixed or empty",
    ),
    Variable("occurred_at", "text", "when it happened, ISO 8601 in UTC (empty when unknown)"),
    Variable("language", "text", "the webhook's language: en or zh_CN"),
)
VARIABLE_NAMES: tuple[str, ...] = tuple(v.name for v in VARIABLES)
# The details, by the names `events.DetailKey` declares (each always present, "" when unset).
DETAIL_NAMES: tuple[str, ...] = tuple(sorted(DETAIL_KEYS))


def _item(item: Item) -> View:
    return {name: getattr(item, name) or "" for name in ITEM_FIELDS}


def view_of(event: Event, language: str, kind_label: str, tone: Tone) -> View:
    """The variables a template renders ``event`` with (``kind_label`` in ``language``; ``tone``
    the built-in message's, which the template cannot change)."""
    details: dict[str, str] = {key: event.details.get(key, "") for key in DETAIL_NAMES}  # type: ignore[call-overload]
    change = pipeline_change(event)
    return {
        "kind": event.kind.value,
        "kind_label": kind_label,
        "action": event.action,
        "status": event.detail("status") or event.action,
        "tone": tone.value,
        "source": event.source,
        "title": event.title,
        "url": event.url or "",
        "description": event.description,
        "object_id": event.object_id or "",
        "ref": event.ref or "",
        "branch": event.branch or "",
        "is_tag": event.is_tag,
        "labels": list(event.labels),
        "confidential": event.confidential,
        "project": {
            "name": event.project.name,
            "path": event.project.path_with_namespace,
            "url": event.project.url or "",
            "default_branch": event.project.default_branch or "",
        },
        "actor": {"name": event.actor.name, "username": event.actor.username or ""},
        "items": [_item(item) for item in event.items],
        "total_items": event.total_items,
        "details": details,
        "pipeline_change": change.value if change else "",
        "occurred_at": event.occurred_at.isoformat() if event.occurred_at else "",
        "language": language,
    }
