"""The outbox: everything that happens to a delivery row, in one place.

A delivery is born ``pending`` at intake (`enqueue`, with a ``NOTIFY`` on PostgreSQL), is
claimed by one worker (`claim`: ``sending`` with a lease and the worker's name), held while it
waits for its bot (`renew`), and ends with an attempt recorded and its next state (`record`):
``delivered``, ``failed``, ``dead``, or ``pending`` again for a retry. A worker that cannot send
it gives it back untouched (`give_back`); people queue it again (`requeue`). Whether a webhook's
rows may be claimed at all is its pause (`pauses`); while it is paused, how many may wait is
bounded, and the rest are born ``skipped`` (`backlog`).

What comes next after an answer is decided elsewhere (``delivery/policy.py``, pure); this package
only writes the decisions. The Feishu bot's own queues use the same claim primitive
(`claim_due`), over their tables.
"""

from hookcast.store.outbox.backlog import BACKLOG_FULL, Backlog, backlogs, bound
from hookcast.store.outbox.leases import claim_due, settle
from hookcast.store.outbox.pauses import is_paused, pause, resume, resume_recovered, still_paused
from hookcast.store.outbox.rows import (
    AttemptRow,
    Claimed,
    NextStep,
    claim,
    enqueue,
    give_back,
    new_delivery,
    record,
    release,
    renew,
    requeue,
    reschedule_held,
)
from hookcast.store.outbox.states import NOTIFY_CHANNEL, Channel, State, outcome_label

__all__ = [
    "BACKLOG_FULL",
    "NOTIFY_CHANNEL",
    "AttemptRow",
    "Backlog",
    "Channel",
    "Claimed",
    "NextStep",
    "State",
    "backlogs",
    "bound",
    "claim",
    "claim_due",
    "enqueue",
    "give_back",
    "is_paused",
    "new_delivery",
    "outcome_label",
    "pause",
    "record",
    "release",
    "renew",
    "requeue",
    "reschedule_held",
    "resume",
    "resume_recovered",
    "settle",
    "still_paused",
]
