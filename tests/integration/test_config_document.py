"""Configuration as code over the API, on SQLite and PostgreSQL: a project exported as a document
and imported into a fresh database (the same instance's keys, or another's), the diff an import
answers, idempotence, dry runs, pruning, secrets left out or sealed, and problems named by their
path with nothing applied; the silences section likewise (in force and to come exported, expired
ones neither exported nor imported)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.settings import Settings
from tests.conftest import MigratedTemplates, fresh_postgres_database, make_settings, running_client

FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-config-as-code-token"
SLACK_URL = "https://hooks.slack.com/services/T0000/B0000/ConfigAsCodeSecretPart"
SECRET = "SEC-config-as-code-secret"
# Every field the document carries of a webhook, with values other than their defaults.
RICH_WEBHOOK: dict[str, Any] = {
    "name": "ci",
    "platform": "feishu",
    "url": FEISHU_URL,
    "settings": {"secret": SECRET, "keyword": "deploy"},
    "active": False,
    "language": "zh_CN",
    "triggers": ["push", "pipeline", "merge_request"],
    "pipelines_to_be_notified": "broken_and_fixed",
    "branches_to_be_notified": "protected",
    "labels_to_be_notified": "~bug, ~ui",
    "labels_to_be_notified_behavior": "match_all",
    "direct_messages": True,
    "direct_only": True,
    "mention_people": True,
    "quiet_from": "22:00",
    "quiet_until": "07:30",
    "quiet_days": ["sat", "sun"],
    "quiet_timezone": "Europe/Berlin",
    "quiet_break_on_failures": True,
    "quiet_break_at_severity": "critical",
    "reminder_time": "09:15",
    "reminder_days": ["mon", "wed"],
    "reminder_timezone": "Asia/Shanghai",
    "reminder_to": "reviewers",
    "reminder_drafts": True,
    "alert_flap_window_minutes": 15,
    "templates": {
        "push": {
            "title": "{{ actor.name }} pushed to {{ branch }}",
            "lines": "{% for c in items %}\n- {{ c.title }}\n{% endfor %}",
            "mentions": False,
        }
    },
    "rules": [  # the redirect names "ops", created after "ci": the fixture sets the rules last
        {
            "name": "db alerts",
            "note": "the DBAs read ops",
            "match": {"kinds": ["alert"], "alert_labels": ['team="db"', 'severity=~"critical|warning"']},
            "action": "redirect",
            "to": "ops",
        },
        {"match": {"paths": ["docs/**", "*.md"], "exclude_bots": True}, "action": "skip"},
        {"match": {"refs": ["main"]}, "action": "mention", "mention": ["alice", "oncall@example.com"]},
    ],
}
# What differs between two instances, or is not configuration.
NOT_CONFIGURATION = {"id", "project_id", "created_at", "updated_at", "paused_until", "pause_reason"}
NOT_CONFIGURATION |= {"consecutive_failures", "waiting", "set_aside"}


@contextlib.asynccontextmanager
async def other_database(
    settings: Settings, folder: Path, templates: MigratedTemplates
) -> AsyncIterator[str]:
    """A fresh database of the same kind as ``settings``' (migrated, empty)."""
    if settings.database_url.startswith("sqlite"):
        path = folder / "other.db"
        await templates.sqlite_copy(path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    async with fresh_postgres_database(await templates.postgres_template()) as url:
        yield url


@contextlib.asynccontextmanager
async def fresh_instance(
    settings: Settings, tmp_path: Path, templates: MigratedTemplates, *, same_keys: bool
) -> AsyncIterator[httpx.AsyncClient]:
    """Another instance on an empty database: with the first one's keys (its data directory,
    where the key file is), or with keys of its own."""
    folder = tmp_path / f"other-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    async with other_database(settings, folder, templates) as url:
        data_dir = settings.data_dir if same_keys else folder
        async with running_client(make_settings(url, data_dir)) as other:
            yield other


async def project_with_webhooks(client: httpx.AsyncClient, name: str = "app") -> int:
    project = await client.post(
        "/api/v1/projects",
        json={"name": name, "gitlab_path": f"acme/{name}", "protected_branches": ["main", "release/*"]},
    )
    assert project.status_code == 201, project.text
    project_id: int = project.json()["id"]
    without_rules = {name: value for name, value in RICH_WEBHOOK.items() if name != "rules"}
    made = []
    for body in (without_rules, {"name": "ops", "platform": "slack", "url": SLACK_URL}):
        created = await client.post(f"/api/v1/projects/{project_id}/webhooks", json=body)
        assert created.status_code == 201, created.text
        made.append(created.json())
    ruled = await client.patch(f"/api/v1/webhooks/{made[0]['id']}", json={"rules": RICH_WEBHOOK["rules"]})
    assert ruled.status_code == 200, ruled.text
    assert ruled.json()["rules"][0]["to"] == made[1]["id"], "the name is stored as the id"
    return project_id


async def export(client: httpx.AsyncClient, project_id: int, **params: object) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/projects/{project_id}/export", params=params)
    assert answer.status_code == 200, answer.text
    if params.get("format") == "yaml":
        assert answer.headers["content-type"].startswith("application/yaml")
        loaded: dict[str, Any] = yaml.safe_load(answer.text)
        return loaded
    parsed: dict[str, Any] = answer.json()
    return parsed


async def import_(
    client: httpx.AsyncClient, document: dict[str, Any], project_id: int | None = None, **params: object
) -> httpx.Response:
    path = f"/api/v1/projects/{project_id}/import" if project_id else "/api/v1/projects/import"
    return await client.post(path, json=document, params={k: str(v).lower() for k, v in params.items()})


async def webhooks_of(client: httpx.AsyncClient, project_id: int) -> dict[str, dict[str, Any]]:
    """The webhooks' configuration by name; a redirect's target (an id, which differs between
    instances) by its webhook's name."""
    hooks = (await client.get(f"/api/v1/projects/{project_id}/webhooks")).json()
    names = {hook["id"]: hook["name"] for hook in hooks}
    for hook in hooks:
        for rule in hook["rules"]:
            if rule["to"] is not None:
                rule["to"] = names[rule["to"]]
    return {hook["name"]: {k: v for k, v in hook.items() if k not in NOT_CONFIGURATION} for hook in hooks}


async def project_named(client: httpx.AsyncClient, name: str) -> dict[str, Any] | None:
    return next((p for p in (await client.get("/api/v1/projects")).json() if p["name"] == name), None)


async def secrets_of(client: httpx.AsyncClient, project_id: int) -> dict[str, tuple[str, dict[str, str]]]:
    """Each webhook's URL and settings in clear, as the worker would send with them."""
    from hookcast.services import webhook_settings, webhooks

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        hooks = await webhooks.list_for_project(session, project_id)
        return {
            hook.name: (
                runtime.box.open(hook.url_sealed),
                webhook_settings.opened(hook.settings, runtime.box),
            )
            for hook in hooks
        }


async def test_a_sealed_export_imported_on_a_fresh_database_gives_the_same_webhooks(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, migrated_templates: MigratedTemplates
) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id, format="yaml", sealed="true")
    assert FEISHU_URL not in str(document) and SECRET not in str(document)
    ci, ops = document["webhooks"]
    assert (ci["name"], ops["name"]) == ("ci", "ops"), "the redirect's target comes after it"
    assert ci["rules"][0]["to"] == "ops", "a redirect's target is written by name"
    async with fresh_instance(settings, tmp_path, migrated_templates, same_keys=True) as other:
        filler = (await other.post("/api/v1/projects", json={"name": "filler"})).json()
        added = await other.post(
            f"/api/v1/projects/{filler['id']}/webhooks", json={"platform": "slack", "url": SLACK_URL}
        )
        assert added.status_code == 201, added.text  # so that ids differ between the instances
        answer = await import_(other, document)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["applied"] and result["created"] and result["gitlab_token"].startswith("hcp_")
        assert [(c["noun"], c["name"], c["action"]) for c in result["changes"]] == [
            ("project", "app", "added"),
            ("webhook", "ci", "added"),
            ("webhook", "ops", "added"),
        ]
        new_id = result["project_id"]
        assert await webhooks_of(other, new_id) == await webhooks_of(client, project_id)
        ids = {h["name"]: h["id"] for h in (await other.get(f"/api/v1/projects/{new_id}/webhooks")).json()}
        old = {
            h["name"]: h["id"] for h in (await client.get(f"/api/v1/projects/{project_id}/webhooks")).json()
        }
        assert ids["ops"] != old["ops"]
        new_ci = (await other.get(f"/api/v1/webhooks/{ids['ci']}")).json()
        assert new_ci["rules"][0]["to"] == ids["ops"], "resolved to this instance's webhook"
        assert new_ci["templates"]["push"]["title"] == RICH_WEBHOOK["templates"]["push"]["title"]
        assert await secrets_of(other, new_id) == await secrets_of(client, project_id)
        shown = (await other.get(f"/api/v1/projects/{new_id}")).json()
        assert shown["gitlab_path"] == "acme/app" and shown["protected_branches"] == ["main", "release/*"]
        assert (await export(other, new_id)) == (await export(client, project_id))

        again = (await import_(other, document)).json()
        assert again["changed"] is False and again["applied"] is False and again["changes"] == []
        assert again["diff"] == "no changes\n" and again["gitlab_token"] is None


