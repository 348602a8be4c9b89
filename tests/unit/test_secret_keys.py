"""The instance's keys: several at once (newest seals, every one opens), the key file written
whole and owner-only, and a box that reads the file again when a value opens with none of its
keys (a rotation made by another process)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hookcast.crypto import SecretBox
from hookcast.runtime import secret_box
from hookcast.secret_keys import KEY_FILE_NAME, KeySource, make_owner_only, parse_keys, replace_key_file
from hookcast.settings import Settings

OLD, NEW = Fernet.generate_key(), Fernet.generate_key()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets every file be read by all: the key file must not care."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_setting_holds_keys_newest_first_separated_by_commas() -> None:
    assert parse_keys(f" {NEW.decode()} , {OLD.decode()}", "HOOKCAST_SECRET_KEY") == [NEW, OLD]
    assert parse_keys(f"{NEW.decode()}\n\n{OLD.decode()}\n", "hookcast.key") == [NEW, OLD]


def test_a_bad_key_is_named_by_its_place_never_shown() -> None:
    with pytest.raises(ValueError, match="HOOKCAST_SECRET_KEY: key 2 is not a Fernet key") as raised:
        parse_keys(f"{NEW.decode()},not-a-key-at-all", "HOOKCAST_SECRET_KEY")
    assert "not-a-key-at-all" not in str(raised.value)
    with pytest.raises(ValueError, match="holds no key"):
        parse_keys(" , ", "HOOKCAST_SECRET_KEY")


def test_the_newest_key_seals_and_every_key_opens() -> None:
    sealed_before = SecretBox([OLD]).seal("before")
    box = SecretBox([NEW, OLD])
    assert box.open(sealed_before) == "before"
    assert not box.is_current(sealed_before)
    sealed_now = box.seal("now")
    assert box.is_current(sealed_now)
    assert SecretBox([NEW]).open(sealed_now) == "now"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox([NEW]).open(sealed_before)


def test_derived_keys_come_from_the_newest_key() -> None:
    assert SecretBox([NEW, OLD]).derived_key("csrf") == SecretBox([NEW]).derived_key("csrf")
    assert SecretBox([NEW, OLD]).derived_key("csrf") != SecretBox([OLD]).derived_key("csrf")


def test_the_key_file_is_made_and_replaced_owner_only(tmp_path: Path, open_umask: None) -> None:
    source = KeySource(None, tmp_path / "data" / KEY_FILE_NAME)
    (first,) = source.load_or_create()
    assert mode(source.path) == 0o600
    replace_key_file(source.path, [NEW, first])
    assert mode(source.path) == 0o600
    assert source.read() == [NEW, first]
    assert [p.name for p in source.path.parent.iterdir()] == [KEY_FILE_NAME]  # no temporary left


def test_a_key_file_readable_by_others_is_narrowed_at_start(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE_NAME
    path.write_bytes(OLD + b"\n")
    path.chmod(0o644)
    assert "readable by others" in KeySource(None, path).describe()
    secret_box(Settings(_env_file=None, data_dir=tmp_path))
    assert mode(path) == 0o600
    assert "mode 0600" in KeySource(None, path).describe()
    assert not make_owner_only(path)


def test_a_running_box_learns_a_rotation_from_the_key_file(tmp_path: Path) -> None:
    """A process started before a rotation opens what it re-sealed and seals with the new key."""
    path = tmp_path / KEY_FILE_NAME
    replace_key_file(path, [OLD])
    source = KeySource(None, path)
    box = SecretBox(source.read(), watch=source.watch())
    replace_key_file(path, [NEW, OLD])  # the rotation, in another process
    assert box.open(SecretBox([NEW]).seal("re-sealed")) == "re-sealed"
    assert SecretBox([NEW]).open(box.seal("from now on")) == "from now on"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        box.open(SecretBox([Fernet.generate_key()]).seal("never"))


def test_a_box_seals_with_the_new_key_before_meeting_a_resealed_value(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE_NAME
    replace_key_file(path, [OLD])
    source = KeySource(None, path)
    box = SecretBox(source.read(), watch=source.watch())
    csrf_before = box.derived_key("csrf")
    replace_key_file(path, [NEW, OLD])
    assert SecretBox([NEW]).is_current(box.seal("after the rotation"))
    assert box.derived_key("csrf") == SecretBox([NEW]).derived_key("csrf") != csrf_before
    path.write_text("damaged")  # a broken file is not taken: the keys held stay
    assert SecretBox([NEW]).is_current(box.seal("still"))


def test_keys_from_the_setting_are_not_watched() -> None:
    assert KeySource(f"{NEW.decode()},{OLD.decode()}", Path("/nonexistent") / KEY_FILE_NAME).watch() is None
