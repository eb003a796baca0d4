"""`incidents config`: the effective settings, and where each came from (secrets masked)."""

from __future__ import annotations

import argparse
from typing import Any

from ..config import LAYERED, TABLES, Explained, Settings, explain_settings, masked
from ..domain import format as fmt
from .common import Commands


def register(commands: Commands) -> None:
    parser = commands.add_parser("config", help="show the effective settings and where each came from "
                                                "(default, file, profile, environment, flag)")
    parser.set_defaults(handler=run_config)


def flag_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gives (the top layer); None where it gives nothing."""
    return {"db": args.db, "api": args.api, "token": args.token, "ca_bundle": args.ca_bundle,
            "read_only": True if args.read_only else None}


def run_config(args: argparse.Namespace, settings: Settings) -> int:
    explained = explain_settings(args.config, profile=args.profile, flags=flag_settings(args))
    for line in describe(explained):
        print(fmt.clean(line))
    return 0


def describe(explained: Explained) -> list[str]:
    settings = explained.settings
    found = "" if explained.path.is_file() else "  (not found: every value is a default or from elsewhere)"
    profiles = ", ".join(settings.profiles) or "none"
    lines = [f"config file  {explained.path}{found}",
             f"profile      {explained.profile or '(none)'}   profiles in the file: {profiles}", ""]
    rows = [("setting", "value", "from")]
    for name in LAYERED:
        value = getattr(settings, name)
        if name in TABLES:
            rows += [(f"{name}.{key}", masked(name, entry), str(explained.origin(f"{name}.{key}")))
                     for key, entry in value.items()] or [(name, "(none)", "default")]
        else:
            rows.append((name, masked(name, value), str(explained.origin(name))))
    width = max(len(row[0]) for row in rows)
    value_width = min(max(len(row[1]) for row in rows), 50)
    return lines + [f"{key:<{width}}  {value:<{value_width}}  {origin}" for key, value, origin in rows]
