"""``hookcast people add|list|import|export`` through Typer's CliRunner, on a migrated SQLite
instance: the GitHub login is taken, checked, listed, searched, imported and exported."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_ui_cli import as_json, hookcast, instance

__all__ = ["instance"]  # the module's instance fixture (autouse there): used here too


def test_people_carry_a_github_login_through_the_cli(tmp_path: Path, instance: None) -> None:
    assert "--github-login" in hookcast("people", "add", "--help")
    hookcast("people", "add", "--name", "Octo", "--github-login", "@OctoCat")
    hookcast("people", "add", "--name", "Bob", "--email", "bob@example.com", "--gitlab-username", "bob")
    listed = as_json("people", "list")
    assert [(p["name"], p["github_login"]) for p in listed] == [("Octo", "OctoCat"), ("Bob", None)]
    assert [p["name"] for p in as_json("people", "list", "--search", "octoc")] == ["Octo"]
    assert "GitHub" in hookcast("people", "list") and "OctoCat" in hookcast("people", "list")
    hookcast("people", "add", "--name", "Bad", "--github-login", "octo--cat", code=2)
    hookcast("people", "add", "--name", "Same", "--github-login", "OCTOCAT", code=2)  # taken: any case

    exported = tmp_path / "people.csv"
    hookcast("people", "export", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert text == hookcast("people", "export")
    assert text.splitlines() == [
        "name,email,mobile,gitlab_username,github_login",
        "Octo,,,,OctoCat",
        "Bob,bob@example.com,,bob,",
    ]
    more = tmp_path / "more.csv"
    more.write_text("name,email,github_login\nBobby,bob@example.com,bob-gh\nCy,,cy-gh\n", encoding="utf-8")
    assert "1 created, 1 updated, 0 row(s) skipped" in hookcast("people", "import", str(more))
    assert [(p["name"], p["github_login"]) for p in as_json("people", "list")] == [
        ("Octo", "OctoCat"),
        ("Bobby", "bob-gh"),
        ("Cy", "cy-gh"),
    ]
