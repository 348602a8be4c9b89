"""GitHub as a source, end to end on SQLite and PostgreSQL: a project's signing secret through the
API, GitHub's documented example payloads signed with it, posted to the generated route, routed,
rendered and delivered to the fake Feishu; bad signatures, replayed deliveries, form bodies, ping
and unknown events; workflow runs that fix or keep failing their branch. And GitLab's signed
webhooks: a project with a signing secret takes GitLab's requests only when they carry a valid,
recent Standard Webhooks signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from hookcast.kinds import TRIGGER_KINDS
from hookcast.services.project_tokens import set_signing_secret
from hookcast.store.tables import EventRow, Project
from tests.fakes.platform_server import FakePlatformServer
from tests.fakes.platforms.base import FakeBot
from tests.fixtures import github_fixtures, load_fixture, load_github
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.integration.ui_helpers import UiClient

EVERY_KIND = [kind.value for kind in TRIGGER_KINDS]  # every kind a webhook may select


@pytest.fixture
async def feishu() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


async def signing_secret(client: httpx.AsyncClient, project_id: int) -> str:
    answer = await client.post(f"/api/v1/projects/{project_id}/signing-secret")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["github_path"] == f"/hooks/github/{project_id}"
    assert body["content_type"] == "application/json"
    secret: str = body["signing_secret"]
    return secret


def hub_headers(
    secret: str, body: bytes, event: str, delivery: str | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    """As GitHub sends a delivery: its event, its id, and the body's HMAC with the secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": f"sha256={digest}",
        "Content-Type": content_type,
        "User-Agent": "GitHub-Hookshot/044aadd",
    }


def titles(bot: FakeBot) -> list[str]:
    return [str(card["card"]["header"]["title"]["content"]) for _, card in bot.received]


async def github_project(
    client: httpx.AsyncClient, feishu: FakePlatformServer, **webhook: Any
) -> tuple[int, str, FakeBot]:
    bot = feishu.add_bot("feishu")
    project_id, _ = await create_project(client, name=f"gh-{uuid.uuid4().hex[:6]}")
    options = {"triggers": EVERY_KIND, "branches_to_be_notified": "all", **webhook}
    await create_webhook(client, project_id, platform="feishu", url=bot.url, **options)
    return project_id, await signing_secret(client, project_id), bot


