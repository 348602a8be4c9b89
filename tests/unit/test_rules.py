"""Routing rules (`hookcast.rules`): each action, their order, what decides, redirects, and the
positions invalid rules are refused with; over events parsed from the shipped samples where an
event matters, built by hand where one field does."""

from __future__ import annotations

from typing import Any

import pytest

from hookcast.events import Event, EventKind, Person
from hookcast.routing import BranchFilter, FilterName, RouteRules, decide, wants
from hookcast.rules import (
    MAX_RULES,
    Candidate,
    Outcome,
    Rule,
    RuleAction,
    RulesError,
    evaluate,
    parse_rules,
    route_all,
    stored_rules,
    to_stored,
    trace,
)
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import alertmanager_payloads, load_fixture


def sample_push() -> Event:
    event = parse_gitlab("Push Hook", load_fixture("docs/push.json"))
    assert isinstance(event, Event)
    return event


def sample_alert() -> Event:
    event = parse_alertmanager(alertmanager_payloads()["firing"])
    assert isinstance(event, Event)
    return event


def rules(*data: dict[str, Any]) -> tuple[Rule, ...]:
    return parse_rules(list(data))


ALL = RouteRules(active=True, triggers=frozenset(EventKind), branches_to_be_notified=BranchFilter.ALL)


def test_no_rules_deliver() -> None:
    verdict = evaluate(sample_push(), ())
    assert verdict.action is RuleAction.DELIVER and verdict.rule is None


def test_a_skip_rule_on_changed_paths() -> None:
    push = sample_push()  # changes CHANGELOG and app/controller/application.rb
    assert evaluate(push, rules({"match": {"paths": ["app/**"]}, "action": "skip"})).action is RuleAction.SKIP
    verdict = evaluate(push, rules({"match": {"paths": ["web/**"]}, "action": "skip"}))
    assert verdict.action is RuleAction.DELIVER and verdict.rule is None


def test_the_first_deciding_rule_wins() -> None:
    push = sample_push()
    found = evaluate(
        push,
        rules(
            {"match": {"kinds": ["alert"]}, "action": "skip"},
            {"match": {"refs": ["master"]}, "action": "deliver"},
            {"action": "skip"},
        ),
    )
    assert found.action is RuleAction.DELIVER and found.rule == 1
    swapped = evaluate(push, rules({"action": "skip"}, {"match": {"refs": ["master"]}, "action": "deliver"}))
    assert swapped.action is RuleAction.SKIP and swapped.rule == 0


def test_mention_rules_add_and_go_on_until_a_decision() -> None:
    push = sample_push()
    verdict = evaluate(
        push,
        rules(
            {"match": {"paths": ["app/**"]}, "action": "mention", "mention": ["alice", "bob@example.com"]},
            {"match": {"paths": ["docs/**"]}, "action": "mention", "mention": ["carol"]},
            {"action": "mention", "mention": ["alice", "dave"]},
            {"action": "deliver"},
            {"action": "mention", "mention": ["too-late"]},
        ),
    )
    assert verdict.action is RuleAction.DELIVER and verdict.rule == 3
    assert verdict.mentions == ("alice", "bob@example.com", "dave")
    assert verdict.mention_rules == (0, 2)


def test_redirect_names_its_target() -> None:
    verdict = evaluate(
        sample_alert(),
        rules({"match": {"alert_labels": ['severity="critical"']}, "action": "redirect", "to": 7}),
    )
    assert verdict.action is RuleAction.REDIRECT and verdict.to == 7 and verdict.rule == 0


def test_a_redirect_target_is_an_id_or_a_name() -> None:
    """A name is what the API takes and the service resolves on save; one never saved is no
    webhook, like a removed target: the rule's own webhook delivers (fail open)."""
    by_name, by_id = rules({"action": "redirect", "to": " ops "}, {"action": "redirect", "to": 7})
    assert (by_name.to, by_id.to) == ("ops", 7)
    routing = route_all(sample_push(), [Candidate(1, ALL, (by_name,)), Candidate(2, ALL)])
    assert routing.sending == (1, 2)
    assert routing.decisions[0].outcome is Outcome.DELIVERED
    assert routing.decisions[0].detail == {"rule": 0, "action": "redirect", "to": "ops", "target": "missing"}


