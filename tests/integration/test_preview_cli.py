"""``hookcast preview``: the exact body for every platform on stdout, errors on stderr with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hookcast.cli import app
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName
from tests.fixtures import TEST_DATA, gitlab_fixtures_dir
from tests.golden.cases import SECRET, SIGNED, Case, without_clock

PUSH = gitlab_fixtures_dir() / "docs" / "push.json"
FIRING = TEST_DATA / "alertmanager" / "firing.json"


def run(*args: str | Path, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(app, ["preview", *map(str, args)], input=stdin)


def golden_body(case: Case) -> Any:
    return json.loads(case.path.read_text(encoding="utf-8"))["body"]


def assert_failed_cleanly(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_push_preview_in_chinese_is_the_encoded_body(platform: PlatformName) -> None:
    secret = ["--secret", SECRET] if platform in SIGNED else []
    result = run(
        "--platform", platform.value, "--language", "zh_CN", "--gitlab-event", "Push Hook", *secret, PUSH
    )
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)  # stdout is nothing but the JSON body
    expected = golden_body(Case(platform, "zh_CN", "gitlab-docs-push"))
    assert without_clock(body) == without_clock(expected)
    assert "推送了" in result.stdout  # Chinese as text, not \u escapes
    if platform in (PlatformName.FEISHU, PlatformName.LARK):
        assert body["timestamp"].isdigit() and body["sign"]


def test_preview_reads_stdin() -> None:
    result = run("--platform", "slack", "--gitlab-event", "Push Hook", "-", stdin=PUSH.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == golden_body(Case(PlatformName.SLACK, "en", "gitlab-docs-push"))


@pytest.mark.parametrize("platform", [PlatformName.DINGTALK, PlatformName.TEAMS])
def test_alertmanager_source(platform: PlatformName) -> None:
    result = run("--platform", platform.value, "--language", "en", "--source", "alertmanager", FIRING)
    assert result.exit_code == 0, result.stderr
    expected = golden_body(Case(platform, "en", "alertmanager-firing"))
    assert json.loads(result.stdout) == without_clock(expected)


def test_unknown_platform() -> None:
    result = run("--platform", "telegram", "--gitlab-event", "Push Hook", PUSH)
    assert_failed_cleanly(result, "unknown platform 'telegram'", "feishu", "teams")


def test_unknown_language() -> None:
    result = run("--platform", "slack", "--language", "fr", "--gitlab-event", "Push Hook", PUSH)
    assert_failed_cleanly(result, "unknown language 'fr'", "zh_CN")


def test_unknown_source() -> None:
    assert_failed_cleanly(run("--platform", "slack", "--source", "jenkins", PUSH), "jenkins")


def test_malformed_payload(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"object_kind": "push", ')
    result = run("--platform", "wecom", "--gitlab-event", "Push Hook", broken)
    assert_failed_cleanly(result, "error: malformed JSON body")


def test_malformed_alertmanager_payload(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"[1, 2, 3]")
    assert_failed_cleanly(run("--platform", "discord", "--source", "alertmanager", broken), "error:")


def test_missing_payload_file(tmp_path: Path) -> None:
    result = run("--platform", "feishu", "--gitlab-event", "Push Hook", tmp_path / "nope.json")
    assert_failed_cleanly(result, "cannot read", "nope.json")
