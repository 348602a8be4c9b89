"""Every event the test payloads make, through the parsers: the package's samples (GitLab's
documentation bodies, Alertmanager, a workflow event), go-gitlab's bodies, the test-only
Alertmanager groups, and the workflow sample under each workflow type (it names a stage, a task,
a change and a comment, so every workflow detail is filled)."""

from __future__ import annotations

import json
from functools import cache

from hookcast.events import Event
from hookcast.preview import parse_source
from hookcast.samples import SampleSource, catalogue, get_sample
from hookcast.sources.workflow import WORKFLOW_KINDS
from tests.fixtures import alertmanager_payloads, gitlab_fixtures


@cache
def parsed_events() -> tuple[tuple[str, Event], ...]:
    """(name, event) for every test payload."""
    events = [
        (sample.name, parse_source(sample.body(), sample.source.value, sample.header))
        for sample in catalogue()
    ]
    events += [(name, parse_source(body, "gitlab", header)) for name, header, body in gitlab_fixtures()]
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
    return tuple(events)
