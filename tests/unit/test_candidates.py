"""How routing sees a webhook is worked out once per version of the webhook, and stored rules
that no longer validate are said so in the log instead of silently routing as none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from structlog.testing import capture_logs

from hookcast.events import EventKind
from hookcast.rules import RuleAction
from hookcast.services.decisions import Candidates
from hookcast.store.tables import Webhook

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def webhook(rules: object, updated_at: datetime = T0, webhook_id: int = 7) -> Webhook:
    return Webhook(
        id=webhook_id,
        active=True,
        triggers=[EventKind.PUSH.value],
        pipelines_to_be_notified="all",
        branches_to_be_notified="all",
        labels_to_be_notified="",
        labels_to_be_notified_behavior="match_any",
        rules=rules,
        updated_at=updated_at,
    )


SKIP_BOTS = [{"action": "skip", "match": {"only_bots": True}}]


def test_one_version_is_worked_out_once_and_a_change_anew() -> None:
    candidates = Candidates()
    first = candidates.of(webhook(SKIP_BOTS))
    assert [rule.action for rule in first.rules] == [RuleAction.SKIP]
    assert candidates.of(webhook(SKIP_BOTS)) is first, "the same id and updated_at: kept"

    changed = candidates.of(webhook([{"action": "deliver"}], updated_at=T0 + timedelta(seconds=1)))
    assert [rule.action for rule in changed.rules] == [RuleAction.DELIVER]
    assert candidates.of(webhook(SKIP_BOTS, webhook_id=8)).webhook_id == 8


def test_rules_that_no_longer_validate_route_as_none_and_are_logged_once() -> None:
    candidates = Candidates()
    broken = [{"action": "skip", "match": {"no_such_condition": 1}}]
    with capture_logs() as logs:
        assert candidates.of(webhook(broken)).rules == ()
        assert candidates.of(webhook(broken)).rules == ()
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 1 and warnings[0]["webhook_id"] == 7
    assert "no longer validate" in warnings[0]["event"]


def test_a_webhook_without_rules_logs_nothing() -> None:
    with capture_logs() as logs:
        assert Candidates().of(webhook(None)).rules == ()
    assert logs == []
