"""Persistence: tables, engine, migrations and the queries the rest of hookcast needs."""