async def test_sealed_secrets_do_not_open_on_another_instance_and_nothing_is_applied(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, migrated_templates: MigratedTemplates
) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id, sealed="true")
    async with fresh_instance(settings, tmp_path, migrated_templates, same_keys=False) as other:
        refused = await import_(other, document)
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["detail"]
        assert problem["loc"] == ["body", "webhooks[0].sealed.url"]
        assert (
            "webhook 'ci'" in problem["msg"] and "does not open with this instance's keys" in problem["msg"]
        )
        assert await project_named(other, "app") is None  # the project it created is gone too


async def test_secrets_are_left_out_by_default_and_kept_when_matched_by_name(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, migrated_templates: MigratedTemplates
) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    [ci, ops] = document["webhooks"]
    assert ci["url"] is None and ci["url_redacted"].startswith("https://open.feishu.cn/")
    assert "sealed" not in ci and ci["settings"] == {"keyword": "deploy"}
    assert SECRET not in str(document) and "ConfigAsCodeSecretPart" not in str(document)
    assert "token" not in document["project"] and "signing_secret_set" not in document["project"]

    before = await secrets_of(client, project_id)
    assert (await import_(client, document, project_id)).json()["diff"] == "no changes\n"
    assert await secrets_of(client, project_id) == before  # URL and secret kept

    async with fresh_instance(settings, tmp_path, migrated_templates, same_keys=True) as other:
        refused = await import_(other, document)
        assert refused.status_code == 422
        [problem] = refused.json()["detail"]
        assert problem["loc"] == ["body", "webhooks[0].url"]
        assert "'ci' is new here and the document has no URL" in problem["msg"]
        assert await project_named(other, "app") is None
        ci["url"], ops["url"] = FEISHU_URL, SLACK_URL  # given by hand
        created = await import_(other, document)
        assert created.status_code == 200, created.text
        new_id = created.json()["project_id"]
        assert (await secrets_of(other, new_id))["ci"] == (FEISHU_URL, {"keyword": "deploy"})


