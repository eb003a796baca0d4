"""`incidents init`: create the database if it does not exist, and migrate it."""

from __future__ import annotations

import argparse

from ..store.base import Backend
from .common import Commands, on_backend


def register(commands: Commands) -> None:
    parser = commands.add_parser("init", help="create the database (--db, or your own) if it does not exist, "
                                              "and migrate it")
    parser.set_defaults(handler=on_backend(run_init))


def run_init(args: argparse.Namespace, backend: Backend) -> int:
    where = getattr(backend, "location", "")
    print(f"Created a new database at {where}." if args.is_new else f"The database at {where} is ready.")
    return 0
