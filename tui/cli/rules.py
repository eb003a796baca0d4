"""`incidents rules apply|list|delete|run`: incident rules as YAML (Mission Control's
IncidentRule documents), and the rules' timer for local mode (a server runs its own)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..domain import format as fmt
from ..domain.rules import RuleDocument, RuleFileError, StoredRule, format_duration, parse_rule_file, to_yaml
from ..store.base import Backend
from .common import EXIT_USAGE, Commands, on_backend


def register(commands: Commands) -> None:
    rules = commands.add_parser("rules", help="incident rules: open incidents when health checks fail")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True)
    applying = rule_commands.add_parser("apply", help="create or update the rules in YAML files (by name)")
    applying.add_argument("files", nargs="+", type=Path, metavar="FILE.yaml", help="'-' reads standard input")
    applying.set_defaults(handler=on_backend(run_apply))
    listing = rule_commands.add_parser("list", help="the rules, by priority")
    shape = listing.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print JSON for scripts")
    shape.add_argument("--yaml", action="store_true", help="print the rules as YAML documents (apply them again)")
    listing.set_defaults(handler=on_backend(run_list))
    deleting = rule_commands.add_parser("delete", help="delete a rule (its incidents stay)")
    deleting.add_argument("name")
    deleting.set_defaults(handler=on_backend(run_delete))
    running = rule_commands.add_parser("run", help="resolve and close what the rules' timeouts say is due")
    running.add_argument("--every", type=float, metavar="SECONDS",
                         help="keep running, every SECONDS, until interrupted (the timer local mode needs)")
    running.set_defaults(handler=on_backend(run_timer))


def read_documents(files: list[Path]) -> list[RuleDocument]:
    """Every document of every file; RuleFileError names the file, the document and the field."""
    documents: list[RuleDocument] = []
    for path in files:
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "it is not UTF-8 text"
            raise RuleFileError(f"Cannot read {path}: {reason}.") from None
        documents += parse_rule_file(text, "standard input" if str(path) == "-" else str(path))
    names = [document.name for document in documents]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RuleFileError(f"The rule {twice[0]!r} is in more than one file; each name is one rule.")
    return documents


def run_apply(args: argparse.Namespace, backend: Backend) -> int:
    try:
        documents = read_documents(args.files)
    except RuleFileError as error:
        print(f"incidents: {fmt.clean(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    for applied in backend.apply_rules(documents):
        print(f"{applied.change:<9} {fmt.clean(applied.name)}")
    return 0


def run_list(args: argparse.Namespace, backend: Backend) -> int:
    rules = backend.list_rules()
    if args.json:
        print(json.dumps([rule.model_dump(mode="json") for rule in rules], indent=2))
    elif args.yaml:
        print(to_yaml(rule.document() for rule in rules if rule.problem() is None), end="")
    else:
        for rule in rules:
            print(describe(rule))
        print(f"-- {len(rules)} rules", file=sys.stderr)
    return 0


def describe(rule: StoredRule) -> str:
    """`checkout-down  priority 1  checks checkout-*  resolve after 10m  close after 24h  stop`"""
    problem = rule.problem()
    if problem is not None:
        return f"{fmt.clean(rule.name):<24} ⚠ cannot be used: {fmt.clean(problem)}"
    spec = rule.document().spec
    watched = ", ".join(selector.name for selector in spec.checks) or "every check"
    parts = [f"{fmt.clean(rule.name):<24}", f"priority {spec.priority:<3}", f"checks {fmt.one_line(watched, 30)}",
             f"resolve after {format_duration(spec.auto_resolve.timeout)}" if spec.auto_resolve else "no autoResolve",
             f"close after {format_duration(spec.auto_close.timeout)}" if spec.auto_close else "no autoClose"]
    if spec.break_on_match:
        parts.append("breakOnMatch")
    return "  ".join(parts)


def run_delete(args: argparse.Namespace, backend: Backend) -> int:
    backend.delete_rule(args.name)
    print(f"incidents: rule {fmt.clean(args.name.strip())!r} deleted; the incidents it opened stay.", file=sys.stderr)
    return 0


def run_timer(args: argparse.Namespace, backend: Backend) -> int:
    if args.every is not None and args.every <= 0:
        print("incidents: --every takes a number of seconds above 0", file=sys.stderr)
        return EXIT_USAGE
    while True:
        for line in backend.run_rules():
            print(fmt.clean(line), flush=True)
        if args.every is None:
            return 0
        try:
            time.sleep(args.every)
        except KeyboardInterrupt:
            return 0
