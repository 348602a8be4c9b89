"""A GitLab body lacking what its kind needs is refused with the missing fields named, never posted.

Every shared fixture (GitLab's documentation examples, go-gitlab's test payloads) is taken in
turn, each field its kind needs is removed, and the parser must answer 400 naming exactly it.
The table below is the specification, written independently of the parser's declarations.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hookcast.events import Event, EventKind
from hookcast.sources import Rejection
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import gitlab_fixtures

OBJECT_PROJECT = "project.path_with_namespace | object_attributes.url"
ACTING_USER = "user.name | user.username"

# family -> the fields a body of that family must carry ("a | b": either will do)
REQUIRED: dict[str, list[str]] = {
    "push": ["ref", "before", "after", "project.path_with_namespace", "user_name | user_username"],
    "tag_push": ["ref", "before", "after", "project.path_with_namespace", "user_name | user_username"],
    "issue": [
        "object_attributes.iid",
        "object_attributes.title",
        "object_attributes.action | object_attributes.state",
        OBJECT_PROJECT,
        ACTING_USER,
    ],
    "merge_request": [
        "object_attributes.iid",
        "object_attributes.title",
        "object_attributes.action | object_attributes.state",
        "object_attributes.source_branch",
        "object_attributes.target_branch",
        OBJECT_PROJECT,
        ACTING_USER,
    ],
    "note": ["object_attributes.note", "object_attributes.noteable_type", OBJECT_PROJECT, ACTING_USER],
    "pipeline": ["object_attributes.status", "object_attributes.ref", "project.path_with_namespace"],
    "job": ["build_id", "build_name", "build_status", "ref", "project.path_with_namespace | project_name"],
    "wiki_page": ["object_attributes.title", "object_attributes.action", OBJECT_PROJECT, ACTING_USER],
    "deployment": ["status", "environment", "project.path_with_namespace | deployable_url"],
    "release": ["tag", "action", "project.path_with_namespace | url"],
    "vulnerability": ["object_attributes.title", OBJECT_PROJECT],
    "alert": ["object_attributes.title", OBJECT_PROJECT],
    "feature_flag": ["object_attributes.name", "project.path_with_namespace"],
    "emoji": [
        "object_attributes.name",
        "object_attributes.action",
        "object_attributes.awardable_type",
        "project.path_with_namespace | object_attributes.awarded_on_url",
        ACTING_USER,
    ],
    "milestone": [
        "object_attributes.title",
        "action | object_attributes.action",
        "project.path_with_namespace",
    ],
    "member": ["event_name", "user_name | user_username", "group_path | project_path_with_namespace"],
    "project": ["event_name", "path_with_namespace"],
    "subgroup": ["event_name", "full_path", "parent_full_path"],
    "access_token": [
        "object_attributes.name",
        "project.path_with_namespace | group.full_path | group.group_path",
    ],
}
# a note also needs what it is on
NOTE_TARGETS: dict[str, list[str]] = {
    "Commit": ["commit.id"],
    "MergeRequest": ["merge_request.iid", "merge_request.title"],
    "Issue": ["issue.iid", "issue.title"],
    "Snippet": ["snippet.id", "snippet.title"],
}
FAMILY_OF_KIND = {EventKind.CONFIDENTIAL_ISSUE: "issue", EventKind.CONFIDENTIAL_NOTE: "note"}

ALERT_PAYLOAD: dict[str, Any] = {
    "object_kind": "alert",
    "object_attributes": {
        "title": "High error rate",
        "url": "https://gitlab.example.com/group/app/-/alert_management/7/details",
        "status": "triggered",
    },
}


def _bodies() -> list[tuple[str, str, dict[str, Any]]]:
    found = [(name, header, json.loads(body)) for name, header, body in gitlab_fixtures()]
    return [*found, ("alert (hand-made)", "Alert Hook", ALERT_PAYLOAD)]


def _family(header: str, payload: dict[str, Any]) -> str:
    event = parse_gitlab(header, json.dumps(payload).encode())
    assert isinstance(event, Event), event
    return FAMILY_OF_KIND.get(event.kind, event.kind.value)


def _required_of(family: str, payload: dict[str, Any]) -> list[str]:
    extra = NOTE_TARGETS.get(str(payload.get("object_attributes", {}).get("noteable_type")), [])
    return REQUIRED[family] + (extra if family == "note" else [])


def _without(payload: dict[str, Any], path: str) -> None:
    *parents, leaf = path.split(".")
    target: Any = payload
    for key in parents:
        target = target.get(key) if isinstance(target, dict) else None
    if isinstance(target, dict):
        for key in [key for key in target if key.strip() == leaf]:  # go-gitlab keys with stray blanks
            del target[key]


def _named(spec: str) -> str:
    return " or ".join(path.strip() for path in spec.split("|"))


CASES = [
    (name, header, payload, family, spec)
    for name, header, payload in _bodies()
    for family in [_family(header, payload)]
    for spec in _required_of(family, payload)
]


@pytest.mark.parametrize(
    ("name", "header", "payload", "family", "spec"),
    CASES,
    ids=[f"{name}-{spec.split(' |')[0]}" for name, _, _, _, spec in CASES],
)
def test_a_body_without_a_required_field_is_refused_naming_it(
    name: str, header: str, payload: dict[str, Any], family: str, spec: str
) -> None:
    body = copy.deepcopy(payload)
    for path in spec.split("|"):
        _without(body, path.strip())
    result = parse_gitlab(header, json.dumps(body).encode())
    assert result == Rejection(400, f"{family}: missing {_named(spec)}")


@pytest.mark.parametrize("blank", ["", "   ", None, True, {"a": 1}, []])
def test_a_blank_or_unreadable_value_counts_as_missing(blank: object) -> None:
    payload = copy.deepcopy(_bodies()[0][2])  # docs/push.json
    payload["ref"] = blank
    assert parse_gitlab("Push Hook", json.dumps(payload).encode()) == Rejection(400, "push: missing ref")


def test_the_bare_push_of_the_issue_names_everything_a_push_needs() -> None:
    result = parse_gitlab("Push Hook", b'{"object_kind": "push"}')
    assert result == Rejection(
        400, "push: missing ref, before, after, project.path_with_namespace, user_name or user_username"
    )


@pytest.mark.parametrize("header", [None, "System Hook"])
def test_the_kind_read_from_the_payload_is_checked_too(header: str | None) -> None:
    result = parse_gitlab(header, b'{"object_kind": "push", "ref": "refs/heads/main"}')
    assert isinstance(result, Rejection)
    assert result.reason.startswith("push: missing before, after, project.path_with_namespace")


@pytest.mark.parametrize("family", sorted(REQUIRED))
def test_an_empty_body_under_each_hook_names_all_its_kind_needs(family: str) -> None:
    header = {"access_token": "Resource Access Token Hook", "merge_request": "Merge Request Hook"}.get(
        family, family.replace("_", " ").title() + " Hook"
    )
    result = parse_gitlab(header, b"{}")
    assert result == Rejection(400, f"{family}: missing {', '.join(_named(s) for s in REQUIRED[family])}")


def test_a_note_with_an_unknown_target_type_needs_only_the_common_fields() -> None:
    payload = copy.deepcopy(next(p for n, _, p in _bodies() if n == "docs/note_issue.json"))
    payload["object_attributes"]["noteable_type"] = "Epic"
    del payload["issue"]
    assert isinstance(parse_gitlab("Note Hook", json.dumps(payload).encode()), Event)
