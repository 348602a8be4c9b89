"""Sample events for the preview, one per trigger that has a renderer worth seeing.

Derived from the GitLab test fixtures (GitLab's documented webhook payloads, parsed by
``sources.gitlab.parse_gitlab``) and an Alertmanager body, kept here in their parsed form so the
preview works without the fixtures. Confidential kinds are the public ones marked confidential.
"""

from __future__ import annotations

from typing import Any

from hookcast.events import Event, EventKind

_SAMPLES: dict[str, dict[str, Any]] = {
    "push": {
        "kind": "push",
        "action": "pushed",
        "tone": "success",
        "project": {
            "name": "Diaspora",
            "path_with_namespace": "mike/diaspora",
            "url": "http://example.com/mike/diaspora",
            "default_branch": "master",
        },
        "actor": {"name": "John Smith", "username": "jsmith", "email": "john@example.com"},
        "ref": "refs/heads/master",
        "branch": "master",
        "title": "master",
        "url": "http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        "object_id": "da156088",
        "details": {
            "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
            "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            "commit_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            "ref_protected": "true",
        },
        "items": [
            {
                "title": "Update Catalan translation to e38cb41.",
                "url": "http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
                "id": "b6568db1",
                "author": "Jordi Mallach",
            },
            {
                "title": "fixed readme",
                "url": "http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                "id": "da156088",
                "author": "GitLab dev user",
            },
        ],
        "total_items": 4,
    },
    "tag_push": {
        "kind": "tag_push",
        "action": "pushed",
        "tone": "success",
        "project": {
            "name": "Example",
            "path_with_namespace": "jsmith/example",
            "url": "http://example.com/jsmith/example",
            "default_branch": "master",
        },
        "actor": {"name": "John Smith"},
        "ref": "refs/tags/v1.0.0",
        "is_tag": True,
        "title": "v1.0.0",
        "url": "http://example.com/jsmith/example/-/tags/v1.0.0",
        "object_id": "82b3d5ae",
        "details": {
            "before": "0000000000000000000000000000000000000000",
            "after": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
            "commit_sha": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
            "ref_protected": "true",
            "tag": "v1.0.0",
        },
    },
    "issue": {
        "kind": "issue",
        "action": "open",
        "tone": "success",
        "project": {
            "name": "Gitlab Test",
            "path_with_namespace": "gitlabhq/gitlab-test",
            "url": "http://example.com/gitlabhq/gitlab-test",
            "default_branch": "master",
        },
        "actor": {"name": "Administrator", "username": "root", "email": "admin@example.com"},
        "labels": ["API"],
        "title": "New API: create/update/delete file",
        "url": "http://example.com/diaspora/issues/23",
        "object_id": "23",
        "description": "Create new API for manipulations with repository",
        "details": {"state": "opened", "severity": "high", "work_item_type": "Issue"},
        "related_users": [
            {
                "role": "assignee",
                "person": {
                    "name": "User1",
                    "username": "user1",
                    "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon",
                },
            }
        ],
    },
    "merge_request": {
        "kind": "merge_request",
        "action": "open",
        "tone": "success",
        "project": {
            "name": "Gitlab Test",
            "path_with_namespace": "gitlabhq/gitlab-test",
            "url": "http://example.com/gitlabhq/gitlab-test",
            "default_branch": "master",
        },
        "actor": {"name": "Administrator", "username": "root", "email": "admin@example.com"},
        "labels": ["API"],
        "title": "MS-Viewport",
        "url": "http://example.com/diaspora/merge_requests/1",
        "object_id": "1",
        "details": {
            "source_branch": "ms-viewport",
            "target_branch": "master",
            "state": "opened",
            "merge_status": "mergeable",
            "commit_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        },
        "related_users": [
            {
                "role": "assignee",
                "person": {
                    "name": "User1",
                    "username": "user1",
                    "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon",
                },
            },
            {
                "role": "reviewer",
                "person": {
                    "name": "User1",
                    "username": "user1",
                    "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon",
                },
            },
        ],
    },
    "note": {
        "kind": "note",
        "action": "create",
        "tone": "success",
        "project": {
            "name": "Gitlab Test",
            "path_with_namespace": "gitlab-org/gitlab-test",
            "url": "http://example.com/gitlab-org/gitlab-test",
            "default_branch": "master",
        },
        "actor": {"name": "Administrator", "username": "root", "email": "admin@example.com"},
        "labels": ["Afterpod", "Element"],
        "title": "Tempora et eos debitis quae laborum et.",
        "url": "http://example.com/gitlab-org/gitlab-test/merge_requests/1#note_1244",
        "object_id": "1244",
        "description": "This MR needs work.",
        "details": {
            "noteable_type": "MergeRequest",
            "target_title": "Tempora et eos debitis quae laborum et.",
            "target_id": "1",
            "target_state": "opened",
            "source_branch": "master",
            "target_branch": "markdown",
        },
        "related_users": [
            {
                "role": "assignee",
                "person": {
                    "name": "User1",
                    "username": "user1",
                    "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon",
                },
            }
        ],
    },
    "pipeline": {
        "kind": "pipeline",
        "action": "success",
        "tone": "success",
        "project": {
            "name": "Gitlab Test",
            "path_with_namespace": "gitlab-org/gitlab-test",
            "url": "http://192.168.64.1:3005/gitlab-org/gitlab-test",
            "default_branch": "master",
        },
        "actor": {"name": "Administrator", "username": "root", "email": "user_email@gitlab.com"},
        "ref": "master",
        "branch": "master",
        "title": "Pipeline for branch: master",
        "url": "http://example.com/gitlab-org/gitlab-test/-/pipelines/31",
        "object_id": "31",
        "details": {
            "status": "success",
            "duration": "63",
            "pipeline_source": "merge_request_event",
            "stages": "build, test, deploy",
            "commit_sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
            "commit_title": "test",
            "commit_url": "http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2",
            "source_branch": "test",
            "target_branch": "master",
            "merge_request_iid": "1",
            "merge_request_title": "Test",
            "merge_request_url": "http://192.168.64.1:3005/gitlab-org/gitlab-test/merge_requests/1",
        },
        "items": [
            {
                "title": "test-build",
                "url": "http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/378",
                "id": "378",
                "status": "failed",
            }
        ],
        "total_items": 1,
    },
    "job": {
        "kind": "job",
        "action": "created",
        "project": {
            "name": "Gitlab Test",
            "path_with_namespace": "gitlab-org/gitlab-test",
            "url": "http://192.168.64.1:3005/gitlab-org/gitlab-test",
            "default_branch": "master",
        },
        "actor": {"name": "User", "email": "user@gitlab.com"},
        "ref": "gitlab-script-trigger",
        "branch": "gitlab-script-trigger",
        "title": "test",
        "url": "http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/1977",
        "object_id": "1977",
        "details": {
            "status": "created",
            "stage": "test",
            "queued_duration": "1096",
            "pipeline_id": "2366",
            "retries_count": "2",
            "commit_sha": "2293ada6b400935a1378653304eaf6221e0fdb8f",
            "commit_title": "test",
        },
    },
    "wiki_page": {
        "kind": "wiki_page",
        "action": "create",
        "tone": "success",
        "project": {
            "name": "awesome-project",
            "path_with_namespace": "root/awesome-project",
            "url": "http://example.com/root/awesome-project",
            "default_branch": "master",
        },
        "actor": {"name": "Administrator", "username": "root", "email": "admin@example.com"},
        "title": "Awesome",
        "url": "http://example.com/root/awesome-project/-/wikis/awesome",
        "object_id": "awesome",
        "description": "adding an awesome page to the wiki",
        "details": {
            "message": "adding an awesome page to the wiki",
            "slug": "awesome",
            "diff_url": "http://example.com/root/awesome-project/-/wikis/home/diff?version_id=78ee4a6705abfbff4f4132c6646dbaae9c8fb6ec",
        },
    },
    "deployment": {
        "kind": "deployment",
        "action": "success",
        "tone": "success",
        "project": {
            "name": "test-deployment-webhooks",
            "path_with_namespace": "root/test-deployment-webhooks",
            "url": "http://10.126.0.2:3000/root/test-deployment-webhooks",
            "default_branch": "master",
        },
        "actor": {"name": "Administrator", "username": "root", "email": "admin@example.com"},
        "title": "staging",
        "url": "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
        "object_id": "15",
        "details": {
            "status": "success",
            "environment": "staging",
            "environment_tier": "staging",
            "environment_url": "https://staging.example.com",
            "deployable_url": "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
            "commit_sha": "279484c0",
            "commit_title": "Add new file",
            "commit_url": "http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468",
        },
    },
    "release": {
        "kind": "release",
        "action": "create",
        "tone": "success",
        "project": {
            "name": "release-webhook-example",
            "path_with_namespace": "gitlab-org/release-webhook-example",
            "url": "https://example.com/gitlab-org/release-webhook-example",
            "default_branch": "master",
        },
        "ref": "v1.1",
        "is_tag": True,
        "title": "v1.1",
        "url": "https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1",
        "object_id": "v1.1",
        "description": "v1.1 has been released",
        "details": {
            "tag": "v1.1",
            "released_at": "2020-11-02 12:55:12 UTC",
            "commit_sha": "ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8",
            "commit_url": "https://example.com/gitlab-org/release-webhook-example/-/commit/ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8",
        },
        "items": [{"title": "Changelog", "url": "https://example.net/changelog"}],
        "total_items": 1,
    },
    "vulnerability": {
        "kind": "vulnerability",
        "action": "confirmed",
        "tone": "failure",
        "project": {
            "name": "Flight",
            "path_with_namespace": "flightjs/Flight",
            "url": "https://example.com/flightjs/Flight",
        },
        "title": "REXML DoS vulnerability",
        "url": "https://example.com/flightjs/Flight/-/security/vulnerabilities/1",
        "object_id": "1",
        "details": {
            "state": "confirmed",
            "severity": "high",
            "report_type": "dependency_scanning",
            "confidence": "unknown",
            "location": "Gemfile.lock, rexml@3.3.1",
            "identifiers": "Gemnasium-29dce398-220a-4315-8c84-16cd8b6d9b05, CVE-2024-41123",
        },
        "items": [
            {"title": "REXML ReDoS vulnerability", "url": "https://example.com/flightjs/Flight/-/issues/1"}
        ],
        "total_items": 1,
    },
    "alert": {
        "kind": "alert",
        "action": "firing",
        "tone": "failure",
        "source": "alertmanager",
        "title": "API error rate above 5%",
        "url": "http://alertmanager.example.com:9093",
        "description": "More than 5% of API requests fail with 5xx.",
        "details": {
            "status": "firing",
            "alertname": "HighErrorRate",
            "severity": "critical",
            "receiver": "hookcast-team-app",
            "group_labels": "alertname=HighErrorRate, job=api",
            "firing": "2",
            "resolved": "0",
            "truncated": "1",
            "runbook_url": "https://runbooks.example.com/api/high-error-rate",
            "group_key": '{}/{severity="critical"}:{alertname="HighErrorRate", job="api"}',
        },
        "items": [
            {
                "title": "api-1 error rate is 7.2%",
                "url": "http://prometheus.example.com:9090/graph?g0.expr=job%3Aerrors%3Arate5m%3Eo.05",
                "id": "a1b2c3d4e5f60001",
                "status": "firing",
            },
            {
                "title": "HighErrorRate (api-2:8080)",
                "url": "http://prometheus.example.com:9090/graph?g0.expr=job%3Aerrors%3Arate5m%3Eo.05",
                "id": "a1b2c3d4e5f60002",
                "status": "firing",
            },
        ],
        "total_items": 3,
    },
}

_CONFIDENTIAL_OF = {EventKind.CONFIDENTIAL_ISSUE: "issue", EventKind.CONFIDENTIAL_NOTE: "note"}


def sample_kinds() -> list[EventKind]:
    """The kinds a preview can show, in EventKind order."""
    known = {*_SAMPLES, *(kind.value for kind in _CONFIDENTIAL_OF)}
    return [kind for kind in EventKind if kind.value in known]


def sample_event(kind: EventKind) -> Event:
    if kind in _CONFIDENTIAL_OF:
        base = Event.model_validate(_SAMPLES[_CONFIDENTIAL_OF[kind]])
        return base.model_copy(update={"kind": kind, "confidential": True})
    return Event.model_validate(_SAMPLES[kind.value])
