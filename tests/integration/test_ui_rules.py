"""The rules editor and the event's "why did (not) this notify?" page over HTTP, in English and
Chinese: rules saved from the form's JSON, refused with the position of the error, the one-click
bots rule without JavaScript, the try box on a sample and on a recent event, and the explain page
linked from the deliveries."""

from __future__ import annotations

import asyncio
import html
import json
import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import eventually
from tests.integration.test_ui_pages import FORM, create_project
from tests.integration.ui_helpers import UiClient


def rules_in(page: str) -> object:
    found = re.search(r'<textarea id="rules"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None, "no rules editor on the page"
    text = html.unescape(found.group(1)).strip()
    return json.loads(text) if text else []


async def push(ui: UiClient, token: str) -> None:
    """GitLab's documented push, posted to the project of ``token``."""
    answer = await ui.http.post(
        "/hooks/gitlab",
        content=load_fixture("docs/push.json"),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"},
    )
    assert answer.status_code == 202, answer.text


async def new_webhook(ui: UiClient, project_id: int, url: str, **fields: object) -> int:
    answer = await ui.post(f"/ui/projects/{project_id}/integrations/slack", {**FORM, "url": url, **fields})
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].split("/")[-1].split("?")[0])


async def test_rules_are_saved_refused_with_their_position_and_tried(
    ui: UiClient, fake: FakePlatformServer
) -> None:
    project_id, token = await create_project(ui)
    bot = fake.add_bot("slack")
    skip_web = [{"name": "not web", "match": {"paths": ["app/**"]}, "action": "skip"}]
    webhook_id = await new_webhook(ui, project_id, bot.url, rules=json.dumps(skip_web))
    page = (await ui.get(f"/ui/webhooks/{webhook_id}")).text
    assert rules_in(page) == skip_web

    bad = [{"action": "skip"}, {"match": {"refs": ["/[/"]}, "action": "skip"}]
    refused = await ui.post(f"/ui/webhooks/{webhook_id}", {**FORM, "rules": json.dumps(bad)})
    assert refused.status_code == 422
    error = re.search(r'id="rules-error"[^>]*>([^<]*)<', refused.text)
    assert error is not None and html.unescape(error.group(1)).startswith(
        "rules[1].match.refs[0]: invalid regular expression"
    )
    assert rules_in(refused.text) == bad, "what was entered comes back to be mended"
    not_json = await ui.post(f"/ui/webhooks/{webhook_id}", {**FORM, "rules": '[{"action": '})
    assert not_json.status_code == 422 and "rules: not JSON (line 1, column 12)" in not_json.text
    assert rules_in((await ui.get(f"/ui/webhooks/{webhook_id}")).text) == skip_web, "nothing was saved"

    # The one-click rule, without JavaScript: the page comes back with it first, nothing saved.
    added = await ui.post(
        f"/ui/webhooks/{webhook_id}", {**FORM, "rules": json.dumps(skip_web), "add_exclude_bots": "1"}
    )
    assert added.status_code == 200
    assert rules_in(added.text) == [
        {"name": "exclude bots and service accounts", "match": {"only_bots": True}, "action": "skip"},
        *skip_web,
    ]
    assert rules_in((await ui.get(f"/ui/webhooks/{webhook_id}")).text) == skip_web

    tried = await ui.post(
        f"/ui/webhooks/{webhook_id}/rules/try",
        {**FORM, "rules": json.dumps(skip_web), "try_on": "sample:push"},
    )
    assert tried.status_code == 200
    assert 'data-testid="try-outcome">Skipped<' in tried.text
    assert "Decided by rule 1." in tried.text
    tried_bad = await ui.post(
        f"/ui/webhooks/{webhook_id}/rules/try", {**FORM, "rules": json.dumps(bad), "try_on": "sample:push"}
    )
    assert tried_bad.status_code == 422 and 'id="rules-error"' in tried_bad.text

    await push(ui, token)
    page = (await ui.get(f"/ui/webhooks/{webhook_id}")).text
    event_choice = re.search(r'<option value="(event:\d+)"', page)
    assert event_choice is not None, "a recent event can be chosen"
    on_event = await ui.post(
        f"/ui/webhooks/{webhook_id}/rules/try?lang=zh_CN",
        {
            **FORM,
            "rules": json.dumps([{"match": {"paths": ["web/**"]}, "action": "skip"}]),
            "try_on": event_choice.group(1),
        },
    )
    assert on_event.status_code == 200
    assert "没有规则作出决定：照常投递。" in on_event.text and "未匹配：paths" in on_event.text


async def test_the_explain_page_is_linked_from_the_deliveries(ui: UiClient, fake: FakePlatformServer) -> None:
    project_id, token = await create_project(ui)
    sent, skipping = fake.add_bot("slack"), fake.add_bot("slack")
    sent_id = await new_webhook(ui, project_id, sent.url, name="all pushes")
    skip_id = await new_webhook(
        ui, project_id, skipping.url, name="quiet one", rules=json.dumps([{"name": "mute", "action": "skip"}])
    )
    await push(ui, token)
    await eventually(lambda: len(sent.received) == 1, what="the delivered push")
    listing = (await ui.get(f"/ui/projects/{project_id}/deliveries")).text
    link = re.search(r'href="(/ui/projects/\d+/events/\d+)" data-testid="why"', listing)
    assert link is not None
    delivery_id = re.search(r'data-delivery="(\d+)"', listing).group(1)  # type: ignore[union-attr]
    assert link.group(1) in (await ui.get(f"/ui/deliveries/{delivery_id}")).text

    page = (await ui.get(link.group(1))).text
    assert "Why did (not) this notify?" in page
    assert f'data-webhook="{sent_id}" data-outcome="delivered"' in page
    assert f'data-webhook="{skip_id}" data-outcome="skipped"' in page
    assert "rule 1 (skip)" in page and "“mute”" in page
    chinese = (await ui.get(link.group(1) + "?lang=zh_CN")).text
    assert (
        "为什么通知了（或没有通知）？" in chinese
        and "被规则跳过" in chinese
        and "第 1 条规则（跳过）" in chinese
    )
    other_id, _ = await create_project(ui, "other")
    assert (
        await ui.get(link.group(1).replace(f"/projects/{project_id}/", f"/projects/{other_id}/"))
    ).status_code == 404
    assert skipping.received == []


