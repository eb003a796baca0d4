"""Bearer tokens: created once (the secret is printed, only its hash is stored), checked on every
request in constant time, revoked by name. They live in the database, so every `serve`
process sharing it knows the same tokens.

A token reads `itui_<row id>_<secret>`: the id finds the row, the secret's SHA-256 is compared
with the stored one by hmac.compare_digest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID, uuid4

from sqlalchemy import delete, insert, select

from ..domain import clock
from ..domain.models import Identity, Person
from ..store.base import BackendError
from ..store.sql.database import SqlDatabase, person_of
from ..store.sql.schema import api_tokens, people

PREFIX = "itui_"


class Role(str, Enum):
    """As in Mission Control: admin everything; commander and responder read and write
    incidents; viewer has no incident access."""

    ADMIN = "admin"
    COMMANDER = "commander"
    RESPONDER = "responder"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Token:
    name: str
    role: Role
    person: Person
    created_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def require_tokens(database: SqlDatabase) -> None:
    """Refuse a database without our token table: a Mission Control one, which we never migrate."""
    if ("api_tokens", "id") in database.missing_columns:
        raise BackendError(f"The database at {database.location} has no api_tokens table: it was not created by "
                           "incident-tui (a Mission Control database is never migrated). Serve a database "
                           "incident-tui created, or use Mission Control's own API.")


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise BackendError(f"Unknown role {text!r}; use one of: {', '.join(r.value for r in Role)}.") from None


def create_token(database: SqlDatabase, name: str, role: Role, person: Identity) -> str:
    """A new token for `person` (found by email or name, created if new); returns the secret text."""
    require_tokens(database)
    if not name.strip():
        raise BackendError("A token needs a name.")
    secret, id = secrets.token_urlsafe(32), uuid4()
    with database.write() as conn:
        if conn.execute(select(api_tokens.c.id).where(api_tokens.c.name == name.strip())).first():
            raise BackendError(f"There is already a token named {name.strip()!r}; "
                               "revoke it first or pick another name.")
    holder = database.sign_in(person)
    with database.write() as conn:
        conn.execute(insert(api_tokens).values(id=id, name=name.strip(), role=role.value, person_id=holder.id,
                                               secret_hash=_digest(secret), created_at=clock.utcnow()))
    return f"{PREFIX}{id.hex}_{secret}"


def list_tokens(database: SqlDatabase) -> list[Token]:
    require_tokens(database)
    query = _with_person(api_tokens.c.created_at).order_by(api_tokens.c.name)
    with database.read() as conn:
        return [_token(row) for row in conn.execute(query)]


def revoke_token(database: SqlDatabase, name: str) -> None:
    require_tokens(database)
    with database.write() as conn:
        if conn.execute(delete(api_tokens).where(api_tokens.c.name == name.strip())).rowcount == 0:
            raise BackendError(f"There is no token named {name.strip()!r}.")


def verify(database: SqlDatabase, token: str) -> Token | None:
    """The token's holder and role, or None if it is unknown, revoked or wrong."""
    if not token.startswith(PREFIX):
        return None
    id_text, _, secret = token[len(PREFIX):].partition("_")
    try:
        id = UUID(hex=id_text)
    except ValueError:
        return None
    query = _with_person(api_tokens.c.created_at, api_tokens.c.secret_hash).where(api_tokens.c.id == id)
    with database.read() as conn:
        row = conn.execute(query).first()
    if row is None or not hmac.compare_digest(_digest(secret), row.secret_hash):
        return None
    return _token(row)


def _with_person(*columns):
    return (select(api_tokens.c.name.label("token_name"), api_tokens.c.role, *columns, people.c.id, people.c.name,
                   people.c.email, people.c.avatar)
            .join(people, people.c.id == api_tokens.c.person_id))


def _token(row) -> Token:
    return Token(row.token_name, Role(row.role), person_of(row), row.created_at)


