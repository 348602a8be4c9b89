"""The web UI pages over HTTP: projects, integrations, deliveries, settings, tokens — and that no
secret is ever rendered back."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import FieldSpec, PlatformName
from hookcast.store.tables import Webhook
from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import eventually
from tests.integration.ui_helpers import UiClient

SECRET = "SEC-very-secret-signing-value"
FORM = {
    "active": "on",
    "language": "en",
    "triggers": ["push", "merge_request"],
    "branches_to_be_notified": "all",
    "labels_to_be_notified_behavior": "match_any",
}


def token_in(html: str) -> str:
    found = re.search(r'id="gitlab-token"[^>]*value="(hcp_[^"]+)"', html)
    assert found, "no token on the page"
    return found.group(1)


async def create_project(ui: UiClient, name: str = "app") -> tuple[int, str]:
    answer = await ui.post("/ui/projects", {"name": name})
    assert answer.status_code == 200, answer.text
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", answer.text).group(1))  # type: ignore[union-attr]
    return project_id, token_in(answer.text)


async def test_a_new_project_shows_its_token_once_and_rotates(ui: UiClient) -> None:
    project_id, token = await create_project(ui)
    page = (await ui.get(f"/ui/projects/{project_id}")).text
    assert token not in page
    assert "http://hookcast.test/hooks/gitlab" in page
    assert "http://hookcast.test/hooks/alertmanager" in page
    rotated = await ui.post(f"/ui/projects/{project_id}/rotate-token")
    new_token = token_in(rotated.text)
    assert new_token != token
    old = await ui.http.post("/hooks/gitlab", content=b"{}", headers={"X-Gitlab-Token": token})
    assert old.status_code == 401


async def test_projects_are_renamed_and_deleted(ui: UiClient) -> None:
    project_id, _ = await create_project(ui, "before")
    await create_project(ui, "taken")
    clash = await ui.post(f"/ui/projects/{project_id}/rename", {"name": "taken"})
    assert clash.status_code == 422
    assert "already exists" in clash.text
    renamed = await ui.post(
        f"/ui/projects/{project_id}/rename", {"name": "after", "protected_branches": "main"}
    )
    assert renamed.status_code == 303
    assert "after" in (await ui.get("/ui/projects")).text
    assert (await ui.post(f"/ui/projects/{project_id}/delete")).status_code == 303
    listing = (await ui.get("/ui/projects")).text
    assert "after" not in listing and "taken" in listing


async def test_a_project_is_made_a_receiver_of_other_projects_events_and_back(ui: UiClient) -> None:
    created = await ui.post(
        "/ui/projects", {"name": "group", "gitlab_path": "team", "routes_other_projects": "on"}
    )
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", created.text).group(1))  # type: ignore[union-attr]
    ticked = re.compile(r'<input type="checkbox" id="routes_other_projects"[^>]* checked>')
    page = (await ui.get(f"/ui/projects/{project_id}")).text
    assert ticked.search(page)
    assert "goes to the project with exactly that path" in page
    assert "routes other projects&#39; events" in (await ui.get("/ui/projects")).text
    chinese = (await ui.get(f"/ui/projects/{project_id}?lang=zh_CN")).text
    assert "把事件转给其他项目（群组或系统钩子）" in chinese and "交给路径与之完全相同的项目" in chinese
    saved = await ui.post(f"/ui/projects/{project_id}/rename", {"name": "group", "gitlab_path": "team"})
    assert saved.status_code == 303
    assert not ticked.search((await ui.get(f"/ui/projects/{project_id}")).text)
    assert "routes other projects&#39; events" not in (await ui.get("/ui/projects")).text


async def test_the_public_url_setting_changes_the_inbound_urls(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    refused = await ui.post("/ui/settings", {"retention_days": "0", "public_url": "ftp://x"})
    assert refused.status_code == 422
    assert 'id="retention_days-error"' in refused.text
    saved = await ui.post("/ui/settings", {"retention_days": "7", "public_url": "https://hooks.example.com/"})
    assert saved.status_code == 303
    page = (await ui.get(f"/ui/projects/{project_id}")).text
    assert "https://hooks.example.com/hooks/gitlab" in page
    settings_page = (await ui.get("/ui/settings")).text
    assert 'value="7"' in settings_page
    assert 'href="/ui/settings/im-apps"' in settings_page


async def test_validation_errors_are_shown_at_their_field(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    answer = await ui.post(
        f"/ui/projects/{project_id}/integrations/feishu", {**FORM, "url": "https://evil.example.com/hook"}
    )
    assert answer.status_code == 422
    assert 'id="url-error"' in answer.text
    assert "Feishu webhook URLs must be https on" in answer.text
    assert 'value="merge_request" checked' in answer.text  # the other answers are kept
    slack = await ui.post(
        f"/ui/projects/{project_id}/integrations/slack",
        {**FORM, "url": "https://hooks.slack.com/services/T1/B1/x", "branches_to_be_notified": "sometimes"},
    )
    assert slack.status_code == 422
    assert 'id="branches_to_be_notified-error"' in slack.text


@pytest.mark.parametrize(
    ("platform", "url", "words"),
    [
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/…", "the URL still has the placeholder"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "this one has no access_token"),
    ],
)
async def test_a_url_not_shaped_like_the_platforms_is_shown_at_the_url_field(
    ui: UiClient, platform: str, url: str, words: str
) -> None:
    project_id, _ = await create_project(ui)
    answer = await ui.post(f"/ui/projects/{project_id}/integrations/{platform}", {**FORM, "url": url})
    assert answer.status_code == 422
    assert 'id="url-error"' in answer.text
    assert html.escape(words, quote=True) in answer.text
    runtime = ui.http.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Webhook)) == 0


async def test_the_form_shows_the_platforms_own_settings(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    feishu = (await ui.get(f"/ui/projects/{project_id}/integrations/feishu")).text
    assert 'name="secret"' in feishu and 'name="keyword"' in feishu
    slack = (await ui.get(f"/ui/projects/{project_id}/integrations/slack")).text
    assert 'name="secret"' not in slack and 'name="keyword"' not in slack
    for trigger in ("push", "confidential_issue", "vulnerability", "alert", "release"):
        assert f'name="triggers" value="{trigger}" checked' in feishu
    for option in ("direct_messages", "direct_only", "mention_people", "pipelines_to_be_notified"):
        assert f'name="{option}"' in feishu


async def test_secrets_are_never_rendered_back(ui: UiClient, fake: FakePlatformServer) -> None:
    bot = fake.add_bot("feishu", secret=SECRET)
    bot_key = urlsplit(bot.url).path.rsplit("/", 1)[-1]
    project_id, token = await create_project(ui)
    saved = await ui.post(
        f"/ui/projects/{project_id}/integrations/feishu", {**FORM, "url": bot.url, "secret": SECRET}
    )
    assert saved.status_code == 303
    webhook_id = int(saved.headers["location"].split("/")[-1].split("?")[0])

    tested = await ui.post(f"/ui/webhooks/{webhook_id}/test")
    assert "Test message sent." in tested.text
    assert len(bot.received) == 1

    pushed = await ui.http.post(
        "/hooks/gitlab",
        content=load_fixture("docs/push.json"),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"},
    )
    assert pushed.status_code == 202
    await eventually(lambda: len(bot.received) == 2, what="the push card")

    listing = await ui.get(f"/ui/projects/{project_id}/deliveries")
    delivery_id = int(re.search(r"/ui/deliveries/(\d+)", listing.text).group(1))  # type: ignore[union-attr]
    pages = [
        f"/ui/projects/{project_id}",
        f"/ui/webhooks/{webhook_id}",
        f"/ui/projects/{project_id}/deliveries",
        f"/ui/projects/{project_id}/deliveries?webhook_id={webhook_id}",
        f"/ui/deliveries/{delivery_id}",
        "/ui/preview?platform=feishu&kind=push",
        "/ui/settings",
        "/ui/tokens",
    ]
    for path in pages:
        html = (await ui.get(path)).text
        assert SECRET not in html, path
        assert bot_key not in html, path
        assert bot.url not in html, path
    assert "Set — enter a new value to change it" in (await ui.get(f"/ui/webhooks/{webhook_id}")).text


async def test_a_delivery_is_listed_opened_and_resent(ui: UiClient, fake: FakePlatformServer) -> None:
    bot = fake.add_bot("slack")
    project_id, token = await create_project(ui)
    await ui.post(f"/ui/projects/{project_id}/integrations/slack", {**FORM, "url": bot.url})
    bot.script(["permanent"])
    await ui.http.post(
        "/hooks/gitlab",
        content=load_fixture("docs/push.json"),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"},
    )
    await eventually(lambda: bot.requests == 1, what="the first attempt")

    async def state_is(state: str) -> bool:
        html = (await ui.get(f"/ui/projects/{project_id}/deliveries?state={state}")).text
        return "data-delivery=" in html

    for _ in range(200):
        if await state_is("failed"):
            break
        await ui.http.get("/healthz")
    assert await state_is("failed")
    assert not await state_is("delivered")
    listing = (await ui.get(f"/ui/projects/{project_id}/deliveries")).text
    delivery_id = int(re.search(r'data-delivery="(\d+)"', listing).group(1))  # type: ignore[union-attr]
    detail = (await ui.get(f"/ui/deliveries/{delivery_id}")).text
    assert "Request body" in detail and "&#34;attachments&#34;" in detail

    resent = await ui.post(f"/ui/deliveries/{delivery_id}/resend")
    assert resent.status_code == 303
    await eventually(lambda: len(bot.received) == 1, what="the resent message")
    for _ in range(200):
        if await state_is("delivered"):
            break
    detail = (await ui.get(f"/ui/deliveries/{delivery_id}")).text
    assert detail.count('class="card attempt"') == 2


async def test_api_tokens_are_created_once_and_revoked(ui: UiClient) -> None:
    created = await ui.post("/ui/tokens", {"name": "ci-bot"})
    token = re.search(r'id="api-token"[^>]*value="(hca_[^"]+)"', created.text).group(1)  # type: ignore[union-attr]
    api = {"Authorization": f"Bearer {token}"}
    assert (await ui.http.get("/api/v1/projects", headers=api)).status_code == 200
    page = (await ui.get("/ui/tokens")).text
    assert "ci-bot" in page and token not in page
    token_id = re.search(r'/ui/tokens/(\d+)/revoke"(?:(?!</tr>).)*aria-label="Revoke ci-bot"', page, re.S)
    assert token_id is not None
    assert (await ui.post(f"/ui/tokens/{token_id.group(1)}/revoke")).status_code == 303
    assert (await ui.http.get("/api/v1/projects", headers=api)).status_code == 401
    empty = await ui.post("/ui/tokens", {"name": " "})
    assert empty.status_code == 422 and 'id="name-error"' in empty.text


async def test_the_ui_speaks_chinese(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    page = (await ui.get(f"/ui/projects/{project_id}/integrations/feishu?lang=zh_CN")).text
    for text in ("启用集成", "触发器", "仅通知失败的流水线", "发送通知的分支", "需要通知的标记", "保存"):
        assert text in page
    assert '<html lang="zh-CN">' in page


async def test_static_assets_are_served_locally(ui: UiClient) -> None:
    css = await ui.http.get("/ui/static/hookcast.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert (await ui.http.get("/ui/static/..%2Fui%2F__init__.py")).status_code == 404
    page = (await ui.get("/ui/projects")).text
    assert not re.search(r'(src|href)="(https?:)?//', page)


async def test_unknown_things_are_404(ui: UiClient) -> None:
    assert (await ui.get("/ui/projects/999")).status_code == 404
    project_id, _ = await create_project(ui)
    assert (await ui.get(f"/ui/projects/{project_id}/integrations/carrier-pigeon")).status_code == 404


# --- platform settings, drawn from the FieldSpecs -------------------------------------------

SETTINGS_FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-ui-settings-token"
SETTINGS_SLACK_URL = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"


async def test_a_keyword_over_its_declared_length_is_refused_on_the_field(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    declared = next(s for s in PLATFORMS[PlatformName.FEISHU].settings if s.name == "keyword")
    form = f"/ui/projects/{project_id}/integrations/feishu"
    page = (await ui.get(form)).text
    assert f'maxlength="{declared.max_length}"' in page
    refused = await ui.post(
        form, {**FORM, "url": SETTINGS_FEISHU_URL, "keyword": "k" * (declared.max_length + 1)}
    )
    assert refused.status_code == 422
    assert (
        'id="keyword-error"' in refused.text and f"at most {declared.max_length} characters" in refused.text
    )
    chinese = await ui.post(
        f"{form}?lang=zh_CN", {**FORM, "url": SETTINGS_FEISHU_URL, "keyword": "k" * (declared.max_length + 1)}
    )
    assert f"最多 {declared.max_length} 个字符" in chinese.text


async def test_settings_are_saved_shown_and_secrets_removed(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    saved = await ui.post(
        f"/ui/projects/{project_id}/integrations/feishu",
        {**FORM, "url": SETTINGS_FEISHU_URL, "secret": SECRET, "keyword": "deploy"},
    )
    assert saved.status_code == 303, saved.text
    edit = saved.headers["location"].split("?")[0]
    page = (await ui.get(edit)).text
    assert SECRET not in page and 'value="deploy"' in page and 'name="clear_secret"' in page
    cleared = await ui.post(edit, {**FORM, "clear_secret": "on", "keyword": "ship"})
    assert cleared.status_code == 303, cleared.text
    page = (await ui.get(edit)).text
    assert 'name="clear_secret"' not in page and 'value="ship"' in page


async def test_a_newly_declared_setting_is_on_the_form_and_saved(
    ui: UiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat_id = FieldSpec("chat_id", "Chat ID", "The chat's numeric id.", required=True, pattern=r"-?[0-9]+")
    monkeypatch.setattr(type(PLATFORMS[PlatformName.SLACK]), "settings", (chat_id,))
    project_id, _ = await create_project(ui)
    form = f"/ui/projects/{project_id}/integrations/slack"
    assert 'name="chat_id"' in (await ui.get(form)).text
    refused = await ui.post(form, {**FORM, "url": SETTINGS_SLACK_URL, "chat_id": "abc"})
    assert refused.status_code == 422 and 'id="chat_id-error"' in refused.text
    saved = await ui.post(form, {**FORM, "url": SETTINGS_SLACK_URL, "chat_id": "-100"})
    assert saved.status_code == 303, saved.text
    assert 'value="-100"' in (await ui.get(saved.headers["location"].split("?")[0])).text
    async with ui.http.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        webhook = (await session.scalars(select(Webhook))).one()
    assert webhook.settings == {"plain": {"chat_id": "-100"}, "sealed": {}}


async def test_the_form_sets_which_pipelines_are_notified_and_shows_it_again(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    form = {**FORM, "url": SETTINGS_FEISHU_URL, "pipelines_to_be_notified": "broken_and_fixed"}
    saved = await ui.post(f"/ui/projects/{project_id}/integrations/feishu", form)
    assert saved.status_code == 303, saved.text
    page = (await ui.get(saved.headers["location"].split("?")[0])).text
    assert '<option value="broken_and_fixed" selected>Notify on broken and fixed pipelines</option>' in page
    async with ui.http.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        webhook = (await session.scalars(select(Webhook))).one()
    assert webhook.pipelines_to_be_notified == "broken_and_fixed"
    refused = await ui.post(
        f"/ui/projects/{project_id}/integrations/feishu", {**form, "pipelines_to_be_notified": "some"}
    )
    assert refused.status_code == 422
