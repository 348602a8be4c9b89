"""``hookcast export`` and ``hookcast import`` through Typer's CliRunner, on the database the server
would use (migrated, with its key): files in YAML and JSON, the diff printed first, dry runs,
a project created by import (its token printed once), sealed secrets restored on the same
instance, pruning, and problems named by their path with exit status 2."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from typer.testing import CliRunner

from hookcast.cli import app, config_document
from tests.integration.test_ui_cli import instance  # noqa: F401 - the instance, made as the server makes it

runner = CliRunner()
FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-cli-config-token"
SLACK_URL = "https://hooks.slack.com/services/T0000/B0000/CliConfigSecretPart"


def hookcast(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, (result.output, result.exception)
    return result.stdout if code == 0 else result.stderr


def project_with_webhooks() -> str:
    created = json.loads(hookcast("projects", "create", "app", "--gitlab-path", "acme/app", "--json"))
    project_id = str(created["id"])
    hookcast(
        "webhooks", "create", project_id, "--platform", "feishu", "--name", "ci", "--url", "-",
        "--keyword", "deploy", "--trigger", "push", "--trigger", "pipeline", "--json",
        stdin=FEISHU_URL + "\n",
    )  # fmt: skip
    hookcast(
        "webhooks", "create", project_id, "--platform", "slack", "--name", "ops", "--url", "-", "--json",
        stdin=SLACK_URL + "\n",
    )  # fmt: skip
    return project_id


def urls_of(project_id: str) -> dict[str, str]:
    """Each webhook's URL in clear (what the worker would post to)."""
    from hookcast.cli.instance import opened
    from hookcast.services import webhooks

    async def read() -> dict[str, str]:
        async with opened() as inst, inst.sessions() as session:
            hooks = await webhooks.list_for_project(session, int(project_id))
            return {hook.name: inst.box.open(hook.url_sealed) for hook in hooks}

    return asyncio.run(read())


def listed(project_id: str) -> dict[str, dict[str, Any]]:
    return {h["name"]: h for h in json.loads(hookcast("webhooks", "list", project_id, "--json"))}


def test_export_then_import_prints_the_diff_and_applies_it_once(tmp_path: Path) -> None:
    project_id = project_with_webhooks()
    hookcast("export", "app", "-o", "app.yaml")
    document = yaml.safe_load((tmp_path / "app.yaml").read_text())
    assert document["project"] == {
        "name": "app",
        "gitlab_path": "acme/app",
        "protected_branches": [],
        "routes_other_projects": False,
    }
    assert [w["name"] for w in document["webhooks"]] == ["ci", "ops"]
    assert "CliConfigSecretPart" not in (tmp_path / "app.yaml").read_text()
    assert hookcast("import", "app.yaml") == "no changes\n"

    document["webhooks"][0]["triggers"] = ["push", "merge_request"]
    document["webhooks"][0]["settings"]["keyword"] = "ship"
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(document))
    planned = hookcast("import", "app.yaml", "--dry-run")
    assert planned == (
        "webhook 'ci': changed\n"
        '  ~ triggers: ["pipeline", "push"] -> ["merge_request", "push"]\n'
        '  ~ settings.keyword: "deploy" -> "ship"\n'
    )
    assert listed(project_id)["ci"]["keyword"] == "deploy"
    result = runner.invoke(app, ["import", "app.yaml"])  # not a terminal: applied without asking
    assert result.exit_code == 0, result.output
    assert result.stdout == planned and "applied to project 'app'" in result.stderr
    assert listed(project_id)["ci"]["keyword"] == "ship"
    assert hookcast("import", "app.yaml") == "no changes\n"

    hookcast("export", project_id, "--format", "json", "-o", "app.json")
    assert json.loads((tmp_path / "app.json").read_text())["webhooks"][0]["triggers"] == [
        "merge_request",
        "push",
    ]
    assert hookcast("import", "app.json", "--project", project_id, "--yes") == "no changes\n"


def test_a_sealed_export_restores_a_deleted_project_with_its_secrets_and_a_new_token(tmp_path: Path) -> None:
    project_id = project_with_webhooks()
    before = urls_of(project_id)
    sealed = hookcast("export", project_id, "--sealed")
    assert "CliConfigSecretPart" not in sealed and "sealed:" in sealed
    hookcast("projects", "delete", project_id, "--yes")
    printed = hookcast("import", "-", "--yes", stdin=sealed)
    assert printed.startswith("project 'app': added\n")
    assert "webhook 'ci': added\n" in printed and "webhook 'ops': added\n" in printed
    [token_line] = [line for line in printed.splitlines() if line.startswith("gitlab_token: ")]
    assert token_line.split()[1].startswith("hcp_")
    [project] = json.loads(hookcast("projects", "list", "--json"))
    assert urls_of(str(project["id"])) == before
    assert "gitlab_token" not in hookcast("import", "-", stdin=sealed)  # nothing new: no token


