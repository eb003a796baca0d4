"""`incidents serve`: a PostgREST-compatible API over the SQL backend (Starlette on uvicorn).

    GET|HEAD|POST|PATCH|DELETE /db/<table>    the PostgREST subset (tui.server.grammar)
    POST /rpc/<name> (also /db/rpc/<name>)    atomic writes (tui.server.writes.FUNCTIONS);
                                              the answer is the resulting row, as an object
    GET|POST /rpc/<name>                      reads (READS: the metrics, the board's page), arguments
                                              in the query string (GET) or the body (POST)
    GET /auth/whoami                          the token's person and role
    GET / and /health                         {"status": "ok"}, without auth

Every request is authenticated (bearer token, or Basic with the token as password) and
authorised by role. Nothing lives in the process between requests but the engine's
connection pool: tokens and data are in the database, so many processes act as one.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import exc, or_
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.lifecycle import LifecycleError
from ..store.base import BackendError, Conflict, Forbidden, NotFound, ReadOnly, Unavailable
from ..store.sql import SqlDatabase, Writer
from . import board, grammar, metrics, plan, writes
from .errors import ApiError, bad_body
from .query import MAX_ROWS, Plan, count_rows, plan_request, read_rows
from .resources import INCIDENT, Catalog, Resource
from .rules import RULE_ROUTES
from .tokens import Role, Token, verify
from .values import json_body

log = logging.getLogger("incidents.server")

FUNCTIONS = {**writes.FUNCTIONS, **plan.FUNCTIONS}
"""Every /rpc function: the incident writes and the action plan's."""
READS = {**metrics.READS, **board.READS}
"""Every read-only /rpc function: the metrics screen's, the board's page."""
ACTIONS = {"GET": "read", "HEAD": "read", "POST": "create", "PATCH": "update", "DELETE": "delete"}


def allowed(role: Role, rbac_object: str, action: str) -> bool:
    """Mission Control's policy: admin anything; commander and responder anything on
    incidents and read the rest; viewer reads the rest but no incident."""
    if role is Role.ADMIN:
        return True
    if rbac_object == INCIDENT:
        return role in (Role.COMMANDER, Role.RESPONDER)
    return action == "read"


@dataclass(frozen=True)
class Call:
    """What a handler needs from the HTTP request, read on the event loop."""

    method: str
    params: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes

    @property
    def prefer(self) -> set[str]:
        return {part.strip().lower() for part in self.headers.get("prefer", "").split(",") if part.strip()}


