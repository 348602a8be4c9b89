"""GitLab's issues (and work items, incidents), public or confidential."""

from __future__ import annotations

from hookcast.events import Event, EventKind, Role, Tone, details_of
from hookcast.sources.gitlab.common import (
    ACTING_USER,
    OBJECT_PROJECT,
    Family,
    Hook,
    action_or_state,
    author_if_actor,
    changed_fields,
    first_time,
    labels_of,
    person_of,
    project_of,
    related_of,
    user_list,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import JsonObject, as_obj, as_opt, as_raw, as_text

_ISSUE_TONES: dict[str, Tone] = {"open": Tone.SUCCESS, "close": Tone.SUCCESS, "reopen": Tone.SUCCESS}

_ISSUE_REQUIRES = Required(
    "issue",
    (
        "object_attributes.iid",
        "object_attributes.title",
        "object_attributes.action | object_attributes.state",
        OBJECT_PROJECT,
        ACTING_USER,
    ),
)


def _parse_issue(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    user = as_obj(payload.get("user"))
    actor = person_of(user)
    confidential = hook.confidential or attrs.get("confidential") is True
    action = action_or_state(attrs)
    url = as_opt(attrs.get("url"))
    severity = as_text(attrs.get("severity"))
    related = related_of(Role.ASSIGNEE, user_list(payload, "assignees", "assignee"))
    return Event(
        kind=EventKind.CONFIDENTIAL_ISSUE if confidential else EventKind.ISSUE,
        action=action,
        tone=_ISSUE_TONES.get(action, Tone.NEUTRAL),
        project=project_of(payload, url),
        actor=actor,
        labels=labels_of(payload, attrs),
        confidential=confidential,
        title=as_text(attrs.get("title")),
        url=url,
        object_id=as_opt(attrs.get("iid")),
        description=as_raw(attrs.get("description")),
        details=details_of(
            {
                "state": as_text(attrs.get("state")),
                "severity": severity if severity != "unknown" else None,
                "due_date": as_text(attrs.get("due_date")),
                "work_item_type": as_text(attrs.get("type")),
                "changed": changed_fields(payload) if action == "update" else None,
            }
        ),
        related_users=related + author_if_actor(attrs, user, actor),
        occurred_at=first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


FAMILIES: dict[str, Family] = {
    "issue": Family(_ISSUE_REQUIRES, _parse_issue),
}
