"""Text from a query string or JSON from a body, as the Python value a column takes; and row
values as JSON. Wrong types are 400s with PostgreSQL's own wording (22P02)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ColumnElement, DateTime, Integer, TypeDecorator, Uuid

from ..domain import clock
from .errors import ApiError, bad_body, bad_value

NOW = "now()"
"""What PostgreSQL (and so Mission Control's web UI) accepts for the current time."""


def kind_of(expression: ColumnElement) -> str:
    """The PostgreSQL type name a column's values have."""
    kind = expression.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Uuid):
        return "uuid"
    if isinstance(kind, DateTime):
        return "timestamptz"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, JSON):
        return "jsonb"
    return "text"


def is_json(expression: ColumnElement) -> bool:
    return kind_of(expression) == "jsonb"


def parse_instant(text: str) -> datetime:
    """ISO 8601; a `+` decoded to a space in a query string is read as the `+` it was."""
    if text.strip().lower() == NOW:
        return clock.utcnow()
    candidate = text.strip().replace("Z", "+00:00")
    if len(candidate) > 6 and candidate[-6] == " " and candidate[-3] == ":":
        candidate = candidate[:-6] + "+" + candidate[-5:]
    try:
        value = datetime.fromisoformat(candidate)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):  # not a time, or one UTC cannot hold (year 9999 at -05:00)
        raise bad_value("timestamp with time zone", text) from None


def from_text(expression: ColumnElement, text: str) -> Any:
    """A filter's value for `expression`."""
    if "\x00" in text:  # PostgreSQL text cannot hold NUL; SQLite would cut it short
        raise bad_value("text", text.replace("\x00", "\\0"))
    kind = kind_of(expression)
    if kind == "uuid":
        try:
            return UUID(text)
        except ValueError:
            raise bad_value("uuid", text) from None
    if kind == "timestamptz":
        return parse_instant(text)
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise bad_value("integer", text) from None
    if kind == "boolean":
        if text.lower() not in ("true", "false", "t", "f"):
            raise bad_value("boolean", text)
        return text.lower() in ("true", "t")
    if kind == "jsonb":
        raise ApiError(400, "42883", "JSON columns can only be filtered with is.null or not.is.null")
    return text


def from_json(expression: ColumnElement, value: Any) -> Any:
    """A body's value for a column: JSON types checked, text parsed where PostgreSQL would cast."""
    kind = kind_of(expression)
    if kind == "jsonb":
        if "\\u0000" in json.dumps(value):
            raise bad_value("jsonb", "\\u0000")  # PostgreSQL's jsonb cannot hold NUL
        return value
    if value is None:
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise bad_value("boolean", value)
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_value("integer", value)
        return value
    if not isinstance(value, str):
        raise bad_value(kind, value)
    return from_text(expression, value)


def to_json(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def json_body(raw: bytes) -> Any:
    """A request body as JSON; a 400 saying why when it is not JSON."""
    try:
        return json.loads(raw or b"null", parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise bad_body(f"The body is not valid JSON: {error}") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")  # Python reads NaN and Infinity; JSON has neither
