"""The worst hostile events through the pure path: parse -> route -> render -> encode.

An event is rendered in the worker, on the event loop: whatever it costs, every other delivery of
that process waits for it (and their leases run on meanwhile). This prints, per registered
platform, the slowest of the hostile events (both languages) and the largest body encoded, so a
change that lets the cost grow with the input shows here.

The events (each well under the default 4 MiB body cap, ``HOOKCAST_MAX_BODY_BYTES``):

- ``push``: a GitLab push whose ref, author name and username are 586 KiB each, with 300
  commits whose one-line messages are 6 KiB each;
- ``merge_request``: a GitLab merge request with a 586 KiB title, description and author name,
  and 2,000 labels;
- ``alerts``: an Alertmanager group of 400 alerts with 1 KiB names, labels and annotations, and
  586 KiB common summary and description;
- ``workflow``: an issue-workflow event with every field at the longest its schema accepts;
- ``stored_push``: the ``push`` as an older release stored it (nothing cut at parse time), read
  back as the worker does (from JSON, then cut: ``delivery/claimer.py``).

Run it from the checkout with its ``src`` first on the path (the virtual environment may hold
another checkout's code):

    PYTHONPATH=src .venv/bin/python bench/worst_case_render.py
    PYTHONPATH=src .venv/bin/python bench/worst_case_render.py --rounds 3 --platform teams
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from hookcast.events import Event, EventKind, Item, Person
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget
from hookcast.routing import BranchFilter, RouteRules, route
from hookcast.settings import Settings
from hookcast.sources import ParseResult
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.gitlab import parse_gitlab
from hookcast.sources.workflow import parse_workflow

try:
    from hookcast.sources.caps import capped
except ImportError:  # a checkout from before texts were cut at parse time: measured as it was

    def capped(event: Event) -> Event:  # type: ignore[misc]
        return event


HUGE = 586 * 1024  # the push that froze the process in the audit
BODY_CAP = Settings.model_fields["max_body_bytes"].default  # HOOKCAST_MAX_BODY_BYTES: 4 MiB
CONTEXT = EncodeContext(now=1700000000.0, idempotency_key="bench")
SECRET = "SECbench0123456789abcdef"
EVERY_KIND = RouteRules(active=True, triggers=frozenset(EventKind), branches_to_be_notified=BranchFilter.ALL)
# A second webhook that only wants protected branches: their patterns are matched against the ref.
PROTECTED_ONLY = RouteRules(
    active=True, triggers=frozenset(EventKind), branches_to_be_notified=BranchFilter.PROTECTED
)
PROTECTED_PATTERNS = ("main", "release/*", "*-stable", "*/hotfix-*-*")


def huge(letter: str, size: int = HUGE) -> str:
    """Text that escapes badly on every platform: markup characters and a mention among letters."""
    unit = f"{letter}*_[x](y)<b>@all "
    return (unit * (size // len(unit) + 1))[:size]


def push() -> tuple[str, bytes]:
    commits = [
        {
            "id": f"{n:040x}",
            "message": huge("m", 6 * 1024) + "\n\nbody",
            "url": f"https://gitlab.example.com/g/p/-/commit/{n:040x}",
            "author": {"name": huge("a", 512), "email": "a@example.com"},
        }
        for n in range(300)
    ]
    body = {
        "object_kind": "push",
        "ref": "refs/heads/" + huge("r"),
        "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
        "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        "user_name": huge("u"),
        "user_username": huge("n"),
        "project": {
            "name": "p",
            "path_with_namespace": "g/p",
            "web_url": "https://gitlab.example.com/g/p",
            "default_branch": "main",
        },
        "commits": commits,
        "total_commits_count": 300,
    }
    return "Push Hook", json.dumps(body).encode()


def merge_request() -> tuple[str, bytes]:
    body = {
        "object_kind": "merge_request",
        "user": {"name": huge("u"), "username": "u", "email": "u@example.com"},
        "project": {"name": "p", "path_with_namespace": "g/p", "web_url": "https://gitlab.example.com/g/p"},
        "object_attributes": {
            "iid": 7,
            "title": huge("t"),
            "description": huge("d"),
            "action": "open",
            "state": "opened",
            "source_branch": huge("s", 64 * 1024),
            "target_branch": "main",
            "url": "https://gitlab.example.com/g/p/-/merge_requests/7",
        },
        "labels": [{"title": f"label-{n}-" + huge("l", 128)} for n in range(2000)],
    }
    return "Merge Request Hook", json.dumps(body).encode()


def alerts() -> bytes:
    group = [
        {
            "status": "firing",
            "labels": {
                "alertname": huge("n", 1024),
                "severity": "critical",
                "instance": huge("i", 1024),
                **{f"label{k}": huge("v", 256) for k in range(4)},
            },
            "annotations": {"summary": huge("s", 1024), "description": huge("d", 1024)},
            "startsAt": "2024-05-01T10:00:00Z",
            "generatorURL": "https://prometheus.example.com/graph",
            "fingerprint": f"{n:016x}",
        }
        for n in range(400)
    ]
    body = {
        "version": "4",
        "status": "firing",
        "receiver": huge("r", 4096),
        "groupLabels": {f"g{k}": huge("g", 2048) for k in range(20)},
        "commonLabels": {"alertname": huge("c", 4096), "severity": "critical"},
        "commonAnnotations": {"summary": huge("s"), "description": huge("d")},
        "externalURL": "https://alertmanager.example.com",
        "alerts": group,
    }
    return json.dumps(body).encode()


def workflow() -> bytes:
    short, long = 1000, 20_000  # the schema's ShortText and LongText
    person = {"name": huge("p", short), "email": huge("e", short), "username": huge("u", short)}
    body = {
        "id": "evt-bench",
        "type": "issue.comment_created",
        "actor": person,
        "project": {
            "name": huge("j", short),
            "path": huge("q", short),
            "url": "https://tracker.example.com/t",
        },
        "issue": {
            "id": "42",
            "title": huge("t", short),
            "url": "https://tracker.example.com/t/42",
            "status": huge("s", short),
            "description": huge("d", long),
            "labels": [huge("l", short) for _ in range(100)],
            "creator": person,
            "assignee": person,
        },
        "stage": {"name": huge("g", short), "status": huge("h", short), "environment": huge("v", short)},
        "task": {"name": huge("k", short), "status": huge("w", short)},
        "change": {"field": huge("f", short), "from": huge("a", long), "to": huge("b", long)},
        "comment": {"body": huge("c", long), "url": "https://tracker.example.com/t/42#note-1"},
        "users": [{"role": "approver", **person} for _ in range(200)],
    }
    return json.dumps(body).encode()


def stored_push() -> str:
    """A hostile push as an older release stored it, before texts were cut at parse time: the
    worker renders stored events, so rendering must be bounded on its own."""
    parsed = parse_gitlab("Push Hook", push()[1])
    assert isinstance(parsed, Event)
    ref = "refs/heads/" + huge("r")
    items = tuple(Item(title=huge("m", 6 * 1024), id=f"{n:08x}", author=huge("a", 512)) for n in range(300))
    labels = tuple(huge("l", 128) for _ in range(2000))
    actor = Person(name=huge("u"), username=huge("n"))
    stored = parsed.model_copy(
        update={
            "ref": ref,
            "branch": ref[11:],
            "title": ref[11:],
            "actor": actor,
            "items": items,
            "labels": labels,
        }
    )
    return stored.model_dump_json()


def hostile_events() -> dict[str, Callable[[], ParseResult]]:
    push_header, push_body = push()
    mr_header, mr_body = merge_request()
    alert_body, workflow_body, stored = alerts(), workflow(), stored_push()
    for body in (push_body, mr_body, alert_body, workflow_body):
        assert len(body) <= BODY_CAP, f"a {len(body):,} byte body would be refused at the door"
    return {
        "push": lambda: parse_gitlab(push_header, push_body),
        "merge_request": lambda: parse_gitlab(mr_header, mr_body),
        "alerts": lambda: parse_alertmanager(alert_body),
        "workflow": lambda: parse_workflow(workflow_body),
        "stored_push": lambda: capped(Event.model_validate_json(stored)),  # as the worker reads it back
    }


EVENT_NAMES = ("push", "merge_request", "alerts", "workflow", "stored_push")


@dataclass
class Worst:
    ms: float = 0.0
    event: str = ""
    body_bytes: int = 0


def one_pass(
    parse: Callable[[], ParseResult], platform_name: PlatformName, language: str
) -> tuple[float, int]:
    """Milliseconds for parse -> route -> render -> encode of one event, and the body's size."""
    platform = PLATFORMS[platform_name]
    target = WebhookTarget(url=platform.example_url, secret=SECRET, settings=platform.example_settings)
    started = time.perf_counter()
    event = parse()
    if not isinstance(event, Event):
        raise SystemExit(f"a hostile event did not parse: {event}")
    chosen = route(event, [("every", EVERY_KIND), ("protected", PROTECTED_ONLY)], PROTECTED_PATTERNS)
    if "every" not in chosen:
        raise SystemExit(f"a hostile {event.kind} event was not routed")
    request = platform.encode(render(event, language), target, CONTEXT)
    return (time.perf_counter() - started) * 1000, len(request.body)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=1, help="best of this many passes per case")
    parser.add_argument("--platform", action="append", help="only these platforms (repeatable)")
    parser.add_argument(
        "--event", action="append", choices=EVENT_NAMES, help="only these events (repeatable)"
    )
    args = parser.parse_args()
    events = {name: parse for name, parse in hostile_events().items() if not args.event or name in args.event}
    print(f"{'platform':<12} {'worst ms':>9}  {'event':<14} {'language':<8} {'largest body':>12}  limit")
    total = 0.0
    for name, platform in PLATFORMS.items():
        if args.platform and name.value not in args.platform:
            continue
        worst, largest, worst_language = Worst(), 0, ""
        for event_name, parse in events.items():
            for language in LANGUAGES:
                passes = [one_pass(parse, name, language) for _ in range(args.rounds)]
                ms, size = min(passes)
                total += ms
                largest = max(largest, size)
                if ms > worst.ms:
                    worst = Worst(ms, f"{event_name}", size)
                    worst_language = language
        print(
            f"{name.value:<12} {worst.ms:>9.1f}  {worst.event:<14} {worst_language:<8} "
            f"{largest:>12,}  {platform.max_body_bytes:,}"
        )
    print(f"sum of the best passes over every platform, event and language: {total / 1000:.2f} s")


if __name__ == "__main__":
    main()
