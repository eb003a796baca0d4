"""Our schema's Alembic migrations, run in code (they ship inside the package).

Alembic is imported only when a database needs migrating: a start on a database already at the
newest revision reads its version with one query and compares it with the newest revision found
in the migration files (`head`), which costs no import of Alembic.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r'^revision = "(?P<id>[^"]+)"$', re.M)
_DOWN = re.compile(r'^down_revision = (?:"(?P<id>[^"]+)"|None)$', re.M)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision: the one no other migration revises (our migrations are one chain)."""
    revisions, revised = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is not None:
            revisions.add(found["id"])
        if down is not None and down["id"]:
            revised.add(down["id"])
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({', '.join(sorted(heads))}), not one chain")
    return heads.pop()


def current_revision(connection: Connection) -> str | None:
    """The revision a database of ours is at; None for one without our version table."""
    try:
        with connection.begin_nested():
            version: str | None = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None
    return version


def upgrade(connection: Connection) -> None:
    """Bring a database we created (or an empty one) to the newest revision, in one transaction."""
    from alembic import command

    command.upgrade(alembic_config(connection), "head")
