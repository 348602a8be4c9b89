"""The events the UI's preview shows: the samples that ship with hookcast (``hookcast.samples``),
parsed by the same parsers as real requests, so the preview cannot drift from the parser.

Each GitLab kind is shown by one sample (the confidential kinds by the public bodies under the
confidential headers); ``alert`` by the Alertmanager group; the issue-workflow kinds by the
workflow sample with its ``type`` set to the kind shown.
"""

from __future__ import annotations

import json
from functools import cache

from hookcast.events import Event, EventKind
from hookcast.preview import parse_source
from hookcast.samples import get_sample
from hookcast.sources.workflow import WORKFLOW_KINDS

# Which sample shows each kind that is not an issue-workflow kind.
PREVIEW_SAMPLES: dict[EventKind, str] = {
    EventKind.PUSH: "push",
    EventKind.TAG_PUSH: "tag_push",
    EventKind.ISSUE: "issue",
    EventKind.CONFIDENTIAL_ISSUE: "confidential_issue",
    EventKind.MERGE_REQUEST: "merge_request",
    EventKind.NOTE: "note_merge_request",
    EventKind.CONFIDENTIAL_NOTE: "confidential_note",
    EventKind.PIPELINE: "pipeline",
    EventKind.JOB: "job",
    EventKind.WIKI_PAGE: "wiki_page",
    EventKind.DEPLOYMENT: "deployment",
    EventKind.RELEASE: "release",
    EventKind.VULNERABILITY: "vulnerability",
    EventKind.FEATURE_FLAG: "feature_flag",
    EventKind.EMOJI: "emoji",
    EventKind.MILESTONE: "milestone",
    EventKind.MEMBER: "member_add_to_group",
    EventKind.PROJECT: "project_create",
    EventKind.SUBGROUP: "subgroup_create",
    EventKind.ACCESS_TOKEN: "resource_access_token_project",
    EventKind.ALERT: "alertmanager",
}
WORKFLOW_SAMPLE = "workflow"


def sample_kinds() -> list[EventKind]:
    """The kinds a preview can show, in EventKind order."""
    return [kind for kind in EventKind if kind in PREVIEW_SAMPLES or kind in WORKFLOW_KINDS]


@cache
def sample_event(kind: EventKind) -> Event:
    """The event the preview shows for ``kind``, parsed once per process (events are frozen)."""
    if kind in WORKFLOW_KINDS:
        sample = get_sample(WORKFLOW_SAMPLE)
        retyped = {**json.loads(sample.body()), "type": kind.value}
        event = parse_source(json.dumps(retyped).encode(), sample.source.value, None)
    else:
        sample = get_sample(PREVIEW_SAMPLES[kind])
        event = parse_source(sample.body(), sample.source.value, sample.header)
    if event.kind is not kind:
        raise ValueError(f"the sample {sample.name!r} parses as {event.kind.value}, not {kind.value}")
    return event
