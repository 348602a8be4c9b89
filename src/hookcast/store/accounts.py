"""Tables of the web UI: people who sign in and their sessions (filled by the UI work)."""