def test_prune_and_kept(tmp_path: Path) -> None:
    project_id = project_with_webhooks()
    document = yaml.safe_load(hookcast("export", "app"))
    document["webhooks"] = document["webhooks"][:1]
    (tmp_path / "one.yaml").write_text(yaml.safe_dump(document))
    kept = hookcast("import", "one.yaml")
    assert kept == "webhook 'ops': kept (not in the document; --prune removes it)\nno changes\n"
    assert hookcast("import", "one.yaml", "--prune", "--dry-run") == "webhook 'ops': removed\n"
    assert set(listed(project_id)) == {"ci", "ops"}
    hookcast("import", "one.yaml", "--prune", "--yes")
    assert set(listed(project_id)) == {"ci"}


def test_problems_are_named_by_their_path_and_nothing_is_applied(tmp_path: Path) -> None:
    project_id = project_with_webhooks()
    document = yaml.safe_load(hookcast("export", "app"))
    document["project"]["gitlab_path"] = "acme/changed"
    document["webhooks"][1]["triggers"] = ["pushh"]
    document["webhooks"][0]["quiet_days"] = ["someday"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(document))
    errors = hookcast("import", "bad.yaml", "--yes", code=2)
    assert 'error: webhooks[0].quiet_days[0]: unknown quiet day "someday"\n' in errors
    assert 'error: webhooks[1].triggers[0]: unknown trigger "pushh"\n' in errors

    document["webhooks"][1]["triggers"] = ["push"]
    document["webhooks"][0]["quiet_days"] = []
    document["webhooks"].append({"name": "new", "platform": "slack"})
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(document))
    errors = hookcast("import", "bad.yaml", "--yes", code=2)
    assert errors.startswith("error: webhooks[2].url: webhook 'new' is new here and the document has no URL")
    [project] = json.loads(hookcast("projects", "list", "--json"))
    assert project["gitlab_path"] == "acme/app" and set(listed(project_id)) == {"ci", "ops"}
    assert hookcast("export", "nothing-named-so", code=1).startswith(
        "error: project 'nothing-named-so' not found"
    )


def test_at_a_terminal_it_asks_and_applies_only_the_diff_it_showed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = project_with_webhooks()
    document = yaml.safe_load(hookcast("export", "app"))
    document["webhooks"][0]["language"] = "zh_CN"
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(document))
    monkeypatch.setattr(config_document, "at_terminal", lambda: True)

    declined = runner.invoke(app, ["import", "app.yaml"], input="n\n")
    assert declined.exit_code == 1 and "Apply these changes?" in declined.stdout
    assert listed(project_id)["ci"]["language"] == "en"

    def changed_meanwhile(*_args: object, **_kwargs: object) -> bool:
        hookcast("webhooks", "update", str(listed(project_id)["ops"]["id"]), "--language", "zh_CN")
        return True

    asked = config_document.typer.confirm
    monkeypatch.setattr(config_document.typer, "confirm", changed_meanwhile)
    refused = hookcast("import", "app.yaml", code=2)
    assert "the project changed since the diff was shown: nothing was applied" in refused
    assert listed(project_id)["ci"]["language"] == "en"
    monkeypatch.setattr(config_document.typer, "confirm", asked)
    assert runner.invoke(app, ["import", "app.yaml"], input="y\n").exit_code == 0
    assert listed(project_id)["ci"]["language"] == "zh_CN"


def test_prune_keeps_a_webhook_that_a_kept_rule_redirects_to(tmp_path: Path) -> None:
    """Pruning removes through the same service as a delete: a target of a rule that stays is
    refused (naming the rule) and nothing is applied; a target pruned with its referrers goes."""
    project_id = project_with_webhooks()
    page_ops = json.dumps([{"name": "page ops", "action": "redirect", "to": "ops"}])
    hookcast(
        "webhooks", "create", project_id, "--platform", "slack", "--name", "pager", "--url", "-",
        "--rules", "-", "--json", stdin=f"{SLACK_URL}\n{page_ops}",
    )  # fmt: skip
    ids = {name: hook["id"] for name, hook in listed(project_id).items()}
    document = yaml.safe_load(hookcast("export", "app"))
    document["webhooks"] = [hook for hook in document["webhooks"] if hook["name"] != "ops"]
    (tmp_path / "without-ops.yaml").write_text(yaml.safe_dump(document))
    refused = hookcast("import", "without-ops.yaml", "--prune", "--yes", code=2)
    assert (
        f"webhook 'ops' (#{ids['ops']}) is the target of redirect rules: 'pager' (#{ids['pager']}) "
        "rules[0] 'page ops'" in refused
    )
    assert set(listed(project_id)) == {"ci", "ops", "pager"}, "nothing applied"
    document["webhooks"] = [hook for hook in document["webhooks"] if hook["name"] == "ci"]
    (tmp_path / "ci-only.yaml").write_text(yaml.safe_dump(document))
    hookcast("import", "ci-only.yaml", "--prune", "--yes")
    assert set(listed(project_id)) == {"ci"}, "the target and the rule's webhook went together"
