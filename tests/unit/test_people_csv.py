"""Reading a people CSV: what the csv module cannot read is a row error, never an exception."""

from __future__ import annotations

from hookcast.services.people_csv import csv_rows, csv_text
from hookcast.store.directory import PersonRow


def test_a_field_over_the_csv_modules_limit_is_a_row_error() -> None:
    rows, errors = csv_rows("name,gitlab_username\n" + "x" * 200_000 + ",ann\n")
    assert rows == []
    [error] = errors
    assert error.line == 2
    assert "field larger than field limit" in error.message


def test_a_header_the_csv_module_cannot_read_is_an_error_on_line_1() -> None:
    rows, errors = csv_rows('"' + "x" * 200_000 + '"\n')
    assert rows == []
    assert [e.line for e in errors] == [1]


def test_the_rows_before_an_unreadable_one_are_kept() -> None:
    rows, errors = csv_rows("name,gitlab_username\nAnn,ann\n" + "x" * 200_000 + ",bob\n")
    assert [person.gitlab_username for _, person in rows] == ["ann"]
    assert [e.line for e in errors] == [3]


def test_a_github_login_column_is_read_and_an_old_file_without_it_still_is() -> None:
    rows, errors = csv_rows("name,email,github_login\nAnn,,@OctoCat\nBob,bob@example.com,\n")
    assert errors == []
    assert [(p.name, p.github_login) for _, p in rows] == [("Ann", "OctoCat"), ("Bob", None)]
    old, errors = csv_rows("name,email,mobile,gitlab_username,feishu_id\nCy,cy@example.com,,cy,ou_cy\n")
    assert errors == [] and [(p.gitlab_username, p.github_login) for _, p in old] == [("cy", None)]


def test_a_bad_or_repeated_github_login_is_a_row_error() -> None:
    rows, errors = csv_rows("name,github_login\nAnn,octo--cat\nBob,octocat\nBob again,OCTOCAT\n")
    assert [p.name for _, p in rows] == ["Bob"]
    assert [e.line for e in errors] == [2, 4]
    assert "not a GitHub login" in errors[0].message and "line 3" in errors[1].message


def test_the_export_reads_back_as_the_same_people() -> None:
    directory = [
        PersonRow(id=1, name="Ann, the Octocat", github_login="OctoCat", platform_ids={"slack": "U1"}),
        PersonRow(id=2, name="Bob", email="bob@example.com", gitlab_username="bob", platform_ids={}),
        PersonRow(
            id=3, name='Cy "C"', mobile="+8613800000001", platform_ids={"feishu": "ou_cy", "slack": "U3"}
        ),
    ]
    text = csv_text(directory)
    assert text.splitlines()[0] == "name,email,mobile,gitlab_username,github_login,feishu_id,slack_id"
    rows, errors = csv_rows(text)
    assert errors == []
    exported = [
        (
            p.name,
            p.email,
            p.mobile,
            p.gitlab_username,
            p.github_login,
            {k.value: v for k, v in p.platform_ids.items()},
        )
        for _, p in rows
    ]
    assert exported == [
        (r.name, r.email, r.mobile, r.gitlab_username, r.github_login, r.platform_ids) for r in directory
    ]