async def test_the_diff_names_each_change_and_a_dry_run_changes_nothing(client: httpx.AsyncClient) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    document["project"]["protected_branches"] = ["main"]
    ci = document["webhooks"][0]
    ci["triggers"] = ["push"]
    ci["settings"] = {}  # the keyword removed; the secret, left out, stays
    ci["url"] = FEISHU_URL.replace("token", "other")
    document["webhooks"].append({"name": "new", "platform": "slack", "url": SLACK_URL, "active": False})
    document["webhooks"].pop(1)  # ops: kept without prune
    before = await webhooks_of(client, project_id)

    planned = await import_(client, document, project_id, dry_run=True)
    assert planned.status_code == 200, planned.text
    result = planned.json()
    assert result["changed"] is True and result["applied"] is False
    text = result["diff"]
    assert "project 'app': changed\n" in text
    assert '  ~ protected_branches: ["main", "release/*"] -> ["main"]\n' in text
    assert "webhook 'ci': changed\n" in text
    assert '  ~ triggers: ["merge_request", "pipeline", "push"] -> ["push"]\n' in text
    assert '  ~ settings.keyword: "deploy" -> (not set)\n' in text
    assert "  ~ url: https://open.feishu.cn/" in text and "(secret part changed)" in text
    assert "settings.secret" not in text
    assert "webhook 'new': added\n  + name: \"new\"\n" in text and "  + active: false\n" in text
    assert "webhook 'ops': kept (not in the document; --prune removes it)\n" in text
    assert "other" not in text  # the new URL's secret part
    assert await webhooks_of(client, project_id) == before

    applied = (await import_(client, document, project_id)).json()
    assert applied["applied"] is True and applied["diff"] == text
    after = await webhooks_of(client, project_id)
    assert after["ci"]["triggers"] == ["push"] and after["ci"]["settings"] == {
        "secret": "set",
        "keyword": None,
    }
    assert after["new"]["active"] is False and set(after) == {"ci", "ops", "new"}
    again = (await import_(client, document, project_id)).json()
    assert again["changed"] is False
    assert again["diff"] == "webhook 'ops': kept (not in the document; --prune removes it)\nno changes\n"