def test_a_redirect_to_a_removed_webhook_is_delivered_by_the_rule_holder() -> None:
    """Nothing is lost: the rule still decides (by rule), its webhook sends the event itself,
    once, even when another redirect also lands on it; an inactive target still sends nothing."""
    off = RouteRules(active=False, triggers=frozenset(EventKind))
    routing = route_all(
        sample_push(),
        [
            Candidate(1, ALL, rules({"name": "to dba", "action": "redirect", "to": 99})),
            Candidate(2, ALL, rules({"action": "redirect", "to": 1})),
            Candidate(3, ALL, rules({"action": "redirect", "to": 4})),
            Candidate(4, off),
        ],
    )
    assert routing.sending == (1,)
    got = {d.webhook_id: (d.outcome, d.by, d.detail) for d in routing.decisions}
    assert got[1] == (
        Outcome.DELIVERED,
        "rule",
        {
            "rule": 0,
            "action": "redirect",
            "name": "to dba",
            "to": 99,
            "target": "missing",
            "redirected_from": [2],
        },
    )
    assert got[2][0] is Outcome.REDIRECTED and "target" not in got[2][2]
    assert got[3] == (
        Outcome.REDIRECTED,
        "rule",
        {"rule": 0, "action": "redirect", "to": 4, "target": "inactive"},
    )


def test_alert_severity_routing() -> None:
    alert = sample_alert()  # severity critical, job api
    severity_rules = rules(
        {"match": {"alert_labels": ['severity=~"warning|info"']}, "action": "skip"},
        {"match": {"alert_labels": ['severity="critical"', 'job="db"']}, "action": "redirect", "to": 3},
    )
    assert evaluate(alert, severity_rules).action is RuleAction.DELIVER


def test_trace_says_which_condition_failed_and_which_rules_were_not_tried() -> None:
    verdict, traces = trace(
        sample_push(),
        rules(
            {"match": {"kinds": ["push"], "refs": ["release/*"]}, "action": "skip"},
            {"match": {"exclude_bots": True}, "action": "deliver"},
            {"action": "skip"},
        ),
    )
    assert verdict.rule == 1
    assert [(t.tried, t.matched, t.failed) for t in traces] == [
        (True, False, "refs"),
        (True, True, None),
        (False, False, None),
    ]


def test_exclude_bots_as_one_skip_rule() -> None:
    bots = rules({"name": "exclude bots", "match": {"only_bots": True}, "action": "skip"})
    push = sample_push()
    assert evaluate(push, bots).action is RuleAction.DELIVER
    bot_push = push.model_copy(update={"actor": Person(name="Dependabot", username="dependabot[bot]")})
    assert evaluate(bot_push, bots).action is RuleAction.SKIP


@pytest.mark.parametrize(
    ("data", "position", "problem"),
    [
        (
            [{"match": {"refs": ["/[/"]}, "action": "skip"}],
            "rules[0].match.refs[0]",
            "invalid regular expression",
        ),
        (
            [{"action": "skip"}, {"action": "skip"}, {"match": {"refs": ["ok", "/(/"]}, "action": "skip"}],
            "rules[2].match.refs[1]",
            "invalid regular expression",
        ),
        ([{"action": "shout"}], "rules[0].action", "Input should be"),
        ([{"match": {"colour": ["red"]}, "action": "skip"}], "rules[0].match.colour", "Extra inputs"),
        ([{"action": "redirect"}], "rules[0]", "`to`"),
        ([{"action": "skip", "to": 3}], "rules[0]", "`to`"),
        ([{"action": "redirect", "to": 0}], "rules[0].to", "a webhook's id (a whole number from 1)"),
        ([{"action": "redirect", "to": " "}], "rules[0].to", "or its name (1 to 200 characters)"),
        ([{"action": "redirect", "to": True}], "rules[0].to", "a webhook's id"),
        ([{"action": "mention"}], "rules[0]", "`mention`"),
        (
            [{"match": {"alert_labels": ["severity~critical"]}, "action": "skip"}],
            "rules[0].match.alert_labels[0]",
            "not a label matcher",
        ),
        ({"action": "skip"}, "rules", "a list of rules"),
        ([{"action": "skip"}] * (MAX_RULES + 1), "rules", f"at most {MAX_RULES}"),
    ],
)
def test_invalid_rules_are_refused_with_their_position(data: Any, position: str, problem: str) -> None:
    with pytest.raises(RulesError) as refused:
        parse_rules(data)
    assert refused.value.position == position
    assert problem in refused.value.problem
    assert str(refused.value).startswith(position + ": ")


