"""The API backend: Mission Control's PostgREST dialect, or `incidents serve`, over httpx.

    backend = open_api_backend("https://mc.example.com", token="…", ca_bundle="/etc/ssl/corp.pem")
    backend.notices      # sentences on what this server lacks (a plain PostgREST), to show once

Raises Unavailable (unreachable, slow, not a PostgREST: the sentence names the URL, never the
token) or Forbidden (401/403). Any later call may raise Unavailable while the server is away;
the next one after it is back works again (nothing to rebuild).
"""

from __future__ import annotations

from ...domain.models import Person
from ..base import Unavailable
from .backend import ApiBackend
from .http import ANSWER_SECONDS, Http

__all__ = ["ApiBackend", "open_api_backend"]


def open_api_backend(url: str, token: str | None = None, ca_bundle: str | None = None,
                     timeout: float = ANSWER_SECONDS) -> ApiBackend:
    """Connect to the server at `url` (its root: tables are under /db) and find out who the token is."""
    http = Http(url, token, ca_bundle, timeout)
    try:
        me = _whoami(http)
        return ApiBackend(http, me)
    except BaseException:
        http.close()
        raise


def _whoami(http: Http) -> Person:
    """GET /auth/whoami: ours answers the person; Mission Control's wraps it in payload.user."""
    answer = Http.json(http.read("/auth/whoami"), http.url)
    payload = answer.get("payload") if isinstance(answer, dict) else None
    user = payload.get("user") if isinstance(payload, dict) else answer
    try:
        return Person.model_validate(user)
    except ValueError:
        raise Unavailable(f"The server at {http.url} did not say who the token belongs to "
                          "(GET /auth/whoami answered no person).") from None
