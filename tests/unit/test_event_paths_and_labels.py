"""What routing rules match on besides what messages show: the files a push changed
(`Event.paths`, GitLab and GitHub alike) and an alert group's labels (`Event.alert_labels`), read
from the real sample payloads and bounded by `sources/caps.py` like every other list."""

from __future__ import annotations

import json

from hookcast.events import Event, EventKind
from hookcast.sources import ParseResult
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.caps import CAPS, ELLIPSIS
from hookcast.sources.github import parse_github
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import alertmanager_payloads, load_fixture, load_fixture_json, load_github


def parsed(result: ParseResult) -> Event:
    assert isinstance(result, Event), result
    return result


def test_a_gitlab_push_names_each_changed_file_once_in_order() -> None:
    event = parsed(parse_gitlab("Push Hook", load_fixture("docs/push.json")))
    assert event.kind is EventKind.PUSH
    # Both commits add CHANGELOG and modify the controller: each path once, first seen first.
    assert event.paths == ("CHANGELOG", "app/controller/application.rb")


def test_added_modified_and_removed_files_all_count() -> None:
    payload = load_fixture_json("docs/push.json")
    payload["commits"] = [
        {"id": "a" * 40, "message": "one", "added": ["web/a.ts"], "modified": [], "removed": ["old.txt"]},
        {"id": "b" * 40, "message": "two", "modified": ["web/a.ts", "api/x.py"], "removed": None},
        {"id": "c" * 40, "message": "three", "added": "not a list", "modified": [3, "", None]},
    ]
    event = parsed(parse_gitlab("Push Hook", json.dumps(payload).encode()))
    assert event.paths == ("web/a.ts", "old.txt", "api/x.py", "3")


def test_a_github_push_names_its_changed_files() -> None:
    event = parsed(parse_github("push", load_github("push/with-new-branch.json")))
    assert event.kind is EventKind.PUSH
    assert event.paths == ("README.md",)


def test_a_tag_push_or_a_push_without_commits_has_no_paths() -> None:
    assert parsed(parse_github("push", load_github("push/example.json"))).paths == ()
    assert parsed(parse_gitlab("Tag Push Hook", load_fixture("docs/tag_push.json"))).paths == ()


def test_other_kinds_carry_no_paths_or_alert_labels() -> None:
    event = parsed(parse_gitlab("Merge Request Hook", load_fixture("docs/merge_request.json")))
    assert event.paths == () and event.alert_labels == {}


def test_an_alert_group_carries_its_labels_common_over_group() -> None:
    event = parsed(parse_alertmanager(alertmanager_payloads()["firing"]))
    assert event.alert_labels == {"alertname": "HighErrorRate", "job": "api", "severity": "critical"}


def test_common_labels_win_over_group_labels_of_the_same_name() -> None:
    body = {
        "status": "firing",
        "groupLabels": {"team": "group-team", "only_group": "g"},
        "commonLabels": {"team": "db", "severity": "warning"},
        "alerts": [{"status": "firing", "labels": {"alertname": "A"}}],
    }
    event = parsed(parse_alertmanager(json.dumps(body).encode()))
    assert event.alert_labels == {"team": "db", "only_group": "g", "severity": "warning"}


def test_a_push_of_many_and_long_paths_is_bounded() -> None:
    payload = load_fixture_json("docs/push.json")
    payload["commits"] = [
        {"id": f"{n:040x}", "message": "m", "added": [f"dir/{n}-{k}" for k in range(100)]} for n in range(30)
    ] + [{"id": "f" * 40, "message": "long", "modified": ["web/" + "p" * 100_000]}]
    event = parsed(parse_gitlab("Push Hook", json.dumps(payload).encode()))
    assert len(event.paths) == CAPS.files
    assert event.paths[0] == "dir/0-0" and event.paths[-1] == "dir/9-99"

    payload["commits"] = payload["commits"][-1:]  # type: ignore[index]
    event = parsed(parse_gitlab("Push Hook", json.dumps(payload).encode()))
    (path,) = event.paths
    assert len(path) == CAPS.file and path.endswith(ELLIPSIS) and path.startswith("web/ppp")


def test_many_and_long_alert_labels_are_bounded() -> None:
    body = {
        "status": "firing",
        "commonLabels": {f"label_{n}": "v" * 20_000 for n in range(300)},
        "alerts": [{"status": "firing", "labels": {"alertname": "A"}}],
    }
    event = parsed(parse_alertmanager(json.dumps(body).encode()))
    assert len(event.alert_labels) == CAPS.entries
    assert all(len(value) == CAPS.text for value in event.alert_labels.values())