def test_rules_are_stored_without_defaults_and_read_back() -> None:
    given = rules(
        {"match": {"paths": ["web/**"]}, "action": "mention", "mention": ["alice"]}, {"action": "skip"}
    )
    kept = to_stored(given)
    assert kept == [
        {"match": {"paths": ["web/**"]}, "action": "mention", "mention": ["alice"]},
        {"action": "skip"},
    ]
    assert stored_rules(kept) == given
    assert to_stored(()) is None and stored_rules(None) == ()
    assert stored_rules([{"action": "no such action"}]) == (), "a stored rule gone invalid counts as none"


def test_decide_names_the_filter_that_failed_and_wants_agrees() -> None:
    push = sample_push().model_copy(update={"branch": "feature", "details": {}})
    cases = [
        (RouteRules(active=False, triggers=frozenset(EventKind)), FilterName.INACTIVE),
        (RouteRules(active=True, triggers=frozenset({EventKind.ALERT})), FilterName.TRIGGER),
        (
            RouteRules(
                active=True, triggers=frozenset(EventKind), branches_to_be_notified=BranchFilter.PROTECTED
            ),
            FilterName.BRANCH,
        ),
        (ALL, None),
    ]
    for filters, expected in cases:
        assert decide(push, filters) == expected
        assert wants(push, filters) is (expected is None)
    pipeline = Event(kind=EventKind.PIPELINE, action="running", branch="master")
    assert decide(pipeline, ALL) == FilterName.PIPELINE_STATE
    assert decide(Event(kind=EventKind.ISSUE, action="update"), ALL) == FilterName.QUIET_UPDATE
    labelled = RouteRules(active=True, triggers=frozenset(EventKind), labels_to_be_notified=frozenset({"ui"}))
    assert decide(Event(kind=EventKind.ISSUE, action="open", labels=("db",)), labelled) == FilterName.LABELS


def test_route_all_records_every_webhook_and_lands_redirects() -> None:
    push = sample_push()
    off = RouteRules(active=False, triggers=frozenset(EventKind))
    routing = route_all(
        push,
        [
            Candidate(1, off),
            Candidate(2, RouteRules(active=True, triggers=frozenset({EventKind.ALERT}))),
            Candidate(3, ALL, rules({"match": {"paths": ["app/**"]}, "action": "redirect", "to": 5})),
            Candidate(4, ALL, rules({"action": "skip", "name": "mute"})),
            Candidate(5, RouteRules(active=True, triggers=frozenset())),  # its filters are not re-applied
            Candidate(6, ALL, rules({"action": "mention", "mention": ["alice"]})),
            Candidate(7, ALL, rules({"action": "redirect", "to": 1})),  # inactive target: nothing
            Candidate(8, ALL, rules({"action": "redirect", "to": 99})),  # not of this project
        ],
    )
    assert routing.sending == (5, 6, 8), "a redirect to no webhook of the project: its own sends it"
    got = {d.webhook_id: (d.outcome, d.by, d.detail) for d in routing.decisions}
    assert got[1] == (Outcome.FILTERED, "inactive", {})
    assert got[2] == (Outcome.FILTERED, "trigger", {})
    assert got[3] == (Outcome.REDIRECTED, "rule", {"rule": 0, "action": "redirect", "to": 5})
    assert got[4] == (Outcome.SKIPPED, "rule", {"rule": 0, "action": "skip", "name": "mute"})
    assert got[5] == (Outcome.FILTERED, "trigger", {"redirected_from": [3]})
    assert got[6] == (Outcome.DELIVERED, "default", {"mentions": ["alice"], "mention_rules": [0]})
    assert got[7][2]["target"] == "inactive" and got[8][2]["target"] == "missing"
    assert (got[7][0], got[8][0]) == (Outcome.REDIRECTED, Outcome.DELIVERED)
    assert routing.stored()[0] == {"webhook_id": 1, "outcome": "filtered", "by": "inactive", "detail": {}}


def test_a_webhook_sending_on_its_own_and_by_redirect_sends_once() -> None:
    routing = route_all(
        sample_push(), [Candidate(1, ALL, rules({"action": "redirect", "to": 2})), Candidate(2, ALL)]
    )
    assert routing.sending == (2,)
    assert routing.decisions[1].outcome is Outcome.DELIVERED
    assert routing.decisions[1].detail == {"redirected_from": [1]}
