"""The `incidents` command: the TUI, or `incidents list` for scripts and slow links."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from . import __version__
from .config import ConfigError, Settings, data_dir, default_config_path, load_settings, sqlite_url
from .domain import format as fmt
from .domain.clock import utcnow
from .domain.enums import label
from .domain.grammar import FilterError, parse_filter
from .domain.models import UNREADABLE_MARK, Identity
from .domain.query import DEFAULT_FILTER, Window
from .files import GROUP_AND_OTHERS, OTHERS, exposure
from .store.base import Backend, BackendError, Page

EXIT_USAGE = 2
EXIT_FAILURE = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incidents", description="Triage Mission Control incidents from the terminal.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", metavar="URL",
                        help="database to open: sqlite:///path.db, postgresql://user@host/db, or a .db file path "
                             "(default: your own SQLite database under the XDG data directory)")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo database (created with realistic sample data on first use)")
    parser.add_argument("--reset-demo", action="store_true", help="recreate the demo database from scratch")
    parser.add_argument("--api", metavar="URL",
                        help="use the incidents server at URL (incidents serve, or Mission Control) instead of a "
                             "database")
    parser.add_argument("--token", metavar="TOKEN",
                        help="the server's bearer token (INCIDENTS_TOKEN or the config file keep it out of ps)")
    parser.add_argument("--ca-bundle", metavar="FILE",
                        help="PEM file of CA certificates to verify the server with (default: the system's)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (default: XDG config dir)")
    parser.add_argument("--create", action="store_true",
                        help="create the SQLite database named by --db (or the config file) if it does not exist")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("init", help="create the database (--db, or your own) if it does not exist, and migrate it")
    listing = commands.add_parser("list", help="print the filtered board without the TUI")
    listing.add_argument("filter", nargs="?", default=DEFAULT_FILTER,
                         help=f'filter text, as in the TUI (default "{DEFAULT_FILTER}"; "" for all)')
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.add_argument("--limit", type=int, default=50, help="at most this many incidents (default 50)")
    listing.add_argument("--offset", type=int, default=0, help="skip this many first")
    serving = commands.add_parser("serve", help="run the HTTP API (PostgREST-compatible) over the database")
    serving.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="database to serve")
    serving.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serving.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    tokens = commands.add_parser("token", help="create, list or revoke the API's bearer tokens")
    tokens.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="database the server uses")
    token_commands = tokens.add_subparsers(dest="token_command", required=True)
    creating = token_commands.add_parser("create", help="create a token and print it (only this once)")
    creating.add_argument("--name", required=True, help="a name to list and revoke it by")
    creating.add_argument("--role", required=True, help="admin, commander, responder or viewer")
    creating.add_argument("--person", metavar="EMAIL",
                          help="the person it acts as (default: you, from the settings)")
    token_commands.add_parser("list", help="list tokens (names, roles, people; never secrets)")
    revoking = token_commands.add_parser("revoke", help="revoke a token by name")
    revoking.add_argument("name")
    return parser


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
    from .store.api import open_api_backend

    return open_api_backend(url, token.get_secret_value() if token else None,
                            str(Path(ca_bundle).expanduser()) if ca_bundle else None)


def open_backend(args: argparse.Namespace, settings: Settings) -> Backend:
    from .store.sql import MissingDatabase, open_sql_backend, seed_demo

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


def run_init(args: argparse.Namespace, backend: Backend) -> int:
    where = getattr(backend, "location", "")
    print(f"Created a new database at {where}." if args.is_new else f"The database at {where} is ready.")
    return 0


def print_page(page: Page, as_json: bool) -> None:
    if as_json:
        rows = [row.model_dump(mode="json") for row in page.rows]
        # json.dumps escapes C0 controls and (ensure_ascii) everything above 0x7f; DEL is left.
        print(json.dumps({"total": page.total, "offset": page.offset, "incidents": rows}, indent=2)
              .replace("\x7f", "\\u007f"))
        return
    now = utcnow()
    for row in page.rows:
        created = fmt.age(row.created_at, now) if row.created_at else "?"
        title = fmt.one_line((UNREADABLE_MARK + " " if row.problems else "") + row.title, 60)
        print(f"{cell(row.incident_id, 10)} {cell(label(row.severity), 9)} {cell(label(row.status), 10)} "
              f"{cell(label(row.type), 15)} {created:>4}  {title:<60}  {fmt.clean(row.commander or '-')}")
        for problem in row.problems:
            print(f"incidents: {fmt.clean(row.incident_id)}: {fmt.clean(problem)}", file=sys.stderr)
    shown = f"{page.offset + 1}-{page.offset + len(page.rows)}" if page.rows else "none"
    print(f"-- {shown} of {page.total} incidents", file=sys.stderr)


def cell(text: str, width: int) -> str:
    """Stored text, cleaned, padded to `width` (longer text is kept whole, as before)."""
    return f"{fmt.clean(text):<{width}}"


def run_list(args: argparse.Namespace, backend: Backend) -> int:
    if args.limit < 1 or args.offset < 0:
        print("incidents: --limit must be at least 1 and --offset at least 0", file=sys.stderr)
        return EXIT_USAGE
    try:
        query = parse_filter(args.filter)
    except FilterError as error:
        print(f"incidents: bad filter: {fmt.clean(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    print_page(backend.list_incidents(query, Window(args.offset, args.limit)), args.json)
    for notice in getattr(backend, "notices", ()):  # what a remote server lacks (API backend only)
        print(f"incidents: note: {fmt.clean(notice)}", file=sys.stderr)
    return 0


def run_tui(settings: Settings, backend: Backend, server: str | None) -> int:
    from .app import IncidentApp  # Textual is only imported when the TUI runs

    IncidentApp(backend, keymap=settings.keymap, refresh_seconds=settings.refresh_seconds,
                where=shown_url(server) if server else "").run()
    return 0


def undecodable(argv: list[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (Python keeps them as surrogates)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return os.fsencode(arg).decode("utf-8", "backslashreplace")
    return None


def run_server_command(args: argparse.Namespace, settings: Settings) -> int:
    """`incidents serve` and `incidents token …`: no one signs in, each request names its actor."""
    from .server import serve, tokens
    from .store.sql import open_sql_database

    url = database_url(args, settings)
    # Creating the first token is how a new server's database is set up; serving needs one.
    create = may_create(args, settings) or getattr(args, "token_command", None) == "create"
    if args.command == "serve":
        serve(url, args.host, args.port, create=create)
        return 0
    database = open_sql_database(url, create=create)
    try:
        if args.token_command == "create":
            role = tokens.parse_role(args.role)
            person = _person(args.person) if args.person else settings.identity()
            print(tokens.create_token(database, args.name, role, person))
            print(f"incidents: token {args.name!r} ({role.value}, acting as {person.email or person.name}) created; "
                  "it is shown only this once.", file=sys.stderr)
        elif args.token_command == "list":
            for token in tokens.list_tokens(database):
                print(f"{token.name:<20} {token.role.value:<10} {token.person.email or token.person.name:<30} "
                      f"{token.created_at:%Y-%m-%d %H:%M}")
        else:
            tokens.revoke_token(database, args.name)
            print(f"incidents: token {args.name!r} revoked.", file=sys.stderr)
    finally:
        database.close()
    return 0


def _person(email: str) -> Identity:
    return Identity(name=email.split("@")[0] if "@" in email else email, email=email if "@" in email else None)


def warn_about_exposed_files(args: argparse.Namespace, settings: Settings) -> None:
    """One line on stderr for the config file, and for a SQLite database, if others may read it."""
    url = database_url(args, settings)
    database = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    warnings = [exposure(args.config or default_config_path(), "the config file", GROUP_AND_OTHERS),
                exposure(database, "the database", OTHERS) if database else None]
    for warning in filter(None, warnings):
        print(f"incidents: {fmt.clean(warning)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    bad = undecodable(argv)
    if bad is not None:
        print(f"incidents: the argument '{fmt.clean(bad)}' is not UTF-8 text; retype it.", file=sys.stderr)
        return EXIT_USAGE
    args = build_parser().parse_args(argv)
    if args.command in ("serve", "token"):
        if args.api:
            print(f"incidents: {args.command} works on a database (--db), not on a server (--api).", file=sys.stderr)
            return EXIT_USAGE
        try:
            settings = load_settings(args.config)
            warn_about_exposed_files(args, settings)
            return run_server_command(args, settings)
        except (ConfigError, BackendError) as error:
            print(f"incidents: {fmt.clean(str(error))}", file=sys.stderr)
            return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILURE
    try:
        settings = load_settings(args.config)
        warn_about_exposed_files(args, settings)
        backend = open_backend(args, settings)
    except (ConfigError, BackendError) as error:
        print(f"incidents: {fmt.clean(str(error))}", file=sys.stderr)
        return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILURE
    try:
        if args.command == "init":
            return run_init(args, backend)
        if args.command == "list":
            return run_list(args, backend)
        return run_tui(settings, backend, api_url(args, settings))
    except BackendError as error:
        print(f"incidents: {fmt.clean(str(error))}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        backend.close()


if __name__ == "__main__":
    sys.exit(main())