class Api:
    def __init__(self, database: SqlDatabase, *, plain_postgrest: bool = False) -> None:
        self.database = database
        self.plain_postgrest = plain_postgrest
        self.catalog = Catalog(database.missing_columns, sort_columns=not plain_postgrest)

    # -- auth -------------------------------------------------------------------------------

    def authenticate(self, headers: Mapping[str, str]) -> Token:
        scheme, _, credential = headers.get("authorization", "").strip().partition(" ")
        if not credential:
            raise ApiError(401, "PGRST302", "Anonymous access is disabled: send Authorization: Bearer <token>",
                           headers={"WWW-Authenticate": "Bearer"})
        if scheme.lower() == "basic":
            try:
                credential = base64.b64decode(credential, validate=True).decode().partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                credential = ""
        token = verify(self.database, credential.strip()) if scheme.lower() in ("bearer", "basic") else None
        if token is None:
            raise ApiError(401, "PGRST301", "The token is unknown, revoked or malformed",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return token

    def authorize(self, token: Token, resource: Resource, action: str) -> None:
        if not allowed(token.role, resource.rbac_object, action):
            raise ApiError(403, "42501", f"The {token.role.value} role may not {action} {resource.rbac_object} "
                                         f"({resource.name})",
                           headers={"X-Rbac-Subject": str(token.person.id), "X-Rbac-Object": resource.rbac_object,
                                    "X-Rbac-Action": action})

    def authorize_embeds(self, token: Token, plan: Plan) -> None:
        """Rows embedded in an answer (or filtered on with !inner) are read too: a viewer may read
        config items, but not the incidents embedded in them."""
        for _, _, child in plan.embeds:
            self.authorize(token, child.resource, "read")
            self.authorize_embeds(token, child)

    # -- endpoints ----------------------------------------------------------------------------

    def whoami(self, call: Call) -> Response:
        token = self.authenticate(call.headers)
        person = token.person.model_dump(mode="json")
        return JSONResponse({**person, "role": token.role.value, "token": token.name,
                             "message": "success", "payload": {"user": person, "roles": [token.role.value]}})

    def table(self, call: Call, name: str) -> Response:
        token = self.authenticate(call.headers)
        resource = self.catalog.get(name)
        action = ACTIONS[call.method]
        self.authorize(token, resource, action)
        request = grammar.parse_request(call.params)
        self.authorize_embeds(token, plan_request(self.catalog, resource, request))
        if call.method in ("GET", "HEAD"):
            return self._read(call, resource, request)
        if not resource.writable:
            raise ApiError(405, "PGRST117", f"{resource.name} cannot be written through /db", hint=resource.written_by)
        with self.database.write() as conn:
            writer = Writer(self.database, conn, token.person)
            return self._write(call, writer, resource, request)

    def rpc(self, call: Call, name: str) -> Response:
        token = self.authenticate(call.headers)
        if name in READS and not self.plain_postgrest:
            self.authorize(token, self.catalog.get("incidents"), "read")
            arguments = dict(call.params) if call.method == "GET" else _rpc_arguments(call)  # as PostgREST reads them
            return JSONResponse(READS[name](self.database, token.person, arguments))
        if call.method == "GET" and name in FUNCTIONS and not self.plain_postgrest:
            raise ApiError(405, "PGRST101", f"{name} changes data: call it with POST")
        if name not in FUNCTIONS or self.plain_postgrest:
            raise ApiError(404, "PGRST202", f"Could not find the function public.{name} in the schema cache",
                           hint=f"Functions: {', '.join([*FUNCTIONS, *READS])}")
        self.authorize(token, self.catalog.get("incidents"), "update")
        body = _rpc_arguments(call)
        with self.database.write() as conn:
            table, id = FUNCTIONS[name](Writer(self.database, conn, token.person), body)
            resource = self.catalog.get(table)
            plan = plan_request(self.catalog, resource, grammar.parse_request(call.params))
            self.authorize_embeds(token, plan)  # refused: the transaction is rolled back
            rows = read_rows(conn, plan, limit=None, offset=0, extra=[resource.column("id") == id])
        return JSONResponse(rows[0] if rows else None)

    # -- reads ----------------------------------------------------------------------------------

    def _read(self, call: Call, resource: Resource, request: grammar.Request) -> Response:
        plan = plan_request(self.catalog, resource, request)
        if plan.counts and self.plain_postgrest:  # PostgREST's default (db-aggregates-enabled = false)
            raise ApiError(400, "PGRST123", "Use of aggregate functions is not allowed")
        offset, limit = _window(request.top, call.headers)
        counted = "count=exact" in call.prefer or "count=planned" in call.prefer or "count=estimated" in call.prefer
        with self.database.read() as conn:
            total = count_rows(conn, plan) if counted and not plan.counts else None
            if total is not None and offset and offset >= total:
                raise ApiError(416, "PGRST103", "Requested range not satisfiable",
                               details=f"An offset of {offset} was requested, but there are only {total} rows.",
                               headers={"Content-Range": f"*/{total}"})
            rows = read_rows(conn, plan, limit=limit, offset=offset)
        shown = f"{offset}-{offset + len(rows) - 1}" if rows else "*"
        status = 206 if total is not None and rows and (offset > 0 or offset + len(rows) < total) else 200
        headers = {"Content-Range": f"{shown}/{'*' if total is None else total}", "Range-Unit": "items"}
        if call.method == "HEAD":
            return Response(status_code=status, headers=headers, media_type="application/json")
        return JSONResponse(_shaped(call, rows), status_code=status, headers=headers)

    # -- writes ----------------------------------------------------------------------------------

    def _write(self, call: Call, writer: Writer, resource: Resource, request: grammar.Request) -> Response:
        conn = writer.conn
        plan = plan_request(self.catalog, resource, request)
        if call.method == "POST":
            body = json_body(call.body)
            items = body if isinstance(body, list) else [body]
            if not items or not all(isinstance(item, dict) for item in items):
                raise bad_body("POST takes a JSON object or a non-empty array of objects")
            keys = [_key_tuple(resource, writes.insert_row(writer, resource, item)) for item in items]
            status = 201
        else:
            if not request.top.filters:
                raise ApiError(400, "21000", f"{call.method} requires a filter (such as id=eq.<id>); "
                                             "every row of a table is never changed at once")
            if call.method == "PATCH":
                body = json_body(call.body)
                if not isinstance(body, dict):
                    raise bad_body("PATCH takes a JSON object of the columns to change")
                keys = writes.update_rows(writer, resource, plan, body)
            else:
                keys = writes.matching_keys(conn, plan)
            status = 200
        wanted = "return=representation" in call.prefer
        rows = self._representation(conn, resource, request, keys) if wanted and keys else []
        if call.method == "DELETE":
            writes.delete_rows(conn, resource, keys)
        if not wanted:
            return Response(status_code=201 if status == 201 else 204)
        return JSONResponse(_shaped(call, rows), status_code=status)

    def _representation(self, conn, resource: Resource, request: grammar.Request, keys: list[tuple]) -> list[dict]:
        """The written rows as `select=` asks, found again by key (the filters may no longer match)."""
        options = {path: value for path, value in request.options.items() if path}
        plan = plan_request(self.catalog, resource, grammar.Request(request.items, options))
        return read_rows(conn, plan, limit=None, offset=0,
                         extra=[or_(*(writes.key_clause(resource, key) for key in keys))])


def _shaped(call: Call, rows: list[dict]) -> list[dict] | dict:
    """An array, or the one row as an object when the client asks for PostgREST's singular form."""
    if "application/vnd.pgrst.object+json" not in call.headers.get("accept", ""):
        return rows
    if len(rows) != 1:
        raise ApiError(406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
                       details=f"The result contains {len(rows)} rows")
    return rows[0]


def _key_tuple(resource: Resource, key: Any) -> tuple:
    if isinstance(key, dict):
        return tuple(key[column.name] for column in resource.table.primary_key.columns)
    return (key,)


def _window(top: grammar.Options, headers: Mapping[str, str]) -> tuple[int, int]:
    """Offset and limit from limit/offset or a Range header, within MAX_ROWS."""
    offset, limit = top.offset, top.limit
    wanted = headers.get("range", "").strip()
    if wanted and limit is None:
        first, dash, last = wanted.removeprefix("items=").partition("-")
        try:
            lower, upper = grammar.parse_count("Range", first), grammar.parse_count("Range", last) if last else None
        except ApiError:
            lower, upper = 0, -1
        if not dash or (upper is not None and upper < lower):
            raise ApiError(416, "PGRST103", f"Requested range not satisfiable: {wanted!r}")
        offset, limit = lower, (upper - lower + 1) if upper is not None else None
    return offset, min(limit if limit is not None else MAX_ROWS, MAX_ROWS)


def _rpc_arguments(call: Call) -> dict[str, Any]:
    body = json_body(call.body)
    if not isinstance(body, dict):
        raise bad_body("An /rpc call takes a JSON object of named arguments")
    return body


# -- errors ------------------------------------------------------------------------------------------

_INTEGRITY = (("unique", 409, "23505"), ("foreign key", 409, "23503"), ("not null", 400, "23502"),
              ("not-null", 400, "23502"), ("check", 400, "23514"))


def error_response(error: Exception) -> Response:
    if isinstance(error, ApiError):
        return error.response()
    if isinstance(error, LifecycleError):  # details name the kind, so a client can raise the same
        return ApiError(400, "P0001", str(error), details=type(error).__name__).response()
    if isinstance(error, ValidationError):
        return writes.validation_error(error).response()
    if isinstance(error, BackendError):
        return _backend_error(error).response()
    log.exception("unexpected error", exc_info=error)
    return ApiError(500, "PGRST000", "The server failed; the error is in its log").response()


def _backend_error(error: BackendError) -> ApiError:
    if isinstance(error, Conflict):
        return ApiError(409, "PT409", str(error))
    if isinstance(error, NotFound):
        return ApiError(404, "PT404", str(error))
    if isinstance(error, Forbidden):
        return ApiError(403, "42501", str(error))
    if isinstance(error, ReadOnly):  # PostgREST's answer to a read-only transaction
        return ApiError(405, "25006", str(error))
    cause = error.__context__
    if isinstance(cause, exc.DataError):  # a value the database cannot take: the request's fault
        return ApiError(400, "22000", str(error))
    if isinstance(error, Unavailable):
        return ApiError(503, "PGRST001", str(error))
    if isinstance(cause, exc.IntegrityError):
        text = str(cause.orig).lower()
        for word, status, code in _INTEGRITY:
            if word in text:
                return ApiError(status, code, str(error))
    return ApiError(400, "PT400", str(error))


# -- the ASGI application ----------------------------------------------------------------------------

def _endpoint(handler: Callable[..., Response], path_param: str | None = None):
    """`handler(api, call, *path_param)` in a worker thread; every failure answers JSON."""
    async def endpoint(request: Request) -> Response:
        api: Api = request.app.state.api
        body = await request.body() if request.method in ("POST", "PATCH") else b""
        call = Call(request.method, request.query_params.multi_items(), request.headers, body)
        args = (request.path_params[path_param],) if path_param else ()
        try:
            return await run_in_threadpool(handler, api, call, *args)
        except Exception as error:  # every failure answers JSON, never a traceback
            return error_response(error)
    return endpoint


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def not_found(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 404
    return ApiError(status, "PGRST125", f"Invalid path {request.url.path}",
                    hint="Tables are under /db/<table>, functions under /rpc/<name>").response()


class AccessLog:
    """One line per request: method, path and query, status, time. Never a header (tokens)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            log.info("%s %s%s %s %.1fms", scope["method"], scope["path"], f"?{query}" if query else "",
                     status[0], (time.perf_counter() - started) * 1000)


def create_app(database: SqlDatabase, *, plain_postgrest: bool = False) -> ASGIApp:
    """With `plain_postgrest`, behave as a plain PostgREST would (for tests of clients' fallbacks):
    no computed sort columns, no aggregates, no /rpc functions."""
    table_methods = ["GET", "HEAD", "POST", "PATCH", "DELETE"]
    app = Starlette(routes=[
        Route("/", health), Route("/health", health),
        Route("/auth/whoami", _endpoint(Api.whoami)),
        *(Route(path, _endpoint(handler), methods=["POST"]) for path, handler in RULE_ROUTES.items()),
        Route("/db/rpc/{name}", _endpoint(Api.rpc, "name"), methods=["GET", "POST"]),
        Route("/rpc/{name}", _endpoint(Api.rpc, "name"), methods=["GET", "POST"]),
        Route("/db/{table}", _endpoint(Api.table, "table"), methods=table_methods),
    ], exception_handlers={HTTPException: not_found})
    app.state.api = Api(database, plain_postgrest=plain_postgrest)
    return AccessLog(app)
