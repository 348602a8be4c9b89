"""Running the browser tests rewrites no tracked file: screenshots go to an ignored folder unless
``make screenshots`` asks for the README's pictures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, screenshots_dir


def test_screenshots_go_to_an_ignored_folder_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKCAST_SCREENSHOTS", raising=False)
    folder = screenshots_dir()
    assert folder == ROOT / "test-artifacts" / "screenshots"
    assert "test-artifacts/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert not folder.is_relative_to(ROOT / "docs")


def test_make_screenshots_asks_for_the_readme_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKCAST_SCREENSHOTS", "docs/screenshots")
    assert screenshots_dir() == ROOT / "docs" / "screenshots"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile[makefile.index("\nscreenshots:") :].split("\n\n")[0]
    assert "HOOKCAST_SCREENSHOTS=docs/screenshots" in target and "tests/browser" in target
    assert Path(ROOT / "docs" / "screenshots").is_dir()
