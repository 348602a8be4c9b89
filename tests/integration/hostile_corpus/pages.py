"""Cases for the UI's forms and pages, static files, the operations routes and unknown routes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote_from_bytes

from tests.integration.hostile_corpus.values import (
    BAD_IDS,
    HOSTILE_STRINGS,
    KIB,
    Case,
    Seed,
    fill,
    headers_of,
    params_of,
)


def ui_cases(seed: Seed, routes: list[tuple[str, str]]) -> Iterator[Case]:
    posts = [p for m, p in routes if m == "POST" and p.startswith("/ui/")]
    form = {"content_type": "application/x-www-form-urlencoded"}
    signed_in = headers_of(
        cookie=f"hookcast_session={seed.session_cookie}; hookcast_csrf={seed.csrf_cookie}", **form
    )
    valid_csrf = f"csrf_token={seed.csrf_token}".encode()
    many = "&".join(f"f{i}=v" for i in range(1000)).encode()
    for path in posts:
        filled = fill(path, seed)
        yield Case("POST", filled, headers_of(**form), b"name=x", f"UI {path}: signed out")
        yield Case(
            "POST", filled, signed_in, b"name=x", f"UI {path}: no CSRF token", expect=frozenset({403, 303})
        )
        yield Case("POST", filled, signed_in, b"csrf_token=forged&name=x", f"UI {path}: a forged CSRF token")
        yield Case(
            "POST", filled, signed_in, "csrf_token=tökén".encode(), f"UI {path}: a non-ASCII CSRF token"
        )
        yield Case("POST", filled, signed_in, many, f"UI {path}: 1,000 fields, no CSRF token")
        yield Case("POST", filled, signed_in, b"\xff\xfe=\xff&%", f"UI {path}: undecodable form, no CSRF")
        for param in params_of(path):
            for what in ("over 64 bits", "negative", "text"):
                yield Case(
                    "POST",
                    fill(path, seed, **{param: BAD_IDS[what]}),
                    signed_in,
                    valid_csrf,
                    f"UI {path}: {param} {what}",
                )
    # With a valid CSRF token: hostile values reach the forms themselves.
    ui_writes = frozenset({"projects", "people", "api_tokens", "instance_settings"})
    for what, text in HOSTILE_STRINGS.items():
        encoded = quote_from_bytes(text.encode("utf-8", "surrogatepass")).encode()
        for path in ("/ui/projects", "/ui/people", "/ui/tokens"):
            yield Case(
                "POST",
                path,
                signed_in,
                valid_csrf + b"&name=" + encoded + b"&gitlab_username=" + encoded,
                f"UI {path}: name {what}",
                may_write=ui_writes,
            )
    yield Case(
        "POST",
        "/ui/projects",
        signed_in,
        valid_csrf + b"&" + many,
        "UI /ui/projects: 1,000 fields with a valid CSRF token",
        may_write=ui_writes,
    )
    yield Case(
        "POST",
        "/ui/settings",
        signed_in,
        valid_csrf + b"&language=klingon&public_url=javascript:alert(1)",
        "UI /ui/settings: unknown language, javascript URL",
        may_write=ui_writes,
    )
    yield Case(
        "POST",
        fill("/ui/projects/{project_id}/integrations/{platform_name}", seed, platform_name="myspace"),
        signed_in,
        valid_csrf + b"&url=https://example.com",
        "UI integrations: an unknown platform",
    )
    yield Case(
        "POST",
        "/ui/sign-in",
        headers_of(**form),
        b"username=admin'--&password=" + b"p" * (64 * KIB),
        "UI sign-in: SQL-ish user, 64 KiB password",
    )
    yield Case(
        "POST",
        "/ui/sign-in",
        headers_of(**form),
        "username=\u202eadmin&password=\x00&next=//evil.example/".encode(),
        "UI sign-in: bidi user, NUL password, off-site next",
    )
    for traversal in (
        "/ui/static/..%2f..%2fsettings.py",
        "/ui/static/%2e%2e%2f%2e%2e%2fapp.py",
        "/ui/static/.hidden.css",
        "/ui/static/hookcast.css%00.js",
        "/ui/static/..%5c..%5capp.py",
        "/ui/static/" + "a" * 5000 + ".css",
        "/guide/feishu/images/..%2f..%2f..%2fsettings.py",
        "/guide/feishu/images/%2e%2e",
        "/ui/static/%c0%ae%c0%ae%2fapp.py",
        "/docs/static/..%2fcore.py",
        "/docs/static/redoc.standalone.js",
        "/docs/static/" + "a" * 5000 + ".js",
    ):
        yield Case("GET", traversal, (), None, f"static path {traversal[:60]}", expect=frozenset({404, 400}))
    for page in (
        "/ui/preview?platform=myspace&kind=push",
        "/ui/preview?platform=slack&kind=%E2%80%AE&language=xx",
        "/ui/projects/9223372036854775808/deliveries?state=exploded",
        "/ui/deliveries/-1",
        "/ui/people/1.5",
    ):
        cookie = headers_of(cookie=f"hookcast_session={seed.session_cookie}")
        yield Case("GET", page, cookie, None, f"UI page {page}")


def operations_cases(seed: Seed) -> Iterator[Case]:
    for who, value in {
        "no token": None,
        "a wrong token": b"Bearer wrong",
        "a non-ASCII token": "Bearer tökén".encode(),
        "a latin-1 token": b"Bearer t\xf6ken",
        "a 64 KiB token": b"Bearer " + b"t" * (64 * KIB),
        "the admin token": f"Bearer {seed.admin_token}".encode(),
    }.items():
        headers = () if value is None else ((b"authorization", value),)
        yield Case("GET", "/metrics", headers, None, f"/metrics: {who}", expect=frozenset({401}))
    yield Case(
        "GET",
        "/metrics",
        headers_of(authorization=f"Bearer {seed.metrics_token}"),
        None,
        "/metrics: its token",
        expect=frozenset({200}),
    )
    for method in ("POST", "PUT", "DELETE"):
        yield Case(method, "/metrics", (), b"x", f"/metrics: {method}", expect=frozenset({405}))
        yield Case(method, "/healthz", (), b"x", f"/healthz: {method}", expect=frozenset({405}))
    yield Case("GET", "/healthz", ((b"x-padding", b"p" * (256 * KIB)),), None, "/healthz: a 256 KiB header")
    yield Case("GET", "/healthz?" + "a=1&" * 5000, (), None, "/healthz: 5,000 query parameters")
    for method, path in (
        ("GET", "/hooks/unknown"),
        ("POST", "/hooks/github"),
        ("POST", "/hooks/gitlab/extra"),
        ("GET", "/api/v2/projects"),
        ("POST", "/api/v1/unknown"),
        ("TRACE", "/healthz"),
        ("OPTIONS", "/api/v1/projects"),
        ("PROPFIND", "/ui/projects"),
        ("GET", "/%00"),
        ("GET", "/ui/" + "a/" * 2000),
        ("POST", "/docs"),
        ("POST", "/openapi.json"),
        ("GET", "/docs?url=https://evil.example/openapi.json&" + "x=1&" * 1000),
    ):
        yield Case(
            method,
            path,
            headers_of(authorization=f"Bearer {seed.admin_token}"),
            None,
            f"unknown: {method} {path[:40]}",
        )
