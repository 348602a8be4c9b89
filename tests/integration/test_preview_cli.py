"""``hookcast preview`` and ``hookcast samples``: the exact body for every platform on stdout,
from a file, stdin or a sample that ships with hookcast; errors on stderr with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hookcast.cli import app
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName
from hookcast.samples import catalogue, get_sample
from tests.fixtures import GITHUB as GITHUB_DATA
from tests.golden.cases import SECRET, SIGNED, Case, without_clock


@pytest.fixture
def push_file(tmp_path: Path) -> Path:
    """GitLab's push body as a file, as a user would give it."""
    path = tmp_path / "push.json"
    path.write_bytes(get_sample("push").body())
    return path


@pytest.fixture
def firing_file(tmp_path: Path) -> Path:
    path = tmp_path / "firing.json"
    path.write_bytes(get_sample("alertmanager").body())
    return path


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
def test_push_preview_in_chinese_is_the_encoded_body(platform: PlatformName, push_file: Path) -> None:
    secret = ["--secret", "-"] if platform in SIGNED else []
    result = run(
        "--platform", platform.value, "--language", "zh_CN", "--gitlab-event", "Push Hook", *secret,
        push_file, stdin=f"{SECRET}\n".encode(),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)  # stdout is nothing but the JSON body
    expected = golden_body(Case(platform, "zh_CN", "gitlab-docs-push"))
    assert without_clock(body) == without_clock(expected)
    assert "推送了" in result.stdout  # Chinese as text, not \u escapes
    if platform in (PlatformName.FEISHU, PlatformName.LARK):
        assert body["timestamp"].isdigit() and body["sign"]


