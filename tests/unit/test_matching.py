"""The conditions rules and silences share (`hookcast.matching`)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hookcast.events import Event, EventKind, Person
from hookcast.matching import (
    EventMatch,
    MatchOp,
    first_mismatch,
    is_bot,
    matches,
    parse_matcher,
    parse_matchers,
)


def push(branch: str = "main", paths: tuple[str, ...] = (), username: str = "alice") -> Event:
    return Event(kind=EventKind.PUSH, branch=branch, paths=paths, actor=Person(name="A", username=username))


def alert(**labels: str) -> Event:
    return Event(kind=EventKind.ALERT, action="firing", source="alertmanager", alert_labels=labels)


def test_an_empty_match_matches_anything() -> None:
    assert matches(push(), EventMatch())
    assert matches(alert(), EventMatch())


@pytest.mark.parametrize(
    ("text", "name", "op", "value"),
    [
        ('team="db"', "team", MatchOp.EQUAL, "db"),
        ("team!=db", "team", MatchOp.NOT_EQUAL, "db"),
        ('severity=~"critical|warning"', "severity", MatchOp.REGEX, "critical|warning"),
        (' job !~ "node.*" ', "job", MatchOp.NOT_REGEX, "node.*"),
        (r'msg="say \"hi\""', "msg", MatchOp.EQUAL, 'say "hi"'),
    ],
)
def test_alertmanager_matchers_parse(text: str, name: str, op: MatchOp, value: str) -> None:
    matcher = parse_matcher(text)
    assert (matcher.name, matcher.op, matcher.value) == (name, op, value)
    assert parse_matcher(str(matcher)) == matcher


@pytest.mark.parametrize("text", ["team", "=db", 'team=="db"', "9team=db", 'team=~"("'])
def test_a_bad_matcher_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"matcher|regular expression"):
        parse_matcher(text)


def test_a_braced_list_of_matchers_parses_with_commas_inside_quotes() -> None:
    found = parse_matchers('{severity=~"critical|warning", msg="a, b", team="db"}')
    assert [str(m) for m in found] == ['severity=~"critical|warning"', 'msg="a, b"', 'team="db"']


def test_alert_label_matchers_are_anchored_and_absent_labels_are_empty() -> None:
    rule = EventMatch(alert_labels=('severity=~"critical|warning"', 'team=""'))
    assert matches(alert(severity="critical"), rule)
    assert not matches(alert(severity="critical-ish"), rule)
    assert not matches(alert(severity="warning", team="db"), rule)
    assert first_mismatch(alert(severity="info"), rule) == "alert_labels"


def test_refs_take_globs_and_slashed_regexes_and_need_a_ref() -> None:
    rule = EventMatch(refs=("release/*", "/^hotfix-\\d+$/"))
    assert matches(push("release/1.2"), rule)
    assert matches(push("hotfix-12"), rule)
    assert not matches(push("hotfix-12a"), rule)
    assert not matches(alert(), rule)
    tag = Event(kind=EventKind.TAG_PUSH, is_tag=True, ref="refs/tags/release/2.0")
    assert matches(tag, rule)


def test_paths_match_any_changed_file_of_a_push() -> None:
    rule = EventMatch(paths=("web/**",))
    assert matches(push(paths=("README.md", "web/app/main.ts")), rule)
    assert not matches(push(paths=("api/server.py",)), rule)
    assert first_mismatch(alert(), rule) == "paths"


def test_labels_any_all_none() -> None:
    mr = Event(kind=EventKind.MERGE_REQUEST, action="open", labels=("bug", "ui"))
    assert matches(mr, EventMatch(labels_any=("ui", "db")))
    assert not matches(mr, EventMatch(labels_all=("ui", "db")))
    assert first_mismatch(mr, EventMatch(labels_none=("bug",))) == "labels_none"


def test_actors_include_exclude_and_bots() -> None:
    assert matches(push(username="alice"), EventMatch(actors=("ALICE",)))
    assert not matches(push(username="bob"), EventMatch(actors=("alice",)))
    assert first_mismatch(push(username="alice"), EventMatch(actors_not=("al*",))) == "actors_not"
    for bot in ("dependabot[bot]", "project_42_bot_3f2a", "group_7_bot", "renovate-bot", "ghost"):
        assert is_bot(Person(username=bot))
        assert first_mismatch(push(username=bot), EventMatch(exclude_bots=True)) == "exclude_bots"
    assert not is_bot(Person(username="abbot"))


def test_only_bots_is_the_other_side_of_exclude_bots() -> None:
    assert matches(push(username="dependabot[bot]"), EventMatch(only_bots=True))
    assert first_mismatch(push(username="alice"), EventMatch(only_bots=True)) == "only_bots"


def test_kinds_actions_and_projects() -> None:
    event = push().model_copy(update={"action": "pushed"})
    event = event.model_copy(
        update={"project": event.project.model_copy(update={"path_with_namespace": "Team/Web"})}
    )
    assert matches(event, EventMatch(kinds=(EventKind.PUSH,), projects=("team/*",)))
    assert first_mismatch(event, EventMatch(kinds=(EventKind.ALERT,))) == "kinds"
    assert first_mismatch(event, EventMatch(actions=("merged",))) == "actions"


def test_workflow_fields_match_workflow_events_only() -> None:
    flow = Event(kind=EventKind.ISSUE_STAGE_STATUS_CHANGED, details={"status": "waiting", "stage": "prod"})
    assert matches(flow, EventMatch(workflow_stage=("prod",), workflow_status=("waiting",)))
    assert not matches(push(), EventMatch(workflow_status=("waiting",)))


def test_invalid_conditions_are_refused_where_they_are() -> None:
    with pytest.raises(ValidationError) as caught:
        EventMatch.model_validate({"refs": ["main", "/(/"], "alert_labels": ['team=="x"']})
    places = {error["loc"] for error in caught.value.errors()}
    assert ("refs", 1) in places
    assert ("alert_labels", 0) in places
    with pytest.raises(ValidationError):
        EventMatch.model_validate({"colour": "red"})
