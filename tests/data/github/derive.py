"""Writes tests/data/github/derived/: GitHub's examples with the one change a case needs that no
published example shows (a merged pull request, an approving review, a failed workflow run ...).

Each variant names its base example and every field it changes; run it again after updating the
examples (``python tests/data/github/derive.py``) and commit what it writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "derived"

Change = Callable[[dict[str, Any]], None]


def _merged(body: dict[str, Any]) -> None:
    pr = body["pull_request"]
    pr.update(merged=True, merged_at=pr["closed_at"], merged_by=body["sender"])


def _review(state: str) -> Change:
    def change(body: dict[str, Any]) -> None:
        body["review"]["state"] = state
        body["review"]["body"] = "Looks good to me." if state == "approved" else "Please add a test."

    return change


def _on_pull_request(body: dict[str, Any]) -> None:
    issue = body["issue"]
    base = issue["html_url"].replace("/issues/", "/pull/")  # GitHub links a pull request's issue so
    issue["html_url"] = base
    issue["pull_request"] = {
        "url": issue["url"].replace("/issues/", "/pulls/"),
        "html_url": base,
        "diff_url": base + ".diff",
        "patch_url": base + ".patch",
    }
    body["comment"]["html_url"] = body["comment"]["html_url"].replace("/issues/", "/pull/")


def _conclusion(conclusion: str) -> Change:
    def change(body: dict[str, Any]) -> None:
        body["workflow_run"]["conclusion"] = conclusion

    return change


def _closed_issue(body: dict[str, Any]) -> None:
    body["action"] = "closed"
    body["issue"].update(state="closed", closed_at=body["issue"]["updated_at"])


def _forced(body: dict[str, Any]) -> None:
    body.update(created=False, forced=True, before="b1e1c2bfa1b2c3d4e5f60718293a4b5c6d7e8f90")
    body["compare"] = body["compare"].replace("/commit/", "/compare/b1e1c2bfa1b2...")


def _failed_check(body: dict[str, Any]) -> None:
    body["check_run"]["conclusion"] = "failure"
    body["check_run"]["completed_at"] = "2019-05-15T15:23:40Z"


# derived file -> (base example, change)
VARIANTS: dict[str, tuple[str, Change]] = {
    "pull_request/merged.json": ("pull_request/closed.json", _merged),
    "pull_request_review/approved.json": ("pull_request_review/submitted.json", _review("approved")),
    "pull_request_review/changes_requested.json": (
        "pull_request_review/submitted.json",
        _review("changes_requested"),
    ),
    "issue_comment/on_pull_request.json": ("issue_comment/created.json", _on_pull_request),
    "issues/closed.json": ("issues/reopened.json", _closed_issue),
    "workflow_run/failure.json": ("workflow_run/completed.with-pull-requests.json", _conclusion("failure")),
    "workflow_run/cancelled.json": ("workflow_run/completed.json", _conclusion("cancelled")),
    "push/forced.json": ("push/with-new-branch.json", _forced),
    "check_run/failure.json": ("check_run/completed.json", _failed_check),
}


def main() -> None:
    for name, (base, change) in VARIANTS.items():
        body = json.loads((HERE / base).read_text(encoding="utf-8"))
        change(body)
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
