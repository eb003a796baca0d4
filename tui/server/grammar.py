"""PostgREST's query-string grammar, parsed into plain data (no SQL here).

    select=*,commander:commander_id(id,name),responders!inner(*)
    status=in.(open,mitigated)&title=not.ilike.*db*&or=(a.eq.1,and(b.gt.2,c.is.null))
    order=severity_rank.asc,created_at.desc.nullslast&limit=50&offset=100
    responders.deleted_at=is.null&responders.order=created_at.desc   (filters on an embed)

Names are checked against the schema later (tui.server.query); here they are only text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import parse_error

OPERATORS = frozenset({"eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "in", "is"})
IS_VALUES = frozenset({"null", "not_null", "true", "false", "unknown"})
RESERVED = frozenset({"select", "order", "limit", "offset", "or", "and", "not.or", "not.and", "columns",
                      "on_conflict"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JSON_ARROW = "->>"
_FILTERED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(->>[A-Za-z0-9_-]+)?$")
"""A column a filter may name: a plain one, or one key of a JSON column as text (`labels->>team`)."""


@dataclass(frozen=True)
class Condition:
    """`column.op.value`: value is text, a tuple of texts for `in`, or an IS keyword."""

    column: str
    operator: str
    value: str | tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Logic:
    operator: str  # "and" | "or"
    children: tuple[Condition | Logic, ...]
    negated: bool = False


Filter = Condition | Logic


@dataclass(frozen=True)
class Order:
    column: str
    descending: bool = False
    nulls: str | None = None  # "first" | "last" | None (PostgreSQL's default for the direction)


@dataclass(frozen=True)
class Column:
    name: str
    alias: str | None = None

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class Count:
    """`count()` (rows per group) or `col.count()` (non-null values of col per group)."""

    column: str | None = None
    alias: str | None = None

    @property
    def key(self) -> str:
        return self.alias or "count"


@dataclass(frozen=True)
class Embed:
    name: str
    alias: str | None
    hint: str | None
    inner: bool
    items: tuple[Item, ...]

    @property
    def key(self) -> str:
        return self.alias or self.name


Item = Column | Count | Embed | str  # "*" is the only plain string


@dataclass
class Options:
    """Filters, order and paging for the top level or for one embed (by its path)."""

    filters: list[Filter] = field(default_factory=list)
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0


@dataclass
class Request:
    items: tuple[Item, ...]
    options: dict[tuple[str, ...], Options]
    """Keyed by embed path: () is the top level, ("hypotheses", "evidences") a nested embed."""

    @property
    def top(self) -> Options:
        return self.options.setdefault((), Options())


# -- splitting -------------------------------------------------------------------------------

def split_top(text: str, separator: str = ",") -> list[str]:
    """Split at separators outside parentheses and double quotes."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise parse_error(f'Unbalanced parentheses in "{text}"')
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    if depth or quoted:
        raise parse_error(f'Unbalanced parentheses or quotes in "{text}"')
    parts.append(text[start:])
    return parts


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _name(text: str, what: str) -> str:
    if not _NAME.match(text):
        raise parse_error(f'"{text}" is not a valid {what} name')
    return text


def _filtered(text: str) -> str:
    if not _FILTERED.match(text):
        raise parse_error(f'"{text}" is not a valid column name (or column->>key)')
    return text


# -- filters ---------------------------------------------------------------------------------

def parse_operation(column: str, text: str, *, in_tree: bool = False) -> Condition:
    """`[not.]op.value` for `column`, as in `status=not.in.(closed,cancelled)`.

    In a logic tree (`or=(title.ilike."*a,b*")`) a quoted pattern is unquoted too, as PostgREST
    does: that is how a pattern holds `,`, `.`, `(` or `)`."""
    negated = text.startswith("not.")
    if negated:
        text = text[4:]
    operator, dot, value = text.partition(".")
    if operator not in OPERATORS or not dot:
        raise parse_error(f'Unknown or malformed operator in "{column}={text}"',
                          details=f"Operators: {', '.join(sorted(OPERATORS))}, each as op.value, "
                                  "optionally after not.")
    if operator == "in":
        if not (value.startswith("(") and value.endswith(")")):
            raise parse_error(f'"in" needs a parenthesised list, as in {column}=in.(a,b)')
        inner = value[1:-1]
        return Condition(column, operator, tuple(unquote(v) for v in split_top(inner)) if inner else (), negated)
    if operator == "is" and value not in IS_VALUES:
        raise parse_error(f'"is" takes one of {", ".join(sorted(IS_VALUES))}; got "{value}"')
    quoted_pattern = in_tree and value.startswith('"')
    return Condition(column, operator, unquote(value) if operator not in ("like", "ilike") or quoted_pattern
                     else value, negated)


