"""The HTTP API: `incidents serve` (see tui.server.app), over tui.store.sql."""

from __future__ import annotations

import logging

from ..store.sql import open_sql_database
from .app import create_app
from .tokens import require_tokens

__all__ = ["create_app", "serve"]


def serve(url: str, host: str, port: int, *, create: bool = False) -> None:
    """Run the API on `host:port` over the database at `url` until interrupted."""
    import uvicorn

    database = open_sql_database(url, create=create)
    try:
        require_tokens(database)
    except BaseException:
        database.close()
        raise
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        uvicorn.run(create_app(database), host=host, port=port, access_log=False, log_level="info")
    finally:
        database.close()
