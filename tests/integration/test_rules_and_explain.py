"""Routing rules at intake and "why did (not) this notify?", against the fake platforms on
SQLite and PostgreSQL: skip, redirect and mention rules decide where the sample push goes and
whom it mentions; explain names for each webhook the filter, the rule or the default that
decided and what became of its deliveries (sent, held by quiet hours, sent in a digest); rules
are refused with the position of the error and tried, unsaved, on a sample or a recent event;
the event's explanation is its project's only."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast import clock
from hookcast.delivery import claimer
from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually, settled
from tests.markers import numbered_push

PUSH: dict[str, Any] = json.loads(load_fixture("docs/push.json"))  # on master; changes app/controller/…


async def post_push(client: httpx.AsyncClient, token: str, body: dict[str, Any] | None = None) -> int:
    answer = await client.post(
        "/hooks/gitlab", json=body or PUSH, headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    )
    assert answer.status_code == 202 and answer.json()["status"] == "accepted", answer.text
    return int(answer.json()["event_id"])


async def explained(client: httpx.AsyncClient, project_id: int, event_id: int) -> dict[int, dict[str, Any]]:
    answer = await client.get(f"/api/v1/projects/{project_id}/events/{event_id}/explain")
    assert answer.status_code == 200, answer.text
    return {int(w["webhook_id"]): w for w in answer.json()["webhooks"]}


async def test_rules_decide_where_an_event_goes_and_explain_says_why(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    added = await client.post(
        "/api/v1/people",
        json={"name": "Bob", "gitlab_username": "bob", "platform_ids": {"feishu": "ou_bob42"}},
    )
    assert added.status_code == 201, added.text
    bots = {
        name: fake.add_bot("feishu") for name in ("skipping", "redirecting", "target", "mentioning", "off")
    }
    project_id, token = await create_project(client)
    every = {"platform": "feishu", "triggers": ["push"], "branches_to_be_notified": "all"}
    skipping = await create_webhook(
        client, project_id, url=bots["skipping"].url, **every,
        rules=[{"name": "not the backend", "match": {"paths": ["app/**"]}, "action": "skip"}],
    )  # fmt: skip
    target = await create_webhook(
        client, project_id, url=bots["target"].url, platform="feishu", triggers=["alert"]
    )
    redirecting = await create_webhook(
        client, project_id, url=bots["redirecting"].url, **every,
        rules=[
            {"match": {"paths": ["web/**"]}, "action": "skip"},
            {"match": {"refs": ["master"]}, "action": "redirect", "to": target["id"]},
        ],
    )  # fmt: skip
    mentioning = await create_webhook(
        client, project_id, url=bots["mentioning"].url, **every,
        rules=[
            {"match": {"paths": ["app/**"]}, "action": "mention", "mention": ["bob", "nobody@example.com"]},
            {"match": {"only_bots": True}, "action": "skip"},
        ],
    )  # fmt: skip
    off = await create_webhook(client, project_id, url=bots["off"].url, active=False, **every)

    event_id = await post_push(client, token)
    rows = await settled(client, project_id, 2)
    assert sorted(r["webhook_id"] for r in rows) == sorted([target["id"], mentioning["id"]])
    assert {r["state"] for r in rows} == {"delivered"}
    assert len(bots["target"].received) == 1, "redirected: the target's own trigger is not asked"
    assert bots["skipping"].received == bots["redirecting"].received == bots["off"].received == []
    card = str(bots["mentioning"].received[0][1])
    assert "<at id=ou_bob42></at>" in card, "the mention rule's Bob is in the directory"
    assert "<at" not in str(bots["target"].received[0][1]), (
        "mentions belong to the webhook whose rule adds them"
    )

    why = await explained(client, project_id, event_id)
    assert list(why) == [skipping["id"], target["id"], redirecting["id"], mentioning["id"], off["id"]]
    assert (why[skipping["id"]]["outcome"], why[skipping["id"]]["by"]) == ("skipped", "rule")
    assert why[skipping["id"]]["detail"] == {"rule": 0, "action": "skip", "name": "not the backend"}
    assert why[skipping["id"]]["deliveries"] == []
    assert (why[redirecting["id"]]["outcome"], why[redirecting["id"]]["detail"]["rule"]) == ("redirected", 1)
    assert why[redirecting["id"]]["detail"]["to"] == target["id"]
    assert (why[target["id"]]["outcome"], why[target["id"]]["by"]) == ("filtered", "trigger")
    assert why[target["id"]]["detail"]["redirected_from"] == [redirecting["id"]]
    assert [d["state"] for d in why[target["id"]]["deliveries"]] == ["delivered"]
    assert (why[mentioning["id"]]["outcome"], why[mentioning["id"]]["by"]) == ("delivered", "default")
    assert why[mentioning["id"]]["detail"]["mentions"] == ["bob", "nobody@example.com"]
    assert (why[off["id"]]["outcome"], why[off["id"]]["by"]) == ("filtered", "inactive")

    # What was decided stays what was decided: a rule changed since does not rewrite history.
    patched = await client.patch(f"/api/v1/webhooks/{skipping['id']}", json={"rules": []})
    assert patched.status_code == 200 and patched.json()["rules"] == []
    assert (await explained(client, project_id, event_id))[skipping["id"]]["outcome"] == "skipped"


async def test_a_branch_filter_and_a_label_filter_are_named(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    project_id, token = await create_project(client)
    default_only = await create_webhook(
        client, project_id, platform="feishu", url=fake.add_bot("feishu").url, triggers=["push"],
        branches_to_be_notified="default",
    )  # fmt: skip
    body = {**PUSH, "ref": "refs/heads/feature", "ref_protected": False}
    event_id = await post_push(client, token, body)
    why = await explained(client, project_id, event_id)
    assert (why[default_only["id"]]["outcome"], why[default_only["id"]]["by"]) == ("filtered", "branch")


async def test_explain_shows_held_and_digested_deliveries(
    client: httpx.AsyncClient, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = fake.add_bot("discord")
    project_id, token = await create_project(client)
    now = datetime.now(UTC)
    quiet = await create_webhook(
        client, project_id, platform="discord", url=bot.url, triggers=["push"], branches_to_be_notified="all",
        quiet_from=(now - timedelta(hours=1)).strftime("%H:%M"),
        quiet_until=(now + timedelta(hours=1)).strftime("%H:%M"),
    )  # fmt: skip
    first = await post_push(client, token, numbered_push(1))
    second = await post_push(client, token, numbered_push(2))
    held = (await explained(client, project_id, first))[quiet["id"]]
    assert held["outcome"] == "delivered"
    [step] = held["deliveries"]
    assert step["state"] == "pending" and step["held_until"] is not None and step["digest_of"] is None
    end = datetime.fromisoformat(step["held_until"])

    monkeypatch.setattr(claimer, "utcnow", lambda: clock.utcnow() + (end - now) + timedelta(minutes=1))
    await settled(client, project_id, 2)
    await eventually(lambda: len(bot.received) == 1, what="one digest")
    steps = [(await explained(client, project_id, e))[quiet["id"]]["deliveries"][0] for e in (first, second)]
    assert {s["state"] for s in steps} == {"delivered"}
    assert steps[0]["digest_of"] is not None and steps[0]["digest_of"] == steps[1]["digest_of"]


BAD_REGEX = [{"action": "skip"}, {"action": "skip"}, {"match": {"refs": ["/[/"]}, "action": "skip"}]
BAD_MATCHER = [{"match": {"alert_labels": ['severity~"x"']}, "action": "skip"}]


@pytest.mark.parametrize(
    ("rules", "position"),
    [
        (BAD_REGEX, "rules[2].match.refs[0]: invalid regular expression"),
        (BAD_MATCHER, "rules[0].match.alert_labels[0]: not a label matcher"),
        ([{"action": "redirect"}], "rules[0]: `to`"),
        ([{"action": "redirect", "to": 999999}], "rules[0].to: webhook 999999 is not a webhook of this"),
    ],
)
async def test_invalid_rules_are_a_422_naming_the_position(
    client: httpx.AsyncClient, rules: list[dict[str, Any]], position: str
) -> None:
    project_id, _ = await create_project(client)
    answer = await client.post(
        f"/api/v1/projects/{project_id}/webhooks",
        json={"platform": "feishu", "url": "https://open.feishu.cn/open-apis/bot/v2/hook/x", "rules": rules},
    )
    assert answer.status_code == 422
    assert position in answer.text


async def test_a_webhook_cannot_redirect_to_itself(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    made = await create_webhook(
        client, project_id, platform="feishu", url="https://open.feishu.cn/open-apis/bot/v2/hook/self"
    )
    answer = await client.patch(
        f"/api/v1/webhooks/{made['id']}", json={"rules": [{"action": "redirect", "to": made["id"]}]}
    )
    assert answer.status_code == 422 and "rules[0].to: a webhook cannot redirect to itself" in answer.text


async def test_a_redirect_names_its_target_by_name_and_the_id_is_stored(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/by-name"
    target = await create_webhook(client, project_id, platform="feishu", url=url, name="dba")
    other_project, _ = await create_project(client, "other")
    await create_webhook(client, other_project, platform="feishu", url=url, name="elsewhere")
    made = await create_webhook(
        client, project_id, platform="feishu", url=url, name="ci",
        rules=[{"action": "skip", "match": {"refs": ["x"]}}, {"action": "redirect", "to": "dba"}],
    )  # fmt: skip
    assert made["rules"][1]["to"] == target["id"]
    assert (await client.get(f"/api/v1/webhooks/{made['id']}")).json()["rules"][1]["to"] == target["id"]

    def redirect(to: object) -> dict[str, Any]:
        return {"rules": [{"action": "skip", "match": {"refs": ["x"]}}, {"action": "redirect", "to": to}]}

    for to, problem in (
        ("nosuch", "rules[1].to: no webhook of this project is named 'nosuch'"),
        ("elsewhere", "rules[1].to: no webhook of this project is named 'elsewhere'"),  # another project's
        ("ci", "rules[1].to: a webhook cannot redirect to itself"),
    ):
        refused = await client.patch(f"/api/v1/webhooks/{made['id']}", json=redirect(to))
        assert refused.status_code == 422 and problem in refused.text, refused.text
    await create_webhook(client, project_id, platform="feishu", url=url, name="dba")
    twins = await client.patch(f"/api/v1/webhooks/{made['id']}", json=redirect("dba"))
    assert twins.status_code == 422
    assert "rules[1].to: 2 webhooks of this project are named 'dba'" in twins.text
    by_id = await client.patch(f"/api/v1/webhooks/{made['id']}", json=redirect(target["id"]))
    assert by_id.status_code == 200 and by_id.json()["rules"][1]["to"] == target["id"]


async def test_rules_are_tried_on_a_sample_or_a_recent_event(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    project_id, token = await create_project(client)
    webhook = await create_webhook(
        client, project_id, platform="feishu", url=fake.add_bot("feishu").url, triggers=["push", "alert"],
        branches_to_be_notified="all",
    )  # fmt: skip
    rules = [
        {"match": {"kinds": ["push"], "refs": ["release/*"]}, "action": "skip"},
        {
            "match": {"alert_labels": ['severity=~"critical|warning"']},
            "action": "mention",
            "mention": ["oncall"],
        },
        {"match": {"alert_labels": ['job="api"']}, "action": "redirect", "to": 12345},
        {"action": "skip"},
    ]
    tried = await client.post(
        f"/api/v1/webhooks/{webhook['id']}/rules/try", json={"rules": rules, "sample": "alert"}
    )
    assert tried.status_code == 200, tried.text
    answer = tried.json()
    assert (answer["outcome"], answer["rule"], answer["to"], answer["mentions"]) == (
        "redirected",
        2,
        12345,
        ["oncall"],
    )
    assert answer["filtered_by"] is None and answer["event_kind"] == "alert"
    assert answer["to_name"] is None
    assert answer["to_problem"] == "rules[2].to: webhook 12345 is not a webhook of this project"
    assert [(r["tried"], r["matched"], r["failed"]) for r in answer["rules"]] == [
        (True, False, "kinds"),
        (True, True, None),
        (True, True, None),
        (False, False, None),
    ]
    assert (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()["rules"] == [], "nothing saved"

    event_id = await post_push(client, token)
    recent = (await client.get(f"/api/v1/projects/{project_id}/events")).json()
    assert recent[0]["id"] == event_id and recent[0]["kind"] == "push"
    on_event = (
        await client.post(
            f"/api/v1/webhooks/{webhook['id']}/rules/try", json={"rules": rules, "event_id": event_id}
        )
    ).json()
    assert (on_event["outcome"], on_event["rule"]) == ("skipped", 3)
    assert on_event["rules"][0]["failed"] == "refs" and on_event["rules"][1]["failed"] == "alert_labels"

    pipeline = (
        await client.post(
            f"/api/v1/webhooks/{webhook['id']}/rules/try", json={"rules": [], "sample": "pipeline"}
        )
    ).json()
    assert (pipeline["outcome"], pipeline["filtered_by"]) == ("filtered", "trigger")
    bad = await client.post(
        f"/api/v1/webhooks/{webhook['id']}/rules/try", json={"rules": [{"action": "x"}], "sample": "push"}
    )
    assert bad.status_code == 422 and "rules[0].action" in bad.text
    neither = await client.post(f"/api/v1/webhooks/{webhook['id']}/rules/try", json={"rules": []})
    assert neither.status_code == 422


async def test_an_event_is_explained_in_its_own_project_only(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    project_id, token = await create_project(client, "mine")
    other_id, _ = await create_project(client, "theirs")
    other_hook = await create_webhook(client, other_id, platform="feishu", url=fake.add_bot("feishu").url)
    event_id = await post_push(client, token)
    assert (await client.get(f"/api/v1/projects/{other_id}/events/{event_id}/explain")).status_code == 404
    assert (
        await client.get(f"/api/v1/projects/{project_id}/events/{event_id + 1000}/explain")
    ).status_code == 404
    tried = await client.post(
        f"/api/v1/webhooks/{other_hook['id']}/rules/try", json={"rules": [], "event_id": event_id}
    )
    assert tried.status_code == 404, "another project's event cannot be tried either"
    as_project = await client.get(
        f"/api/v1/projects/{project_id}/events/{event_id}/explain",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert as_project.status_code == 401, "a project's inbound token is no management token"
    assert (await deliveries(client, project_id)) == []


async def test_an_ignored_event_is_explained_as_such(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=fake.add_bot("feishu").url)
    answer = await client.post(
        "/hooks/gitlab",
        json={"object_kind": "nothing"},
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Odd Hook"},
    )
    assert answer.status_code == 202 and answer.json()["status"] == "ignored", answer.text
    explained = (
        await client.get(f"/api/v1/projects/{project_id}/events/{answer.json()['event_id']}/explain")
    ).json()
    assert explained["ignored"] and explained["webhooks"] == [] and explained["recorded"] is False


async def test_explain_names_the_silence_that_kept_an_event_from_the_chat(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    project_id, token = await create_project(client)
    hook = await create_webhook(
        client, project_id, platform="discord", url=bot.url, triggers=["push"], branches_to_be_notified="all"
    )
    made = await client.post(
        f"/api/v1/projects/{project_id}/silences",
        json={"match": {"refs": ["master"]}, "duration_minutes": 60, "comment": "release freeze"},
    )
    assert made.status_code == 201, made.text
    event_id = await post_push(client, token)
    why = (await explained(client, project_id, event_id))[hook["id"]]
    assert (why["outcome"], why["by"]) == ("delivered", "default")  # routing wanted it; the silence kept it
    [step] = why["deliveries"]
    assert (step["state"], step["silence_id"]) == ("silenced", made.json()["id"])
    assert bot.received == []


async def test_explain_shows_rate_limited_events_sent_in_a_digest(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("feishu")  # 5 messages a second: a burst of 30 is partly merged
    project_id, token = await create_project(client)
    hook = await create_webhook(
        client, project_id, platform="feishu", url=bot.url, triggers=["push"], branches_to_be_notified="all"
    )
    event_ids = [await post_push(client, token, numbered_push(n)) for n in range(30)]
    await settled(client, project_id, 30)
    assert bot.violations == [] and len(bot.received) < 30
    steps = [(await explained(client, project_id, e))[hook["id"]] for e in event_ids]
    assert {(s["outcome"], s["by"]) for s in steps} == {("delivered", "default")}
    merged = [s["deliveries"][0] for s in steps if s["deliveries"][0]["digest_of"] is not None]
    assert merged, "some events were sent in a digest, and explain says which"
    assert {d["state"] for d in merged} == {"delivered"}
    assert len({d["digest_of"] for d in merged}) < len(merged), "a digest carries several events"


async def test_a_redirect_to_a_webhook_deleted_behind_its_back_is_delivered_by_its_own(
    client: httpx.AsyncClient, fake: FakePlatformServer, engine: AsyncEngine
) -> None:
    """Nothing is lost: the target removed in SQL (the API refuses it), the webhook holding the
    rule sends the event itself, and explain says why (delivered, by the rule, target missing)."""
    holder_bot, target_bot = fake.add_bot("feishu"), fake.add_bot("feishu")
    project_id, token = await create_project(client)
    every = {"platform": "feishu", "triggers": ["push"], "branches_to_be_notified": "all"}
    target = await create_webhook(client, project_id, url=target_bot.url, name="dba", **every)
    holder = await create_webhook(
        client, project_id, url=holder_bot.url, name="ci", **every,
        rules=[{"name": "to the dba", "action": "redirect", "to": "dba"}],
    )  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM webhooks WHERE id = :id"), {"id": target["id"]})
    await asyncio.sleep(1.2)  # a change made outside hookcast reaches its cache within a second

    event_id = await post_push(client, token)
    rows = await settled(client, project_id, 1)
    assert [(r["webhook_id"], r["state"]) for r in rows] == [(holder["id"], "delivered")]
    assert len(holder_bot.received) == 1 and target_bot.received == []
    why = (await explained(client, project_id, event_id))[holder["id"]]
    assert (why["outcome"], why["by"]) == ("delivered", "rule")
    assert why["detail"] == {
        "rule": 0,
        "action": "redirect",
        "name": "to the dba",
        "to": target["id"],
        "target": "missing",
    }
    assert [d["state"] for d in why["deliveries"]] == ["delivered"]


async def test_a_redirect_target_is_not_deleted_and_rules_follow_its_rename(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    """Deleting a webhook rules redirect to is a 409 naming each rule (by id or name, as it was
    given: both are stored as the id); renaming it is allowed, and the rules, which hold its id,
    still send there (a document writes the new name); once no rule names it, it goes."""
    bots = {name: fake.add_bot("feishu") for name in ("ci", "ops", "dba")}
    project_id, token = await create_project(client)
    every = {"platform": "feishu", "triggers": ["push"], "branches_to_be_notified": "all"}
    dba = await create_webhook(client, project_id, url=bots["dba"].url, name="dba", **every)
    ci = await create_webhook(
        client, project_id, url=bots["ci"].url, name="ci", **every,
        rules=[{"match": {"refs": ["nothing"]}, "action": "skip"},
               {"name": "to the dba", "action": "redirect", "to": "dba"}],
    )  # fmt: skip
    ops = await create_webhook(
        client, project_id, url=bots["ops"].url, name="ops", **every,
        rules=[{"action": "redirect", "to": dba["id"]}],
    )  # fmt: skip

    refused = await client.delete(f"/api/v1/webhooks/{dba['id']}")
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == (
        f"webhook 'dba' (#{dba['id']}) is the target of redirect rules: 'ci' (#{ci['id']}) rules[1] "
        f"'to the dba'; 'ops' (#{ops['id']}) rules[0]; give them another target or remove them first"
    )
    assert (await client.get(f"/api/v1/webhooks/{dba['id']}")).status_code == 200, "nothing removed"

    renamed = await client.patch(f"/api/v1/webhooks/{dba['id']}", json={"name": "database"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "database"
    event_id = await post_push(client, token)
    rows = await settled(client, project_id, 1)
    assert [(r["webhook_id"], r["state"]) for r in rows] == [(dba["id"], "delivered")]
    why = await explained(client, project_id, event_id)
    assert why[dba["id"]]["detail"]["redirected_from"] == [ci["id"], ops["id"]]
    exported = (await client.get(f"/api/v1/projects/{project_id}/export")).json()
    assert [rule.get("to") for hook in exported["webhooks"] for rule in hook["rules"]] == [
        None,
        "database",
        "database",
    ], "a document names the target by its new name"

    still = await client.patch(f"/api/v1/webhooks/{ci['id']}", json={"rules": []})
    assert still.status_code == 200
    once_more = await client.delete(f"/api/v1/webhooks/{dba['id']}")
    assert (
        once_more.status_code == 409
        and "'ci'" not in once_more.text
        and f"'ops' (#{ops['id']})" in once_more.text
    )
    await client.patch(f"/api/v1/webhooks/{ops['id']}", json={"rules": [{"action": "skip"}]})
    assert (await client.delete(f"/api/v1/webhooks/{dba['id']}")).status_code == 204


async def test_a_tried_redirect_target_is_resolved_among_the_projects_webhooks(
    client: httpx.AsyncClient,
) -> None:
    """A name typed in the try box is looked up as saving would: the target's id and name, or
    what is wrong with it; an id is named too."""
    project_id, _ = await create_project(client)
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/tried"
    dba = await create_webhook(client, project_id, platform="feishu", url=url, name="dba")
    ci = await create_webhook(client, project_id, platform="feishu", url=url, name="ci")
    other_project, _ = await create_project(client, "other")
    elsewhere = await create_webhook(client, other_project, platform="feishu", url=url, name="elsewhere")

    async def tried(to: object) -> dict[str, Any]:
        rules = [{"match": {"refs": ["nothing"]}, "action": "skip"}, {"action": "redirect", "to": to}]
        answer = await client.post(
            f"/api/v1/webhooks/{ci['id']}/rules/try", json={"rules": rules, "sample": "push"}
        )
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    for to in ("dba", dba["id"]):
        answer = await tried(to)
        assert (answer["outcome"], answer["rule"], answer["to"], answer["to_name"], answer["to_problem"]) == (
            "redirected", 1, dba["id"], "dba", None,
        )  # fmt: skip
    for to, problem in (
        ("nosuch", "rules[1].to: no webhook of this project is named 'nosuch'"),
        ("elsewhere", "rules[1].to: no webhook of this project is named 'elsewhere'"),
        (elsewhere["id"], f"rules[1].to: webhook {elsewhere['id']} is not a webhook of this project"),
        ("ci", "rules[1].to: a webhook cannot redirect to itself"),
    ):
        answer = await tried(to)
        assert (answer["to"], answer["to_name"], answer["to_problem"]) == (to, None, problem)
    await create_webhook(client, project_id, platform="feishu", url=url, name="dba")
    assert (await tried("dba"))[
        "to_problem"
    ] == "rules[1].to: 2 webhooks of this project are named 'dba': give its id, or rename one"
