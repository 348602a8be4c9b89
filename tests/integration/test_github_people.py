"""GitHub events reach the right person, end to end on SQLite and PostgreSQL: a pull request's
review request, signed as GitHub signs it, names the reviewer by login only; the directory
finds them by their GitHub login (not by another person's GitLab username that equals it), the
worker messages them through the Feishu IM app (fake) by the e-mail the directory holds,
remembers the id it found, and the group card of the next request mentions them natively."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fakes.platform_server import FakePlatformServer
from tests.fakes.platforms.feishu import FakeFeishu
from tests.fixtures import load_github
from tests.integration.helpers import eventually, settled
from tests.integration.test_github_source import github_project, hub_headers


@pytest.fixture
async def chat() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def review_requested() -> bytes:
    """GitHub's example: octocat's review is requested on pull request #2 (no e-mail in it)."""
    payload = json.loads(load_github("pull_request/review_requested.json"))
    assert payload["requested_reviewer"]["login"] == "octocat"
    assert "email" not in json.dumps(payload["requested_reviewer"])
    return json.dumps(payload).encode()


async def add_person(client: httpx.AsyncClient, **fields: object) -> dict[str, object]:
    answer = await client.post("/api/v1/people", json=fields)
    assert answer.status_code == 201, answer.text
    person: dict[str, object] = answer.json()
    return person


async def test_a_review_request_messages_and_mentions_the_person_with_that_github_login(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    async with FakeFeishu("cli_a1b2c3d4", "feishu-secret") as app:
        app.add_user("ou_octo", email="octo@example.com")
        app.add_user("ou_decoy", email="decoy@example.com")
        saved = await client.put(
            "/api/v1/im-apps/feishu",
            json={"credentials": dict(app.credentials), "api_base_url": app.base_url},
        )
        assert saved.status_code == 200, saved.text
        octo = await add_person(client, name="Octo Cat", email="octo@example.com", github_login="OctoCat")
        # GitLab's octocat is someone else on GitHub: a GitHub event naming octocat is not him.
        decoy = await add_person(
            client,
            name="Decoy",
            email="decoy@example.com",
            gitlab_username="octocat",
            github_login="decoy-gh",
        )
        project_id, secret, bot = await github_project(
            client, chat, direct_messages=True, mention_people=True
        )
        url = f"/hooks/github/{project_id}"

        body = review_requested()
        first = await client.post(url, content=body, headers=hub_headers(secret, body, "pull_request"))
        assert first.status_code == 202 and first.json()["deliveries"] == 2, first.text  # the group, octocat
        rows = await settled(client, project_id, 2)
        assert {r["state"] for r in rows} == {"delivered"}, rows
        assert [s.user_id for s in app.sent] == ["ou_octo"], "found by the e-mail the directory holds"
        assert "Update the README with new information" in str(app.sent[0].body)
        assert app.calls.lookups == 1
        people = {p["id"]: p for p in (await client.get("/api/v1/people")).json()}
        assert people[octo["id"]]["platform_ids"] == {"feishu": "ou_octo"}, "the id found is remembered"
        assert people[decoy["id"]]["platform_ids"] == {}

        again = await client.post(url, content=body, headers=hub_headers(secret, body, "pull_request"))
        assert again.json()["deliveries"] == 2, again.text  # another delivery id: another event
        await settled(client, project_id, 4)
        assert [s.user_id for s in app.sent] == ["ou_octo", "ou_octo"]
        assert app.calls.lookups == 1, "the second message used the remembered id"
        await eventually(lambda: len(bot.received) == 2, what="both group cards")
        card = json.dumps(bot.received[1][1])
        assert "<at id=ou_octo></at>" in card, "the group card mentions the reviewer natively"
        assert "ou_decoy" not in card and "Decoy" not in card


async def test_without_a_github_login_the_reviewer_is_found_by_gitlab_username_then_reported_unknown(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    """A directory filled before people had a GitHub login still finds octocat by a GitLab
    username equal to the login; someone nobody knows is reported, and the group carries it."""
    async with FakeFeishu("cli_a1b2c3d4", "feishu-secret") as app:
        app.add_user("ou_octo", email="octo@example.com")
        saved = await client.put(
            "/api/v1/im-apps/feishu",
            json={"credentials": dict(app.credentials), "api_base_url": app.base_url},
        )
        assert saved.status_code == 200, saved.text
        await add_person(client, name="Octo Cat", email="octo@example.com", gitlab_username="OctoCat")
        project_id, secret, bot = await github_project(client, chat, direct_messages=True)
        url = f"/hooks/github/{project_id}"
        body = review_requested()
        await client.post(url, content=body, headers=hub_headers(secret, body, "pull_request"))
        await settled(client, project_id, 2)
        assert [s.user_id for s in app.sent] == ["ou_octo"]

        stranger = json.loads(body)
        stranger["requested_reviewer"]["login"] = f"stranger-{uuid.uuid4().hex[:6]}"
        other = json.dumps(stranger).encode()
        await client.post(url, content=other, headers=hub_headers(secret, other, "pull_request"))
        rows = await settled(client, project_id, 4)
        failed = [r for r in rows if r["state"] == "failed"]
        assert len(failed) == 1 and "user not found" in failed[0]["last_error"]
        assert (
            "stranger-" in failed[0]["last_error"] and "group message carries it" in failed[0]["last_error"]
        )
        assert [s.user_id for s in app.sent] == ["ou_octo"]
        await eventually(lambda: len(bot.received) == 2, what="both group cards")
