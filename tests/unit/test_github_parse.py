"""The GitHub parser over GitHub's documented example payloads (tests/data/github/README.md):
every event hookcast maps, onto which kind and action, with the ids living messages follow; form
bodies, ping and unknown events; hostile and truncated bodies."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from hookcast.events import CHECK_SUITE_WORKFLOW, Event, EventKind, Role, Tone
from hookcast.living import object_key
from hookcast.sources import Ignored, Rejection
from hookcast.sources.github import FORM, parse_github
from hookcast.sources.registry import GITHUB
from tests.fixtures import github_fixtures, load_github


def parsed(name: str, event: str | None = None, **options: str) -> Event:
    body = load_github(name)
    result = parse_github(event or name.split("/")[-2], body, **options)  # type: ignore[arg-type]
    assert isinstance(result, Event), result
    return result


# fixture -> (kind, action, tone, object_id)
EXPECTED: dict[str, tuple[EventKind, str, Tone, str]] = {
    "push/example.json": (EventKind.TAG_PUSH, "removed", Tone.SUCCESS, "6113728f"),
    "push/with-new-branch.json": (EventKind.PUSH, "created_branch", Tone.SUCCESS, "6113728f"),
    "derived/push/forced.json": (EventKind.PUSH, "force_pushed", Tone.SUCCESS, "6113728f"),
    "create/example.json": (EventKind.TAG_PUSH, "pushed", Tone.SUCCESS, "simple-tag"),
    "delete/example.json": (EventKind.TAG_PUSH, "removed", Tone.SUCCESS, "simple-tag"),
    "release/published.json": (EventKind.RELEASE, "create", Tone.SUCCESS, "0.0.1"),
    "pull_request/opened.json": (EventKind.MERGE_REQUEST, "open", Tone.SUCCESS, "2"),
    "pull_request/closed.json": (EventKind.MERGE_REQUEST, "close", Tone.NEUTRAL, "2"),
    "derived/pull_request/merged.json": (EventKind.MERGE_REQUEST, "merge", Tone.SUCCESS, "2"),
    "pull_request/reopened.json": (EventKind.MERGE_REQUEST, "reopen", Tone.SUCCESS, "2"),
    "pull_request/ready_for_review.json": (EventKind.MERGE_REQUEST, "ready_for_review", Tone.SUCCESS, "2"),
    "pull_request/review_requested.json": (EventKind.MERGE_REQUEST, "review_requested", Tone.NEUTRAL, "2"),
    "pull_request/synchronize.json": (EventKind.MERGE_REQUEST, "synchronize", Tone.NEUTRAL, "2"),
    "pull_request_review/submitted.json": (EventKind.MERGE_REQUEST, "reviewed", Tone.NEUTRAL, "2"),
    "derived/pull_request_review/approved.json": (EventKind.MERGE_REQUEST, "approved", Tone.SUCCESS, "2"),
    "derived/pull_request_review/changes_requested.json": (
        EventKind.MERGE_REQUEST,
        "changes_requested",
        Tone.WARNING,
        "2",
    ),
    "pull_request_review_comment/created.json": (EventKind.NOTE, "create", Tone.SUCCESS, "284312630"),
    "issues/opened.json": (EventKind.ISSUE, "open", Tone.SUCCESS, "1"),
    "issues/reopened.json": (EventKind.ISSUE, "reopen", Tone.SUCCESS, "1"),
    "derived/issues/closed.json": (EventKind.ISSUE, "close", Tone.SUCCESS, "1"),
    "issues/labeled.json": (EventKind.ISSUE, "update", Tone.NEUTRAL, "1"),
    "issue_comment/created.json": (EventKind.NOTE, "create", Tone.SUCCESS, "492700400"),
    "discussion/created.json": (EventKind.ISSUE, "open", Tone.SUCCESS, "4"),
    "discussion/answered.json": (EventKind.ISSUE, "answered", Tone.SUCCESS, "4"),
    "discussion_comment/created.json": (EventKind.NOTE, "create", Tone.SUCCESS, "550062"),
    "derived/issue_comment/on_pull_request.json": (EventKind.NOTE, "create", Tone.SUCCESS, "492700400"),
    "workflow_run/completed.json": (EventKind.PIPELINE, "success", Tone.SUCCESS, "289782451"),
    "workflow_run/completed.with-pull-requests.json": (
        EventKind.PIPELINE,
        "success",
        Tone.SUCCESS,
        "289782451",
    ),
    "derived/workflow_run/failure.json": (EventKind.PIPELINE, "failed", Tone.FAILURE, "289782451"),
    "derived/workflow_run/cancelled.json": (EventKind.PIPELINE, "canceled", Tone.NEUTRAL, "289782451"),
    "check_suite/completed.json": (EventKind.PIPELINE, "success", Tone.SUCCESS, "118578147"),
    "check_run/completed.json": (EventKind.JOB, "success", Tone.SUCCESS, "128620228"),
    "derived/check_run/failure.json": (EventKind.JOB, "failed", Tone.FAILURE, "128620228"),
    "deployment_status/example.json": (EventKind.DEPLOYMENT, "success", Tone.SUCCESS, "145988746"),
}


def test_every_example_is_expected_here() -> None:
    assert {name for name, _, _ in github_fixtures()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_maps_onto_its_kind(name: str) -> None:
    event = parsed(name)
    assert (event.kind, event.action, event.tone, event.object_id) == EXPECTED[name]
    assert event.source == "github"
    assert event.project.path_with_namespace in {"Codertocat/Hello-World", "octo-org/octo-repo"}
    assert event.project.url and event.project.url.startswith("https://github.com/")
    assert event.actor.username, "every GitHub event names its sender's login"


def test_the_delivery_id_is_the_events_id() -> None:
    event = parsed("pull_request/opened.json", delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    assert event.source_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert GITHUB.idempotency.headers == ("x-github-delivery",)


def test_a_pull_request_lives_as_a_merge_request_by_its_number() -> None:
    opened, merged = parsed("pull_request/opened.json"), parsed("derived/pull_request/merged.json")
    assert object_key(opened) == object_key(merged) == "merge_request:Codertocat/Hello-World:2"
    assert opened.details["source_branch"] == "changes" and opened.details["target_branch"] == "master"
    assert merged.details["state"] == "merged"
    reviewers = [u.person.username for u in opened.related_users if u.role is Role.REVIEWER]
    assert reviewers == ["octocat"]


def test_a_review_request_names_the_requested_reviewer_only() -> None:
    event = parsed("pull_request/review_requested.json")
    assert [(u.role, u.person.username) for u in event.related_users if u.role is Role.REVIEWER] == [
        (Role.REVIEWER, "octocat")
    ]
    assert Role.ASSIGNEE not in {u.role for u in event.related_users}


def test_an_approving_review_names_the_approver_and_links_the_review() -> None:
    event = parsed("derived/pull_request_review/approved.json")
    assert [u.person.username for u in event.related_users if u.role is Role.APPROVER] == ["Codertocat"]
    assert event.url == "https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671"
    assert event.description == "Looks good to me."


def test_comments_say_what_they_are_on() -> None:
    on_issue = parsed("issue_comment/created.json")
    on_pr = parsed("derived/issue_comment/on_pull_request.json")
    on_diff = parsed("pull_request_review_comment/created.json")
    assert on_issue.details["noteable_type"] == "Issue"
    assert on_pr.details["noteable_type"] == on_diff.details["noteable_type"] == "PullRequest"
    assert on_pr.details["target_id"] == "1" and on_diff.details["target_id"] == "2"
    assert on_diff.details["source_branch"] == "changes"


def test_discussions_are_issues_of_their_own_type() -> None:
    started, answered = parsed("discussion/created.json"), parsed("discussion/answered.json")
    assert started.details["work_item_type"] == answered.details["work_item_type"] == "Discussion"
    assert object_key(started) == object_key(answered) == "issue:Codertocat/Hello-World:4"
    assert answered.url == "https://github.com/Codertocat/Hello-World/discussions/4#discussioncomment-550561"
    comment = parsed("discussion_comment/created.json")
    assert comment.details["noteable_type"] == "Discussion" and comment.details["target_id"] == "4"


def test_workflow_runs_are_pipelines_with_their_workflow_and_pull_request() -> None:
    run = parsed("workflow_run/completed.with-pull-requests.json")
    assert object_key(run) == "pipeline:octo-org/octo-repo:289782451"
    assert (run.ref, run.branch, run.title) == ("refs/heads/master", "master", "test")
    assert run.details["workflow"] == "2823525"
    assert run.details["merge_request_iid"] == "2"
    assert run.details["commit_sha"] == "3484a3fb816e0859fd6e1cea078d76385ff50625"
    failed = parsed("derived/workflow_run/failure.json")
    assert failed.details["status"] == "failed" and failed.details["detailed_status"] == "failure"
    suite = parsed("check_suite/completed.json")
    assert suite.details["workflow"].startswith(CHECK_SUITE_WORKFLOW) and suite.title == "octocoders-linter"


def test_a_failed_check_run_is_a_failed_job_with_its_suite() -> None:
    job = parsed("derived/check_run/failure.json")
    assert (job.title, job.branch) == ("Octocoders-linter", "changes")
    assert job.details["pipeline_id"] == "118578147" and job.details["duration"] == "148"


@pytest.mark.parametrize(
    ("conclusion", "status"),
    [
        ("timed_out", "failed"),
        ("startup_failure", "failed"),
        ("neutral", "skipped"),
        ("action_required", "manual"),
        ("skipped", "skipped"),
    ],
)
def test_other_conclusions_use_pipeline_words(conclusion: str, status: str) -> None:
    body = json.loads(load_github("workflow_run/completed.json"))
    body["workflow_run"]["conclusion"] = conclusion
    event = parse_github("workflow_run", json.dumps(body).encode())
    assert isinstance(event, Event) and event.action == status


def test_a_run_in_progress_is_running() -> None:
    body = json.loads(load_github("workflow_run/completed.json"))
    body["workflow_run"].update(status="in_progress", conclusion=None)
    event = parse_github("workflow_run", json.dumps(body).encode())
    assert isinstance(event, Event) and event.action == "running" and "duration" not in event.details


def test_a_form_body_carries_the_json_in_its_payload_field() -> None:
    body = load_github("issues/opened.json")
    form = urlencode({"payload": body.decode()}).encode()
    from_form = parse_github("issues", form, content_type=f"{FORM}; charset=utf-8")
    assert from_form == parse_github("issues", body)
    empty = parse_github("issues", b"other=1", content_type=FORM)
    assert isinstance(empty, Rejection) and empty.status == 422 and "payload" in empty.reason
    broken = parse_github("issues", b"payload=%7Bnope", content_type=FORM)
    assert isinstance(broken, Rejection) and broken.status == 400


def test_ping_and_unknown_events_are_ignored() -> None:
    ping = parse_github("ping", load_github("ping/example.json"))
    assert isinstance(ping, Ignored) and ping.reason.startswith("ping")
    star = parse_github("star", load_github("star/created.json"))
    assert isinstance(star, Ignored) and "star" in star.reason


@pytest.mark.parametrize(
    ("event", "change"),
    [
        ("release", {"action": "created"}),
        ("release", {"action": "prereleased"}),
        ("pull_request_review", {"action": "dismissed"}),
        ("issue_comment", {"action": "deleted"}),
        ("deployment_status", {"deployment_status": {"state": "inactive"}}),
    ],
)
def test_actions_not_notified_are_ignored(event: str, change: dict[str, object]) -> None:
    base = {
        "release": "release/published.json",
        "pull_request_review": "pull_request_review/submitted.json",
        "issue_comment": "issue_comment/created.json",
        "deployment_status": "deployment_status/example.json",
    }[event]
    body = json.loads(load_github(base))
    for key, value in change.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) else value
    assert isinstance(parse_github(event, json.dumps(body).encode()), Ignored)


def test_refusals_name_what_is_wrong() -> None:
    assert parse_github(None, b"{}") == Rejection(400, "missing X-GitHub-Event header")
    broken = parse_github("push", b"{nope")
    assert isinstance(broken, Rejection) and broken.status == 400
    listed = parse_github("push", b"[]")
    assert isinstance(listed, Rejection) and listed.status == 400
    lacking = parse_github("pull_request", b'{"action": "opened"}')
    assert isinstance(lacking, Rejection) and lacking.status == 400
    assert "pull_request.number" in lacking.reason and "repository.full_name" in lacking.reason


def test_fields_of_the_wrong_type_read_as_absent() -> None:
    body = json.loads(load_github("pull_request/opened.json"))
    body["pull_request"].update(labels="bug", assignees={"login": 3}, body=["x"], user=7, draft="yes")
    body["sender"]["avatar_url"] = 12
    event = parse_github("pull_request", json.dumps(body).encode())
    assert isinstance(event, Event)
    assert event.labels == () and event.description == "" and "draft" not in event.details


def test_long_texts_are_capped() -> None:
    body = json.loads(load_github("issues/opened.json"))
    body["issue"]["title"] = "x" * 100_000
    event = parse_github("issues", json.dumps(body).encode())
    assert isinstance(event, Event) and len(event.title) < 10_000