async def test_prune_removes_the_webhooks_the_document_does_not_name(client: httpx.AsyncClient) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    document["webhooks"] = [document["webhooks"][0]]
    dangling = await import_(client, document, project_id, prune=True)  # ci still redirects to ops
    assert dangling.status_code == 409, "pruned like any removal: refused while rules redirect to it"
    ids = {h["name"]: h["id"] for h in (await client.get(f"/api/v1/projects/{project_id}/webhooks")).json()}
    assert (
        f"webhook 'ops' (#{ids['ops']}) is the target of redirect rules: 'ci' (#{ids['ci']}) rules[0] "
        "'db alerts'" in dangling.text
    )
    assert set(await webhooks_of(client, project_id)) == {"ci", "ops"}, "nothing applied"
    document["webhooks"][0]["rules"] = document["webhooks"][0]["rules"][1:]
    pruned = (await import_(client, document, project_id, prune=True)).json()
    assert [(c["name"], c["action"]) for c in pruned["changes"]] == [("ci", "changed"), ("ops", "removed")]
    assert "webhook 'ops': removed\n" in pruned["diff"]
    assert set(await webhooks_of(client, project_id)) == {"ci"}


async def test_problems_are_named_by_their_path_and_nothing_is_applied(client: httpx.AsyncClient) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    document["project"]["protected_branches"] = ["main"]  # would be applied, but for the problems
    document["webhooks"][1]["triggers"] = ["push", "pushh"]
    document["webhooks"][0]["language"] = "xx"
    refused = await import_(client, document, project_id)
    assert refused.status_code == 422
    assert [(p["loc"], p["msg"]) for p in refused.json()["detail"]] == [
        (["body", "webhooks[1].triggers[1]"], 'unknown trigger "pushh"')
    ]

    document["webhooks"][1]["triggers"] = ["push"]
    service_refused = await import_(client, document, project_id)  # found by the service, mid-way
    assert service_refused.status_code == 422
    [problem] = service_refused.json()["detail"]
    assert problem["loc"] == ["body", "webhooks[0].language"] and "language must be one of" in problem["msg"]
    assert (await client.get(f"/api/v1/projects/{project_id}")).json()["protected_branches"] == [
        "main",
        "release/*",
    ]

    document["webhooks"][0]["language"] = "en"
    document["webhooks"][1]["name"] = "ci"
    twins = await import_(client, document, project_id)
    assert twins.status_code == 422
    [problem] = twins.json()["detail"]
    assert problem["loc"] == ["body", "webhooks[1].name"]
    assert "names must be unique in the document" in problem["msg"]

    document["webhooks"][1]["name"] = "ops"
    document["webhooks"].append({"name": "empty", "platform": "slack", "url": ""})
    refused_by_model = await import_(client, document, project_id)  # the API model's own bounds
    assert refused_by_model.status_code == 422
    [problem] = refused_by_model.json()["detail"]
    assert problem["loc"] == ["body", "webhooks[2].url"] and "at least 1 character" in problem["msg"]
    assert set(await webhooks_of(client, project_id)) == {"ci", "ops"}

    not_yaml = await client.post(
        f"/api/v1/projects/{project_id}/import",
        content=b"project: [unclosed",
        headers={"content-type": "application/yaml"},
    )
    assert not_yaml.status_code == 422 and "not YAML" in not_yaml.text
    aliases = await client.post(  # a few bytes that would expand to billions of values
        f"/api/v1/projects/{project_id}/import",
        content=b"a: &a [x, x]\nb: &b [*a, *a]\nproject: {name: [*b, *b]}\n",
        headers={"content-type": "application/yaml"},
    )
    assert aliases.status_code == 422 and "aliases (*name) are not taken" in aliases.text


