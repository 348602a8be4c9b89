"""Pipelines that say what changed: a finished pipeline carries its ref's previous result
(`Event.previous_status`, given by intake) and the pure core reads it as data."""

from __future__ import annotations

from typing import Any

import pytest

from hookcast.events import (
    SUPERSEDED,
    Event,
    EventKind,
    Item,
    PipelineChange,
    ProjectRef,
    Tone,
    pipeline_change,
)
from hookcast.messages.model import plain
from hookcast.messages.render import render
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import load_fixture

PROJECT = ProjectRef(name="App", path_with_namespace="team/app", default_branch="main")


def pipeline(status: str, previous: str | None, **fields: Any) -> Event:
    tone = {"success": Tone.SUCCESS, "failed": Tone.FAILURE}.get(status, Tone.NEUTRAL)
    return Event(
        kind=EventKind.PIPELINE,
        action=status,
        tone=tone,
        project=PROJECT,
        ref="main",
        branch="main",
        object_id="31",
        details={"status": status},
        previous_status=previous,
        **fields,
    )


@pytest.mark.parametrize(
    ("status", "previous", "change"),
    [
        ("success", "failed", PipelineChange.FIXED),
        ("failed", "failed", PipelineChange.STILL_FAILING),
        ("failed", "success", PipelineChange.BROKEN),
        ("failed", None, PipelineChange.BROKEN),  # the first result hookcast sees on the ref
        ("success", "success", None),
        ("success", None, None),
        ("failed", SUPERSEDED, None),  # arrived after a newer pipeline: it changed nothing
        ("success", SUPERSEDED, None),
        ("canceled", "failed", None),
        ("running", "failed", None),
    ],
)
def test_what_a_pipeline_changed(status: str, previous: str | None, change: PipelineChange | None) -> None:
    assert pipeline_change(pipeline(status, previous)) is change


def test_only_pipelines_change_a_ref() -> None:
    job = Event(kind=EventKind.JOB, action="success", ref="main", previous_status="failed")
    assert pipeline_change(job) is None


@pytest.mark.parametrize(
    ("status", "previous", "english", "chinese"),
    [
        ("success", "failed", "Fixed: Pipeline #31 passed on main", "已修复：main 上的流水线 #31 已通过"),
        (
            "failed",
            "failed",
            "Still failing: Pipeline #31 failed on main",
            "仍然失败：main 上的流水线 #31 失败",
        ),
        ("failed", "success", "Pipeline #31 failed on main", "main 上的流水线 #31 失败"),
        ("success", "success", "Pipeline #31 passed on main", "main 上的流水线 #31 已通过"),
        ("failed", SUPERSEDED, "Pipeline #31 failed on main", "main 上的流水线 #31 失败"),
    ],
)
def test_titles_say_fixed_and_still_failing(status: str, previous: str, english: str, chinese: str) -> None:
    assert render(pipeline(status, previous), "en").title == english
    assert render(pipeline(status, previous), "zh_CN").title == chinese


def test_a_fixed_pipeline_is_green_and_a_still_failing_one_red() -> None:
    assert render(pipeline("success", "failed"), "en").tone is Tone.SUCCESS
    assert render(pipeline("failed", "failed"), "en").tone is Tone.FAILURE


def test_the_previous_status_survives_storage_as_json() -> None:
    fixed = pipeline("success", "failed")
    stored = fixed.model_dump_json(exclude_unset=True)
    assert Event.model_validate_json(stored).previous_status == "failed"


def test_failed_jobs_name_their_stage_and_why_they_failed_and_the_commit_its_author() -> None:
    jobs = (
        Item(
            title="rspec", url="https://j/1", status="failed", stage="test", failure_reason="script_failure"
        ),
        Item(title="lint", status="failed", stage="check", failure_reason="some_new_reason"),
        Item(title="old", status="failed"),  # a payload without stages or reasons
    )
    failed = pipeline("failed", "success", items=jobs, total_items=3).model_copy(
        update={"details": {"status": "failed", "commit_author": "Bob"}}
    )
    english = render(failed, "en")
    assert [plain(line) for line in english.lines[-3:]] == [
        "• test / rspec — Failed, Script failure",
        "• check / lint — Failed, some new reason",
        "• old — Failed",
    ]
    assert {f.label: plain(f.value) for f in english.fields}["Commit author"] == "Bob"
    chinese = render(failed, "zh_CN")
    assert plain(chinese.lines[-3]) == "• test / rspec — 失败, 脚本执行失败"
    assert {f.label: plain(f.value) for f in chinese.fields}["提交作者"] == "Bob"


def test_the_pipeline_hook_gives_each_failed_jobs_stage_and_reason_and_the_commit_author() -> None:
    event = parse_gitlab("Pipeline Hook", load_fixture("docs/pipeline.json"))
    assert isinstance(event, Event)
    assert [(job.title, job.stage, job.failure_reason) for job in event.items] == [
        ("test-build", "test", "script_failure")
    ]
    assert event.detail("commit_author") == "User"
