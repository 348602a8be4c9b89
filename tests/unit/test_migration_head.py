"""The newest revision read from the revision files as text (so that a start on an up-to-date
database needs no Alembic) agrees with Alembic, and gives up rather than guess."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from hookcast.store.migrate import alembic_config, read_head


def test_the_head_read_as_text_is_alembics() -> None:
    assert [read_head()] == ScriptDirectory.from_config(alembic_config()).get_heads()


def revision(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(f'"""{name}."""\n\n{body}\n', encoding="utf-8")


def test_a_chain_with_annotated_lines_has_its_last_revision_as_head(tmp_path: Path) -> None:
    revision(tmp_path, "0001_a", 'revision = "0001"\ndown_revision = None')
    revision(tmp_path, "0002_b", 'revision: str = "0002"\ndown_revision: str | None = "0001"')
    revision(tmp_path, "0003_c", "revision = '0003'\ndown_revision = '0002'")
    assert read_head(tmp_path) == "0003"


def test_two_heads_are_left_to_alembic(tmp_path: Path) -> None:
    revision(tmp_path, "0001_a", 'revision = "0001"\ndown_revision = None')
    revision(tmp_path, "0002_b", 'revision = "0002"\ndown_revision = "0001"')
    revision(tmp_path, "0002_c", 'revision = "0002c"\ndown_revision = "0001"')
    assert read_head(tmp_path) is None


def test_a_file_it_cannot_read_is_left_to_alembic(tmp_path: Path) -> None:
    revision(tmp_path, "0001_a", 'revision = "0001"\ndown_revision = None')
    revision(tmp_path, "0002_b", 'revision = "0002"\ndown_revision = ("0001", "0001b")')
    assert read_head(tmp_path) is None
    revision(tmp_path, "0002_b", 'REVISION = "0002"\nrevision = make()\ndown_revision = "0001"')
    assert read_head(tmp_path) is None
