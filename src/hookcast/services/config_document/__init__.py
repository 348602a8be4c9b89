"""Configuration as code: a project's settings, webhooks (secrets left out, or sealed for this
instance) and silences (in force or to come) as one YAML / JSON document, exported and imported (diff first,
idempotent, in one transaction). See docs/config-as-code.md.

- `document`: the document's model, derived from the API models and the sections (`SECTIONS`),
  and its text (JSON / YAML), with problems named by their path;
- `sections`: what a section is (`Section`) and what it is handed (`Context`);
- `webhook_section`: the ``webhooks`` section;
- `silence_section`: the ``silences`` section (matched by conditions, window and comment);
- `diff`: what an import changes, compared from snapshots;
- `service`: export and import, for the API and the CLI.
"""
