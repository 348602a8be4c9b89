"""Delivery: the outbox worker, the retry policy, the HTTP sender."""
