"""parse_gitlab: every GitLab fixture, the original three-colour tone table (docs/architecture.md,
"Vocabulary: kinds, triggers, tones and details"), variants, hostile input."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookcast.events import Event, EventKind, Role, Tone
from hookcast.sources import Ignored, Rejection
from hookcast.sources.gitlab import parse_gitlab, parse_gitlab_time
from tests.fixtures import gitlab_fixtures, gitlab_index, load_fixture, load_fixture_json

ZERO_SHA = "0" * 40
FIXTURES = gitlab_fixtures()
FIXTURE_IDS = [name for name, _, _ in FIXTURES]


def parse(header: str | None, payload: dict[str, Any], uuid: str | None = None) -> Event:
    result = parse_gitlab(header, json.dumps(payload).encode(), event_uuid=uuid)
    assert isinstance(result, Event), result
    return result


def parse_file(name: str, header: str | None = None) -> Event:
    entry = next(entry for entry in gitlab_index() if entry["file"] == name)
    result = parse_gitlab(header or entry["x_gitlab_event"], load_fixture(name))
    assert isinstance(result, Event), result
    return result


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(load_fixture_json(name))


# --------------------------------------------------------------------------- every fixture

# file -> (kind, action, tone, title, object_id, project path_with_namespace), values read from the payloads
# fmt: off
EXPECTED: dict[str, tuple[EventKind, str, Tone, str, str | None, str]] = {
    "docs/push.json": (EventKind.PUSH, "pushed", Tone.SUCCESS, "master", "da156088", "mike/diaspora"),
    "docs/tag_push.json":
        (EventKind.TAG_PUSH, "pushed", Tone.SUCCESS, "v1.0.0", "82b3d5ae", "jsmith/example"),
    "docs/work_item.json":
        (EventKind.ISSUE, "open", Tone.SUCCESS, "New API: create/update/delete file",
         "23", "gitlabhq/gitlab-test"),
    "docs/note_commit.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "Add submodule", "1243", "gitlabhq/gitlab-test"),
    "docs/note_merge_request.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "Tempora et eos debitis quae laborum et.",
         "1244", "gitlab-org/gitlab-test"),
    "docs/note_issue.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "test", "1241", "gitlab-org/gitlab-test"),
    "docs/note_snippet.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "test", "1245", "gitlab-org/gitlab-test"),
    "docs/merge_request.json":
        (EventKind.MERGE_REQUEST, "open", Tone.SUCCESS, "MS-Viewport", "1", "gitlabhq/gitlab-test"),
    "docs/wiki_page.json":
        (EventKind.WIKI_PAGE, "create", Tone.SUCCESS, "Awesome", "awesome", "root/awesome-project"),
    "docs/pipeline.json":
        (EventKind.PIPELINE, "success", Tone.SUCCESS, "Pipeline for branch: master",
         "31", "gitlab-org/gitlab-test"),
    "docs/job.json": (EventKind.JOB, "created", Tone.NEUTRAL, "test", "1977", "gitlab-org/gitlab-test"),
    "docs/deployment.json":
        (EventKind.DEPLOYMENT, "success", Tone.SUCCESS, "staging", "15", "root/test-deployment-webhooks"),
    "docs/member_add_to_group.json":
        (EventKind.MEMBER, "added", Tone.SUCCESS, "Test User", "64", "webhook-test"),
    "docs/member_update.json": (EventKind.MEMBER, "updated", Tone.NEUTRAL, "Test User", "64", "webhook-test"),
    "docs/member_remove_from_group.json":
        (EventKind.MEMBER, "removed", Tone.NEUTRAL, "Test User", "64", "webhook-test"),
    "docs/member_access_request.json":
        (EventKind.MEMBER, "access_requested", Tone.WARNING, "Test User", "64", "webhook-test"),
    "docs/member_access_request_denied.json":
        (EventKind.MEMBER, "access_denied", Tone.NEUTRAL, "Test User", "64", "webhook-test"),
    "docs/project_create.json":
        (EventKind.PROJECT, "create", Tone.SUCCESS, "project1", "22", "group1/project1"),
    "docs/project_destroy.json":
        (EventKind.PROJECT, "destroy", Tone.NEUTRAL, "project1", "22", "group1/project1"),
    "docs/subgroup_create.json": (EventKind.SUBGROUP, "create", Tone.SUCCESS, "subgroup1", "10", "group1"),
    "docs/subgroup_destroy.json": (EventKind.SUBGROUP, "destroy", Tone.NEUTRAL, "subgroup1", "10", "group1"),
    "docs/feature_flag.json":
        (EventKind.FEATURE_FLAG, "activated", Tone.SUCCESS, "test-feature-flag", "6", "gitlabhq/gitlab-test"),
    "docs/release.json":
        (EventKind.RELEASE, "create", Tone.SUCCESS, "v1.1", "v1.1", "gitlab-org/release-webhook-example"),
    "docs/milestone.json":
        (EventKind.MILESTONE, "create", Tone.SUCCESS, "v1.0", "10", "gitlabhq/gitlab-test"),
    "docs/emoji.json": (EventKind.EMOJI, "award", Tone.SUCCESS, "New issue!", "1", "flightjs/Flight"),
    "docs/resource_access_token_project.json":
        (EventKind.ACCESS_TOKEN, "expiring", Tone.WARNING, "acd", "25", "flightjs/Flight"),
    "docs/resource_access_token_group.json":
        (EventKind.ACCESS_TOKEN, "expiring", Tone.WARNING, "acd", "25", "twitter"),
    "docs/vulnerability.json":
        (EventKind.VULNERABILITY, "confirmed", Tone.FAILURE, "REXML DoS vulnerability",
         "1", "flightjs/Flight"),
    "go-gitlab/build.json": (EventKind.JOB, "created", Tone.NEUTRAL, "test", "1977", ""),
    "go-gitlab/deployment.json":
        (EventKind.DEPLOYMENT, "success", Tone.SUCCESS, "staging", "15", "root/test-deployment-webhooks"),
    "go-gitlab/feature_flag.json":
        (EventKind.FEATURE_FLAG, "activated", Tone.SUCCESS, "test-feature-flag", "6", "gitlabhq/gitlab-test"),
    "go-gitlab/group_merge_request.json":
        (EventKind.MERGE_REQUEST, "merge", Tone.SUCCESS, "source-branch-test",
         "1402", "exm-namespace/example-project"),
    "go-gitlab/issue.json":
        (EventKind.ISSUE, "open", Tone.SUCCESS, "New API: create/update/delete file",
         "23", "gitlabhq/gitlab-test"),
    "go-gitlab/job.json": (EventKind.JOB, "success", Tone.SUCCESS, "auto_deploy:start", "3580121225", ""),
    "go-gitlab/member.json": (EventKind.MEMBER, "added", Tone.SUCCESS, "User1", "64", "webhook-test"),
    "go-gitlab/merge_request.json":
        (EventKind.MERGE_REQUEST, "open", Tone.SUCCESS, "MS-Viewport", "1", "gitlabhq/gitlab-test"),
    "go-gitlab/note_commit.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "Add submodule", "1243", "gitlabhq/gitlab-test"),
    "go-gitlab/note_issue.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "test_issue", "1241", "gitlab-org/gitlab-test"),
    "go-gitlab/note_merge_request.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "Tempora et eos debitis quae laborum et.",
         "1244", "gitlab-org/gitlab-test"),
    "go-gitlab/note_snippet.json":
        (EventKind.NOTE, "create", Tone.SUCCESS, "test", "1245", "gitlab-org/gitlab-test"),
    "go-gitlab/pipeline.json":
        (EventKind.PIPELINE, "success", Tone.SUCCESS, "Pipeline #31", "31", "gitlab-org/gitlab-test"),
    "go-gitlab/push.json": (EventKind.PUSH, "pushed", Tone.SUCCESS, "master", "da156088", "mike/diaspora"),
    "go-gitlab/release.json":
        (EventKind.RELEASE, "create", Tone.SUCCESS, "1.0.0", "1.0.0", "exm-namespace/example-project"),
    "go-gitlab/resource_access_token_group.json":
        (EventKind.ACCESS_TOKEN, "expiring", Tone.WARNING, "acd", "25", "twitter"),
    "go-gitlab/resource_access_token_project.json":
        (EventKind.ACCESS_TOKEN, "expiring", Tone.WARNING, "acd", "25", "flightjs/Flight"),
    "go-gitlab/service_merge_request.json":
        (EventKind.MERGE_REQUEST, "update", Tone.NEUTRAL, "Update client.go 🎉", "2", "test/woodpecker"),
    "go-gitlab/subgroup.json": (EventKind.SUBGROUP, "create", Tone.SUCCESS, "SubGroup 1", "2", "group-1"),
    "go-gitlab/tag_push.json":
        (EventKind.TAG_PUSH, "pushed", Tone.SUCCESS, "v1.0.0", "82b3d5ae", "jsmith/example"),
    "go-gitlab/wiki_page.json":
        (EventKind.WIKI_PAGE, "create", Tone.SUCCESS, "Awesome", "awesome", "root/awesome-project"),
}
# fmt: on


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(FIXTURE_IDS)
    assert len(FIXTURES) == 49


@pytest.mark.parametrize(("name", "header", "body"), FIXTURES, ids=FIXTURE_IDS)
def test_fixture_parses_to_expected_event(name: str, header: str, body: bytes) -> None:
    kind, action, tone, title, object_id, project_path = EXPECTED[name]
    event = parse_gitlab(header, body, event_uuid=f"uuid-{name}")
    assert isinstance(event, Event), event
    assert (event.kind, event.action, event.tone) == (kind, action, tone)
    assert event.title == title
    assert event.object_id == object_id
    assert event.project.path_with_namespace == project_path
    assert event.source == "gitlab"
    assert event.source_id == f"uuid-{name}"


@pytest.mark.parametrize(("name", "header", "body"), FIXTURES, ids=FIXTURE_IDS)
def test_fixture_parses_the_same_without_header_from_object_kind(name: str, header: str, body: bytes) -> None:
    with_header = parse_gitlab(header, body)
    for fallback_header in (None, "", "System Hook"):
        assert parse_gitlab(fallback_header, body) == with_header


def test_missing_uuid_leaves_source_id_empty() -> None:
    assert parse_file("docs/push.json").source_id is None


# --------------------------------------------------------------------------- push & tag push


def test_push_fields() -> None:
    event = parse_file("docs/push.json")
    assert event.ref == "refs/heads/master"
    assert event.branch == "master"
    assert event.is_tag is False
    assert event.actor.name == "John Smith"
    assert event.actor.username == "jsmith"
    assert event.actor.email == "john@example.com"
    assert event.actor.avatar_url is not None and event.actor.avatar_url.startswith("https://s.gravatar.com/")
    assert event.project.name == "Diaspora"
    assert event.project.url == "http://example.com/mike/diaspora"
    assert event.project.default_branch == "master"
    assert event.url == (
        "http://example.com/mike/diaspora/-/compare/"
        "95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    )
    assert event.details["before"] == "95790bf891e76fee5e1747ab589903a6a1f80f22"
    assert event.details["after"] == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    assert event.details["commit_sha"] == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    assert event.details["ref_protected"] == "true"
    assert event.total_items == 4
    assert [item.title for item in event.items] == ["Update Catalan translation to e38cb41.", "fixed readme"]
    assert [item.id for item in event.items] == ["b6568db1", "da156088"]
    assert [item.author for item in event.items] == ["Jordi Mallach", "GitLab dev user"]
    assert (
        event.items[0].url
        == "http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"
    )
    assert event.occurred_at is None


def test_push_commit_title_is_first_line_of_message() -> None:
    event = parse_file("go-gitlab/push.json")
    assert event.items[0].title == "Merge branch 'some-feature' into 'master'"


def test_push_new_branch() -> None:
    payload = fixture("docs/push.json")
    payload["before"] = ZERO_SHA
    payload["ref"] = "refs/heads/feature/login"
    event = parse("Push Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.PUSH, "created_branch", Tone.SUCCESS)
    assert event.branch == "feature/login"
    assert event.url == "http://example.com/mike/diaspora/-/tree/feature/login"
    assert event.object_id == "da156088"


def test_push_removed_branch() -> None:
    payload = fixture("docs/push.json")
    payload.update(after=ZERO_SHA, checkout_sha=None, commits=[], total_commits_count=0, ref="refs/heads/old")
    event = parse("Push Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.PUSH, "removed_branch", Tone.SUCCESS)
    assert event.branch == "old"
    assert event.object_id == "95790bf8"
    assert event.url == "http://example.com/mike/diaspora"
    assert "commit_sha" not in event.details
    assert event.items == ()
    assert event.total_items == 0


def test_tag_push_fields() -> None:
    event = parse_file("docs/tag_push.json")
    assert event.is_tag is True
    assert event.ref == "refs/tags/v1.0.0"
    assert event.branch is None
    assert event.details["tag"] == "v1.0.0"
    assert event.url == "http://example.com/jsmith/example/-/tags/v1.0.0"
    assert event.actor.name == "John Smith"
    assert event.actor.email is None  # the docs tag push carries no user_email


def test_tag_push_removed() -> None:
    payload = fixture("docs/tag_push.json")
    payload.update(before="82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", after=ZERO_SHA, checkout_sha=None)
    event = parse("Tag Push Hook", payload)
    assert (event.kind, event.action, event.tone, event.is_tag) == (
        EventKind.TAG_PUSH,
        "removed",
        Tone.SUCCESS,
        True,
    )
    assert event.object_id == "82b3d5ae"
    assert event.url == "http://example.com/jsmith/example"


# --------------------------------------------------------------------------- issues


def test_issue_fields() -> None:
    event = parse_file("docs/work_item.json")
    assert event.labels == ("API",)
    assert event.url == "http://example.com/diaspora/issues/23"
    assert event.description == "Create new API for manipulations with repository"
    assert event.confidential is False
    assert event.actor.username == "root"
    assert event.actor.email == "admin@example.com"
    assert event.details == {"state": "opened", "severity": "high", "work_item_type": "Issue"}
    assert [(user.role, user.person.username) for user in event.related_users] == [(Role.ASSIGNEE, "user1")]
    assert event.occurred_at == datetime(2013, 12, 3, 17, 15, 43, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "tone"),
    [("open", Tone.SUCCESS), ("close", Tone.SUCCESS), ("reopen", Tone.SUCCESS), ("update", Tone.NEUTRAL)],
)
def test_issue_actions(action: str, tone: Tone) -> None:
    payload = fixture("go-gitlab/issue.json")
    payload["object_attributes"]["action"] = action
    event = parse("Issue Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.ISSUE, action, tone)


def test_issue_update_lists_changed_fields() -> None:
    payload = fixture("go-gitlab/issue.json")
    payload["object_attributes"]["action"] = "update"
    event = parse("Issue Hook", payload)
    assert event.details["changed"] == "closed_at, state_id, labels, description, title, total_time_spent"


@pytest.mark.parametrize("action", ["open", "close", "reopen"])
def test_confidential_issue_by_header(action: str) -> None:
    payload = fixture("go-gitlab/issue.json")
    payload["object_attributes"]["action"] = action
    event = parse("Confidential Issue Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.CONFIDENTIAL_ISSUE, action, Tone.SUCCESS)
    assert event.confidential is True


def test_confidential_issue_by_payload_flag() -> None:
    payload = fixture("go-gitlab/issue.json")
    payload["object_attributes"]["confidential"] = True
    for header in ("Issue Hook", None):
        event = parse(header, payload)
        assert event.kind == EventKind.CONFIDENTIAL_ISSUE
        assert event.confidential is True


def test_issue_author_is_related_when_author_acts() -> None:
    payload = fixture("go-gitlab/issue.json")
    payload["object_attributes"]["author_id"] = payload["user"]["id"]
    event = parse("Issue Hook", payload)
    assert (Role.AUTHOR, "root") in [(user.role, user.person.username) for user in event.related_users]


def test_issue_without_action_takes_it_from_state() -> None:
    payload = fixture("go-gitlab/issue.json")
    del payload["object_attributes"]["action"]
    payload["object_attributes"]["state"] = "closed"
    assert parse("Issue Hook", payload).action == "close"


# --------------------------------------------------------------------------- merge requests


def test_merge_request_fields() -> None:
    event = parse_file("docs/merge_request.json")
    assert event.labels == ("API",)
    assert event.url == "http://example.com/diaspora/merge_requests/1"
    assert event.details["source_branch"] == "ms-viewport"
    assert event.details["target_branch"] == "master"
    assert event.details["state"] == "opened"
    assert event.details["merge_status"] == "mergeable"
    assert event.details["commit_sha"] == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    assert "draft" not in event.details
    assert [(user.role, user.person.username) for user in event.related_users] == [
        (Role.ASSIGNEE, "user1"),
        (Role.REVIEWER, "user1"),
    ]
    assert event.branch is None


def test_merge_request_keys_with_stray_blanks_are_read() -> None:
    event = parse_file("go-gitlab/group_merge_request.json")
    assert event.details["source_branch"] == "source-branch-test"
    assert event.details["state"] == "merged"
    assert event.description == "word doc support for e-ticket"


@pytest.mark.parametrize(
    ("action", "tone"),
    [
        ("open", Tone.SUCCESS),
        ("reopen", Tone.SUCCESS),
        ("merge", Tone.SUCCESS),
        ("approved", Tone.SUCCESS),
        ("approval", Tone.SUCCESS),
        ("unapproved", Tone.FAILURE),
        ("unapproval", Tone.FAILURE),
        ("close", Tone.NEUTRAL),
        ("update", Tone.NEUTRAL),
    ],
)
def test_merge_request_actions(action: str, tone: Tone) -> None:
    payload = fixture("go-gitlab/merge_request.json")
    payload["object_attributes"]["action"] = action
    event = parse("Merge Request Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.MERGE_REQUEST, action, tone)


@pytest.mark.parametrize("action", ["approved", "approval"])
def test_approver_is_the_actor(action: str) -> None:
    payload = fixture("docs/merge_request.json")
    payload["object_attributes"]["action"] = action
    event = parse("Merge Request Hook", payload)
    approvers = [user.person.username for user in event.related_users if user.role == Role.APPROVER]
    assert approvers == ["root"]


def test_unapproval_names_no_approver() -> None:
    payload = fixture("docs/merge_request.json")
    payload["object_attributes"]["action"] = "unapproval"
    event = parse("Merge Request Hook", payload)
    assert Role.APPROVER not in {user.role for user in event.related_users}


def _reviewer(user_id: int, username: str) -> dict[str, Any]:
    return {"id": user_id, "name": username.title(), "username": username, "avatar_url": None}


def test_update_adding_reviewers_is_review_requested() -> None:
    payload = fixture("docs/merge_request.json")
    payload["object_attributes"]["action"] = "update"
    payload["changes"] = {
        "reviewers": {
            "previous": [_reviewer(6, "user1")],
            "current": [_reviewer(6, "user1"), _reviewer(7, "alice"), _reviewer(8, "bob")],
        }
    }
    event = parse("Merge Request Hook", payload)
    assert (event.action, event.tone) == ("review_requested", Tone.NEUTRAL)
    assert [(user.role, user.person.username) for user in event.related_users] == [
        (Role.REVIEWER, "alice"),
        (Role.REVIEWER, "bob"),
    ]
    assert event.details["changed"] == "reviewers"


def test_update_removing_reviewers_stays_update() -> None:
    payload = fixture("docs/merge_request.json")
    payload["object_attributes"]["action"] = "update"
    payload["changes"] = {"reviewers": {"previous": [_reviewer(6, "user1")], "current": []}}
    assert parse("Merge Request Hook", payload).action == "update"


def test_reviewers_on_open_are_not_review_requested() -> None:
    payload = fixture("docs/merge_request.json")
    payload["changes"] = {"reviewers": {"previous": [], "current": [_reviewer(7, "alice")]}}
    assert parse("Merge Request Hook", payload).action == "open"


def test_service_hook_merge_request_update() -> None:
    event = parse_file("go-gitlab/service_merge_request.json")
    assert event.details["source_branch"] == "next-feature"
    assert "changed" not in event.details  # only updated_at changed
    assert [(user.role, user.person.username) for user in event.related_users] == [(Role.AUTHOR, "test")]


def test_draft_merge_request() -> None:
    payload = fixture("docs/merge_request.json")
    payload["object_attributes"]["draft"] = True
    assert parse("Merge Request Hook", payload).details["draft"] == "true"


# --------------------------------------------------------------------------- notes


def test_note_on_commit() -> None:
    event = parse_file("docs/note_commit.json")
    assert event.description == "This is a commit comment. How does this work?"
    assert event.url == (
        "http://example.com/gitlab-org/gitlab-test/commit/cfe32cf61b73a0d5e9f13e774abde7ff789b1660#note_1243"
    )
    assert event.details["noteable_type"] == "Commit"
    assert event.details["target_id"] == "cfe32cf6"
    assert event.details["commit_sha"] == "cfe32cf61b73a0d5e9f13e774abde7ff789b1660"
    assert [(user.role, user.person.name) for user in event.related_users] == [(Role.AUTHOR, "Example User")]
    assert event.labels == ()


def test_note_on_merge_request_carries_its_labels_and_branches() -> None:
    event = parse_file("docs/note_merge_request.json")
    assert event.labels == ("Afterpod", "Element")
    assert event.details["noteable_type"] == "MergeRequest"
    assert event.details["target_id"] == "1"
    assert event.details["target_state"] == "opened"
    assert event.details["source_branch"] == "master"
    assert event.details["target_branch"] == "markdown"
    assert event.description == "This MR needs work."
    assert [(user.role, user.person.username) for user in event.related_users] == [(Role.ASSIGNEE, "user1")]


def test_note_on_issue_carries_its_labels() -> None:
    event = parse_file("docs/note_issue.json")
    assert event.labels == ("Afterpod", "Element")
    assert event.details["noteable_type"] == "Issue"
    assert event.details["target_title"] == "test"
    assert event.details["target_id"] == "17"
    assert event.details["target_state"] == "closed"
    assert event.confidential is False


def test_note_on_snippet() -> None:
    event = parse_file("docs/note_snippet.json")
    assert event.details["noteable_type"] == "Snippet"
    assert event.details["target_url"] == "http://example.com/gitlab-org/gitlab-test/-/snippets/53"
    assert event.url == "http://example.com/gitlab-org/gitlab-test/-/snippets/53#note_1245"


def test_confidential_note_by_header() -> None:
    event = parse_file("docs/note_issue.json", header="Confidential Note Hook")
    assert (event.kind, event.tone, event.confidential) == (EventKind.CONFIDENTIAL_NOTE, Tone.SUCCESS, True)


@pytest.mark.parametrize(
    ("where", "key"),
    [("issue", "confidential"), ("object_attributes", "confidential"), ("object_attributes", "internal")],
)
def test_confidential_note_by_payload(where: str, key: str) -> None:
    payload = fixture("docs/note_issue.json")
    payload[where][key] = True
    event = parse("Note Hook", payload)
    assert event.kind == EventKind.CONFIDENTIAL_NOTE
    assert event.confidential is True


# --------------------------------------------------------------------------- CI


def test_pipeline_fields_and_failed_jobs() -> None:
    event = parse_file("docs/pipeline.json")
    assert (event.ref, event.branch, event.is_tag) == ("master", "master", False)
    assert event.url == "http://example.com/gitlab-org/gitlab-test/-/pipelines/31"
    assert event.details["status"] == "success"
    assert event.details["duration"] == "63"
    assert event.details["commit_sha"] == "bcbb5ec396a2c0f828686f14fac9b80b780504f2"
    assert event.details["commit_title"] == "test"
    assert event.details["merge_request_iid"] == "1"
    assert event.details["stages"] == "build, test, deploy"
    assert [(item.title, item.id, item.status) for item in event.items] == [("test-build", "378", "failed")]
    assert event.items[0].url == "http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/378"
    assert event.total_items == 1
    assert event.occurred_at == datetime(2016, 8, 12, 15, 26, 29, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("success", Tone.SUCCESS),
        ("failed", Tone.FAILURE),
        ("canceled", Tone.NEUTRAL),
        ("skipped", Tone.NEUTRAL),
        ("manual", Tone.WARNING),
        ("pending", Tone.NEUTRAL),
        ("running", Tone.NEUTRAL),
        ("created", Tone.NEUTRAL),
        ("waiting_for_resource", Tone.NEUTRAL),
        ("scheduled", Tone.NEUTRAL),
    ],
)
def test_pipeline_statuses(status: str, tone: Tone) -> None:
    payload = fixture("go-gitlab/pipeline.json")
    payload["object_attributes"]["status"] = status
    event = parse("Pipeline Hook", payload)
    assert (event.kind, event.action, event.tone, event.details["status"]) == (
        EventKind.PIPELINE,
        status,
        tone,
        status,
    )


def test_failed_pipeline_lists_failed_jobs_in_stage_order() -> None:
    payload = fixture("go-gitlab/pipeline.json")
    payload["object_attributes"]["status"] = "failed"
    builds = payload["builds"]
    for build in builds:
        if build["name"] in ("production", "build-image"):
            build["status"] = "failed"
    event = parse("Pipeline Hook", payload)
    assert [item.title for item in event.items] == ["build-image", "production"]
    assert event.total_items == 2


def test_tag_pipeline() -> None:
    payload = fixture("docs/pipeline.json")
    payload["object_attributes"].update(ref="v2.0", tag=True)
    event = parse("Pipeline Hook", payload)
    assert (event.is_tag, event.branch, event.ref, event.details["tag"]) == (True, None, "v2.0", "v2.0")


def test_job_fields() -> None:
    event = parse_file("go-gitlab/job.json")
    assert event.url is None  # no project web URL in this payload
    assert event.branch == "main"
    assert event.details["stage"] == "coordinated:tag"
    assert event.details["duration"] == "50"
    assert event.details["pipeline_id"] == "743121198"
    assert event.details["environment"] == "production"
    assert "failure_reason" not in event.details  # only for failed jobs
    assert event.occurred_at == datetime(2023, 1, 10, 13, 50, 54, tzinfo=UTC)
    docs = parse_file("docs/job.json")
    assert docs.url == "http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/1977"


@pytest.mark.parametrize(
    ("status", "allow_failure", "tone"),
    [
        ("failed", False, Tone.FAILURE),
        ("failed", True, Tone.WARNING),
        ("success", False, Tone.SUCCESS),
        ("canceled", False, Tone.NEUTRAL),
        ("running", False, Tone.NEUTRAL),
        ("manual", False, Tone.WARNING),
    ],
)
def test_job_statuses(status: str, allow_failure: bool, tone: Tone) -> None:
    payload = fixture("docs/job.json")
    payload.update(build_status=status, build_allow_failure=allow_failure)
    event = parse("Job Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.JOB, status, tone)
    assert ("failure_reason" in event.details) == (status == "failed")


# --------------------------------------------------------------------------- wiki, deployment, release


def test_wiki_page_fields() -> None:
    event = parse_file("docs/wiki_page.json")
    assert event.url == "http://example.com/root/awesome-project/-/wikis/awesome"
    assert event.description == "adding an awesome page to the wiki"
    assert event.details["slug"] == "awesome"
    assert event.actor.username == "root"


@pytest.mark.parametrize("action", ["create", "update", "delete"])
def test_wiki_page_actions(action: str) -> None:
    payload = fixture("docs/wiki_page.json")
    payload["object_attributes"]["action"] = action
    event = parse("Wiki Page Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.WIKI_PAGE, action, Tone.SUCCESS)


def test_deployment_fields() -> None:
    event = parse_file("go-gitlab/deployment.json")
    assert event.url == "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796"
    assert event.details["environment"] == "staging"
    assert event.details["environment_url"] == "https://staging.example.com"
    assert event.details["commit_sha"] == "279484c0"
    assert event.details["commit_title"] == "Add new file"
    assert (event.ref, event.branch) == ("1.0.0", "1.0.0")
    assert event.occurred_at == datetime(2021, 4, 28, 21, 50, tzinfo=timezone(timedelta(hours=2)))
    assert parse_file("docs/deployment.json").details["environment_tier"] == "staging"


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("running", Tone.SUCCESS),
        ("success", Tone.SUCCESS),
        ("failed", Tone.FAILURE),
        ("canceled", Tone.NEUTRAL),
    ],
)
def test_deployment_statuses(status: str, tone: Tone) -> None:
    payload = fixture("docs/deployment.json")
    payload["status"] = status
    event = parse("Deployment Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.DEPLOYMENT, status, tone)


def test_release_fields() -> None:
    event = parse_file("docs/release.json")
    assert event.description == "v1.1 has been released"
    assert event.url == "https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1"
    assert (event.ref, event.is_tag) == ("v1.1", True)
    assert event.details["tag"] == "v1.1"
    assert event.details["commit_sha"] == "ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8"
    assert [(item.title, item.url) for item in event.items] == [
        ("Changelog", "https://example.net/changelog")
    ]


@pytest.mark.parametrize("action", ["create", "update", "delete"])
def test_release_actions(action: str) -> None:
    payload = fixture("docs/release.json")
    payload["action"] = action
    event = parse("Release Hook", payload)
    assert (event.kind, event.action, event.tone) == (EventKind.RELEASE, action, Tone.SUCCESS)


# --------------------------------------------------------------------------- security, alerts, flags, others


def test_vulnerability_fields() -> None:
    event = parse_file("docs/vulnerability.json")
    assert event.url == "https://example.com/flightjs/Flight/-/security/vulnerabilities/1"
    assert event.project.url == "https://example.com/flightjs/Flight"
    assert event.details["severity"] == "high"
    assert event.details["state"] == "confirmed"
    assert event.details["report_type"] == "dependency_scanning"
    assert event.details["location"] == "Gemfile.lock, rexml@3.3.1"
    assert "CVE-2024-41123" in event.details["identifiers"]
    assert [item.title for item in event.items] == ["REXML ReDoS vulnerability"]


@pytest.mark.parametrize(
    ("state", "tone"),
    [
        ("detected", Tone.FAILURE),
        ("confirmed", Tone.FAILURE),
        ("resolved", Tone.SUCCESS),
        ("dismissed", Tone.NEUTRAL),
    ],
)
def test_vulnerability_states(state: str, tone: Tone) -> None:
    payload = fixture("docs/vulnerability.json")
    payload["object_attributes"]["state"] = state
    assert parse("Vulnerability Hook", payload).tone == tone


ALERT_PAYLOAD: dict[str, Any] = {
    "object_kind": "alert",
    "object_attributes": {
        "title": "High error rate",
        "url": "https://gitlab.example.com/group/app/-/alert_management/7/details",
        "severity": "critical",
        "events": 3,
        "status": "triggered",
        "started_at": "2024-05-01 10:00:00 UTC",
    },
}


@pytest.mark.parametrize("header", ["Alert Hook", None, "System Hook"])
def test_gitlab_alert(header: str | None) -> None:
    event = parse(header, ALERT_PAYLOAD)
    assert (event.kind, event.action, event.tone) == (EventKind.ALERT, "triggered", Tone.FAILURE)
    assert event.title == "High error rate"
    assert event.details["severity"] == "critical"
    assert event.details["events"] == "3"
    assert event.project.path_with_namespace == "group/app"
    assert event.occurred_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_gitlab_alert_resolved() -> None:
    payload = copy.deepcopy(ALERT_PAYLOAD)
    payload["object_attributes"]["status"] = "resolved"
    assert parse("Alert Hook", payload).tone == Tone.SUCCESS


def test_feature_flag_deactivated() -> None:
    payload = fixture("docs/feature_flag.json")
    payload["object_attributes"]["active"] = False
    event = parse("Feature Flag Hook", payload)
    assert (event.action, event.tone) == ("deactivated", Tone.NEUTRAL)
    assert event.description == "test-feature-flag-description"


def test_emoji_fields() -> None:
    event = parse_file("docs/emoji.json")
    assert event.details["emoji"] == "thumbsup"
    assert event.details["awardable_type"] == "Note"
    assert event.url == "http://example.com/flightjs/Flight/-/issues/42#note_363"
    assert event.actor.email is None  # "[REDACTED]" is not an address


def test_milestone_and_member_and_project_details() -> None:
    milestone = parse_file("docs/milestone.json")
    assert milestone.url == "http://example.com/gitlabhq/gitlab-test/-/milestones/10"
    assert milestone.details["due_date"] == "2025-06-30"
    member = parse_file("docs/member_update.json")
    assert member.details["access_level"] == "Developer"
    assert member.details["member_username"] == "test_user"
    assert member.actor.name == ""  # the payload does not say who changed the membership
    assert parse_file("docs/member_access_request.json").actor.username == "test_user"
    project = parse_file("docs/project_create.json")
    assert project.details == {"visibility": "private", "owners": "John"}
    subgroup = parse_file("docs/subgroup_create.json")
    assert subgroup.details["full_path"] == "group1/subgroup1"
    token = parse_file("docs/resource_access_token_group.json")
    assert token.details["expires_at"] == "2024-01-26"


# ------------------------------------------ the original tone table (SEED_TONES: every row of it)


SEED_TONES: list[tuple[str, str, dict[str, Any], Tone]] = [
    ("push", "Push Hook", {}, Tone.SUCCESS),
    ("push to removed branch", "Push Hook", {"after": ZERO_SHA}, Tone.SUCCESS),
    ("tag push", "Tag Push Hook", {}, Tone.SUCCESS),
    ("issue open", "Issue Hook", {"object_attributes.action": "open"}, Tone.SUCCESS),
    ("issue close", "Issue Hook", {"object_attributes.action": "close"}, Tone.SUCCESS),
    (
        "confidential issue open",
        "Confidential Issue Hook",
        {"object_attributes.action": "open"},
        Tone.SUCCESS,
    ),
    (
        "confidential issue close",
        "Confidential Issue Hook",
        {"object_attributes.action": "close"},
        Tone.SUCCESS,
    ),
    ("MR open", "Merge Request Hook", {"object_attributes.action": "open"}, Tone.SUCCESS),
    ("MR merge", "Merge Request Hook", {"object_attributes.action": "merge"}, Tone.SUCCESS),
    ("MR approve", "Merge Request Hook", {"object_attributes.action": "approved"}, Tone.SUCCESS),
    ("MR unapprove", "Merge Request Hook", {"object_attributes.action": "unapproved"}, Tone.FAILURE),
    ("MR close", "Merge Request Hook", {"object_attributes.action": "close"}, Tone.NEUTRAL),
    ("note", "Note Hook", {}, Tone.SUCCESS),
    ("confidential note", "Confidential Note Hook", {}, Tone.SUCCESS),
    ("pipeline pass", "Pipeline Hook", {"object_attributes.status": "success"}, Tone.SUCCESS),
    ("pipeline fail", "Pipeline Hook", {"object_attributes.status": "failed"}, Tone.FAILURE),
    ("pipeline cancel", "Pipeline Hook", {"object_attributes.status": "canceled"}, Tone.NEUTRAL),
    ("wiki", "Wiki Page Hook", {}, Tone.SUCCESS),
    ("deployment start", "Deployment Hook", {"status": "running"}, Tone.SUCCESS),
    ("deployment succeed", "Deployment Hook", {"status": "success"}, Tone.SUCCESS),
    ("deployment fail", "Deployment Hook", {"status": "failed"}, Tone.FAILURE),
    ("deployment cancel", "Deployment Hook", {"status": "canceled"}, Tone.NEUTRAL),
    ("vulnerability detected", "Vulnerability Hook", {"object_attributes.state": "detected"}, Tone.FAILURE),
    ("alert detected", "Alert Hook", {}, Tone.FAILURE),
]
SEED_BASE_FIXTURES = {
    "Push Hook": "docs/push.json",
    "Tag Push Hook": "docs/tag_push.json",
    "Issue Hook": "go-gitlab/issue.json",
    "Confidential Issue Hook": "go-gitlab/issue.json",
    "Merge Request Hook": "docs/merge_request.json",
    "Note Hook": "docs/note_issue.json",
    "Confidential Note Hook": "docs/note_issue.json",
    "Pipeline Hook": "docs/pipeline.json",
    "Wiki Page Hook": "docs/wiki_page.json",
    "Deployment Hook": "docs/deployment.json",
    "Vulnerability Hook": "docs/vulnerability.json",
}


@pytest.mark.parametrize(
    ("case", "header", "edits", "tone"), SEED_TONES, ids=[case[0] for case in SEED_TONES]
)
def test_seed_tone_table(case: str, header: str, edits: dict[str, Any], tone: Tone) -> None:
    payload = (
        fixture(SEED_BASE_FIXTURES[header]) if header in SEED_BASE_FIXTURES else copy.deepcopy(ALERT_PAYLOAD)
    )
    for path, value in edits.items():
        target = payload
        *parents, leaf = path.split(".")
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    assert parse(header, payload).tone == tone


# --------------------------------------------------------------------------- headers and rejections


@pytest.mark.parametrize("header", ["push hook", "  Push Hook  ", "PUSH HOOK"])
def test_header_is_matched_loosely(header: str) -> None:
    assert parse_file("docs/push.json", header=header).kind == EventKind.PUSH


def test_header_wins_over_object_kind() -> None:
    assert (
        parse_file("docs/work_item.json", header="Confidential Issue Hook").kind
        == EventKind.CONFIDENTIAL_ISSUE
    )


@pytest.mark.parametrize("header", ["Repository Update Hook", "Foo Hook", "Group Hook"])
def test_unknown_hook_is_ignored(header: str) -> None:
    result = parse_gitlab(header, load_fixture("docs/push.json"))
    assert isinstance(result, Ignored)
    assert header in result.reason


@pytest.mark.parametrize(
    "payload",
    [
        {"event_name": "repository_update", "changes": []},
        {"event_name": "user_create", "name": "x"},
        {"object_kind": "unknown_thing"},
        {},
    ],
)
def test_unknown_system_hook_event_is_ignored(payload: dict[str, Any]) -> None:
    for header in ("System Hook", None):
        assert isinstance(parse_gitlab(header, json.dumps(payload).encode()), Ignored)


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b'{"object_kind": "push",}', b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000],
)
def test_malformed_json_is_rejected(body: bytes) -> None:
    result = parse_gitlab("Push Hook", body)
    assert isinstance(result, Rejection)
    assert result.status == 400
    assert "JSON" in result.reason


@pytest.mark.parametrize("body", [b"[]", b'"push"', b"42", b"null", b"true"])
def test_non_object_body_is_rejected(body: bytes) -> None:
    result = parse_gitlab("Push Hook", body)
    assert isinstance(result, Rejection)
    assert result.status == 400
    assert "JSON object" in result.reason


def test_strings_where_optional_objects_are_expected_give_a_best_effort_event() -> None:
    payload = fixture("docs/merge_request.json")
    payload.update(labels="API", assignees="user1", changes="x", reviewers="nobody", repository=3)
    payload["object_attributes"]["last_commit"] = 7
    event = parse("Merge Request Hook", payload)
    assert (event.kind, event.action, event.title) == (EventKind.MERGE_REQUEST, "open", "MS-Viewport")
    assert event.labels == ("API",)  # falls back to object_attributes.labels
    assert event.project.path_with_namespace == "gitlabhq/gitlab-test"
    assert "commit_sha" not in event.details


def test_strings_where_required_objects_are_expected_are_refused_naming_them() -> None:
    payload = fixture("docs/merge_request.json")
    payload.update(user="root", project="gitlab-test")
    del payload["object_attributes"]["url"]
    result = parse_gitlab("Merge Request Hook", json.dumps(payload).encode())
    assert result == Rejection(
        400,
        "merge_request: missing project.path_with_namespace or object_attributes.url, "
        "user.name or user.username",
    )


def test_project_is_derived_from_an_old_style_object_url() -> None:
    payload = fixture("docs/note_issue.json")
    del payload["project"]
    event = parse("Note Hook", payload)
    assert event.project.path_with_namespace == "gitlab-org/gitlab-test"
    assert event.project.url == "http://example.com/gitlab-org/gitlab-test"


def test_object_attributes_not_an_object_is_refused() -> None:
    for header, name in (("Issue Hook", "docs/work_item.json"), ("Pipeline Hook", "docs/pipeline.json")):
        payload = fixture(name)
        payload["object_attributes"] = ["oops"]
        result = parse_gitlab(header, json.dumps(payload).encode())
        assert isinstance(result, Rejection), result
        assert result.status == 400
        assert "missing object_attributes." in result.reason


def test_nan_and_huge_numbers_do_not_break_details() -> None:
    body = load_fixture("docs/pipeline.json").replace(b'"duration": 63', b'"duration": NaN')
    event = parse_gitlab("Pipeline Hook", body)
    assert isinstance(event, Event)
    assert "duration" not in event.details
    payload = fixture("docs/pipeline.json")
    payload["object_attributes"]["duration"] = 10**30
    payload["object_attributes"]["id"] = 10**40
    event = parse("Pipeline Hook", payload)
    assert "duration" not in event.details
    assert event.object_id is None


# ------------------------------------------------------------------ hypothesis: random JSON never raises

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _field_paths(payload: dict[str, Any]) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for key, value in payload.items():
        paths.append((key,))
        if isinstance(value, dict):
            paths.extend((key, inner) for inner in value)
    return paths


@pytest.mark.parametrize(("name", "header", "body"), FIXTURES, ids=FIXTURE_IDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_values_in_place_of_fields_never_raise(
    name: str, header: str, body: bytes, data: st.DataObject
) -> None:
    payload = json.loads(body)
    paths = _field_paths(payload)
    if header in ("System Hook", "Service Hook"):  # these fields say what the payload is
        paths = [path for path in paths if path not in (("object_kind",), ("event_name",))]
    path = data.draw(st.sampled_from(paths))
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(json_values)
    result = parse_gitlab(header, json.dumps(payload).encode(), event_uuid="u")
    if isinstance(result, Rejection):  # the spoiled field is one the kind needs: it is named
        assert result.status == 400
        assert ".".join(key.strip() for key in path) in result.reason, (path, result.reason)
        return
    assert isinstance(result, Event), result  # best effort otherwise: the header says what it is
    assert result.source_id == "u"


@settings(max_examples=200, deadline=None)
@given(
    header=st.sampled_from([None, "System Hook", "Push Hook", "Note Hook", "Job Hook"]), payload=json_values
)
def test_random_bodies_never_raise(header: str | None, payload: object) -> None:
    result = parse_gitlab(header, json.dumps(payload).encode())
    assert isinstance(result, Event | Rejection | Ignored)
    if not isinstance(payload, dict):
        assert isinstance(result, Rejection)


# --------------------------------------------------------------------------- time parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-05-17 18:08:09 UTC", datetime(2015, 5, 17, 18, 8, 9, tzinfo=UTC)),
        ("2013-12-03T17:15:43Z", datetime(2013, 12, 3, 17, 15, 43, tzinfo=UTC)),
        ("2021-04-28 21:50:00 +0200", datetime(2021, 4, 28, 21, 50, tzinfo=timezone(timedelta(hours=2)))),
        ("2021-02-23T02:41:37.886Z", datetime(2021, 2, 23, 2, 41, 37, 886000, tzinfo=UTC)),
        ("2015-04-08T21: 00:25-07:00", None),
        ("", None),
        (12, None),
    ],
)
def test_parse_gitlab_time(text: object, expected: datetime | None) -> None:
    assert parse_gitlab_time(text) == expected
