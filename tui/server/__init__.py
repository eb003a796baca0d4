"""The HTTP API: `incidents serve` (see tui.server.app), over tui.store.sql."""

from __future__ import annotations

import logging

from ..domain.engine import TIMER_SECONDS
from ..store.sql import open_sql_database
from .app import create_app
from .rules import RuleTimer
from .tokens import require_tokens

__all__ = ["create_app", "serve"]


def serve(url: str, host: str, port: int, *, create: bool = False, rules_interval: float = TIMER_SECONDS) -> None:
    """Run the API on `host:port` over the database at `url` until interrupted, and the rules'
    timer every `rules_interval` seconds (0: never)."""
    import uvicorn

    database = open_sql_database(url, create=create)
    try:
        require_tokens(database)
    except BaseException:
        database.close()
        raise
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    timer = RuleTimer(database, rules_interval) if rules_interval > 0 else None
    if timer is not None:
        timer.start()
    try:
        uvicorn.run(create_app(database), host=host, port=port, access_log=False, log_level="info")
    finally:
        if timer is not None:
            timer.stop()
        database.close()