def parse_logic(operator: str, text: str, negated: bool = False) -> Logic:
    """The value of `or=` / `and=`: `(cond,cond,or(cond,…),not.and(…))`."""
    if not (text.startswith("(") and text.endswith(")")):
        raise parse_error(f'"{operator}" needs a parenthesised list, as in {operator}=(a.eq.1,b.eq.2)')
    children: list[Condition | Logic] = []
    for part in split_top(text[1:-1]):
        match = re.match(r"^(not\.)?(and|or)(\(.*\))$", part, re.S)
        if match:
            children.append(parse_logic(match[2], match[3], bool(match[1])))
            continue
        column, dot, rest = part.partition(".")
        if not dot:
            raise parse_error(f'"{part}" in {operator}=(…) is not column.operator.value')
        children.append(parse_operation(_filtered(column), rest, in_tree=True))
    return Logic(operator, tuple(children), negated)


# -- select ----------------------------------------------------------------------------------

def parse_select(text: str) -> tuple[Item, ...]:
    items: list[Item] = []
    for raw in split_top(text):
        part = raw.strip()
        if not part:
            raise parse_error(f'Empty item in select "{text}"')
        items.append(_select_item(part))
    return tuple(items)


_ITEM = re.compile(r"^(?:(?P<alias>[A-Za-z_][A-Za-z0-9_]*):)?(?P<body>.+)$", re.S)


def _select_item(part: str) -> Item:
    if part == "*":
        return "*"
    match = _ITEM.match(part)
    assert match is not None  # `.+` matches any non-empty text
    alias, body = match["alias"], match["body"]
    if body == "count()":
        return Count(None, alias)
    if body.endswith(".count()"):
        return Count(_name(body[:-8], "column"), alias)
    if "(" in body:
        if not body.endswith(")"):
            raise parse_error(f'Malformed embedded resource "{part}"')
        head, _, inner = body[:-1].partition("(")
        name, *marks = head.split("!")
        inner_join = "inner" in marks
        hints = [mark for mark in marks if mark not in ("inner", "left")]
        if len(hints) > 1:
            raise parse_error(f'At most one hint in "{part}"')
        items = parse_select(inner) if inner.strip() else ()
        return Embed(_name(name, "relationship"), alias, _name(hints[0], "hint") if hints else None,
                     inner_join, items)
    return Column(_name(body, "column"), alias)


# -- order and paging --------------------------------------------------------------------------

def parse_order(text: str) -> list[Order]:
    terms = []
    for part in split_top(text):
        name, *modifiers = part.strip().split(".")
        descending, nulls = False, None
        for modifier in modifiers:
            if modifier in ("asc", "desc"):
                descending = modifier == "desc"
            elif modifier in ("nullsfirst", "nullslast"):
                nulls = modifier[5:]
            else:
                raise parse_error(f'Unknown order modifier "{modifier}" in "{part}"',
                                  details="Use column.asc|desc.nullsfirst|nullslast")
        terms.append(Order(_name(name, "column"), descending, nulls))
    return terms


BIGINT_MAX = 2**63 - 1


def parse_count(name: str, text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > BIGINT_MAX:
        raise parse_error(f'"{name}" must be a non-negative integer below 2^63, not "{text}"')
    return int(text)


def parse_request(params: list[tuple[str, str]]) -> Request:
    """The whole query string of a read, update or delete."""
    request = Request(items=("*",), options={})
    for key, value in params:
        if key == "select":
            request.items = parse_select(value)
            continue
        *path, last = key.split(".") if not key.startswith("not.") else [key]
        if last in ("or", "and") and path and path[-1] == "not":  # responders.not.or=(…)
            path, last = path[:-1], f"not.{last}"
        options = request.options.setdefault(tuple(path), Options())
        if last == "order":
            options.order = parse_order(value)
        elif last == "limit":
            options.limit = parse_count(key, value)
        elif last == "offset":
            options.offset = parse_count(key, value)
        elif last in ("or", "and", "not.or", "not.and"):
            options.filters.append(parse_logic(last.removeprefix("not."), value, last.startswith("not.")))
        elif last in ("columns", "on_conflict"):
            continue  # write options, read by the write handler
        else:
            options.filters.append(parse_operation(_filtered(last), value))
    return request
