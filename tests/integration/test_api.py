"""The management API on SQLite and PostgreSQL: projects, webhooks, validation, secrets."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import make_settings, running_client
from tests.fixtures import load_fixture

FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-secret-hook-token"


async def new_project(client: httpx.AsyncClient, name: str = "app") -> dict[str, object]:
    answer = await client.post("/api/v1/projects", json={"name": name})
    assert answer.status_code == 201, answer.text
    data: dict[str, object] = answer.json()
    return data


async def test_requests_without_a_valid_token_are_refused(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/api/v1/projects", headers={"Authorization": ""})
    wrong = await client.get("/api/v1/projects", headers={"Authorization": "Bearer nope"})
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert (await client.get("/api/v1/projects")).status_code == 200


async def test_project_token_is_shown_once(client: httpx.AsyncClient) -> None:
    created = await new_project(client)
    token = created["gitlab_token"]
    assert isinstance(token, str) and token.startswith("hcp_") and len(token) > 30
    shown = (await client.get(f"/api/v1/projects/{created['id']}")).json()
    listed = (await client.get("/api/v1/projects")).json()
    assert "gitlab_token" not in shown
    assert token not in str(listed)


async def test_project_names_are_unique(client: httpx.AsyncClient) -> None:
    await new_project(client, "same")
    again = await client.post("/api/v1/projects", json={"name": "same"})
    assert again.status_code == 409


async def test_project_update_and_delete(client: httpx.AsyncClient) -> None:
    created = await new_project(client)
    patched = await client.patch(
        f"/api/v1/projects/{created['id']}",
        json={"name": "renamed", "gitlab_path": "/group/app/", "protected_branches": ["release/*"]},
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "renamed"
    assert patched.json()["gitlab_path"] == "group/app"
    assert patched.json()["protected_branches"] == ["release/*"]
    assert (await client.delete(f"/api/v1/projects/{created['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/projects/{created['id']}")).status_code == 404


async def test_rotating_the_token_retires_the_old_one(client: httpx.AsyncClient) -> None:
    created = await new_project(client)
    old = created["gitlab_token"]
    rotated = await client.post(f"/api/v1/projects/{created['id']}/rotate-token")
    new = rotated.json()["gitlab_token"]
    assert new != old
    push = load_fixture("docs/push.json")
    headers = {"X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"}
    refused = await client.post("/hooks/gitlab", content=push, headers={**headers, "X-Gitlab-Token": old})
    assert refused.status_code == 401
    accepted = await client.post("/hooks/gitlab", content=push, headers={**headers, "X-Gitlab-Token": new})
    assert accepted.status_code == 202


async def test_webhook_secrets_are_never_returned(client: httpx.AsyncClient) -> None:
    project = await new_project(client)
    answer = await client.post(
        f"/api/v1/projects/{project['id']}/webhooks",
        json={"platform": "feishu", "url": FEISHU_URL, "secret": "sign-secret-xyz", "language": "zh_CN"},
    )
    assert answer.status_code == 201, answer.text
    webhook = answer.json()
    assert webhook["secret_set"] is True
    assert webhook["language"] == "zh_CN"
    listed = await client.get(f"/api/v1/projects/{project['id']}/webhooks")
    for text in (answer.text, listed.text, (await client.get(f"/api/v1/webhooks/{webhook['id']}")).text):
        assert "sign-secret-xyz" not in text
        assert "secret-hook-token" not in text
    assert webhook["url"].startswith("https://open.feishu.cn/")


async def test_webhook_defaults_follow_gitlab(client: httpx.AsyncClient) -> None:
    project = await new_project(client)
    webhook = (
        await client.post(
            f"/api/v1/projects/{project['id']}/webhooks", json={"platform": "feishu", "url": FEISHU_URL}
        )
    ).json()
    assert webhook["active"] is True
    assert webhook["branches_to_be_notified"] == "default"
    assert webhook["labels_to_be_notified_behavior"] == "match_any"
    assert webhook["notify_only_broken_pipelines"] is False
    assert {"push", "tag_push", "pipeline", "alert", "confidential_note"} <= set(webhook["triggers"])


async def test_webhook_url_must_be_on_the_platform_host(client: httpx.AsyncClient) -> None:
    project = await new_project(client)
    path = f"/api/v1/projects/{project['id']}/webhooks"
    wrong_host = await client.post(path, json={"platform": "feishu", "url": "https://evil.example/hook"})
    plain_http = await client.post(
        path, json={"platform": "feishu", "url": "http://open.feishu.cn/open-apis/bot/v2/hook/x"}
    )
    for answer in (wrong_host, plain_http):
        assert answer.status_code == 422
        detail = answer.json()["detail"][0]
        assert detail["loc"] == ["body", "url"]
        assert "open.feishu.cn" in detail["msg"]
    local = await client.post(
        path, json={"platform": "feishu", "url": "http://127.0.0.1:9/open-apis/bot/v2/hook/t"}
    )
    assert local.status_code == 201, "extra allowed hosts accept http"


README_PLACEHOLDER = "https://open.feishu.cn/open-apis/bot/v2/hook/…"


async def test_webhook_urls_not_shaped_like_the_platforms_are_refused_naming_the_fix(
    client: httpx.AsyncClient,
) -> None:
    project = await new_project(client)
    path = f"/api/v1/projects/{project['id']}/webhooks"
    cases = [
        ({"platform": "feishu", "url": README_PLACEHOLDER}, "the URL still has the placeholder '…': paste"),
        (
            {"platform": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?timestamp=1&sign=x"},
            "a DingTalk robot URL looks like https://oapi.dingtalk.com/robot/send?access_token=…; "
            "this one has no access_token",
        ),
        ({"platform": "slack", "url": "http://127.0.0.1:9/hooks/slack"}, "a Slack webhook URL looks like"),
    ]
    for body, words in cases:
        answer = await client.post(path, json=body)
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"][0]
        assert detail["loc"] == ["body", "url"]
        assert words in detail["msg"]
    assert (await client.get(path)).json() == []
    saved = await client.post(path, json={"platform": "feishu", "url": FEISHU_URL})
    assert saved.status_code == 201
    webhook = saved.json()
    patched = await client.patch(f"/api/v1/webhooks/{webhook['id']}", json={"url": README_PLACEHOLDER})
    assert patched.status_code == 422
    assert patched.json()["detail"][0]["loc"] == ["body", "url"]
    kept = (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()
    assert kept["url"] == webhook["url"] and kept["updated_at"] == webhook["updated_at"]


async def test_webhook_validation_names_the_field(client: httpx.AsyncClient) -> None:
    project = await new_project(client)
    path = f"/api/v1/projects/{project['id']}/webhooks"
    cases = {
        "language": {"platform": "feishu", "url": FEISHU_URL, "language": "fr"},
        "triggers": {"platform": "feishu", "url": FEISHU_URL, "triggers": ["push", "nonsense"]},
        "branches_to_be_notified": {"platform": "feishu", "url": FEISHU_URL, "branches_to_be_notified": "x"},
        "platform": {"platform": "carrier-pigeon", "url": FEISHU_URL},
    }
    for field, body in cases.items():
        answer = await client.post(path, json=body)
        assert answer.status_code == 422, field
        locations = [tuple(d["loc"]) for d in answer.json()["detail"]]
        assert any(field in loc for loc in locations), (field, locations)


async def test_webhook_update_and_delete(client: httpx.AsyncClient) -> None:
    project = await new_project(client)
    created = (
        await client.post(
            f"/api/v1/projects/{project['id']}/webhooks",
            json={"platform": "feishu", "url": FEISHU_URL, "secret": "s1"},
        )
    ).json()
    path = f"/api/v1/webhooks/{created['id']}"
    patched = await client.patch(
        path,
        json={
            "active": False,
            "triggers": ["pipeline"],
            "notify_only_broken_pipelines": True,
            "labels_to_be_notified": "~bug, ~ui",
            "labels_to_be_notified_behavior": "match_all",
            "secret": "",
        },
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["active"] is False
    assert body["triggers"] == ["pipeline"]
    assert body["labels_to_be_notified_behavior"] == "match_all"
    assert body["secret_set"] is False
    assert (await client.delete(path)).status_code == 204
    assert (await client.get(path)).status_code == 404


async def test_unknown_objects_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/projects/999")).status_code == 404
    assert (await client.get("/api/v1/webhooks/999")).status_code == 404
    assert (await client.post("/api/v1/deliveries/999/resend")).status_code == 404
    assert (await client.get("/api/v1/projects/999/deliveries")).status_code == 404


async def test_openapi_document_describes_the_api(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "/api/v1/projects/{project_id}/webhooks" in document["paths"]
    assert "/hooks/gitlab" in document["paths"]


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    metrics = await client.get("/metrics")
    assert "hookcast_queue_depth" in metrics.text


async def test_metrics_can_require_a_token_and_read_the_queue_at_most_every_ten_seconds(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, metrics_token="scrape-me")
    async with running_client(settings) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        scraped = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert scraped.status_code == 200 and "hookcast_queue_depth" in scraped.text
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        first_read = runtime.metrics.gauges_read_at
        await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert runtime.metrics.gauges_read_at == first_read  # no new queries within ten seconds
