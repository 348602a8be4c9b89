"""Per-platform fakes: each module holds one platform's ``Dialect`` (what it checks, how it answers,
where its webhooks live), plugged into ``tests.fakes.platform_server``."""
