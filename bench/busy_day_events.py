"""One busy day of one project, as the webhooks GitLab and Alertmanager would send: a seeded,
deterministic sequence of real-shaped payloads built from the samples that ship with hookcast
(`hookcast.samples`), for `bench/busy_day.py`.

What is realistic about it:

- **Merge requests** (40 by default) each live a working day's life, in GitLab's own hook shapes:
  opened, a reviewer requested (an ``update`` whose ``changes.reviewers`` adds one, which GitLab
  sends and hookcast reads as ``review_requested``), 0-3 pushes of new commits (``update``
  with ``oldrev``), approved by the reviewer, then merged (about 80 %), closed (about 8 %) or
  still open when the day ends.
- **Pipelines** (about 150): one per push to a merge request's branch (``merge_request_event``),
  one per merge on the default branch (``push``), and a few scheduled ones; each sends
  ``running`` then ``success`` or ``failed``, as GitLab does on each status change. About a fifth
  of the merge request pipelines fail, and half of those are retried (the same pipeline running
  again, then passing: a flaky test). About one default-branch pipeline in seven fails, and stays
  broken until the next one on that branch passes (a ref broken, then fixed).
- **Pushes** to the default branch, one per merge.
- **One alert group flapping**: the same Alertmanager group (same ``groupKey``) firing and
  resolving about ten times during the day.
- **A few issues**: opened, some relabelled (``update``), some closed.

What is assumed (and would differ in a real project): one project, everyone in it a member, one
pipeline per push (no parent/child pipelines, no ``pending`` hook before ``running``), no job
hooks (they are not among the triggers a webhook gets by default, so they would change neither
column), no comments; feature-branch pushes are left out (the default branch filter drops them);
the events come in the order of their timestamps, and the benchmark sends them in a few seconds,
so every alert flap falls inside hookcast's flap window (on a real day, flaps more than an hour
apart would start a new card).

The day is generated at run time (its JSON is several MB): ``busy_day(seed)``.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hookcast.samples import get_sample

DAY = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
END_OF_DAY = DAY + timedelta(hours=11)
DEFAULT_BRANCH = "master"
PEOPLE = ("ann", "bob", "chen", "dora", "emil", "fang", "gus", "hana")


@dataclass(frozen=True, slots=True)
class Hook:
    """One webhook request: which route and header, its body, and what it is (for tallies)."""

    at: datetime
    source: str  # "gitlab" | "alertmanager"
    header: str | None  # X-Gitlab-Event
    kind: str  # merge_request, pipeline, push, issue, alert
    body: bytes


def _sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(get_sample(name).body())
    return loaded


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _user(index: int) -> dict[str, Any]:
    username = PEOPLE[index % len(PEOPLE)]
    return {
        "id": 100 + index % len(PEOPLE),
        "name": username.capitalize(),
        "username": username,
        "avatar_url": None,
        "email": f"{username}@example.com",
    }


class _Day:
    """The generator's state: the seeded random source, the templates, counters and the hooks."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.hooks: list[Hook] = []
        self.project = _sample("pipeline")["project"]  # one project for every GitLab hook
        self.templates = {name: _sample(name) for name in ("merge_request", "pipeline", "push", "issue")}
        self.pipeline_id = 5000
        self.master_broken = False

    def add(
        self, at: datetime, kind: str, header: str | None, body: dict[str, Any], source: str = "gitlab"
    ) -> None:
        if source == "gitlab":
            body["project"] = self.project
        self.hooks.append(Hook(at, source, header, kind, json.dumps(body).encode()))

    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    # --- merge requests ------------------------------------------------------------------

    def merge_request(
        self, iid: int, at: datetime, action: str, author: int, actor: int, **extra: Any
    ) -> None:
        body = copy.deepcopy(self.templates["merge_request"])
        attrs = body["object_attributes"]
        attrs.update(
            {
                "id": 9000 + iid,
                "iid": iid,
                "title": f"Change {iid}: tidy the order pipeline",
                "source_branch": f"feature/change-{iid}",
                "target_branch": DEFAULT_BRANCH,
                "author_id": _user(author)["id"],
                "created_at": _stamp(at),
                "updated_at": _stamp(at),
                "action": action,
                "state": {"merge": "merged", "close": "closed"}.get(action, "opened"),
                "url": f"{self.project['web_url']}/-/merge_requests/{iid}",
                "draft": False,
                "work_in_progress": False,
            }
        )
        attrs.pop("oldrev", None)
        attrs.update(extra.pop("attrs", {}))
        body["user"] = _user(actor)
        body["changes"] = extra.pop("changes", {})
        body["reviewers"] = extra.pop("reviewers", [])
        body["labels"] = []
        attrs["labels"] = []
        self.add(at, "merge_request", "Merge Request Hook", body)

    def pipeline(
        self,
        at: datetime,
        ref: str,
        passes: bool,
        actor: int,
        mr_iid: int | None,
        pipeline_id: int | None = None,
    ) -> int:
        """A pipeline's ``running`` and final hooks; returns its id (to retry it)."""
        if pipeline_id is None:
            self.pipeline_id += 1
            pipeline_id = self.pipeline_id
        duration = self.rng.randint(240, 900)
        finished = at + timedelta(seconds=duration)
        for status, moment in (("running", at), ("success" if passes else "failed", finished)):
            body = copy.deepcopy(self.templates["pipeline"])
            attrs = body["object_attributes"]
            attrs.update(
                {
                    "id": pipeline_id,
                    "iid": pipeline_id - 4000,
                    "name": None,
                    "ref": ref,
                    "sha": self.sha(),
                    "source": "merge_request_event" if mr_iid is not None else "push",
                    "status": status,
                    "created_at": _stamp(at),
                    "finished_at": _stamp(moment) if status != "running" else None,
                    "duration": duration if status != "running" else None,
                    "url": f"{self.project['web_url']}/-/pipelines/{pipeline_id}",
                }
            )
            body["user"] = _user(actor)
            if mr_iid is None:
                body["merge_request"] = None
            else:
                body["merge_request"].update(
                    {
                        "id": 9000 + mr_iid,
                        "iid": mr_iid,
                        "title": f"Change {mr_iid}: tidy the order pipeline",
                        "source_branch": ref,
                        "target_branch": DEFAULT_BRANCH,
                        "url": f"{self.project['web_url']}/-/merge_requests/{mr_iid}",
                    }
                )
            for build in body["builds"]:
                build["status"] = "running" if status == "running" else "success"
                build["failure_reason"] = None
            if status == "failed":
                failed = body["builds"][0]
                failed.update({"status": "failed", "failure_reason": "script_failure"})
            self.add(moment, "pipeline", "Pipeline Hook", body)
        return pipeline_id

    def mr_pipeline(self, at: datetime, iid: int, actor: int) -> datetime:
        """A merge request pipeline, maybe failing and retried; returns when it is over."""
        passes = self.rng.random() > 0.2
        pipeline_id = self.pipeline(at, f"feature/change-{iid}", passes, actor, iid)
        done = at + timedelta(minutes=15)
        if not passes and self.rng.random() < 0.5:  # a flaky test: retried, passes
            retry = done + timedelta(minutes=self.rng.randint(2, 20))
            self.pipeline(retry, f"feature/change-{iid}", True, actor, iid, pipeline_id)
            done = retry + timedelta(minutes=15)
        return done

    def master_pipeline(self, at: datetime, actor: int) -> None:
        passes = self.rng.random() > (1 / 7) if not self.master_broken else self.rng.random() > 0.3
        self.master_broken = not passes
        self.pipeline(at, DEFAULT_BRANCH, passes, actor, None)

    def push(self, at: datetime, actor: int, iid: int) -> None:
        body = copy.deepcopy(self.templates["push"])
        user = _user(actor)
        body.update(
            {
                "before": self.sha(),
                "after": self.sha(),
                "ref": f"refs/heads/{DEFAULT_BRANCH}",
                "user_name": user["name"],
                "user_username": user["username"],
                "user_email": user["email"],
                "total_commits_count": 1,
            }
        )
        commit = body["commits"][0]
        commit.update({"id": body["after"], "message": f"Merge branch 'feature/change-{iid}'"})
        commit["title"] = commit["message"]
        body["commits"] = [commit]
        self.add(at, "push", "Push Hook", body)

    def one_merge_request(self, iid: int) -> None:
        rng = self.rng
        author = rng.randrange(len(PEOPLE))
        reviewer = (author + rng.randint(1, len(PEOPLE) - 1)) % len(PEOPLE)
        at = DAY + timedelta(minutes=rng.randint(0, 8 * 60))
        self.merge_request(iid, at, "open", author, author)
        at = self.mr_pipeline(at + timedelta(minutes=1), iid, author)
        requested = at + timedelta(minutes=rng.randint(1, 20))
        self.merge_request(
            iid,
            requested,
            "update",
            author,
            author,
            changes={"reviewers": {"previous": [], "current": [_user(reviewer)]}},
            reviewers=[_user(reviewer)],
        )
        at = requested
        for _ in range(rng.choice((0, 1, 2, 2, 3))):  # review comments addressed: new commits
            at += timedelta(minutes=rng.randint(20, 90))
            self.merge_request(iid, at, "update", author, author, attrs={"oldrev": self.sha()})
            at = self.mr_pipeline(at + timedelta(minutes=1), iid, author)
        end = rng.random()
        if end < 0.08:
            self.merge_request(iid, at + timedelta(minutes=rng.randint(5, 60)), "close", author, author)
            return
        at += timedelta(minutes=rng.randint(10, 120))
        self.merge_request(iid, at, "approved", author, reviewer)
        if end > 0.88 or at > END_OF_DAY:  # still open when the day ends
            return
        at += timedelta(minutes=rng.randint(2, 30))
        self.merge_request(iid, at, "merge", author, reviewer)
        self.push(at, reviewer, iid)
        self.master_pipeline(at + timedelta(seconds=30), reviewer)

    # --- issues, alerts, scheduled pipelines --------------------------------------------

    def issue(
        self, iid: int, at: datetime, action: str, actor: int, changes: dict[str, Any] | None = None
    ) -> None:
        body = copy.deepcopy(self.templates["issue"])
        attrs = body["object_attributes"]
        attrs.update(
            {
                "id": 7000 + iid,
                "iid": iid,
                "title": f"Orders page slow for customer {iid}",
                "action": action,
                "state": "closed" if action == "close" else "opened",
                "created_at": _stamp(at),
                "updated_at": _stamp(at),
                "url": f"{self.project['web_url']}/-/issues/{iid}",
                "confidential": False,
            }
        )
        body["user"] = _user(actor)
        body["changes"] = changes or {}
        self.add(at, "issue", "Issue Hook", body)

    def one_issue(self, iid: int) -> None:
        rng = self.rng
        actor = rng.randrange(len(PEOPLE))
        at = DAY + timedelta(minutes=rng.randint(0, 9 * 60))
        self.issue(iid, at, "open", actor)
        if rng.random() < 0.5:
            labels = {"previous": [], "current": [{"id": 1, "title": "bug", "type": "ProjectLabel"}]}
            at += timedelta(minutes=rng.randint(5, 60))
            self.issue(iid, at, "update", (actor + 1) % len(PEOPLE), {"labels": labels})
        if rng.random() < 0.5:
            self.issue(iid, at + timedelta(minutes=rng.randint(30, 120)), "close", (actor + 2) % len(PEOPLE))

    def alert_flaps(self, flaps: int) -> None:
        firing, resolved = _sample("alertmanager"), _sample("alertmanager_resolved")
        resolved["groupKey"] = firing["groupKey"]
        at = DAY + timedelta(hours=1)
        for _ in range(flaps):
            at += timedelta(minutes=self.rng.randint(20, 50))
            self.add(at, "alert", None, copy.deepcopy(firing), "alertmanager")
            at += timedelta(minutes=self.rng.randint(3, 15))
            self.add(at, "alert", None, copy.deepcopy(resolved), "alertmanager")

    def scheduled_pipelines(self, count: int) -> None:
        for hour in range(count):
            self.pipeline(DAY + timedelta(hours=hour, minutes=45), DEFAULT_BRANCH, True, 0, None)


def busy_day(
    seed: int = 14, merge_requests: int = 40, issues: int = 6, flaps: int = 10, scheduled: int = 10
) -> list[Hook]:
    """The day's hooks in the order of their timestamps (stable for equal ones)."""
    day = _Day(seed)
    for iid in range(100, 100 + merge_requests):
        day.one_merge_request(iid)
    for iid in range(500, 500 + issues):
        day.one_issue(iid)
    day.alert_flaps(flaps)
    day.scheduled_pipelines(scheduled)
    return sorted(day.hooks, key=lambda hook: hook.at)


def tally(hooks: list[Hook]) -> dict[str, int]:
    """How many hooks of each kind; ``pipelines`` counts distinct pipelines."""
    counts: dict[str, int] = {}
    for hook in hooks:
        counts[hook.kind] = counts.get(hook.kind, 0) + 1
    counts["pipelines"] = len(
        {json.loads(hook.body)["object_attributes"]["id"] for hook in hooks if hook.kind == "pipeline"}
    )
    return counts
