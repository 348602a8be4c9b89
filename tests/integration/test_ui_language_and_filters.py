"""Pages over HTTP: the deliveries filters as a form sends them, errors of the services in the
reader's language, the favicon."""

from __future__ import annotations

from tests.integration.test_ui_pages import FORM, create_project
from tests.integration.ui_helpers import UiClient


async def test_empty_filters_mean_all_and_bad_ones_are_named_on_the_page(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    path = f"/ui/projects/{project_id}/deliveries"
    everything = await ui.get(f"{path}?state=&webhook_id=")
    assert everything.status_code == 200
    assert "<h1>Deliveries</h1>" in everything.text
    for query in ("webhook_id=abc", "webhook_id=-1", "webhook_id=12345", "state=gone", "before_id=%E2%80%94"):
        refused = await ui.get(f"{path}?{query}")
        assert refused.status_code == 400, query
        assert refused.headers["content-type"].startswith("text/html"), query
        assert "These filters were not understood and are ignored:" in refused.text, query
        assert '"detail"' not in refused.text


async def test_service_errors_are_shown_in_chinese(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    await ui.get("/ui/projects?lang=zh_CN")  # the choice is kept in a cookie
    bad_url = {**FORM, "url": "https://evil.example.com/robot/send?access_token=x"}
    answer = await ui.post(f"/ui/projects/{project_id}/integrations/dingtalk", bad_url)
    assert answer.status_code == 422
    assert "钉钉 Webhook 地址必须是以下域名上的 https 地址：" in answer.text
    assert "webhook URLs must be https" not in answer.text
    assert 'value="https://evil.example.com/robot/send?access_token=x"' in answer.text  # kept

    too_long = {**FORM, "url": "https://oapi.dingtalk.com/robot/send?access_token=x", "name": "n" * 201}
    answer = await ui.post(f"/ui/projects/{project_id}/integrations/dingtalk", too_long)
    assert answer.status_code == 422
    assert "最多 200 个字符。" in answer.text

    settings = await ui.post("/ui/settings", {"retention_days": "0", "public_url": ""})
    assert settings.status_code == 422
    assert "1 到 3650 之间的整数天数" in settings.text


async def test_the_favicon_is_served(ui: UiClient) -> None:
    icon = await ui.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
    page = await ui.get("/ui/projects")
    assert 'rel="icon"' in page.text
