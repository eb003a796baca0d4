"""`incidents checks report`: one health check result, stored locally or through a server; the
incident rules act on it at once (locally here, or on the server)."""

from __future__ import annotations

import argparse
import json
import sys

from ..domain import format as fmt
from ..domain.checks import CheckOutcome, report
from ..store.base import Backend
from .common import EXIT_USAGE, Commands, on_backend


def register(commands: Commands) -> None:
    checks = commands.add_parser("checks", help="report health check results (the incident rules act on them)")
    check_commands = checks.add_subparsers(dest="checks_command", required=True)
    reporting = check_commands.add_parser("report", help="store one result of a health check and run the rules")
    reporting.add_argument("name", help="the check's name")
    reporting.add_argument("--status", required=True, choices=("healthy", "unhealthy"))
    reporting.add_argument("--message", default="", help="what the check saw (the incident's description)")
    reporting.add_argument("--label", action="append", default=[], metavar="KEY=VALUE",
                           help="a label of the check (rules select checks by them); repeat for more")
    reporting.add_argument("--create", dest="create_check", action="store_true",  # not the global --create
                           help="create the check if there is none by that name")
    reporting.add_argument("--type", default="push", help="the type a created check gets (default push)")
    reporting.add_argument("--json", action="store_true", help="print what happened as JSON")
    reporting.set_defaults(handler=on_backend(run_report))


def labels_of(pairs: list[str]) -> dict[str, str]:
    """`team=payments` pairs; ValueError naming the one without `=`."""
    labels: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise ValueError(f"--label {pair!r} is not KEY=VALUE")
        labels[key.strip()] = value
    return labels


def run_report(args: argparse.Namespace, backend: Backend) -> int:
    try:
        result = report(name=args.name, status=args.status, message=args.message, labels=labels_of(args.label),
                        create=args.create_check, type=args.type)
    except ValueError as error:
        print(f"incidents: {fmt.clean(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    outcome = backend.report_check(result)
    if args.json:
        print(json.dumps(outcome.model_dump(mode="json"), indent=2))
    else:
        print(said(outcome))
    return 0


def said(outcome: CheckOutcome) -> str:
    """`checkout-api is unhealthy (created); opened INC-12.`"""
    parts = [f"{fmt.clean(outcome.name)} is {outcome.status.value}"
             + (" (created)" if outcome.created else "" if outcome.changed else " (unchanged)")]
    if outcome.opened:
        parts.append(f"opened {', '.join(outcome.opened)}")
    if outcome.reopened:
        parts.append(f"reopened {', '.join(outcome.reopened)}")
    return "; ".join(parts) + "."
