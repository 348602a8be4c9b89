"""Where an instance keeps its data: the same place for the server and the CLI, wherever they are
started, unless a database is already in the current folder (installs from before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookcast.settings import Settings, default_data_dir, redact_url, sqlite_path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    return folder


def test_per_user_folder_by_default(cwd: Path, home: Path) -> None:
    assert default_data_dir({}, cwd, home) == home / ".local" / "share" / "hookcast"


def test_xdg_data_home_when_set(cwd: Path, home: Path, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    assert default_data_dir({"XDG_DATA_HOME": str(xdg)}, cwd, home) == xdg / "hookcast"


def test_a_relative_xdg_data_home_is_ignored(cwd: Path, home: Path) -> None:
    # The XDG Base Directory spec: relative paths are invalid and should be ignored.
    assert default_data_dir({"XDG_DATA_HOME": "rel"}, cwd, home) == home / ".local" / "share" / "hookcast"


def test_an_existing_database_in_the_current_folder_keeps_being_used(cwd: Path, home: Path) -> None:
    (cwd / "hookcast.db").write_bytes(b"")
    assert default_data_dir({"XDG_DATA_HOME": "/xdg"}, cwd, home) == cwd


def test_hookcast_data_dir_wins(cwd: Path, home: Path, tmp_path: Path) -> None:
    (cwd / "hookcast.db").write_bytes(b"")
    chosen = tmp_path / "chosen"
    assert default_data_dir({"HOOKCAST_DATA_DIR": str(chosen)}, cwd, home) == chosen
    assert default_data_dir({"HOOKCAST_DATA_DIR": "data"}, cwd, home) == cwd / "data"


def test_settings_put_the_database_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKCAST_DATABASE_URL", raising=False)
    monkeypatch.setenv("HOOKCAST_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'hookcast.db'}"
    assert settings.database_file == tmp_path / "data" / "hookcast.db"
    assert not (tmp_path / "data").exists(), "nothing is created when settings are read"


def test_settings_without_data_dir_use_the_per_user_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HOOKCAST_DATABASE_URL", "HOOKCAST_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path / "xdg" / "hookcast"


def test_an_explicit_database_url_wins(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://hookcast:pw@db/hookcast"
    settings = Settings(_env_file=None, database_url=url, data_dir=tmp_path)
    assert settings.database_url == url
    assert settings.database_file is None


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite+aiosqlite:////var/lib/hookcast/hookcast.db", Path("/var/lib/hookcast/hookcast.db")),
        ("sqlite+aiosqlite:///./hookcast.db", Path("hookcast.db")),
        ("sqlite+aiosqlite:////tmp/x.db?timeout=5", Path("/tmp/x.db")),
        ("sqlite+aiosqlite://", None),
        ("sqlite+aiosqlite:///:memory:", None),
        ("postgresql+asyncpg://db/hookcast", None),
    ],
)
def test_sqlite_path(url: str, path: Path | None) -> None:
    assert sqlite_path(url) == path


def test_passwords_are_redacted() -> None:
    assert redact_url("postgresql+asyncpg://bob:s3cr%40t@db:5432/hc?ssl=require") == (
        "postgresql+asyncpg://bob:***@db:5432/hc?ssl=require"
    )
    assert redact_url("postgresql+asyncpg://bob@db/hc") == "postgresql+asyncpg://bob@db/hc"
    assert redact_url("sqlite+aiosqlite:////srv/hookcast.db") == "sqlite+aiosqlite:////srv/hookcast.db"


def test_info_says_where_the_data_is_without_the_password(tmp_path: Path) -> None:
    from hookcast.cli.instance import describe

    url = "postgresql+asyncpg://hookcast:hunter2-secret@db/hookcast"
    text = describe(Settings(_env_file=None, database_url=url, data_dir=tmp_path, redis_url="redis://r"))
    assert "hunter2-secret" not in text
    assert "postgresql+asyncpg://hookcast:***@db/hookcast" in text
    assert f"data dir:   {tmp_path}" in text
    assert "redis:      yes" in text
    sqlite = describe(Settings(_env_file=None, data_dir=tmp_path))
    assert f"{tmp_path / 'hookcast.db'} (does not exist yet" in sqlite


def test_info_says_where_the_keys_are_how_many_and_never_shows_them(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    from hookcast.cli.instance import describe

    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    configured = describe(Settings(_env_file=None, data_dir=tmp_path, secret_key=f"{new},{old}"))
    assert "secret key: HOOKCAST_SECRET_KEY (2 keys, newest first)" in configured
    assert new not in configured and old not in configured
    key_file = tmp_path / "hookcast.key"
    key_file.write_text(new + "\n")
    key_file.chmod(0o640)
    kept = describe(Settings(_env_file=None, data_dir=tmp_path))
    assert f"secret key: {key_file} (1 key, mode 0640: readable by others" in kept
    assert new not in kept
