"""The samples that ship with the package: complete, parseable, indexed, read lazily."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files

import pytest

from hookcast.events import EventKind
from hookcast.kinds import spec_of
from hookcast.preview import parse_source
from hookcast.samples import (
    Sample,
    SampleSource,
    UnknownSample,
    catalogue,
    get_sample,
    read_file,
    sample_names,
)
from hookcast.sources.workflow import WORKFLOW_KINDS
from tests.fixtures import GO_GITLAB

SAMPLES = catalogue()
# hookcast makes some kinds itself (a review reminder): no source parses them, no sample has them
GITLAB_KINDS = {kind for kind in EventKind if kind not in WORKFLOW_KINDS and not spec_of(kind).made_here}


def kinds_of(source: SampleSource) -> set[EventKind]:
    return {parse_source(s.body(), s.source.value, s.header).kind for s in SAMPLES if s.source is source}


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_every_sample_parses_with_its_header(sample: Sample) -> None:
    event = parse_source(sample.body(), sample.source.value, sample.header)
    assert event.title
    if sample.source is SampleSource.GITLAB:
        assert sample.header and sample.header.endswith(" Hook")
    else:
        assert sample.header is None


def test_every_gitlab_kind_hookcast_parses_has_a_sample() -> None:
    assert kinds_of(SampleSource.GITLAB) == GITLAB_KINDS


def test_an_alertmanager_group_and_a_workflow_event_are_there() -> None:
    assert kinds_of(SampleSource.ALERTMANAGER) == {EventKind.ALERT}
    assert kinds_of(SampleSource.WORKFLOW) <= set(WORKFLOW_KINDS)
    assert get_sample("alertmanager").source is SampleSource.ALERTMANAGER


def test_confidential_samples_are_the_public_bodies_under_the_confidential_header() -> None:
    assert get_sample("confidential_issue").file == get_sample("issue").file
    assert get_sample("confidential_note").file == get_sample("note_issue").file
    event = parse_source(get_sample("confidential_note").body(), "gitlab", "Confidential Note Hook")
    assert (event.kind, event.confidential) == (EventKind.CONFIDENTIAL_NOTE, True)


def test_names_are_unique_and_lookups_name_the_choices() -> None:
    assert len(set(sample_names())) == len(SAMPLES)
    assert get_sample("push").header == "Push Hook"
    with pytest.raises(UnknownSample, match=r"unknown sample 'pushh'; one of: push, tag_push"):
        get_sample("pushh")


def test_the_index_and_the_folder_agree() -> None:
    folder = files("hookcast.samples")
    on_disk = {
        f"{sub.name}/{item.name}"
        for sub in folder.iterdir()
        if sub.is_dir() and not sub.name.startswith("__")
        for item in sub.iterdir()
    }
    assert on_disk == {sample.file for sample in SAMPLES}
    for sample in SAMPLES:
        assert sample.origin in {"gitlab-docs", "hookcast"}
        assert sample.description


def test_bodies_are_read_byte_for_byte() -> None:
    body = get_sample("push").body()
    assert body == read_file("gitlab/push.json")
    assert json.loads(body)["object_kind"] == "push"


def test_nothing_is_read_at_import() -> None:
    script = "import hookcast.samples as s; print(s.catalogue.cache_info().currsize)"
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "0"


def test_the_go_gitlab_index_lists_exactly_its_folder() -> None:
    index = json.loads((GO_GITLAB / "index.json").read_text())
    assert {entry["file"] for entry in index} == {p.name for p in GO_GITLAB.glob("*.json")} - {"index.json"}
    assert all(entry["x_gitlab_event"].endswith(" Hook") for entry in index)
