"""The `incidents` command: the TUI, or subcommands for scripts and slow links.

Each command group is a module here with a `register(commands)` that adds its subparser and sets
its `handler` (see common.Handler); `main` parses, loads the settings and runs the handler, or the
TUI when no command is given."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import __version__
from ..config import Settings, load_settings
from ..domain import format as fmt
from ..saved_views import default_views_file
from . import changes, checks, config, database, export, listing, responders, rules, server, show, web
from .common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    USER_ERRORS,
    api_url,
    open_backend,
    report,
    shown_url,
    undecodable,
    wants_json,
    warn_about_exposed_files,
)

COMMAND_GROUPS = (database, listing, show, changes, responders, export, server, web, checks, rules, config)


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
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme (default: textual-dark; ansi-dark or ansi-light: the terminal's own "
                             "colours); ctrl+p changes it while running")
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (default: XDG config dir)")
    parser.add_argument("-p", "--profile", metavar="NAME",
                        help="use the [profiles.NAME] table of the settings file over its other settings "
                             "(default: INCIDENTS_PROFILE)")
    parser.add_argument("--read-only", action="store_true",
                        help="a wall screen or a viewer: no key changes anything (read_only in the settings)")
    parser.add_argument("--create", action="store_true",
                        help="create the SQLite database named by --db (or the config file) if it does not exist")
    commands = parser.add_subparsers(dest="command")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def run_tui(args: argparse.Namespace, settings: Settings) -> int:
    from ..app import IncidentApp  # Textual is only imported when the TUI runs
    from ..themes import DEFAULT_THEME, check_theme

    try:
        theme = check_theme(args.theme or settings.theme or DEFAULT_THEME)
    except ValueError as error:
        print(f"incidents: {error}", file=sys.stderr)
        return EXIT_USAGE
    backend = open_backend(args, settings)
    server_url = api_url(args, settings)
    try:
        IncidentApp(backend, keymap=settings.keymap, refresh_seconds=settings.refresh_seconds,
                    where=shown_url(server_url) if server_url else "", read_only=settings.read_only,
                    bell=settings.bell, views=settings.views, views_file=default_views_file(),
                    frontend_url=settings.frontend_url, theme=theme).run()
    finally:
        backend.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    bad = undecodable(argv)
    if bad is not None:
        print(f"incidents: the argument '{fmt.clean(bad)}' is not UTF-8 text; retype it.", file=sys.stderr)
        return EXIT_USAGE
    args = build_parser().parse_args(argv)
    if getattr(args, "database_only", False) and args.api:
        print(f"incidents: {args.command} works on a database (--db), not on a server (--api).", file=sys.stderr)
        return EXIT_USAGE
    handler = getattr(args, "handler", run_tui)
    try:
        settings = load_settings(args.config, profile=args.profile, flags=config.flag_settings(args))
        warn_about_exposed_files(args, settings)
        return handler(args, settings)
    except USER_ERRORS as error:
        return report(error, wants_json(args))
    except BrokenPipeError:
        # The reader stopped reading (`incidents list | head`): stop too, without a traceback; what
        # is still buffered for stdout goes nowhere rather than fail again when Python exits.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
