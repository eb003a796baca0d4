"""Errors as PostgREST answers them: JSON {"code","message","details","hint"} and a status.

Codes are PostgREST's (PGRST…) or PostgreSQL's SQLSTATE where PostgREST would forward one.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, details: str | None = None,
                 hint: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.hint = details, hint
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        body = {"code": self.code, "message": self.message, "details": self.details, "hint": self.hint}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def parse_error(message: str, details: str | None = None) -> ApiError:
    """The query string cannot be parsed (PGRST100)."""
    return ApiError(400, "PGRST100", message, details=details)


def bad_body(message: str) -> ApiError:
    return ApiError(400, "PGRST102", message)


def unknown_column(table: str, column: str) -> ApiError:
    return ApiError(400, "42703", f"column {table}.{column} does not exist")


def unknown_payload_column(table: str, column: str) -> ApiError:
    return ApiError(400, "PGRST204", f"Could not find the '{column}' column of '{table}' in the schema cache")


def bad_value(kind: str, value: object) -> ApiError:
    return ApiError(400, "22P02", f'invalid input syntax for type {kind}: "{value}"')