async def test_deleting_a_redirect_target_is_refused_on_its_page(
    ui: UiClient, fake: FakePlatformServer
) -> None:
    project_id, _ = await create_project(ui)
    target_id = await new_webhook(ui, project_id, fake.add_bot("slack").url, name="dba")
    holder_id = await new_webhook(
        ui, project_id, fake.add_bot("slack").url, name="ci",
        rules=json.dumps([{"name": "db", "action": "redirect", "to": "dba"}]),
    )  # fmt: skip
    rules_named = f"'ci' (#{holder_id}) rules[0] 'db'"
    refused = await ui.post(f"/ui/webhooks/{target_id}/delete", {})
    assert refused.status_code == 409
    said = re.search(r'data-testid="refused">([^<]*)<', refused.text)
    assert said is not None and html.unescape(said.group(1)) == (
        f"webhook 'dba' (#{target_id}) is the target of redirect rules: {rules_named}; give them "
        "another target or remove them first"
    )
    chinese = await ui.post(f"/ui/webhooks/{target_id}/delete?lang=zh_CN", {})
    said = re.search(r'data-testid="refused">([^<]*)<', chinese.text)
    assert chinese.status_code == 409 and said is not None
    assert html.unescape(said.group(1)).startswith(
        f"Webhook 'dba' (#{target_id}) 是以下重定向规则的目标：{rules_named}"
    )
    assert (await ui.get(f"/ui/webhooks/{target_id}")).status_code == 200, "nothing removed"

    cleared = await ui.post(f"/ui/webhooks/{holder_id}", {**FORM, "name": "ci", "rules": ""})
    assert cleared.status_code == 303
    removed = await ui.post(f"/ui/webhooks/{target_id}/delete", {})
    assert removed.status_code == 303 and removed.headers["location"] == f"/ui/projects/{project_id}"


async def test_the_try_box_resolves_a_typed_redirect_target(ui: UiClient, fake: FakePlatformServer) -> None:
    project_id, _ = await create_project(ui)
    target_id = await new_webhook(ui, project_id, fake.add_bot("slack").url, name="dba")
    holder_id = await new_webhook(ui, project_id, fake.add_bot("slack").url, name="ci")

    async def tried(to: str, language: str = "en") -> str:
        rules = json.dumps([{"action": "redirect", "to": to}])
        answer = await ui.post(
            f"/ui/webhooks/{holder_id}/rules/try?lang={language}",
            {**FORM, "name": "ci", "rules": rules, "try_on": "sample:push"},
        )
        assert answer.status_code == 200, answer.text
        return answer.text

    def said(page: str, testid: str) -> str | None:
        found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
        return html.unescape(found.group(1)) if found else None

    page = await tried("dba")
    assert said(page, "try-target") == f"Sent to integration “dba” (#{target_id}) instead."
    assert said(page, "try-target-problem") is None
    assert said(await tried("dba", "zh_CN"), "try-target") == f"改为发送到集成“dba”（#{target_id}）。"
    missing = await tried("nosuch")
    assert said(missing, "try-target-problem") == "rules[0].to: no webhook of this project is named 'nosuch'"
    assert said(missing, "try-target") is None, "no target to be sent to: the problem says why"
    chinese = said(await tried("nosuch", "zh_CN"), "try-target-problem")
    assert chinese is not None and "nosuch" in chinese and "no webhook" not in chinese
    assert rules_in((await ui.get(f"/ui/webhooks/{holder_id}")).text) == [], "nothing saved"


async def test_the_explain_page_says_a_missing_target_was_delivered_here(
    ui: UiClient, fake: FakePlatformServer, engine: AsyncEngine
) -> None:
    project_id, token = await create_project(ui)
    holder = fake.add_bot("slack")
    target_id = await new_webhook(ui, project_id, fake.add_bot("slack").url, name="dba")
    holder_id = await new_webhook(
        ui, project_id, holder.url, name="ci", rules=json.dumps([{"action": "redirect", "to": "dba"}])
    )
    async with engine.begin() as connection:  # the UI refuses it: removed another way
        await connection.execute(text("DELETE FROM webhooks WHERE id = :id"), {"id": target_id})
    await asyncio.sleep(1.2)  # a change made outside hookcast reaches its cache within a second
    await push(ui, token)
    await eventually(lambda: len(holder.received) == 1, what="the push, sent by the rule's own webhook")
    listing = (await ui.get(f"/ui/projects/{project_id}/deliveries")).text
    link = re.search(r'href="(/ui/projects/\d+/events/\d+)" data-testid="why"', listing)
    assert link is not None
    page = (await ui.get(link.group(1))).text
    assert f'data-webhook="{holder_id}" data-outcome="delivered"' in page
    said = re.search(r'data-testid="target-missing">([^<]*)<', page)
    assert said is not None and html.unescape(said.group(1)) == (
        f"The redirect's target, integration #{target_id}, no longer exists: delivered here instead."
    )
    chinese = (await ui.get(link.group(1) + "?lang=zh_CN")).text
    assert f"重定向的目标（集成 #{target_id}）已不存在：改由本集成投递。" in chinese
