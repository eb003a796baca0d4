"""What every command shares: exit codes, choosing and opening the backend from the options,
and the server's URL as messages may show it."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from ..config import ConfigError, Settings, data_dir, default_config_path, sqlite_url
from ..domain import format as fmt
from ..files import GROUP_AND_OTHERS, OTHERS, exposure
from ..store.base import Backend

EXIT_USAGE = 2
EXIT_FAILURE = 1

# A command's handler: the parsed options and the settings in, the exit code out.
Handler = Callable[[argparse.Namespace, Settings], int]
# A command that works on the backend the options name, opened for it and closed after.
BackendCommand = Callable[[argparse.Namespace, Backend], int]
# argparse's type for what add_subparsers returns; each command group registers itself on it.
Commands = argparse._SubParsersAction


def on_backend(run: BackendCommand) -> Handler:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        backend = open_backend(args, settings)
        try:
            return run(args, backend)
        finally:
            backend.close()
    return handler


def database_url(args: argparse.Namespace, settings: Settings) -> str:
    if args.demo or args.reset_demo:
        return sqlite_url(data_dir() / "demo.db")
    raw = args.db or settings.database_url()
    if "://" not in raw:
        return sqlite_url(Path(raw).expanduser().resolve())
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def may_create(args: argparse.Namespace, settings: Settings) -> bool:
    """Only the demo and the user's own default database appear by themselves; a database named
    on the command line or in the settings must exist, unless creating it is asked for."""
    named = not (args.demo or args.reset_demo) and bool(args.db or settings.db)
    return not named or args.create or args.command == "init"


def api_url(args: argparse.Namespace, settings: Settings) -> str | None:
    """The server to use, or None for a database. The command line wins over the settings; within
    either, naming both a server and a database is a mistake we do not guess our way out of."""
    local = [flag for flag, given in (("--db", args.db), ("--demo", args.demo), ("--reset-demo", args.reset_demo),
                                      ("--create", args.create)) if given]
    if args.api:
        if local:
            raise ConfigError(f"--api opens a server and {local[0]} a database: give one of them.")
        return args.api
    if local:
        return None
    if settings.api and settings.db:
        raise ConfigError("the config file or INCIDENTS_* environment sets both db and api: keep one, "
                          "or choose with --db or --api.")
    return settings.api or None


def checked_api_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number, a broken [ipv6] address
        usable = False
    if not usable:
        raise ConfigError(f"the server URL {fmt.clean(shown_url(url))!r} cannot be used; give http://host:port "
                          "or https://host.")


def shown_url(url: str) -> str:
    """The server's URL for the screen and messages: no user, password, query or fragment."""
    return re.sub(r"//[^/?#]*@", "//", url, count=1).split("?")[0].split("#")[0]


def open_remote(url: str, args: argparse.Namespace, settings: Settings) -> Backend:
    if args.command == "init":
        raise ConfigError("init creates a database; a server's database is created where it runs "
                          "(incidents --db URL init, then incidents serve).")
    checked_api_url(url)
    token = SecretStr(args.token) if args.token else settings.token
    ca_bundle = args.ca_bundle or settings.ca_bundle
    if ca_bundle and not Path(ca_bundle).expanduser().is_file():
        raise ConfigError(f"the CA bundle {fmt.clean(ca_bundle)} is not a file.")
    args.is_new = False
    from ..store.api import open_api_backend

    return open_api_backend(url, token.get_secret_value() if token else None,
                            str(Path(ca_bundle).expanduser()) if ca_bundle else None)


def open_backend(args: argparse.Namespace, settings: Settings) -> Backend:
    from ..store.sql import MissingDatabase, open_sql_backend, seed_demo

    server = api_url(args, settings)
    if server is not None:
        return open_remote(server, args, settings)
    url = database_url(args, settings)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if path is not None and args.reset_demo:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    args.is_new = path is not None and not path.exists()
    try:
        backend = open_sql_backend(url, settings.identity(), create=may_create(args, settings))
    except MissingDatabase as error:
        raise MissingDatabase(f"{error} To make a new one: incidents --db {path} init "
                              "(or add --create).") from None
    if args.is_new and (args.demo or args.reset_demo):
        seed_demo(backend)
    return backend


def undecodable(argv: list[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (Python keeps them as surrogates)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return os.fsencode(arg).decode("utf-8", "backslashreplace")
    return None


def warn_about_exposed_files(args: argparse.Namespace, settings: Settings) -> None:
    """One line on stderr for the config file, and for a SQLite database, if others may read it."""
    url = database_url(args, settings)
    database = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    warnings = [exposure(args.config or default_config_path(), "the config file", GROUP_AND_OTHERS),
                exposure(database, "the database", OTHERS) if database else None]
    for warning in filter(None, warnings):
        print(f"incidents: {fmt.clean(warning)}", file=sys.stderr)
