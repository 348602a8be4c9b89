"""Inbound events: every source's route, generated from its declaration, served by one pipeline
(`pipeline.py`), authenticated as the source declares (`auth.py`), routed and documented in
`routes.py`."""