async def test_a_yaml_body_is_taken_and_the_schema_is_served(client: httpx.AsyncClient) -> None:
    project_id = await project_with_webhooks(client)
    exported = await client.get(f"/api/v1/projects/{project_id}/export", params={"format": "yaml"})
    answer = await client.post(
        f"/api/v1/projects/{project_id}/import",
        params={"dry_run": "true"},
        content=exported.content,
        headers={"content-type": "application/yaml"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["diff"] == "no changes\n"
    schema = (await client.get("/api/v1/config-document/schema")).json()
    assert {"version", "project", "webhooks"} <= set(schema["properties"])
    openapi = (await client.get("/openapi.json")).json()
    assert "ProjectDocument" in openapi["components"]["schemas"]


async def test_only_api_tokens_reach_export_and_import(client: httpx.AsyncClient) -> None:
    """A project's inbound token reaches its own inbound routes, never the management API."""
    created = await client.post("/api/v1/projects", json={"name": "scoped"})
    project_id, inbound_token = created.json()["id"], created.json()["gitlab_token"]
    document = await export(client, project_id)
    for token in (inbound_token, "not-a-token"):
        headers = {"Authorization": f"Bearer {token}"}
        exported = await client.get(f"/api/v1/projects/{project_id}/export", headers=headers)
        imported = await client.post(f"/api/v1/projects/{project_id}/import", json=document, headers=headers)
        created_by_import = await client.post("/api/v1/projects/import", json=document, headers=headers)
        assert (exported.status_code, imported.status_code, created_by_import.status_code) == (401, 401, 401)
    from hookcast.services import api_tokens

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions.begin() as session:
        api_token = (await api_tokens.create(session, "ci")).token
    headers = {"Authorization": f"Bearer {api_token}"}
    exported = await client.get(f"/api/v1/projects/{project_id}/export", headers=headers)
    assert exported.status_code == 200 and exported.json() == document
    planned = await client.post(
        f"/api/v1/projects/{project_id}/import", json=document, headers=headers, params={"dry_run": "true"}
    )
    assert planned.status_code == 200 and planned.json()["diff"] == "no changes\n"


async def test_a_redirect_to_a_removed_webhook_is_not_exported(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Its target has no name to be written with; an id would mean another webhook, or none, on
    the instance that imports it."""
    project_id = await project_with_webhooks(client)
    hooks = {h["name"]: h for h in (await client.get(f"/api/v1/projects/{project_id}/webhooks")).json()}
    refused_removal = await client.delete(f"/api/v1/webhooks/{hooks['ops']['id']}")
    assert refused_removal.status_code == 409, "the API refuses it: removed another way (SQL)"
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM webhooks WHERE id = :id"), {"id": hooks["ops"]["id"]})
    assert (await client.get(f"/api/v1/webhooks/{hooks['ci']['id']}")).json()["rules"][0]["to"] == hooks[
        "ops"
    ]["id"], "the rule stays; its webhook delivers what it redirects (docs/rules.md)"
    refused = await client.get(f"/api/v1/projects/{project_id}/export")
    assert refused.status_code == 422
    assert f"'ci': rules[0] redirects to webhook {hooks['ops']['id']}, which was removed" in refused.text
    fixed = await client.patch(
        f"/api/v1/webhooks/{hooks['ci']['id']}", json={"rules": RICH_WEBHOOK["rules"][1:]}
    )
    assert fixed.status_code == 200, fixed.text
    assert [h["name"] for h in (await export(client, project_id))["webhooks"]] == ["ci"]


async def test_unnamed_webhooks_are_not_exported_but_pruned_one_by_one(client: httpx.AsyncClient) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    for _ in range(2):
        unnamed = await client.post(
            f"/api/v1/projects/{project_id}/webhooks", json={"platform": "slack", "url": SLACK_URL}
        )
        assert unnamed.status_code == 201, unnamed.text
    refused = await client.get(f"/api/v1/projects/{project_id}/export")
    assert refused.status_code == 422 and "give webhook" in refused.text and "a name" in refused.text
    kept = (await import_(client, document, project_id)).json()
    assert [c["action"] for c in kept["changes"]] == ["kept", "kept"]
    pruned = (await import_(client, document, project_id, prune=True)).json()
    assert [c["action"] for c in pruned["changes"]] == ["removed", "removed"]
    assert len({c["name"] for c in pruned["changes"]}) == 2
    assert set(await webhooks_of(client, project_id)) == {"ci", "ops"}


DISK = {"kinds": ["alert"], "alert_labels": ['alertname="DiskFull"', 'instance=~"db-.*"']}
RENOVATE = {"refs": ["renovate/*"]}


def moment(hours: float) -> str:
    """An instant ``hours`` from now, whole seconds (as a person writes one), in ISO 8601."""
    return (datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)).isoformat()


async def silence(client: httpx.AsyncClient, where: str, **fields: Any) -> dict[str, Any]:
    answer = await client.post(where, json=fields)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def project_with_silences(client: httpx.AsyncClient) -> int:
    """A project with a silence in force, one to come and one expired; and an instance-wide one."""
    project_id = await project_with_webhooks(client)
    where = f"/api/v1/projects/{project_id}/silences"
    await silence(client, where, match=DISK, ends_at=moment(2), comment="disk being replaced")
    await silence(
        client, where, match=RENOVATE, starts_at=moment(24), ends_at=moment(48), comment="renovate storm"
    )
    old = await silence(client, where, match={"actors": ["bot"]}, duration_minutes=60, comment="over")
    expired = await client.post(f"{where}/{old['id']}/expire")
    assert expired.status_code == 200 and expired.json()["status"] == "expired"
    await silence(client, "/api/v1/silences", match=RENOVATE, duration_minutes=60, comment="everywhere")
    return project_id


async def silences_of(client: httpx.AsyncClient, project_id: int) -> list[dict[str, Any]]:
    """The project's silences not expired, as configuration (no id, status or creation time)."""
    listed = (await client.get(f"/api/v1/projects/{project_id}/silences")).json()
    kept = ("match", "starts_at", "ends_at", "author", "comment")
    return sorted(
        ({name: s[name] for name in kept} for s in listed if s["status"] != "expired"),
        key=lambda s: s["comment"],
    )


async def test_silences_in_force_and_to_come_go_to_a_fresh_database_and_come_back_unchanged(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, migrated_templates: MigratedTemplates
) -> None:
    project_id = await project_with_silences(client)
    document = await export(client, project_id, format="yaml", sealed="true")
    assert [s["comment"] for s in document["silences"]] == ["disk being replaced", "renovate storm"]
    assert document["silences"][0]["match"] == DISK  # the conditions set, as JSON
    assert set(document["silences"][0]) == {"match", "starts_at", "ends_at", "author", "comment"}
    async with fresh_instance(settings, tmp_path, migrated_templates, same_keys=True) as other:
        answer = await import_(other, document)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        added = [c for c in result["changes"] if c["section"] == "silences"]
        assert [(c["action"], c["name"].split(": ")[-1]) for c in added] == [
            ("added", "disk being replaced"),
            ("added", "renovate storm"),
        ]
        assert '  + comment: "renovate storm"\n' in result["diff"]
        new_id = result["project_id"]
        assert await silences_of(other, new_id) == await silences_of(client, project_id)
        assert len(await silences_of(other, new_id)) == 2  # the expired one stayed behind
        assert (await other.get("/api/v1/silences")).json() == []  # and so did the instance-wide one
        assert (await export(other, new_id)) == (await export(client, project_id))

        again = (await import_(other, document)).json()
        assert again["changed"] is False and again["diff"] == "no changes\n"
        assert len(await silences_of(other, new_id)) == 2


async def test_a_changed_silence_is_added_and_the_old_one_kept_or_pruned(client: httpx.AsyncClient) -> None:
    project_id = await project_with_silences(client)
    document = await export(client, project_id)
    document["silences"][0]["comment"] = "disk replaced, watching it"
    before = await silences_of(client, project_id)

    planned = (await import_(client, document, project_id, dry_run=True)).json()
    assert planned["changed"] is True and planned["applied"] is False
    assert [(c["action"], c["name"].split(": ")[-1]) for c in planned["changes"]] == [
        ("added", "disk replaced, watching it"),
        ("kept", "disk being replaced"),
    ]
    text = planned["diff"]
    assert 'silence \'kinds: alert; alert_labels: alertname="DiskFull", instance=~"db-.*", ' in text
    assert ": disk replaced, watching it': added\n  + match: {" in text
    assert ": disk being replaced': kept (not in the document; --prune removes it)\n" in text
    assert await silences_of(client, project_id) == before  # a dry run changes nothing

    applied = (await import_(client, document, project_id)).json()
    assert applied["applied"] is True and applied["diff"] == planned["diff"]
    comments = [s["comment"] for s in await silences_of(client, project_id)]
    assert comments == ["disk being replaced", "disk replaced, watching it", "renovate storm"]
    again = (await import_(client, document, project_id)).json()
    assert again["changed"] is False and again["diff"].endswith("--prune removes it)\nno changes\n")

    pruned = (await import_(client, document, project_id, prune=True)).json()
    assert [(c["section"], c["action"]) for c in pruned["changes"]] == [("silences", "removed")]
    assert [s["comment"] for s in await silences_of(client, project_id)] == [
        "disk replaced, watching it",
        "renovate storm",
    ]
    listed = (await client.get(f"/api/v1/projects/{project_id}/silences")).json()
    assert [s["comment"] for s in listed if s["status"] == "expired"] == ["over"]  # history: never pruned
    assert len((await client.get("/api/v1/silences")).json()) == 1  # nor the instance-wide one


async def test_a_silence_that_has_ended_since_the_export_is_skipped_with_a_note(
    client: httpx.AsyncClient,
) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    ended = {
        "match": RENOVATE,
        "starts_at": moment(-3),
        "ends_at": moment(-1),
        "author": "ann",
        "comment": "gone",
    }
    document["silences"] = [ended]
    result = (await import_(client, document, project_id)).json()
    assert result["changed"] is False and result["applied"] is False
    [skipped] = result["changes"]
    assert skipped["action"] == "skipped" and "an expired silence is not imported" in skipped["note"]
    assert result["diff"].startswith("silence 'refs: renovate/*, ")
    assert "(ended " in result["diff"] and result["diff"].endswith("no changes\n")
    assert (await client.get(f"/api/v1/projects/{project_id}/silences")).json() == []

    coming = {**ended, "starts_at": moment(1), "ends_at": moment(2), "comment": "coming"}
    document["silences"] = [ended, coming]
    both = (await import_(client, document, project_id)).json()
    assert [(c["action"], c["name"].split(": ")[-1]) for c in both["changes"]] == [
        ("added", "coming"),
        ("skipped", "gone"),
    ]
    [made] = await silences_of(client, project_id)
    assert made["author"] == "ann" and made["comment"] == "coming"  # the document's author


async def test_problems_with_silences_are_named_by_their_path_and_nothing_is_applied(
    client: httpx.AsyncClient,
) -> None:
    project_id = await project_with_webhooks(client)
    document = await export(client, project_id)
    good = {"match": RENOVATE, "starts_at": moment(1), "ends_at": moment(2), "author": "ann", "comment": "ok"}
    cases = [
        ({**good, "ends_at": moment(0.5)}, "silences[1].ends_at", "must end after it starts"),
        ({**good, "match": {}}, "silences[1].match", "at least one condition"),
        ({**good, "ends_at": moment(24 * 400)}, "silences[1].ends_at", "at most 366 days"),
        ({**good, "match": {"alert_labels": ["no matcher"]}}, "silences[1].match.alert_labels[0]", ""),
        ({k: v for k, v in good.items() if k != "author"}, "silences[1].author", "Field required"),
        (good, "silences[1]", "also silences[0]"),
    ]
    for wrong, path, message in cases:
        document["silences"] = [good, wrong]
        refused = await import_(client, document, project_id)
        assert refused.status_code == 422, (path, refused.text)
        [problem] = refused.json()["detail"]
        assert problem["loc"] == ["body", path] and message in problem["msg"], problem
    assert (await client.get(f"/api/v1/projects/{project_id}/silences")).json() == []