def test_preview_reads_stdin(push_file: Path) -> None:
    result = run("--platform", "slack", "--gitlab-event", "Push Hook", "-", stdin=push_file.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == golden_body(Case(PlatformName.SLACK, "en", "gitlab-docs-push"))


@pytest.mark.parametrize("platform", [PlatformName.DINGTALK, PlatformName.TEAMS])
def test_alertmanager_source(platform: PlatformName, firing_file: Path) -> None:
    result = run("--platform", platform.value, "--language", "en", "--source", "alertmanager", firing_file)
    assert result.exit_code == 0, result.stderr
    expected = golden_body(Case(platform, "en", "alertmanager-firing"))
    assert json.loads(result.stdout) == without_clock(expected)


def test_unknown_platform(push_file: Path) -> None:
    result = run("--platform", "whatsapp", "--gitlab-event", "Push Hook", push_file)
    assert_failed_cleanly(result, "unknown platform 'whatsapp'", "feishu", "teams")


def test_unknown_language(push_file: Path) -> None:
    result = run("--platform", "slack", "--language", "fr", "--gitlab-event", "Push Hook", push_file)
    assert_failed_cleanly(result, "unknown language 'fr'", "zh_CN")


def test_unknown_source(push_file: Path) -> None:
    assert_failed_cleanly(run("--platform", "slack", "--source", "jenkins", push_file), "jenkins")


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


# --------------------------------------------------------------------------- preview --sample


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_a_sample_previews_as_its_golden_body(platform: PlatformName) -> None:
    secret = ["--secret", "-"] if platform in SIGNED else []
    result = run(
        "--platform", platform.value, "--language", "zh_CN", "--sample", "push", *secret,
        stdin=f"{SECRET}\n".encode(),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    expected = golden_body(Case(platform, "zh_CN", "gitlab-docs-push"))
    assert without_clock(json.loads(result.stdout)) == without_clock(expected)


@pytest.mark.parametrize("platform", [PlatformName.FEISHU, PlatformName.SLACK])
def test_the_alertmanager_sample_needs_no_source_option(platform: PlatformName) -> None:
    result = run("--platform", platform.value, "--sample", "alertmanager")
    assert result.exit_code == 0, result.stderr
    expected = golden_body(Case(platform, "en", "alertmanager-firing"))
    assert without_clock(json.loads(result.stdout)) == without_clock(expected)


def test_a_sample_brings_its_header() -> None:
    """confidential_note is the issue comment's body under the Confidential Note Hook header: only
    the header tells them apart, and --gitlab-event still overrides it."""
    public = run("--platform", "slack", "--sample", "note_issue")
    confidential = run("--platform", "slack", "--sample", "confidential_note")
    overridden = run("--platform", "slack", "--sample", "confidential_note", "--gitlab-event", "Note Hook")
    assert public.exit_code == confidential.exit_code == overridden.exit_code == 0
    assert json.loads(public.stdout) == golden_body(Case(PlatformName.SLACK, "en", "gitlab-docs-note_issue"))
    assert confidential.stdout != public.stdout
    assert overridden.stdout == public.stdout


@pytest.mark.parametrize("sample", [s.name for s in catalogue()])
def test_every_sample_previews(sample: str) -> None:
    result = run("--platform", "teams", "--sample", sample)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "message"


def test_a_file_without_gitlab_event_is_read_by_its_object_kind(push_file: Path) -> None:
    result = run("--platform", "slack", push_file)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == golden_body(Case(PlatformName.SLACK, "en", "gitlab-docs-push"))


def test_a_file_whose_kind_cannot_be_told_says_to_pass_the_header(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.json"
    unknown.write_bytes(b'{"object_kind": "mystery"}')
    assert_failed_cleanly(run("--platform", "slack", unknown), "object_kind='mystery'", "--gitlab-event")


def test_unknown_sample_lists_the_names() -> None:
    assert_failed_cleanly(
        run("--platform", "slack", "--sample", "pushh"), "unknown sample 'pushh'", "push, tag_push"
    )


def test_a_sample_and_a_file_together_are_refused(push_file: Path) -> None:
    assert_failed_cleanly(run("--platform", "slack", "--sample", "push", push_file), "not both")
    assert_failed_cleanly(run("--platform", "slack"), "--sample NAME")


def test_a_sample_of_another_source_is_refused() -> None:
    result = run("--platform", "slack", "--sample", "push", "--source", "alertmanager")
    assert_failed_cleanly(result, "'push' is a gitlab body")


# --------------------------------------------------------------------------- hookcast samples


def samples(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["samples", *map(str, args)])


def test_samples_lists_name_source_header_and_description() -> None:
    result = samples()
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(catalogue())
    push = next(line for line in lines if line.startswith("push "))
    assert push.split()[:4] == ["push", "gitlab", "Push", "Hook"]
    assert "Commits pushed to a branch" in push
    assert any(line.split()[:3] == ["alertmanager", "alertmanager", "-"] for line in lines)


def test_samples_show_prints_the_body_byte_for_byte() -> None:
    result = samples("show", "note_issue")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == get_sample("note_issue").body()
    assert_failed_cleanly(samples("show", "nope"), "unknown sample 'nope'")


def test_samples_write_writes_every_sample_and_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "samples"
    result = samples("write", folder)
    assert result.exit_code == 0, result.stderr
    index = json.loads((folder / "index.json").read_text())
    assert [entry["name"] for entry in index] == [s.name for s in catalogue()]
    for entry in index:
        sample = get_sample(entry["name"])
        assert (folder / entry["file"]).read_bytes() == sample.body()
        assert entry["header"] == sample.header
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(e["file"] for e in index), "index.json"])


def test_samples_write_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "push.json").write_text("mine")
    assert_failed_cleanly(samples("write", tmp_path), "push.json", "--force")
    assert (tmp_path / "push.json").read_text() == "mine"
    assert not (tmp_path / "tag_push.json").exists()  # nothing written at all
    forced = samples("write", tmp_path, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (tmp_path / "push.json").read_bytes() == get_sample("push").body()


def test_settings_reach_the_encoded_body() -> None:
    """--secret, --keyword and --setting NAME=VALUE make the target as a stored webhook's would."""
    signed = run(
        "--platform", "feishu", "--sample", "push", "--secret", "-", "--keyword", "KW-7", "--setting", "x=1",
        stdin=b"s3\n",
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    body = json.loads(signed.stdout)
    assert body["sign"] and "KW-7" in body["card"]["header"]["title"]["content"]
    malformed = run("--platform", "feishu", "--sample", "push", "--setting", "no-equals-sign")
    assert malformed.exit_code == 2 and "NAME=VALUE" in malformed.output


def test_a_secret_or_url_is_read_from_stdin_never_taken_from_the_command_line(push_file: Path) -> None:
    for typed in (["--secret", "s3"], ["--url", "https://open.feishu.cn/open-apis/bot/v2/hook/t0k3n"]):
        refused = run("--platform", "feishu", "--sample", "push", *typed)
        assert_failed_cleanly(refused, "not taken on the command line", f"{typed[0]} -")
        assert typed[1] not in refused.stderr
    refused = run("--platform", "telegram", "--sample", "push", "--setting", "chat_id=1", "--url", "-")
    assert_failed_cleanly(refused, "stdin, which ended before it")
    # The secret's line first, then the body (given as -) is the rest of stdin.
    body = push_file.read_bytes()
    piped = run(
        "--platform", "feishu", "--secret", "-", "--gitlab-event", "Push Hook", "-", stdin=b"s3\n" + body
    )
    assert piped.exit_code == 0, piped.stderr
    expected = run(
        "--platform", "feishu", "--secret", "-", "--gitlab-event", "Push Hook", push_file, stdin=b"s3\n"
    )
    assert (
        json.loads(piped.stdout)["sign"]
        and json.loads(piped.stdout).keys() == json.loads(expected.stdout).keys()
    )


def test_a_secret_read_at_a_terminal_is_not_echoed() -> None:
    """'--secret -' typed at a terminal asks for the secret with echo off, as a password prompt."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import termios

    import hookcast

    primary, secondary = pty.openpty()
    terminal = os.ttyname(secondary)
    process = subprocess.Popen(
        [sys.executable, "-c", "from hookcast.cli import app; app()", "preview", "--platform", "feishu",
         "--sample", "push", "--secret", "-"],
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=secondary,
        env={**os.environ, "PYTHONPATH": str(Path(hookcast.__file__).parents[1])},  # this checkout
        start_new_session=True,
        preexec_fn=lambda: os.close(os.open(terminal, os.O_RDWR)),  # its controlling terminal
    )  # fmt: skip
    os.close(secondary)
    try:
        seen = b""
        while b"--secret" not in seen:  # the question, on the terminal
            assert select.select([primary], [], [], 30)[0], seen
            seen += os.read(primary, 1024)
        for _ in range(3000):  # until the terminal stops echoing (a bounded wait, not a timing)
            if not termios.tcgetattr(primary)[3] & termios.ECHO:
                break
            select.select([], [], [], 0.01)
        assert not termios.tcgetattr(primary)[3] & termios.ECHO, "what is typed would be echoed"
        os.write(primary, b"typed-at-a-tty\n")
        body, _ = process.communicate(timeout=60)
        while select.select([primary], [], [], 0.2)[0]:
            try:
                seen += os.read(primary, 1024)
            except OSError:  # the other end is closed
                break
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(primary)
    assert process.returncode == 0
    assert json.loads(body)["sign"]
    assert b"typed-at-a-tty" not in seen


@pytest.mark.parametrize("platform", [PlatformName.SLACK, PlatformName.WECOM])
def test_a_github_pull_request_previews_as_its_golden_body(platform: PlatformName) -> None:
    path = GITHUB_DATA / "pull_request" / "opened.json"
    result = run("--platform", platform.value, "--source", "github", "--event", "pull_request", path)
    assert result.exit_code == 0, result.stderr
    expected = golden_body(Case(platform, "en", "github-pull_request-opened"))
    assert json.loads(result.stdout) == expected


def test_a_github_body_needs_its_event() -> None:
    result = run("--platform", "slack", "--source", "github", GITHUB_DATA / "pull_request" / "opened.json")
    assert_failed_cleanly(result, "X-GitHub-Event", "--event")
