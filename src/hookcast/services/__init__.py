"""Use cases shared by the REST API, the web UI and the CLI. No HTTP here: errors are values
or the exceptions defined in :mod:`hookcast.services.errors`."""
