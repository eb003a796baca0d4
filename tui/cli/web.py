"""`incidents web`: the same TUI in a browser, served by textual-serve.

Each browser tab that connects starts its own `incidents` process on the same database or
server, with the same options (the token travels in the environment, never on a command line
that `ps` shows). Loopback by default: whoever reaches the port acts as you.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys

from ..config import Settings
from ..domain import format as fmt
from .common import Commands, open_backend

LOOPBACK_NAMES = ("localhost",)


def register(commands: Commands) -> None:
    parser = commands.add_parser("web", help="serve the TUI to a web browser (textual-serve), on loopback by default")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; anyone who reaches it acts as you)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--public-url", metavar="URL",
                        help="the address browsers use, behind a proxy (default http://HOST:PORT)")
    parser.set_defaults(handler=run_web)


def run_web(args: argparse.Namespace, settings: Settings) -> int:
    from textual_serve.server import Server  # aiohttp and friends load only for this command

    open_backend(args, settings).close()  # says now, not in the browser, if the store cannot be used
    if not is_loopback(args.host):
        print(f"incidents: serving on {fmt.clean(args.host)}: anyone who can reach port {args.port} uses the "
              "board as you.", file=sys.stderr)
    if args.token:
        os.environ["INCIDENTS_TOKEN"] = args.token  # for the app processes; kept off their command line
    Server(app_command(args), host=args.host, port=args.port, title="incidents",
           public_url=args.public_url).serve()
    return 0


def app_command(args: argparse.Namespace) -> str:
    """The command line each browser tab's app runs: this same `incidents`, with the options that
    name the store (a demo reset happened once, above; each tab opens the demo as it is now)."""
    options: list[str] = []
    for flag, value in (("--db", args.db), ("--api", args.api), ("--ca-bundle", args.ca_bundle),
                        ("--config", str(args.config) if args.config else None)):
        if value:
            options += [flag, value]
    options += [flag for flag, given in (("--demo", args.demo or args.reset_demo), ("--create", args.create)) if given]
    return shlex.join([sys.executable, "-m", "tui.cli", *options])


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
