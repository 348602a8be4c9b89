"""Tables of the user directory and the IM apps (filled by the direct-messages work)."""
