"""`make test` runs the suite in two pytest calls (every tier on pytest-xdist workers, then alone
the test of several processes under per-second limits): a test folder neither names would never
run.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_folder_is_run_by_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"\btests/(\w+)", recipe))
    folders = {path.parent.name for path in (ROOT / "tests").glob("*/test_*.py")}
    assert folders, "no test folders found"
    assert folders <= named, f"not run by make test: {sorted(folders - named)}"
