"""Webhook settings over the API, on SQLite and PostgreSQL: taken at the top level (``secret``,
``keyword``, as clients always sent them) or in a ``settings`` object, checked against the
platform's FieldSpec (max_length, pattern, required, undeclared names), shown redacted, and a
setting a platform newly declares working with nothing but its FieldSpec."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import FieldSpec, PlatformName

FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-secret-hook-token"
SLACK_URL = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"
SECRET = "SEC-settings-secret-value"


async def new_webhook(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    project = await client.post("/api/v1/projects", json={"name": f"app-{uuid.uuid4().hex}"})
    assert project.status_code == 201, project.text
    payload = {"platform": "feishu", "url": FEISHU_URL, **body}
    return await client.post(f"/api/v1/projects/{project.json()['id']}/webhooks", json=payload)


def error_fields(answer: httpx.Response) -> list[str]:
    return [str(error["loc"][-1]) for error in answer.json()["detail"]]


async def test_top_level_secret_and_keyword_are_kept_and_shown_redacted(client: httpx.AsyncClient) -> None:
    created = await new_webhook(client, secret=SECRET, keyword="deploy")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["settings"] == {"secret": "set", "keyword": "deploy"}
    assert body["secret_set"] is True and body["keyword"] == "deploy"  # the answer's old shape
    shown = await client.get(f"/api/v1/webhooks/{body['id']}")
    assert SECRET not in shown.text and SECRET not in created.text
    assert shown.json()["settings"] == {"secret": "set", "keyword": "deploy"}


async def test_a_settings_object_is_taken_too(client: httpx.AsyncClient) -> None:
    created = await new_webhook(client, settings={"secret": SECRET, "keyword": "ship"})
    assert created.status_code == 201, created.text
    assert created.json()["settings"] == {"secret": "set", "keyword": "ship"}
    path = f"/api/v1/webhooks/{created.json()['id']}"
    kept = await client.patch(path, json={"name": "renamed"})
    assert kept.json()["settings"] == {"secret": "set", "keyword": "ship"}
    removed = await client.patch(path, json={"settings": {"secret": ""}, "keyword": "other"})
    assert removed.status_code == 200, removed.text
    assert removed.json()["settings"] == {"secret": "not set", "keyword": "other"}
    assert removed.json()["secret_set"] is False


@pytest.mark.parametrize("where", ["top", "settings"])
async def test_the_declared_max_length_is_enforced(client: httpx.AsyncClient, where: str) -> None:
    declared = next(s for s in PLATFORMS[PlatformName.FEISHU].settings if s.name == "keyword")
    too_long = "k" * (declared.max_length + 1)
    body = {"keyword": too_long} if where == "top" else {"settings": {"keyword": too_long}}
    refused = await new_webhook(client, **body)
    assert refused.status_code == 422
    assert error_fields(refused) == ["keyword"]
    assert str(declared.max_length) in refused.text
    fits = await client.post(
        f"/api/v1/projects/{(await client.get('/api/v1/projects')).json()[0]['id']}/webhooks",
        json={"platform": "feishu", "url": FEISHU_URL, "keyword": "k" * declared.max_length},
    )
    assert fits.status_code == 201, fits.text


async def test_a_setting_the_platform_does_not_declare_is_refused(client: httpx.AsyncClient) -> None:
    refused = await new_webhook(client, platform="slack", url=SLACK_URL, secret=SECRET)
    assert refused.status_code == 422
    assert error_fields(refused) == ["secret"]
    unknown = await new_webhook(client, settings={"chat_id": "42"})
    assert unknown.status_code == 422 and error_fields(unknown) == ["chat_id"]


async def test_a_new_setting_needs_nothing_but_its_field_spec(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack gains a required chat id with a pattern: the API takes, checks and shows it."""
    chat_id = FieldSpec("chat_id", "Chat ID", "The chat's numeric id.", required=True, pattern=r"-?[0-9]+")
    token = FieldSpec("bot_token", "Bot token", "The bot's token.", secret=True, max_length=20)
    monkeypatch.setattr(type(PLATFORMS[PlatformName.SLACK]), "settings", (chat_id, token))

    missing = await new_webhook(client, platform="slack", url=SLACK_URL)
    assert missing.status_code == 422 and error_fields(missing) == ["chat_id"]
    assert "is required" in missing.text
    malformed = await new_webhook(client, platform="slack", url=SLACK_URL, settings={"chat_id": "abc"})
    assert malformed.status_code == 422 and error_fields(malformed) == ["chat_id"]
    long_token = {"chat_id": "-100", "bot_token": "t" * 21}
    too_long = await new_webhook(client, platform="slack", url=SLACK_URL, settings=long_token)
    assert too_long.status_code == 422 and error_fields(too_long) == ["bot_token"]

    created = await new_webhook(client, platform="slack", url=SLACK_URL, chat_id="-100", bot_token="tok-1")
    assert created.status_code == 201, created.text
    assert created.json()["settings"] == {"chat_id": "-100", "bot_token": "set"}
    assert created.json()["bot_token_set"] is True and "tok-1" not in created.text
    cleared = await client.patch(f"/api/v1/webhooks/{created.json()['id']}", json={"chat_id": ""})
    assert cleared.status_code == 422 and error_fields(cleared) == ["chat_id"]


async def test_the_openapi_document_derives_the_settings(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    taken = schemas["WebhookInput"]["properties"]
    assert taken["keyword"]["anyOf"][0]["maxLength"] == 64
    assert "Feishu" in taken["secret"]["description"] and "Write-only" in taken["secret"]["description"]
    assert "settings" in taken and "settings" in schemas["WebhookPatch"]["properties"]
    shown = schemas["WebhookView"]["properties"]
    assert "secret_set" in shown and "secret" not in shown
