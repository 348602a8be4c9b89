"""Reading a people CSV: what the csv module cannot read is a row error, never an exception."""

from __future__ import annotations

from hookcast.services.people import csv_rows


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
