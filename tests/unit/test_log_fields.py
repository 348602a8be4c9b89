"""What a log line says of an error: its kind and where, never its text (which may quote data)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import IntegrityError

from hookcast.logs import error_fields, short_digest

SECRET = "hcsecret7f3a9cDONOTLOG"


def test_an_error_is_described_by_its_kind_not_its_text() -> None:
    fields = error_fields(ValueError(f"cannot read {SECRET}"))
    assert fields == {"error_type": "ValueError"}


def test_a_database_error_names_the_drivers_error_and_code_not_the_parameters() -> None:
    driver = sqlite3.IntegrityError("UNIQUE constraint failed")
    driver.sqlite_errorname = "SQLITE_CONSTRAINT_UNIQUE"  # type: ignore[attr-defined]
    error = IntegrityError("INSERT INTO events VALUES (?)", (SECRET,), driver)
    fields = error_fields(error)
    assert SECRET in str(error), "the text does carry the parameters"
    assert SECRET not in repr(fields)
    assert fields["error_type"] == "IntegrityError"
    assert fields["driver_error"] == "IntegrityError"
    assert fields["error_code"] == "SQLITE_CONSTRAINT_UNIQUE"


def test_a_key_is_logged_as_a_short_digest() -> None:
    assert short_digest(SECRET) != short_digest(SECRET + "x")
    assert len(short_digest(SECRET)) == 12 and SECRET not in short_digest(SECRET)
