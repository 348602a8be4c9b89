"""Silences end to end, on SQLite and PostgreSQL, with the real worker and a fake platform: an
event a silence matches is recorded as ``silenced`` (with the silence, in the history) and never
sent; other events go out; an expired silence mutes nothing more; a silenced delivery can be
resent by hand. The API's validation and reach: a project's token sees and makes its own
project's silences only, instance-wide ones need an admin token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

import hookcast.samples
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.markers import numbered_push, numbers_in

SAMPLES = Path(hookcast.samples.__file__).parent
RENOVATE = {"kinds": ["push"], "refs": ["renovate/*"]}


async def push(client: httpx.AsyncClient, token: str, n: int, branch: str = "main") -> None:
    body = numbered_push(n)
    body["ref"] = f"refs/heads/{branch}"
    answer = await client.post(
        "/hooks/gitlab", json=body, headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    )
    assert answer.status_code == 202 and answer.json()["status"] == "accepted", answer.text


async def silence(client: httpx.AsyncClient, where: str, **fields: Any) -> dict[str, Any]:
    end = {} if "ends_at" in fields else {"duration_minutes": 60}
    answer = await client.post(where, json={**end, "comment": "renovate noise", **fields})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_silenced_event_is_recorded_never_sent_and_can_be_resent(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="discord", url=bot.url, triggers=["push"], branches_to_be_notified="all"
    )
    made = await silence(client, f"/api/v1/projects/{project_id}/silences", match=RENOVATE)
    assert (made["status"], made["project_id"], made["author"]) == (
        "active",
        project_id,
        "HOOKCAST_ADMIN_TOKEN",
    )

    await push(client, token, 0, "renovate/pg-16")
    await push(client, token, 1)
    await eventually(lambda: numbers_in(b for _, b in bot.received) == [1], what="the push on main")
    rows = await settled(client, project_id, 2)
    muted = next(r for r in rows if r["state"] == "silenced")
    assert (muted["silence_id"], muted["silenced_by"], muted["attempts"]) == (made["id"], "renovate noise", 0)
    assert muted["next_attempt_at"] is None
    listed = await client.get(f"/api/v1/projects/{project_id}/deliveries", params={"state": "silenced"})
    assert [r["id"] for r in listed.json()] == [muted["id"]]

    expired = await client.post(f"/api/v1/projects/{project_id}/silences/{made['id']}/expire")
    assert expired.status_code == 200 and expired.json()["status"] == "expired", expired.text
    await push(client, token, 2, "renovate/pg-17")
    await eventually(lambda: sorted(numbers_in(b for _, b in bot.received)) == [1, 2], what="after expiry")

    resent = await client.post(f"/api/v1/deliveries/{muted['id']}/resend")
    assert resent.status_code == 202, resent.text
    await eventually(lambda: sorted(numbers_in(b for _, b in bot.received)) == [0, 1, 2], what="the resend")
    rows = await settled(client, project_id, 3)
    assert [r["state"] for r in rows if r["id"] == muted["id"]] == ["delivered"]

    # Deleting the silence leaves the history as it was.
    assert (await client.delete(f"/api/v1/projects/{project_id}/silences/{made['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/projects/{project_id}/silences")).json() == []


async def test_an_instance_wide_silence_mutes_every_project_and_a_projects_only_its_own(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    first, first_token = await create_project(client, "first")
    second, second_token = await create_project(client, "second")
    for project_id in (first, second):
        await create_webhook(
            client,
            project_id,
            platform="discord",
            url=bot.url,
            triggers=["push"],
            branches_to_be_notified="all",
        )
    await silence(
        client, f"/api/v1/projects/{first}/silences", match={"refs": ["main"]}, comment="first only"
    )
    everywhere = await silence(client, "/api/v1/silences", match={"refs": ["hotfix/*"]}, comment="everywhere")
    assert everywhere["project_id"] is None

    await push(client, first_token, 0)  # muted in first
    await push(client, second_token, 1)  # not in second
    await push(client, first_token, 2, "hotfix/a")  # muted everywhere
    await push(client, second_token, 3, "hotfix/b")
    await push(client, second_token, 4, "feature")
    await eventually(lambda: sorted(numbers_in(b for _, b in bot.received)) == [1, 4], what="the unmuted")
    first_rows = await settled(client, first, 2)
    assert sorted((r["state"], r["silenced_by"]) for r in first_rows) == [
        ("silenced", "everywhere"),
        ("silenced", "first only"),
    ]
    second_rows = await settled(client, second, 3)
    assert sorted((r["state"], r["silenced_by"]) for r in second_rows) == [
        ("delivered", None),
        ("delivered", None),
        ("silenced", "everywhere"),
    ]
    listed = (await client.get("/api/v1/silences")).json()
    assert [s["comment"] for s in listed] == ["everywhere"]


async def test_silences_are_validated(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    where = f"/api/v1/projects/{project_id}/silences"
    bad = [
        {"match": {}, "duration_minutes": 60, "comment": "c"},  # mutes everything
        {"match": RENOVATE, "comment": "c"},  # no end
        {"match": RENOVATE, "duration_minutes": 60, "ends_at": "2100-01-01T00:00:00Z", "comment": "c"},
        {"match": RENOVATE, "duration_minutes": 60, "comment": ""},
        {"match": RENOVATE, "duration_minutes": 600_000, "comment": "c"},  # over a year
        {
            "match": RENOVATE,
            "starts_at": "2100-01-02T00:00:00Z",
            "ends_at": "2100-01-01T00:00:00Z",
            "comment": "c",
        },
        {"match": RENOVATE, "ends_at": "2001-01-01T00:00:00Z", "comment": "c"},  # over already
        {"match": {"alert_labels": ["not a matcher"]}, "duration_minutes": 60, "comment": "c"},
    ]
    for body in bad:
        answer = await client.post(where, json=body)
        assert answer.status_code == 422, (body, answer.text)
    empty = await client.post(where, json=bad[0])
    assert "at least one condition" in empty.text
    later = await silence(
        client, where, match=RENOVATE, starts_at="2100-01-01T00:00:00Z", ends_at="2100-01-02T00:00:00Z"
    )
    assert later["status"] == "pending"
    assert (
        await client.post("/api/v1/projects/999999/silences", json=bad[1] | {"duration_minutes": 5})
    ).status_code == 404


async def test_a_project_token_reaches_its_own_projects_silences_only(client: httpx.AsyncClient) -> None:
    mine, token = await create_project(client, "mine")
    theirs, _ = await create_project(client, "theirs")
    theirs_silence = await silence(client, f"/api/v1/projects/{theirs}/silences", match=RENOVATE)
    everywhere = await silence(client, "/api/v1/silences", match=RENOVATE)
    as_project = {"Authorization": f"Bearer {token}"}
    body = {"match": RENOVATE, "duration_minutes": 30, "comment": "mine"}

    made = await client.post(f"/api/v1/projects/{mine}/silences", json=body, headers=as_project)
    assert made.status_code == 201, made.text
    assert made.json()["author"] == "project token (mine)"
    listed = await client.get(f"/api/v1/projects/{mine}/silences", headers=as_project)
    assert [s["comment"] for s in listed.json()] == ["mine"]

    assert (await client.get(f"/api/v1/projects/{theirs}/silences", headers=as_project)).status_code == 403
    refused = await client.post(f"/api/v1/projects/{theirs}/silences", json=body, headers=as_project)
    assert refused.status_code in (401, 403)
    gone = await client.get(f"/api/v1/projects/{mine}/silences/{theirs_silence['id']}", headers=as_project)
    assert gone.status_code == 404
    gone = await client.post(
        f"/api/v1/projects/{mine}/silences/{everywhere['id']}/expire", headers=as_project
    )
    assert gone.status_code == 404
    assert (await client.get("/api/v1/silences", headers=as_project)).status_code == 401
    assert (await client.post("/api/v1/silences", json=body, headers=as_project)).status_code == 401
    assert (
        await client.get(f"/api/v1/projects/{mine}/silences", headers={"Authorization": "Bearer nope"})
    ).status_code == 401
    assert (await client.get(f"/api/v1/projects/{mine}", headers=as_project)).status_code == 401
    assert (await client.get(f"/api/v1/silences/{everywhere['id']}")).json()["status"] == "active"


async def test_alert_cards_link_to_the_silence_form_and_other_cards_do_not(
    database_url: str, tmp_path: Path, fake: FakePlatformServer
) -> None:
    settings = make_settings(database_url, tmp_path, public_url="https://hookcast.example.com")
    async with running_client(settings) as client:
        bot = fake.add_bot("slack")
        project_id, token = await create_project(client)
        await create_webhook(
            client,
            project_id,
            platform="slack",
            url=bot.url,
            triggers=["push", "alert"],
            branches_to_be_notified="all",
        )
        alert = await client.post(
            "/hooks/alertmanager",
            content=(SAMPLES / "alertmanager/firing.json").read_bytes(),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert alert.status_code == 202, alert.text
        await push(client, token, 1)
        await eventually(lambda: len(bot.received) == 2, what="both cards")
    link = f"https://hookcast.example.com/ui/silences?project={project_id}&kind=alert"
    with_link = [body for _, body in bot.received if link in json.dumps(body)]
    assert len(with_link) == 1 and "Silence 1 h" in json.dumps(with_link[0])
    assert numbers_in(b for _, b in bot.received if b not in with_link) == [1]
