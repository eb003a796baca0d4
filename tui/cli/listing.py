"""`incidents list`: the filtered board without the TUI."""

from __future__ import annotations

import argparse
import json
import sys

from ..domain import format as fmt
from ..domain.clock import utcnow
from ..domain.enums import label
from ..domain.grammar import FilterError, parse_filter
from ..domain.models import UNREADABLE_MARK
from ..domain.query import DEFAULT_FILTER, Window
from ..store.base import Backend, Page
from .common import EXIT_USAGE, Commands, on_backend


def register(commands: Commands) -> None:
    parser = commands.add_parser("list", help="print the filtered board without the TUI")
    parser.add_argument("filter", nargs="?", default=DEFAULT_FILTER,
                        help=f'filter text, as in the TUI (default "{DEFAULT_FILTER}"; "" for all)')
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--limit", type=int, default=50, help="at most this many incidents (default 50)")
    parser.add_argument("--offset", type=int, default=0, help="skip this many first")
    parser.set_defaults(handler=on_backend(run_list))


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
