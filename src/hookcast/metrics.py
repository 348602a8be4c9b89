"""Prometheus metrics, exposed at ``/metrics``.

One `Metrics` per process, built by the composition root (``runtime.py``) on a registry of its
own: nothing is registered at import, so two apps in one process (the tests run many) never share
or collide on counters, and every part that counts is handed the object it counts on.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ATTEMPT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.gauges_read_at = float("-inf")  # monotonic time the queue gauges were last read
        registry = self.registry
        self.events_received = Counter(
            "hookcast_events_received_total",
            "Events accepted, by source and kind",
            ["source", "kind"],
            registry=registry,
        )
        self.events_rejected = Counter(
            "hookcast_events_rejected_total",
            "Inbound requests refused, by source and status",
            ["source", "status"],
            registry=registry,
        )
        self.attempts = Counter(
            "hookcast_delivery_attempts_total",
            "Delivery attempts, by platform and outcome",
            ["platform", "outcome"],
            registry=registry,
        )
        self.attempt_seconds = Histogram(
            "hookcast_delivery_attempt_seconds",
            "Duration of one delivery attempt",
            ["platform"],
            buckets=ATTEMPT_BUCKETS,
            registry=registry,
        )
        self.queue_depth = Gauge(
            "hookcast_queue_depth", "Deliveries waiting (pending or sending)", registry=registry
        )
        self.oldest_due_seconds = Gauge(
            "hookcast_oldest_due_seconds", "Age of the oldest due delivery", registry=registry
        )
        self.paused_webhooks = Gauge(
            "hookcast_paused_webhooks", "Webhooks paused after failures", registry=registry
        )
        self.digests_sent = Counter(
            "hookcast_digests_sent_total",
            "Digest messages sent, by platform",
            ["platform"],
            registry=registry,
        )

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
