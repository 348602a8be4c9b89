"""The administration CLI (``hookcast users|projects|webhooks|deliveries|tokens``) through Typer's
CliRunner, on the database the server would use (made here as the server's first start makes
it: migrated, with its key)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from hookcast.cli import app
from hookcast.cli.admin import webhooks_app
from hookcast.secret_keys import KEY_FILE_NAME, KeySource
from hookcast.services import webhook_settings
from hookcast.services.webhooks import WebhookInput, WebhookPatch
from hookcast.settings import get_settings
from tests.integration.ui_helpers import ThreadedFakeServer

runner = CliRunner()
FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-cli-settings-token"


@pytest.fixture(autouse=True)
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOOKCAST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}")
    monkeypatch.setenv("HOOKCAST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOOKCAST_ADMIN_TOKEN", "cli-test-admin-token-0123")
    monkeypatch.setenv("HOOKCAST_EXTRA_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("HOOKCAST_LOG_JSON", "false")
    get_settings.cache_clear()
    hookcast("migrate")
    KeySource(None, tmp_path / KEY_FILE_NAME).load_or_create()
    yield
    get_settings.cache_clear()


def hookcast(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, (result.output, result.exception)
    return result.stdout


def as_json(*args: str, stdin: str | None = None) -> Any:
    return json.loads(hookcast(*args, "--json", stdin=stdin))


def test_users_are_created_listed_changed_and_deleted() -> None:
    created = as_json("users", "create", "alice", "--password", "-", stdin="first-password\n")
    assert created["username"] == "alice"
    assert [u["username"] for u in as_json("users", "list")] == ["alice"]
    hookcast("users", "create", "alice", "--password", "-", stdin="other-password\n", code=2)
    hookcast("users", "create", "bob", "--password", "-", stdin="short\n", code=2)
    hookcast("users", "set-password", "alice", "--password", "-", stdin="second-password\n")
    hookcast("users", "set-password", "nobody", "--password", "-", stdin="second-password\n", code=1)
    hookcast("users", "delete", "alice")
    assert as_json("users", "list") == []
    table = hookcast("users", "list")
    assert "username" in table


def signs_in(username: str, password: str) -> bool:
    """Whether the stored hash takes ``password`` (what the sign-in form checks)."""
    import asyncio

    from hookcast.cli.instance import opened
    from hookcast.services import users
    from hookcast.services.passwords import PasswordHashing

    async def check() -> bool:
        async with opened() as instance, instance.sessions() as session:
            row = next(u for u in await users.list_all(session) if u.username == username)
            return await PasswordHashing().verify(row.password_hash, password)

    return asyncio.run(check())


def test_a_password_is_read_from_stdin_or_asked_for_never_taken_from_the_command_line() -> None:
    refused = runner.invoke(app, ["users", "create", "alice", "--password", "typed-in-clear"])
    assert refused.exit_code == 2
    assert "not taken on the command line" in refused.stderr and "shell's history" in refused.stderr
    assert "--password -" in refused.stderr and "typed-in-clear" not in refused.stderr
    assert as_json("users", "list") == []
    as_json("users", "create", "alice", "--password", "-", stdin="from-stdin-pass\n")
    assert signs_in("alice", "from-stdin-pass")
    asked = runner.invoke(app, ["users", "create", "bob"], input="asked-for-pass\nasked-for-pass\n")
    assert asked.exit_code == 0, asked.output
    assert "asked-for-pass" not in asked.output  # hidden
    assert signs_in("bob", "asked-for-pass")
    hookcast("users", "set-password", "bob", stdin="changed-by-prompt\nchanged-by-prompt\n")
    assert signs_in("bob", "changed-by-prompt")
    hookcast("users", "set-password", "bob", "--password", "-", code=2, stdin="")  # stdin ended


def test_projects_round_trip() -> None:
    created = as_json(
        "projects", "create", "app", "--gitlab-path", "acme/app", "--protected-branches", "main"
    )
    assert created["gitlab_token"].startswith("hcp_")
    assert created["protected_branches"] == ["main"]
    assert created["routes_other_projects"] is False
    project_id = str(created["id"])
    renamed = as_json("projects", "rename", project_id, "renamed")
    assert renamed["name"] == "renamed"
    receiver = as_json("projects", "update", project_id, "--routes-other-projects", "--gitlab-path", "acme")
    assert receiver["routes_other_projects"] is True and receiver["gitlab_path"] == "acme"
    assert receiver["protected_branches"] == ["main"] and receiver["name"] == "renamed"
    back = as_json("projects", "update", project_id, "--no-routes-other-projects", "--protected-branches", "")
    assert back["routes_other_projects"] is False and back["protected_branches"] == []
    group = as_json("projects", "create", "group", "--gitlab-path", "team", "--routes-other-projects")
    assert group["routes_other_projects"] is True
    hookcast("projects", "delete", str(group["id"]), "--yes")
    rotated = as_json("projects", "rotate-token", project_id)
    assert rotated["gitlab_token"] != created["gitlab_token"]
    assert [p["name"] for p in as_json("projects", "list")] == ["renamed"]
    assert "renamed" in hookcast("projects", "list")
    hookcast("projects", "delete", project_id, "--yes")
    assert as_json("projects", "list") == []
    hookcast("projects", "rename", "99", "x", code=1)


def test_a_projects_signing_secret_is_made_shown_once_and_removed() -> None:
    project_id = str(as_json("projects", "create", "signed")["id"])
    made = as_json("projects", "signing-secret", project_id)
    assert made["signing_secret"].startswith("whsec_")
    assert made["github_path"] == f"/hooks/github/{project_id}"
    assert made["content_type"] == "application/json"
    listed = hookcast("projects", "list", "--json")
    assert made["signing_secret"] not in listed
    assert json.loads(listed)[0]["signing_secret_set"] is True
    again = as_json("projects", "signing-secret", project_id)
    assert again["signing_secret"] != made["signing_secret"]
    hookcast("projects", "signing-secret", project_id, "--remove")
    assert as_json("projects", "list")[0]["signing_secret_set"] is False
    hookcast("projects", "signing-secret", "99", code=1)


def test_webhooks_deliveries_and_a_real_test_message() -> None:
    project_id = str(as_json("projects", "create", "app")["id"])
    with ThreadedFakeServer() as fake:
        bot = fake.server.add_bot("feishu", secret="cli-signing-secret")
        created = as_json(
            "webhooks", "create", project_id, "--platform", "feishu", "--url", "-",
            "--secret", "-", "--language", "zh_CN", "--trigger", "push", "--trigger", "pipeline",
            stdin=f"{bot.url}\ncli-signing-secret\n",
        )  # fmt: skip
        webhook_id = str(created["id"])
        assert created["secret_set"] is True
        assert created["triggers"] == ["pipeline", "push"]
        assert bot.url not in json.dumps(created)
        answer = as_json("webhooks", "test", webhook_id)
        assert answer["ok"] is True and answer["status_code"] == 200
        assert len(bot.received) == 1
    updated = as_json("webhooks", "update", webhook_id, "--inactive", "--branches", "all")
    assert updated["active"] is False and updated["branches_to_be_notified"] == "all"
    listed = as_json("webhooks", "list", project_id)
    assert [w["id"] for w in listed] == [int(webhook_id)]
    bad = runner.invoke(
        app,
        ["webhooks", "create", project_id, "--platform", "slack", "--url", "-"],
        input="https://x.test/\n",
    )
    assert bad.exit_code == 2 and "url" in bad.output
    assert as_json("deliveries", "list", project_id, "--state", "failed") == []
    hookcast("deliveries", "show", "12345", code=1)
    hookcast("webhooks", "delete", webhook_id)
    assert as_json("webhooks", "list", project_id) == []


def test_api_tokens_are_shown_once_and_revoked() -> None:
    created = as_json("tokens", "create", "ci")
    assert created["token"].startswith("hca_")
    listed = as_json("tokens", "list")
    assert "ci" in [t["name"] for t in listed]
    assert created["token"] not in hookcast("tokens", "list")
    hookcast("tokens", "revoke", str(created["id"]))
    assert "ci" not in [t["name"] for t in as_json("tokens", "list")]
    hookcast("tokens", "revoke", str(created["id"]), code=1)


def test_a_missing_key_is_reported_not_replaced(tmp_path: Path) -> None:
    """A new key would seal secrets the server cannot open: the CLI never makes one."""
    project_id = str(as_json("projects", "create", "app")["id"])
    (tmp_path / "hookcast.key").unlink()
    result = runner.invoke(
        app,
        ["webhooks", "create", project_id, "--platform", "feishu", "--url", "-"],
        input="http://127.0.0.1:9/x\n",
    )
    assert result.exit_code == 1
    assert f"no secret key at {tmp_path / 'hookcast.key'}" in result.stderr
    assert not (tmp_path / "hookcast.key").exists()


@pytest.mark.parametrize(("command", "model"), [("create", WebhookInput), ("update", WebhookPatch)])
def test_webhook_commands_take_every_field_of_the_api_model(command: str, model: type[BaseModel]) -> None:
    """The options are derived from the API's model and the platforms' settings: they cannot drift."""
    group = typer.main.get_group(webhooks_app)
    params = {param.name for param in group.commands[command].params}
    expected = (
        (set(model.model_fields) - {"settings", "templates"})
        | set(webhook_settings.declared())
        | {"template"}
    )
    assert expected <= params
    assert {"direct_messages", "direct_only", "mention_people", "secret", "keyword"} <= params


def test_webhook_options_the_cli_lacked_and_platform_settings() -> None:
    project_id = str(as_json("projects", "create", "app")["id"])
    created = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--direct-messages",
        "--mention-people", "--keyword", "deploy", "--secret", "-", "--only-broken-pipelines",
        "--labels", "~bug",
        stdin=f"cli-secret\n{FEISHU_URL}\n",  # '--secret -', then the URL, asked for (left out)
    )  # fmt: skip
    assert created["direct_messages"] is True and created["mention_people"] is True
    assert created["direct_only"] is False and created["notify_only_broken_pipelines"] is True
    assert created["settings"] == {"secret": "set", "keyword": "deploy"}
    assert "cli-secret" not in json.dumps(created)
    webhook_id = str(created["id"])
    updated = as_json(
        "webhooks", "update", webhook_id, "--direct-only", "--no-mention-people", "--keyword", "",
        "--all-pipelines",
    )  # fmt: skip
    assert updated["direct_only"] is True and updated["mention_people"] is False
    assert updated["direct_messages"] is True and updated["notify_only_broken_pipelines"] is False
    assert created["pipelines_to_be_notified"] == "broken" and updated["pipelines_to_be_notified"] == "all"
    changes_only = as_json("webhooks", "update", webhook_id, "--pipelines", "broken_and_fixed")
    assert changes_only["pipelines_to_be_notified"] == "broken_and_fixed"
    assert changes_only["notify_only_broken_pipelines"] is False
    assert updated["settings"] == {"secret": "set", "keyword": None}
    too_long = runner.invoke(app, ["webhooks", "update", webhook_id, "--keyword", "k" * 65])
    assert too_long.exit_code == 2 and "keyword" in too_long.output and "64" in too_long.output


def test_webhook_secrets_and_urls_come_from_stdin_or_a_prompt_never_the_command_line() -> None:
    project_id = str(as_json("projects", "create", "app")["id"])
    for typed in (["--url", FEISHU_URL], ["--url", "-", "--secret", "in-clear-secret"]):
        refused = runner.invoke(
            app, ["webhooks", "create", project_id, "--platform", "feishu", *typed], input=f"{FEISHU_URL}\n"
        )
        assert refused.exit_code == 2, refused.output
        assert "not taken on the command line" in refused.stderr
        assert FEISHU_URL not in refused.stderr and "in-clear-secret" not in refused.stderr
    assert as_json("webhooks", "list", project_id) == []
    with ThreadedFakeServer() as fake:
        bot = fake.server.add_bot("feishu", secret="piped-secret")
        asked = runner.invoke(
            app,
            ["webhooks", "create", project_id, "--platform", "feishu", "--secret", "-", "--json"],
            input=f"piped-secret\n{bot.url}\n",  # '--secret -' first, then the URL asked for
        )
        assert asked.exit_code == 0, asked.output
        assert bot.url not in asked.stdout
        webhook_id = str(json.loads(asked.stdout[asked.stdout.index("{") :])["id"])
        assert as_json("webhooks", "test", webhook_id)["ok"] is True  # URL and secret as piped
        assert bot.received
        other = fake.server.add_bot("feishu", secret="second-secret")
        hookcast(
            "webhooks",
            "update",
            webhook_id,
            "--url",
            "-",
            "--secret",
            "-",
            stdin=f"{other.url}\nsecond-secret\n",
        )
        assert as_json("webhooks", "test", webhook_id)["ok"] is True
        assert other.received
    refused = runner.invoke(app, ["webhooks", "update", webhook_id, "--secret", "in-clear"])
    assert refused.exit_code == 2 and "--secret -" in refused.stderr
    assert as_json("webhooks", "update", webhook_id, "--secret", "")["settings"]["secret"] == "not set"


def stored_credentials(platform: str) -> dict[str, str]:
    import asyncio

    from hookcast.cli.instance import opened
    from hookcast.directmessages import open_credentials
    from hookcast.platforms.base import PlatformName
    from hookcast.services import im_apps

    async def read() -> dict[str, str]:
        async with opened() as instance, instance.sessions() as session:
            row = await im_apps.find(session, PlatformName(platform))
            assert row is not None
            return open_credentials(row, instance.box)

    return asyncio.run(read())


def test_im_app_secrets_come_from_stdin_or_a_prompt_never_the_command_line() -> None:
    set_wecom = [
        "im-apps",
        "set",
        "wecom",
        "--no-validate",
        "-c",
        "corp_id=ww-corp",
        "-c",
        "agent_id=1000002",
    ]
    refused = runner.invoke(app, [*set_wecom, "-c", "secret=typed-app-secret"])
    assert refused.exit_code == 2
    assert "not taken on the command line" in refused.stderr and "-c secret=-" in refused.stderr
    assert "typed-app-secret" not in refused.stderr
    hookcast(*set_wecom, "-c", "secret=-", stdin="piped-app-secret\n")
    assert stored_credentials("wecom") == {
        "corp_id": "ww-corp",
        "agent_id": "1000002",
        "secret": "piped-app-secret",
    }
    asked = runner.invoke(app, [*set_wecom], input="asked-app-secret\n")
    assert asked.exit_code == 0, asked.output
    assert "asked-app-secret" not in asked.output
    assert stored_credentials("wecom")["secret"] == "asked-app-secret"


def test_a_list_option_is_cleared_with_its_clear_flag() -> None:
    """An empty list option means "not given" (left as it was); ``--clear-<option>`` empties it."""
    project_id = str(as_json("projects", "create", "quiet")["id"])
    created = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--quiet-from", "20:00",
        "--quiet-until", "08:00", "--quiet-days", "sat", "--quiet-days", "sun", stdin=f"{FEISHU_URL}\n",
    )  # fmt: skip
    assert created["quiet_days"] == ["sat", "sun"]
    webhook_id = str(created["id"])
    kept = as_json("webhooks", "update", webhook_id, "--quiet-from", "21:00")
    assert kept["quiet_days"] == ["sat", "sun"] and kept["quiet_from"] == "21:00"
    cleared = as_json("webhooks", "update", webhook_id, "--clear-quiet-days")
    assert cleared["quiet_days"] == [] and cleared["quiet_from"] == "21:00"
    both = runner.invoke(app, ["webhooks", "update", webhook_id, "--quiet-days", "mon", "--clear-quiet-days"])
    assert both.exit_code == 2 and "opposite" in both.output


def test_webhook_review_reminder_options() -> None:
    project_id = str(as_json("projects", "create", "app")["id"])
    created = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--reminder-time", "09:30",
        "--reminder-days", "thu", "--reminder-days", "mon", "--reminder-timezone", "Asia/Shanghai",
        "--reminder-to", "reviewers", "--reminder-drafts",
        stdin=f"{FEISHU_URL}\n",
    )  # fmt: skip
    assert (created["reminder_time"], created["reminder_days"], created["reminder_timezone"]) == (
        "09:30",
        ["mon", "thu"],
        "Asia/Shanghai",
    )
    assert (created["reminder_to"], created["reminder_drafts"]) == ("reviewers", True)
    webhook_id = str(created["id"])
    updated = as_json("webhooks", "update", webhook_id, "--reminder-to", "group", "--no-reminder-drafts")
    assert (updated["reminder_to"], updated["reminder_drafts"], updated["reminder_time"]) == (
        "group",
        False,
        "09:30",
    )
    refused = runner.invoke(app, ["webhooks", "update", webhook_id, "--reminder-timezone", "Mars/Olympus"])
    assert refused.exit_code == 2 and "reminder_timezone: Mars/Olympus is not a time zone" in refused.stderr


def test_silences_are_made_listed_expired_and_deleted() -> None:
    project_id = str(as_json("projects", "create", "alerts")["id"])
    made = as_json(
        "silences", "create", "--project", project_id, "--match", 'alertname="DiskFull"',
        "--match", 'severity=~"warning|info"', "--duration", "1h", "--comment", "disk being replaced",
    )  # fmt: skip
    assert made["match"]["alert_labels"] == ['alertname="DiskFull"', 'severity=~"warning|info"']
    assert (made["status"], made["comment"], made["project_id"]) == (
        "active",
        "disk being replaced",
        int(project_id),
    )
    assert made["author"].endswith("(cli)") and made["expiring_soon"] is True
    everywhere = as_json(
        "silences", "create", "--all-projects", "--kind", "push", "--duration", "2d", "--comment", "x"
    )
    assert everywhere["project_id"] is None and everywhere["expiring_soon"] is False
    assert [s["id"] for s in as_json("silences", "list", "--project", project_id)] == [made["id"]]
    assert [s["id"] for s in as_json("silences", "list", "--all-projects")] == [everywhere["id"]]
    assert "silences of project" in hookcast("silences", "list", "--project", project_id)
    assert made["conditions"] == 'alert_labels: alertname="DiskFull", severity=~"warning|info"'

    expired = as_json("silences", "expire", str(made["id"]))
    assert expired["status"] == "expired"
    hookcast("silences", "delete", str(everywhere["id"]))
    assert as_json("silences", "list", "--all-projects") == []

    # Refused: no condition, no end, a bad matcher, neither project nor --all-projects, unknown id.
    hookcast("silences", "create", "--project", project_id, "--duration", "1h", "--comment", "c", code=2)
    hookcast("silences", "create", "--project", project_id, "--kind", "push", "--comment", "c", code=2)
    hookcast(
        "silences",
        "create",
        "--project",
        project_id,
        "--match",
        "nope",
        "--duration",
        "1h",
        "--comment",
        "c",
        code=2,
    )
    hookcast("silences", "create", "--kind", "push", "--duration", "1h", "--comment", "c", code=2)
    hookcast(
        "silences",
        "create",
        "--project",
        project_id,
        "--kind",
        "push",
        "--duration",
        "soon",
        "--comment",
        "c",
        code=2,
    )
    hookcast("silences", "expire", "999", code=1)


def test_webhook_templates_from_files(tmp_path: Path) -> None:
    project_id = str(as_json("projects", "create", "app")["id"])
    good = tmp_path / "push.json"
    good.write_text(json.dumps({"title": "{{ actor.name }} pushed to {{ branch }}"}), encoding="utf-8")
    created = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--template", f"push={good}",
        stdin=f"{FEISHU_URL}\n",
    )  # fmt: skip
    assert created["templates"] == {"push": {"title": "{{ actor.name }} pushed to {{ branch }}"}}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lines": "a\n{{ nosuch }}"}), encoding="utf-8")
    refused = runner.invoke(app, ["webhooks", "update", str(created["id"]), "--template", f"tag_push={bad}"])
    assert refused.exit_code == 2 and "template of tag_push, lines, line 2" in refused.output
    updated = as_json("webhooks", "update", str(created["id"]), "--clear-template", "push")
    assert updated["templates"] == {}


def test_webhook_rules_come_from_a_json_file_and_are_cleared(tmp_path: Path) -> None:
    project_id = str(as_json("projects", "create", "ruled")["id"])
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps([{"match": {"only_bots": True}, "action": "skip", "name": "no bots"}]))
    created = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--url", "-", "--rules", str(rules_file),
        stdin=f"{FEISHU_URL}\n",
    )  # fmt: skip
    assert created["rules"][0]["action"] == "skip" and created["rules"][0]["match"]["only_bots"] is True
    webhook_id = str(created["id"])
    kept = as_json("webhooks", "update", webhook_id, "--name", "renamed")
    assert len(kept["rules"]) == 1
    rules_file.write_text(json.dumps([{"action": "skip"}, {"match": {"refs": ["/[/"]}, "action": "skip"}]))
    refused = runner.invoke(app, ["webhooks", "update", webhook_id, "--rules", str(rules_file)])
    assert refused.exit_code != 0
    assert "rules[1].match.refs[0]: invalid regular expression" in refused.output
    from_stdin = as_json("webhooks", "update", webhook_id, "--rules", "-", stdin='[{"action": "deliver"}]')
    assert [rule["action"] for rule in from_stdin["rules"]] == ["deliver"]
    not_json = runner.invoke(app, ["webhooks", "update", webhook_id, "--rules", "-"], input="[{")
    assert not_json.exit_code == 2 and "--rules" in not_json.output
    assert as_json("webhooks", "update", webhook_id, "--clear-rules")["rules"] == []


def test_deleting_a_redirect_target_is_refused_naming_the_rule() -> None:
    project_id = str(as_json("projects", "create", "redirected")["id"])
    target = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--name", "dba", "--url", "-",
        stdin=f"{FEISHU_URL}\n",
    )  # fmt: skip
    by_name = json.dumps([{"name": "db", "action": "redirect", "to": "dba"}])
    holder = as_json(
        "webhooks", "create", project_id, "--platform", "feishu", "--name", "ci", "--url", "-",
        "--rules", "-", stdin=f"{FEISHU_URL}\n{by_name}",
    )  # fmt: skip
    refused = runner.invoke(app, ["webhooks", "delete", str(target["id"])])
    assert refused.exit_code == 2, refused.output
    assert (
        f"error: webhook 'dba' (#{target['id']}) is the target of redirect rules: 'ci' (#{holder['id']}) "
        "rules[0] 'db'" in refused.output
    )
    assert [w["id"] for w in as_json("webhooks", "list", project_id)] == [target["id"], holder["id"]]
    as_json("webhooks", "update", str(holder["id"]), "--clear-rules")
    hookcast("webhooks", "delete", str(target["id"]))
