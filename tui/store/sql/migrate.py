"""Our schema's Alembic migrations, run in code (they ship inside the package)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    # Our migrations are one linear chain, so there is exactly one head.
    return cast(str, ScriptDirectory.from_config(alembic_config()).get_current_head())


def upgrade(connection: Connection) -> None:
    """Bring a database we created (or an empty one) to the newest revision, in one transaction."""
    command.upgrade(alembic_config(connection), "head")
