"""`incidents list`: the filtered board without the TUI."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import textwrap
from collections.abc import Iterable

from ..domain import format as fmt
from ..domain.clock import utcnow
from ..domain.enums import label
from ..domain.grammar import FilterError, parse_filter
from ..domain.models import UNREADABLE_MARK, IncidentRow
from ..domain.query import DEFAULT_FILTER, Window
from ..store.base import Backend, Count
from .common import EXIT_USAGE, Commands, on_backend

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = ("incident_id", "title", "severity", "status", "type", "commander", "responders", "config_count",
               "check_count", "created_at", "updated_at", "id")


def register(commands: Commands) -> None:
    parser = commands.add_parser("list", help="print the filtered board without the TUI")
    parser.add_argument("filter", nargs="?", default=DEFAULT_FILTER,
                        help=f'filter text, as in the TUI (default "{DEFAULT_FILTER}"; "" for all)')
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table for people (the default), json or csv for scripts")
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="the same as --format json")
    parser.add_argument("--limit", type=int, default=50, help="at most this many incidents (default 50)")
    parser.add_argument("--offset", type=int, default=0, help="skip this many first")
    parser.set_defaults(handler=on_backend(run_list))


def print_rows(total: Count, offset: int, rows: Iterable[IncidentRow]) -> None:
    """Each row as it is read (a million of them in flat memory), then the count."""
    now, shown = utcnow(), 0
    for row in rows:
        created = fmt.age(row.created_at, now) if row.created_at else "?"
        title = fmt.one_line((UNREADABLE_MARK + " " if row.problems else "") + row.title, 60)
        print(f"{cell(row.incident_id, 10)} {cell(label(row.severity), 9)} {cell(label(row.status), 10)} "
              f"{cell(label(row.type), 15)} {created:>4}  {title:<60}  {fmt.clean(row.commander or '-')}")
        for problem in row.problems:
            print(f"incidents: {fmt.clean(row.incident_id)}: {fmt.clean(problem)}", file=sys.stderr)
        shown += 1
    listed = f"{offset + 1}-{offset + shown}" if shown else "none"
    print(f"-- {listed} of {total} incidents", file=sys.stderr)


def print_json_rows(total: Count, offset: int, rows: Iterable[IncidentRow]) -> None:
    """`{"total": …, "exact": …, "offset": …, "incidents": [...]}` as json.dumps(indent=2) lays it out,
    written row by row ("exact" false: at least "total"). json.dumps escapes C0 controls and
    (ensure_ascii) everything above 0x7f; DEL is left."""
    out = sys.stdout
    out.write(f'{{\n  "total": {total.value},\n  "exact": {json.dumps(total.exact)},\n'
              f'  "offset": {offset},\n  "incidents": [')
    separator = "\n"
    for row in rows:
        text = json.dumps(row.model_dump(mode="json"), indent=2).replace("\x7f", "\\u007f")
        out.write(separator + textwrap.indent(text, "    "))
        separator = ",\n"
    out.write("\n  ]\n}\n" if separator != "\n" else "]\n}\n")


def print_csv(total: Count, rows: Iterable[IncidentRow]) -> None:
    """A header and a row per incident; text cleaned as on the terminal, responders joined by `; `."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    shown = 0
    for row in rows:
        values = row.model_dump(mode="json")
        values["responders"] = "; ".join(values["responders"])
        writer.writerow(fmt.clean(str(values[column] if values[column] is not None else "")) for column in CSV_COLUMNS)
        shown += 1
    print(f"-- {shown} of {total} incidents", file=sys.stderr)


PRINTERS = {"table": print_rows, "json": print_json_rows, "csv": lambda total, offset, rows: print_csv(total, rows)}


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
    total = backend.list_incidents(query, Window(args.offset, 0)).count
    PRINTERS[args.format](total, args.offset, backend.iter_incidents(query, Window(args.offset, args.limit)))
    for notice in getattr(backend, "notices", ()):  # what a remote server lacks (API backend only)
        print(f"incidents: note: {fmt.clean(notice)}", file=sys.stderr)
    return 0
