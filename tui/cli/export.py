"""`incidents export INC-12`: a postmortem draft (tui.domain.postmortem) as Markdown or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..domain.clock import utcnow
from ..domain.describe import incident_url
from ..domain.postmortem import markdown, postmortem
from ..store.base import Backend
from . import lookup
from .common import Commands, UsageError, on_backend


def register(commands: Commands) -> None:
    parser = commands.add_parser("export", help="write a postmortem draft of an incident (Markdown or JSON)")
    parser.add_argument("incident", help="INC-12, 12, or the incident's uuid")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown",
                        help="markdown for people (the default), json for tools")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write it to FILE instead of standard output")
    parser.set_defaults(handler=on_backend(run_export))


def run_export(args: argparse.Namespace, backend: Backend) -> int:
    detail = backend.get_incident(lookup.incident_id(backend, args.incident))
    frontend = args.settings.frontend_url
    draft = postmortem(detail, utcnow(), incident_url(frontend, detail.incident.id) if frontend else None)
    written = markdown(draft) if args.format == "markdown" else json.dumps(draft, indent=2) + "\n"
    if args.output is None:
        print(written, end="")
        return 0
    try:
        args.output.write_text(written, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}.") from None
    return 0
