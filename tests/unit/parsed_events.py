"""Every event the test payloads make, through the parsers: the package's samples (GitLab's
documentation bodies, Alertmanager, a workflow event), go-gitlab's bodies, GitHub's examples, the test-only
Alertmanager groups, the workflow sample under each workflow type (it names a stage, a task,
a change and a comment, so every workflow detail is filled), and a few GitLab samples with the
values GitLab sends in the states the samples do not show (a failed job that may fail, a draft
merge request, issue and merge request updates, a system note, a renamed project), under
GitLab's own field names."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hookcast.events import Event
from hookcast.preview import parse_source
from hookcast.samples import SampleSource, catalogue, get_sample
from hookcast.sources.workflow import WORKFLOW_KINDS
from tests.fixtures import alertmanager_payloads, github_fixtures, gitlab_fixtures


@cache
def parsed_events() -> tuple[tuple[str, Event], ...]:
    """(name, event) for every test payload."""
    events = [
        (sample.name, parse_source(sample.body(), sample.source.value, sample.header))
        for sample in catalogue()
    ]
    events += [(name, parse_source(body, "gitlab", header)) for name, header, body in gitlab_fixtures()]
    events += [
        (f"github/{name}", parse_source(body, "github", event)) for name, event, body in github_fixtures()
    ]
    events += [
        (f"alertmanager/{stem}", parse_source(body, "alertmanager", None))
        for stem, body in alertmanager_payloads().items()
    ]
    workflow = json.loads(get_sample("workflow").body())
    assert get_sample("workflow").source is SampleSource.WORKFLOW
    events += [
        (
            f"workflow/{kind.value}",
            parse_source(json.dumps({**workflow, "type": kind.value}).encode(), "workflow", None),
        )
        for kind in WORKFLOW_KINDS
    ]
    events += [
        (f"variant/{name}", parse_source(json.dumps(body).encode(), "gitlab", get_sample(sample).header))
        for name, sample, body in _gitlab_variants()
    ]
    return tuple(events)


def _gitlab_variants() -> list[tuple[str, str, dict[str, Any]]]:
    def changed(sample: str, top: dict[str, Any], attributes: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {**json.loads(get_sample(sample).body()), **top}
        if attributes:
            body["object_attributes"] = {**body["object_attributes"], **attributes}
        return body

    return [
        ("failed_job", "job", changed("job", {"build_status": "failed", "build_allow_failure": True})),
        ("draft", "merge_request", changed("merge_request", {}, {"draft": True})),
        (
            "merge_request_update",
            "merge_request",
            changed(
                "merge_request",
                {"changes": {"title": {"previous": "Old", "current": "New"}}},
                {"action": "update"},
            ),
        ),
        (
            "issue_update",
            "issue",
            changed(
                "issue",
                {"changes": {"title": {"previous": "Old", "current": "New"}}},
                {"action": "update", "due_date": "2024-06-01"},
            ),
        ),
        ("system_note", "note_issue", changed("note_issue", {}, {"system": True})),
        (
            "project_rename",
            "project_create",
            changed(
                "project_create",
                {"event_name": "project_rename", "old_path_with_namespace": "group1/old-name"},
            ),
        ),
    ]
