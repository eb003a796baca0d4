"""`incidents serve` and `incidents token …`: the HTTP API over a database, and its bearer tokens.
No one signs in here; each request names its actor."""

from __future__ import annotations

import argparse
import sys

from ..config import Settings
from ..domain.engine import TIMER_SECONDS
from ..domain.models import Identity
from .common import Commands, database_url, may_create


def register(commands: Commands) -> None:
    serving = commands.add_parser("serve", help="run the HTTP API (PostgREST-compatible) over the database")
    serving.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="database to serve")
    serving.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serving.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    serving.add_argument("--rules-interval", type=float, default=TIMER_SECONDS, metavar="SECONDS",
                         help=f"how often the incident rules' timeouts are run (default {TIMER_SECONDS:g}; 0: never)")
    serving.set_defaults(handler=run_server_command, database_only=True)
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
    tokens.set_defaults(handler=run_server_command, database_only=True)


def run_server_command(args: argparse.Namespace, settings: Settings) -> int:
    from ..server import serve, tokens
    from ..store.sql import open_sql_database

    url = database_url(args, settings)
    # Creating the first token is how a new server's database is set up; serving needs one.
    create = may_create(args, settings) or getattr(args, "token_command", None) == "create"
    if args.command == "serve":
        serve(url, args.host, args.port, create=create, rules_interval=args.rules_interval)
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
