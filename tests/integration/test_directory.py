"""The user directory and the IM app settings through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import httpx
from aiohttp import web

from tests.fakes.platforms.feishu import FakeFeishu
from tests.fakes.platforms.slack import FakeSlack
from tests.fakes.platforms.wecom import FakeWeCom
from tests.integration.helpers import answering_server


async def test_people_crud(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/api/v1/people",
        json={
            "name": "Bob",
            "email": "Bob@Example.com",
            "mobile": "+86 138-0000-0001",
            "platform_ids": {"slack": "U1"},
        },
    )
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["email"] == "bob@example.com"
    assert person["mobile"] == "+8613800000001"
    assert person["platform_ids"] == {"slack": "U1"}
    duplicate = await client.post("/api/v1/people", json={"email": "bob@example.com"})
    assert duplicate.status_code == 409
    nobody = await client.post("/api/v1/people", json={"name": "No handle"})
    assert nobody.status_code == 422
    bad = await client.post("/api/v1/people", json={"email": "not-an-email"})
    assert bad.status_code == 422
    patched = await client.patch(f"/api/v1/people/{person['id']}", json={"gitlab_username": "@bob"})
    assert patched.json()["gitlab_username"] == "bob"
    found = await client.get("/api/v1/people", params={"search": "EXAMPLE"})
    assert [p["id"] for p in found.json()] == [person["id"]]
    assert (await client.delete(f"/api/v1/people/{person['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/people/{person['id']}")).status_code == 404


async def test_a_github_login_is_created_updated_searched_and_unique_without_regard_to_case(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/api/v1/people", json={"name": "Octo", "github_login": "@OctoCat"})
    assert created.status_code == 201, created.text
    octo = created.json()
    assert octo["github_login"] == "OctoCat" and octo["email"] is None, "a login alone is an identity"
    other_case = await client.post("/api/v1/people", json={"name": "Copy", "github_login": "octocat"})
    assert other_case.status_code == 409 and "GitHub login" in other_case.text
    for bad in ("octo--cat", "-octocat", "octo_cat", "x" * 40):
        refused = await client.post("/api/v1/people", json={"name": "Bad", "github_login": bad})
        assert refused.status_code == 422, bad
        assert "not a GitHub login" in refused.text and "github_login" in refused.text
    bob = (await client.post("/api/v1/people", json={"name": "Bob", "email": "bob@example.com"})).json()
    assert bob["github_login"] is None
    patched = await client.patch(f"/api/v1/people/{bob['id']}", json={"github_login": "bob-gh"})
    assert patched.status_code == 200 and patched.json()["github_login"] == "bob-gh"
    bad_patch = await client.patch(f"/api/v1/people/{bob['id']}", json={"github_login": "bob-"})
    assert bad_patch.status_code == 422 and "not a GitHub login" in bad_patch.text
    taken = await client.patch(f"/api/v1/people/{bob['id']}", json={"github_login": "OCTOCAT"})
    assert taken.status_code == 409
    found = await client.get("/api/v1/people", params={"search": "octoc"})
    assert [p["id"] for p in found.json()] == [octo["id"]]
    found = await client.get("/api/v1/people", params={"search": "BOB-G"})
    assert [p["id"] for p in found.json()] == [bob["id"]]
    # Clearing the login of someone it alone identifies leaves nobody: refused.
    cleared = await client.patch(f"/api/v1/people/{octo['id']}", json={"github_login": None})
    assert cleared.status_code == 422 and "GitHub login" in cleared.text
    cleared = await client.patch(f"/api/v1/people/{bob['id']}", json={"github_login": ""})
    assert cleared.status_code == 200 and cleared.json()["github_login"] is None


async def test_the_csv_export_imports_back_and_an_old_csv_still_imports(client: httpx.AsyncClient) -> None:
    old_csv = "name,email,mobile,gitlab_username,feishu_id\nBob,bob@example.com,,bob,ou_bob\n"
    answer = await client.post(
        "/api/v1/people/import", content=old_csv.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.json() == {"created": 1, "updated": 0, "errors": []}
    with_logins = "name,github_login,slack_id\nAnn,OctoCat,U1\nBob again,bob-gh,\n"
    answer = await client.post(
        "/api/v1/people/import", content=with_logins.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.json() == {"created": 2, "updated": 0, "errors": []}, "no e-mail: Bob again is new"
    # A row that names a known GitHub login updates that person.
    update = "name,email,github_login\nAnn,ann@example.com,octocat\n"
    answer = await client.post(
        "/api/v1/people/import", content=update.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.json() == {"created": 0, "updated": 1, "errors": []}

    exported = await client.get("/api/v1/people/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "name,email,mobile,gitlab_username,github_login,feishu_id,slack_id"
    assert "Ann,ann@example.com,,,octocat,,U1" in lines
    before = (await client.get("/api/v1/people")).json()
    answer = await client.post(
        "/api/v1/people/import", content=exported.content, headers={"Content-Type": "text/csv"}
    )
    assert answer.json() == {"created": 0, "updated": 3, "errors": []}
    after = (await client.get("/api/v1/people")).json()
    unchanged = ("id", "name", "email", "mobile", "gitlab_username", "github_login", "platform_ids")
    assert [{k: p[k] for k in unchanged} for p in after] == [{k: p[k] for k in unchanged} for p in before]


async def test_people_need_an_admin_token(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/people", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401


async def test_csv_import_reports_each_bad_row(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/people", json={"name": "Old Bob", "email": "bob@example.com"})
    csv_text = (
        "name,email,mobile,gitlab_username,feishu_id\n"
        "Bob,bob@example.com,,bob,ou_bob\n"  # updates Old Bob
        "Carol,carol@example.com,+8613800000002,,\n"  # new
        "Bad,not-an-email,,,\n"  # line 4: invalid email
        ",,,,\n"  # blank: skipped silently
        "Nobody,,,,ou_x\n"  # line 6: no handle
        "Carol again,carol@example.com,,,\n"  # line 7: same person as line 3
    )
    answer = await client.post(
        "/api/v1/people/import", content=csv_text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["created"], report["updated"]) == (1, 1)
    assert [error["line"] for error in report["errors"]] == [4, 6, 7]
    assert "not an email" in report["errors"][0]["message"]
    assert "line 3" in report["errors"][2]["message"]
    people = {p["email"]: p for p in (await client.get("/api/v1/people")).json()}
    assert people["bob@example.com"]["name"] == "Bob"
    assert people["bob@example.com"]["platform_ids"] == {"feishu": "ou_bob"}
    assert people["carol@example.com"]["mobile"] == "+8613800000002"


async def test_csv_import_as_a_multipart_file_and_bad_headers(client: httpx.AsyncClient) -> None:
    files = {"file": ("people.csv", b"name,email\nDan,dan@example.com\n", "text/csv")}
    answer = await client.post("/api/v1/people/import", files=files)
    assert answer.json()["created"] == 1
    unknown = await client.post(
        "/api/v1/people/import", content=b"name,phone\nX,1\n", headers={"Content-Type": "text/csv"}
    )
    assert unknown.json()["errors"][0]["line"] == 1
    assert "phone" in unknown.json()["errors"][0]["message"]


async def test_an_im_app_is_validated_on_save_and_its_secret_never_returned(
    client: httpx.AsyncClient,
) -> None:
    server = FakeFeishu("cli_a1b2c3d4", "feishu-app-secret-value")
    async with server:
        url = "/api/v1/im-apps/feishu"
        wrong = await client.put(
            url,
            json={
                "credentials": {"app_id": "cli_a1b2c3d4", "app_secret": "wrong-secret"},
                "api_base_url": server.base_url,
            },
        )
        assert wrong.status_code == 422
        assert "not saved" in wrong.text
        assert (await client.get(url)).json()["configured"] is False
        saved = await client.put(
            url, json={"credentials": dict(server.credentials), "api_base_url": server.base_url}
        )
        assert saved.status_code == 200, saved.text
        assert server.calls.tokens == 1
        view = saved.json()
        assert view["configured"] and view["enabled"]
        assert view["fields"] == {"app_id": "cli_a1b2c3d4"}
        assert view["secrets_set"] == ["app_secret"]
        assert view["validated_at"] is not None
        # Change the base URL only: the stored secret is kept (and checked again).
        kept = await client.put(
            url, json={"credentials": {"app_id": "cli_a1b2c3d4"}, "api_base_url": server.base_url + "/"}
        )
        assert kept.status_code == 200, kept.text
        assert server.calls.tokens == 2
        everything = json.dumps(
            [
                saved.json(),
                kept.json(),
                (await client.get(url)).json(),
                (await client.get("/api/v1/im-apps")).json(),
            ]
        )
        assert "feishu-app-secret-value" not in everything
        assert (await client.delete(url)).status_code == 204
        assert (await client.get(url)).json()["configured"] is False


async def test_slack_scopes_are_checked_on_save(client: httpx.AsyncClient) -> None:
    server = FakeSlack("xoxb-1234-5678-abcdef", scopes="chat:write")
    async with server:
        answer = await client.put(
            "/api/v1/im-apps/slack",
            json={"credentials": dict(server.credentials), "api_base_url": server.base_url},
        )
        assert answer.status_code == 422
        assert "im:write" in answer.text
        server.scopes = "users:read,users:read.email,im:write,chat:write"
        answer = await client.put(
            "/api/v1/im-apps/slack",
            json={"credentials": dict(server.credentials), "api_base_url": server.base_url},
        )
        assert answer.status_code == 200, answer.text
        assert "xoxb-1234-5678-abcdef" not in answer.text


async def test_im_app_input_errors(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/im-apps/discord")).status_code == 404
    missing = await client.put("/api/v1/im-apps/wecom", json={"credentials": {"corp_id": "ww1"}})
    assert missing.status_code == 422
    assert "agent_id" in missing.text
    unknown = await client.put("/api/v1/im-apps/slack", json={"credentials": {"token": "x"}})
    assert unknown.status_code == 422
    server = FakeWeCom("ww0123456789", "1000002", "wecom-secret")
    async with server:
        saved = await client.put(
            "/api/v1/im-apps/wecom",
            json={"credentials": dict(server.credentials), "api_base_url": server.base_url, "enabled": False},
        )
        assert saved.status_code == 200
        assert saved.json()["enabled"] is False
        assert server.calls.tokens == 0, "a disabled app is not checked"
    listed = {app["platform"]: app for app in (await client.get("/api/v1/im-apps")).json()}
    assert set(listed) == {"slack", "feishu", "lark", "dingtalk", "wecom"}
    assert listed["wecom"]["fields"] == {"corp_id": "ww0123456789", "agent_id": "1000002"}


async def test_an_im_app_base_url_goes_only_where_webhooks_may(client: httpx.AsyncClient) -> None:
    """The app's credentials are sent to its base URL: never to a metadata address, a local port
    or another host (the test instance allows 127.0.0.1 as an extra host, as a private
    deployment would its own)."""
    credentials = {"app_id": "cli_a1b2c3d4", "app_secret": "feishu-app-secret-value"}
    for url in (
        "http://169.254.169.254/latest",
        "http://[::1]:6379",
        "https://user:pass@open.feishu.cn",
        "https://evil.example.com",
        "http://open.feishu.cn",  # its own host, but not over https
        "https://open.feishu.cn\\@evil.example",
    ):
        refused = await client.put(
            "/api/v1/im-apps/feishu",
            json={"credentials": credentials, "api_base_url": url},
            params={"validate": "false"},
        )
        assert refused.status_code == 422, (url, refused.text)
        assert "api_base_url" in refused.text
    own = await client.put(
        "/api/v1/im-apps/feishu",
        json={"credentials": credentials, "api_base_url": "https://open.feishu.cn/"},
        params={"validate": "false"},
    )
    assert own.status_code == 200, own.text


async def test_a_foreign_answer_is_not_echoed_in_the_refusal(client: httpx.AsyncClient) -> None:
    """What some other service on an allowed host answers is not handed back to whoever set the
    URL (an internal service's error page can carry its secrets)."""

    async def internal(_request: web.Request) -> web.Response:
        return web.Response(status=502, text="internal error: redis password=hunter2")

    async with answering_server(internal) as base_url:
        answer = await client.put(
            "/api/v1/im-apps/feishu",
            json={
                "credentials": {"app_id": "cli_a1b2c3d4", "app_secret": "feishu-app-secret-value"},
                "api_base_url": base_url,
            },
        )
    assert answer.status_code == 422
    assert "502" in answer.text
    assert "hunter2" not in answer.text
