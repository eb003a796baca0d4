"""What every command shares: exit codes, choosing and opening the backend from the options,
and the server's URL as messages may show it."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError

from .. import known_databases
from ..config import ConfigError, Settings, data_dir, default_config_path, sqlite_url
from ..domain import format as fmt
from ..domain.lifecycle import LifecycleError
from ..domain.messages import sentences
from ..files import GROUP_AND_OTHERS, OTHERS, exposure
from ..store.base import Backend, BackendError, Conflict, Forbidden, NotFound, ReadOnly, Unavailable


class Exit(IntEnum):
    """The exit codes scripts may rely on (the README lists them)."""

    OK = 0
    FAILURE = 1
    """Anything not below; the message says what."""
    USAGE = 2
    """Bad options or values (argparse's own code), a bad filter, config file or form field."""
    NOT_FOUND = 3
    """No such incident, person, team, config, check or responder."""
    CONFLICT = 4
    """The incident changed since it was read (or since --expect-updated-at)."""
    REFUSED = 5
    """The lifecycle does not allow it (e.g. closing an open incident, changing a closed one)."""
    UNAVAILABLE = 6
    """The database or server cannot be reached, or answered nonsense; the database does not exist."""
    FORBIDDEN = 7
    """The token or role may not do it, or the database is open read-only."""


EXIT_USAGE = Exit.USAGE
EXIT_FAILURE = Exit.FAILURE


class UsageError(Exception):
    """A value on the command line we cannot use (an unknown severity, an ambiguous name)."""


_EXIT_OF: tuple[tuple[type[Exception], Exit], ...] = (
    (ConfigError, Exit.USAGE), (UsageError, Exit.USAGE), (ValidationError, Exit.USAGE),
    (NotFound, Exit.NOT_FOUND), (Conflict, Exit.CONFLICT), (LifecycleError, Exit.REFUSED),
    (Unavailable, Exit.UNAVAILABLE), (Forbidden, Exit.FORBIDDEN), (ReadOnly, Exit.FORBIDDEN),
)
USER_ERRORS = (ConfigError, UsageError, ValidationError, BackendError, LifecycleError)
"""What a command may fail with: a sentence and an exit code, never a traceback."""


def exit_code(error: Exception) -> Exit:
    return next((code for kind, code in _EXIT_OF if isinstance(error, kind)), Exit.FAILURE)


def report(error: Exception, as_json: bool) -> Exit:
    """The error as one line on stderr (and, for a script that asked for JSON, on stdout too)."""
    code = exit_code(error)
    message = sentences(error.errors()) if isinstance(error, ValidationError) else str(error)
    print(f"incidents: {fmt.clean(message)}", file=sys.stderr)
    if as_json:
        print_json({"error": {"exit_code": int(code), "kind": code.name.lower(), "message": fmt.clean(message)}})
    return code


def wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False)) or getattr(args, "format", None) == "json"


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts (errors too, on stdout)")


def read_text(value: str, what: str) -> str:
    """The text given, or with `-` all of standard input (its last newline dropped)."""
    if value != "-":
        return value
    try:
        return sys.stdin.read().removesuffix("\n")
    except UnicodeDecodeError:
        raise UsageError(f"the {what} on standard input is not UTF-8 text.") from None


def print_json(value: Any) -> None:
    # json.dumps escapes C0 controls and (ensure_ascii) everything above 0x7f; DEL is left.
    print(json.dumps(value, indent=2).replace("\x7f", "\\u007f"))

# A command's handler: the parsed options and the settings in, the exit code out.
Handler = Callable[[argparse.Namespace, Settings], int]
# A command that works on the backend the options name, opened for it and closed after.
BackendCommand = Callable[[argparse.Namespace, Backend], int]
# argparse's type for what add_subparsers returns; each command group registers itself on it.
Commands = argparse._SubParsersAction


def on_backend(run: BackendCommand) -> Handler:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        args.settings = settings  # for what a command shows beside the store's data (frontend_url)
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
    own = path if path is not None and not (args.demo or args.reset_demo or args.db or settings.db) else None
    asked = args.command == "init" or args.create
    if own is not None and args.is_new and not asked and known_databases.was_in_use(own):
        raise MissingDatabase(known_databases.gone_sentence(own))  # not silently re-created empty
    try:
        backend = open_sql_backend(url, settings.identity(), create=may_create(args, settings))
    except MissingDatabase as error:
        raise MissingDatabase(f"{error} To make a new one: incidents --db {path} init "
                              "(or add --create).") from None
    if own is not None:
        known_databases.remember(own)
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
