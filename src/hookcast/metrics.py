"""Prometheus metrics, exposed at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_RECEIVED = Counter(
    "hookcast_events_received_total", "Events accepted, by source and kind", ["source", "kind"]
)
EVENTS_REJECTED = Counter(
    "hookcast_events_rejected_total", "Inbound requests refused, by source and status", ["source", "status"]
)
ATTEMPTS = Counter(
    "hookcast_delivery_attempts_total", "Delivery attempts, by platform and outcome", ["platform", "outcome"]
)
ATTEMPT_SECONDS = Histogram(
    "hookcast_delivery_attempt_seconds",
    "Duration of one delivery attempt",
    ["platform"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUEUE_DEPTH = Gauge("hookcast_queue_depth", "Deliveries waiting (pending or sending)")
OLDEST_DUE_SECONDS = Gauge("hookcast_oldest_due_seconds", "Age of the oldest due delivery")
PAUSED_WEBHOOKS = Gauge("hookcast_paused_webhooks", "Webhooks paused after failures")
DIGESTS_SENT = Counter("hookcast_digests_sent_total", "Digest messages sent, by platform", ["platform"])
