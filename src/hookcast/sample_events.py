"""The sample event of each kind: the samples that ship with hookcast (``hookcast.samples``),
parsed by the same parsers as real requests, so the preview cannot drift from the parser.

Which sample shows a kind is declared in the kinds catalogue (`KindSpec.sample`,
hookcast/kinds.py): each GitLab kind one sample (the confidential kinds the public bodies under
the confidential headers); ``alert`` the Alertmanager group; the issue-workflow kinds the
workflow sample with its ``type`` set to the kind shown.
"""

from __future__ import annotations

import json
from functools import cache

from hookcast.events import Event, EventKind
from hookcast.kinds import spec_of
from hookcast.preview import parse_source
from hookcast.samples import SampleSource, get_sample


def sample_kinds() -> list[EventKind]:
    """The kinds a preview can show, in EventKind order: every kind a source parses (each has its
    sample); not those hookcast makes itself (`KindSpec.made_here`)."""
    return [kind for kind in EventKind if not spec_of(kind).made_here]


@cache
def sample_event(kind: EventKind) -> Event:
    """The event the preview shows for ``kind``, parsed once per process (events are frozen)."""
    sample = get_sample(spec_of(kind).sample)
    if sample.source is SampleSource.WORKFLOW:  # one body shows every workflow kind
        retyped = {**json.loads(sample.body()), "type": kind.value}
        event = parse_source(json.dumps(retyped).encode(), sample.source.value, None)
    else:
        event = parse_source(sample.body(), sample.source.value, sample.header)
    if event.kind is not kind:
        raise ValueError(f"the sample {sample.name!r} parses as {event.kind.value}, not {kind.value}")
    return event
