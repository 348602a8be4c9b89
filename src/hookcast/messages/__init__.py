"""Rendering events into platform-neutral messages."""
