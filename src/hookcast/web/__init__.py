"""HTTP edges: inbound hooks, the management API, operations endpoints and the web UI."""
