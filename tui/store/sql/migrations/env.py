"""Alembic environment: always online, on the connection `migrate()` passes in."""

from alembic import context

from tui.store.sql.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("incident-tui migrations run through tui.store.sql.migrate(), not the alembic CLI")

context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
