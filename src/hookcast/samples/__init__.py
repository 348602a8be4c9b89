"""Sample event bodies that ship with hookcast: one per GitLab hook it parses, Alertmanager groups
and an issue-workflow event.

They let anyone see a message without a GitLab at hand (``hookcast preview --sample push``,
``hookcast samples show push``, the UI's preview), and they are the payloads the test suite parses,
so what the preview shows is what the parser makes of a real body. ``index.json`` beside this module
lists each sample with the header it is sent with; README.md says where each body came from.

Nothing is read at import: the index is read on first use (once per process) and a body each time
it is asked for, from the installed package through ``importlib.resources``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

INDEX = "index.json"


class SampleSource(StrEnum):
    """Which of hookcast's inbound doors a sample goes through."""

    GITLAB = "gitlab"  # POST /hooks/gitlab, with the X-Gitlab-Event header
    ALERTMANAGER = "alertmanager"  # POST /hooks/alertmanager
    WORKFLOW = "workflow"  # POST /api/v1/projects/{id}/events


class UnknownSample(LookupError):
    """No sample has that name; the message lists the names there are."""


@dataclass(frozen=True, slots=True)
class Sample:
    name: str  # what the CLI and the UI call it: "push", "note_issue", "alertmanager"
    file: str  # relative to the samples folder: "gitlab/push.json"
    source: SampleSource
    header: str | None  # the X-Gitlab-Event header GitLab sends it with; None for other sources
    origin: str  # "gitlab-docs" (GitLab's documentation) or "hookcast" (written for hookcast)
    description: str

    def body(self) -> bytes:
        """The request body, byte for byte as the file holds it."""
        return read_file(self.file)


def read_file(relative: str) -> bytes:
    """A file of the samples folder (``gitlab/push.json``), from the installed package."""
    resource = files(__name__)
    for part in relative.split("/"):
        resource = resource.joinpath(part)
    return resource.read_bytes()


@cache
def catalogue() -> tuple[Sample, ...]:
    """Every sample, in the index's order (read once per process; the index never changes)."""
    entries = json.loads(read_file(INDEX))
    if not isinstance(entries, list):
        raise ValueError(f"{INDEX}: expected a list of samples")
    return tuple(_sample(entry) for entry in entries)


def _sample(entry: object) -> Sample:
    if not isinstance(entry, dict):
        raise ValueError(f"{INDEX}: expected an object per sample, got {entry!r}")
    header = entry.get("header")
    return Sample(
        name=str(entry["name"]),
        file=str(entry["file"]),
        source=SampleSource(entry["source"]),
        header=str(header) if header is not None else None,
        origin=str(entry["origin"]),
        description=str(entry["description"]),
    )


def sample_names() -> list[str]:
    return [sample.name for sample in catalogue()]


def get_sample(name: str) -> Sample:
    """The sample called ``name``, or `UnknownSample` naming the ones there are."""
    for sample in catalogue():
        if sample.name == name:
            return sample
    raise UnknownSample(f"unknown sample {name!r}; one of: {', '.join(sample_names())}")