async def test_every_mapped_github_example_travels_to_the_bot(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, secret, bot = await github_project(client, feishu, pipelines_to_be_notified="all")
    url = f"/hooks/github/{project_id}"
    sent = 0
    for name, event, body in github_fixtures():
        answer = await client.post(url, content=body, headers=hub_headers(secret, body, event))
        assert answer.status_code == 202, (name, answer.text)
        assert answer.json()["status"] == "accepted", (name, answer.json())
        sent += answer.json()["deliveries"]
    # Updates (a label added) are kept quiet as GitLab's are; everything else is told.
    assert sent == len(github_fixtures()) - 1
    # Feishu takes 5 messages a second: what waits behind the limit goes out as digests.
    rows = await settled(client, project_id, count=sent, timeout=60.0)
    assert {row["state"] for row in rows} == {"delivered"}
    assert bot.rejections == []
    # Feishu's markdown spells markdown characters as character references (`&#45;`).
    told = html.unescape(json.dumps([card for _, card in bot.received], ensure_ascii=False))
    for title in (
        "Codertocat opened pull request #2 Update the README with new information.",
        "Codertocat approved pull request #2 Update the README with new information.",
        "Workflow run test failed on master",
        "Codertocat commented on pull request #1 Spelling error in the README file",
        "Deployment to production succeeded",
        "Check suite octocoders-linter passed on changes",
        "Check run Octocoders-linter failed on changes",
    ):
        assert title in told, title


async def test_a_chinese_webhook_gets_githubs_words_in_chinese(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, secret, bot = await github_project(client, feishu, language="zh_CN")
    body = load_github("derived/pull_request/merged.json")
    answer = await client.post(
        f"/hooks/github/{project_id}", content=body, headers=hub_headers(secret, body, "pull_request")
    )
    assert answer.json()["deliveries"] == 1
    await eventually(lambda: len(bot.received) == 1)
    assert titles(bot) == ["Codertocat 合并了拉取请求 #2 Update the README with new information."]


async def test_signatures_deliveries_forms_ping_and_unknown_events(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, secret, bot = await github_project(client, feishu)
    url = f"/hooks/github/{project_id}"
    body = load_github("issues/opened.json")

    forged = await client.post(url, content=body, headers=hub_headers("a guess", body, "issues"))
    assert forged.status_code == 401 and forged.json() == {"detail": "the signature does not match the body"}
    tampered = body.replace(b"Spelling error", b"Spelling errox")
    altered = await client.post(url, content=tampered, headers=hub_headers(secret, body, "issues"))
    assert altered.status_code == 401
    unsigned = {k: v for k, v in hub_headers(secret, body, "issues").items() if k != "X-Hub-Signature-256"}
    missing = await client.post(url, content=body, headers=unsigned)
    assert missing.status_code == 401

    delivery = str(uuid.uuid4())
    first = await client.post(url, content=body, headers=hub_headers(secret, body, "issues", delivery))
    again = await client.post(url, content=body, headers=hub_headers(secret, body, "issues", delivery))
    assert first.json()["status"] == "accepted" and first.json()["deliveries"] == 1
    assert again.json()["status"] == "duplicate" and again.json()["event_id"] == first.json()["event_id"]

    form = urlencode({"payload": load_github("issues/reopened.json").decode()}).encode()
    formed = await client.post(
        url,
        content=form,
        headers=hub_headers(secret, form, "issues", content_type="application/x-www-form-urlencoded"),
    )
    assert formed.status_code == 202 and formed.json()["status"] == "accepted", formed.text

    ping = load_github("ping/example.json")
    pinged = await client.post(url, content=ping, headers=hub_headers(secret, ping, "ping"))
    star = load_github("star/created.json")
    starred = await client.post(url, content=star, headers=hub_headers(secret, star, "star"))
    assert pinged.status_code == starred.status_code == 202
    assert pinged.json()["status"] == starred.json()["status"] == "ignored"
    assert "star" in starred.json()["reason"]

    await eventually(lambda: len(bot.received) == 2, what="the opened and the reopened issue")
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(EventRow).where(EventRow.project_id == project_id))).all()
    assert sorted(row.source for row in rows) == ["github"] * 4, "ping and star are recorded too"
    assert len(rows) == 4


async def test_without_a_secret_github_is_refused(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client, name="no-secret")
    body = load_github("push/with-new-branch.json")
    answer = await client.post(
        f"/hooks/github/{project_id}", content=body, headers=hub_headers("anything", body, "push")
    )
    assert answer.status_code == 401 and answer.json() == {"detail": "this project has no signing secret"}


async def test_the_secret_is_shown_once_rotated_and_removed(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, old, _bot = await github_project(client, feishu)
    assert old.startswith("whsec_") and len(base64.b64decode(old.removeprefix("whsec_"))) == 32
    shown = await client.get(f"/api/v1/projects/{project_id}")
    assert shown.json()["signing_secret_set"] is True and old not in shown.text
    listed = await client.get("/api/v1/projects")
    assert old not in listed.text
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        sealed = await session.scalar(select(Project.signing_secret_sealed).where(Project.id == project_id))
    assert sealed and old not in sealed

    new = await signing_secret(client, project_id)
    assert new != old
    url = f"/hooks/github/{project_id}"
    body = load_github("issues/opened.json")
    assert (await client.post(url, content=body, headers=hub_headers(old, body, "issues"))).status_code == 401
    assert (await client.post(url, content=body, headers=hub_headers(new, body, "issues"))).status_code == 202

    removed = await client.delete(f"/api/v1/projects/{project_id}/signing-secret")
    assert removed.status_code == 204
    assert (await client.get(f"/api/v1/projects/{project_id}")).json()["signing_secret_set"] is False
    assert (await client.post(url, content=body, headers=hub_headers(new, body, "issues"))).status_code == 401
    assert (await client.post("/api/v1/projects/999999/signing-secret")).status_code == 404


def run_body(run_id: int, conclusion: str) -> bytes:
    payload = json.loads(load_github("workflow_run/completed.json"))
    payload["workflow_run"].update(id=run_id, conclusion=conclusion)
    return json.dumps(payload).encode()


async def test_workflow_runs_fix_and_keep_failing_their_branch(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, secret, bot = await github_project(client, feishu, pipelines_to_be_notified="all")
    url = f"/hooks/github/{project_id}"
    for run_id, conclusion in ((100, "failure"), (101, "failure"), (102, "success")):
        body = run_body(run_id, conclusion)
        answer = await client.post(url, content=body, headers=hub_headers(secret, body, "workflow_run"))
        assert answer.status_code == 202, answer.text
    # Another workflow on the same branch passing does not "fix" this one.
    other = json.loads(run_body(103, "success"))
    other["workflow_run"]["workflow_id"] = 999
    other_body = json.dumps(other).encode()
    await client.post(url, content=other_body, headers=hub_headers(secret, other_body, "workflow_run"))
    await eventually(lambda: len(bot.received) == 4)
    assert titles(bot) == [
        "Workflow run test failed on master",
        "Still failing: Workflow run test failed on master",
        "Fixed: Workflow run test passed on master",
        "Workflow run test passed on master",
    ]


# --- GitLab's signed webhooks -------------------------------------------------------------

PUSH = load_fixture("docs/push.json")


def gitlab_signed(
    token: str, secret: str, body: bytes, message_id: str, at: int | None = None
) -> dict[str, str]:
    """As GitLab sends with both a Secret token and a Signing token (Standard Webhooks)."""
    at = int(time.time()) if at is None else at
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{at}.".encode() + body, hashlib.sha256).digest()
    return {
        "X-Gitlab-Token": token,
        "X-Gitlab-Event": "Push Hook",
        "Idempotency-Key": message_id,
        "webhook-id": message_id,
        "webhook-timestamp": str(at),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


async def test_a_project_with_a_secret_takes_only_signed_gitlab_requests(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client, name="signed-gitlab")
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    plain = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    before = await client.post("/hooks/gitlab", content=PUSH, headers=plain)
    assert before.json()["status"] == "accepted", "without a secret the token alone is enough"

    secret = await signing_secret(client, project_id)  # clears the token cache: signed from now on
    unsigned = await client.post("/hooks/gitlab", content=PUSH, headers=plain)
    assert unsigned.status_code == 401 and unsigned.json() == {
        "detail": "a webhook-signature signature is required"
    }
    settings = client.app.state.runtime.settings  # type: ignore[attr-defined]
    big = b'{"x": "' + b"a" * settings.max_body_bytes + b'"}'
    assert (await client.post("/hooks/gitlab", content=big, headers=plain)).status_code == 401, (
        "an unsigned request is refused before its body is read"
    )

    good = await client.post(
        "/hooks/gitlab", content=PUSH, headers=gitlab_signed(token, secret, PUSH, "msg_1")
    )
    assert good.status_code == 202 and good.json()["status"] == "accepted", good.text
    retried = await client.post(
        "/hooks/gitlab",
        content=PUSH,
        headers=gitlab_signed(token, secret, PUSH, "msg_1", int(time.time()) + 2),
    )
    assert retried.json()["status"] == "duplicate"
    stale = await client.post(
        "/hooks/gitlab",
        content=PUSH,
        headers=gitlab_signed(token, secret, PUSH, "msg_2", int(time.time()) - 301),
    )
    assert stale.status_code == 401 and stale.json() == {"detail": "the signature does not match the body"}
    wrong_key = "whsec_" + base64.b64encode(b"w" * 32).decode()
    forged = await client.post(
        "/hooks/gitlab", content=PUSH, headers=gitlab_signed(token, wrong_key, PUSH, "msg_3")
    )
    assert forged.status_code == 401
    no_token = {k: v for k, v in gitlab_signed(token, secret, PUSH, "msg_4").items() if k != "X-Gitlab-Token"}
    assert (await client.post("/hooks/gitlab", content=PUSH, headers=no_token)).status_code == 401

    # Removed behind this process's token cache (as by another process): the cache still says
    # "signed", the secret is gone, and the token alone is enough at once.
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions.begin() as session:
        await set_signing_secret(session, runtime.box, project_id, None)
    behind = await client.post("/hooks/gitlab", content=PUSH, headers={**plain, "Idempotency-Key": "behind"})
    assert behind.json()["status"] == "accepted", behind.text

    await client.delete(f"/api/v1/projects/{project_id}/signing-secret")
    after = await client.post("/hooks/gitlab", content=PUSH, headers={**plain, "Idempotency-Key": "later"})
    assert after.json()["status"] == "accepted", "without a secret again, the token alone is enough"
    await eventually(lambda: len(bot.received) == 4, what="the four accepted pushes")


# --- the project page -------------------------------------------------------------------


async def test_the_project_page_shows_githubs_url_and_the_secret_once(ui: UiClient) -> None:
    created = await ui.post("/ui/projects", {"name": "gh-page"})
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", created.text).group(1))  # type: ignore[union-attr]
    page = (await ui.get(f"/ui/projects/{project_id}")).text
    assert f"http://hookcast.test/hooks/github/{project_id}" in page
    assert "application/json" in page
    assert 'data-testid="signing-secret-state">not set<' in page

    made = await ui.post(f"/ui/projects/{project_id}/signing-secret")
    assert made.status_code == 200
    secret = re.search(r'id="signing-secret"[^>]*value="(whsec_[^"]+)"', made.text)
    assert secret, "the new secret is on the page"
    again = (await ui.get(f"/ui/projects/{project_id}")).text
    assert secret.group(1) not in again, "shown once"
    assert 'data-testid="signing-secret-state">set<' in again

    body = load_github("issues/opened.json")
    signed = hub_headers(secret.group(1), body, "issues")
    assert (
        await ui.http.post(f"/hooks/github/{project_id}", content=body, headers=signed)
    ).status_code == 202

    removed = await ui.post(f"/ui/projects/{project_id}/signing-secret/remove")
    assert removed.status_code == 303
    assert 'data-testid="signing-secret-state">not set<' in (await ui.get(f"/ui/projects/{project_id}")).text
    refused = await ui.http.post(f"/hooks/github/{project_id}", content=body, headers=signed)
    assert refused.status_code == 401


# --- organization scope -------------------------------------------------------------------


async def test_an_organization_receiver_hands_repositories_on_and_keeps_to_its_scope(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    """A GitHub organization webhook signed with the receiver's secret: an event of a repository
    some project names as its path goes there; another repository of the organization stays with
    the receiver; one outside the organization is ignored. Without routes_other_projects, every
    event stays with the project whose secret signed it."""
    org_bot, repo_bot = feishu.add_bot("feishu"), feishu.add_bot("feishu")
    org_id, _ = await create_project(
        client, name="octo-org", gitlab_path="octo-org", routes_other_projects=True
    )
    repo_id, _ = await create_project(client, name="octo-repo", gitlab_path="octo-org/octo-repo")
    for project_id, bot in ((org_id, org_bot), (repo_id, repo_bot)):
        await create_webhook(client, project_id, platform="feishu", url=bot.url, triggers=EVERY_KIND)
    secret = await signing_secret(client, org_id)
    url = f"/hooks/github/{org_id}"

    run = load_github("workflow_run/completed.json")  # octo-org/octo-repo
    handed = await client.post(url, content=run, headers=hub_headers(secret, run, "workflow_run"))
    assert handed.json()["status"] == "accepted" and handed.json()["deliveries"] == 1
    elsewhere = json.loads(run)
    elsewhere["repository"]["full_name"] = "octo-org/other"
    other = json.dumps(elsewhere).encode()
    kept = await client.post(url, content=other, headers=hub_headers(secret, other, "workflow_run"))
    assert kept.json()["deliveries"] == 1
    outside = load_github("issues/opened.json")  # Codertocat/Hello-World
    ignored = await client.post(url, content=outside, headers=hub_headers(secret, outside, "issues"))
    assert ignored.json()["status"] == "ignored"
    await eventually(lambda: len(repo_bot.received) == 1 and len(org_bot.received) == 1)

    await client.patch(f"/api/v1/projects/{org_id}", json={"routes_other_projects": False})
    again = await client.post(url, content=run, headers=hub_headers(secret, run, "workflow_run"))
    assert again.json()["deliveries"] == 1
    await eventually(lambda: len(org_bot.received) == 2, what="the run kept by the organization")
    assert len(repo_bot.received) == 1
