"""Requests to a PostgREST-style server, with every failure turned into a sentence.

Reads are retried with a short backoff when the connection fails or the server answers 5xx
(a server restarting behind a load balancer answers again within a second or two), but not
when the server took too long: trying a hanging server twice more only makes the user wait
three times as long to be told (the board's banner asks again on its own schedule). Writes are
never retried, since a write that timed out may have been made. No message, log line or repr
holds the token.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ...domain.format import clean, one_line
from ...domain.lifecycle import InvalidTransition, LifecycleError, ReadOnlyIncident
from ..base import BackendError, Conflict, Forbidden, NotFound, ReadOnly, Unavailable

log = logging.getLogger("incidents.api")

Params = Sequence[tuple[str, str]]

READ_DELAYS = (0.25, 0.75)
"""Pauses between the tries of a read (three tries, about a second of waiting in all)."""
ANSWER_SECONDS = 5.0
"""How long a request waits for the server (for the next bytes of an answer, not for all of it: a
slow link that keeps sending is fine). A board page takes milliseconds; after this long the
server is as good as away, and the banner says so."""
CONNECT_SECONDS = 3.0
_LIFECYCLE_ERRORS: dict[str, type[LifecycleError]] = {
    "InvalidTransition": InvalidTransition, "ReadOnlyIncident": ReadOnlyIncident,
}


def tls_context(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """Verification always on; against the CAs in `ca_bundle` (a PEM file) when given."""
    if ca_bundle is None:
        return True
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise Unavailable(f"Cannot use the CA bundle {ca_bundle}: {reason}.") from None


class TimedOut(Unavailable):
    """The server accepted the request but did not answer in time."""


class Http:
    """One server: its base URL, the token (kept out of every message) and a connection pool."""

    def __init__(self, url: str, token: str | None, ca_bundle: str | None, timeout: float = ANSWER_SECONDS) -> None:
        self.url = url.strip().rstrip("/")
        parsed = httpx.URL(self.url) if "://" in self.url else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise Unavailable(f"{one_line(url, 80)} is not a server address: write it as https://host[:port].")
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._with_token = bool(token)
        self._timeout = timeout
        try:
            self._client = httpx.Client(base_url=self.url, headers=headers,
                                        timeout=httpx.Timeout(timeout, connect=CONNECT_SECONDS),
                                        verify=tls_context(ca_bundle))
        except (httpx.InvalidURL, ValueError) as error:
            raise Unavailable(f"{one_line(url, 80)} is not a server address: {error}.") from None

    def __repr__(self) -> str:
        return f"Http({self.url!r})"

    def close(self) -> None:
        self._client.close()

    # -- requests -------------------------------------------------------------------------

    def read(self, path: str, params: Params = (), *, prefer: str | None = None, method: str = "GET",
             accept: frozenset[int] = frozenset()) -> httpx.Response:
        """A GET (or HEAD), tried up to three times while the server is unreachable or failing (once
        when it does not answer in time)."""
        for delay in (*READ_DELAYS, None):
            try:
                response = self._send(method, path, params, None, prefer)
            except TimedOut:
                raise
            except Unavailable:
                if delay is None:
                    raise
                time.sleep(delay)
                continue
            if response.status_code < 500 or delay is None:
                return self.check(response, accept)
            time.sleep(delay)
        raise AssertionError("unreachable")  # the last try returns or raises

    def write(self, method: str, path: str, params: Params = (), body: Any = None, *,
              prefer: str | None = "return=representation", accept: frozenset[int] = frozenset()) -> httpx.Response:
        """One try: a write that failed half-way is reported, never repeated blindly."""
        try:
            response = self._send(method, path, params, body, prefer, writing=True)
        except Unavailable as error:
            raise Unavailable(str(error)) from None
        return self.check(response, accept)

    def _send(self, method: str, path: str, params: Params, body: Any, prefer: str | None,
              writing: bool = False) -> httpx.Response:
        headers = {"Prefer": prefer} if prefer else {}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body).encode()
        try:
            return self._client.request(method, path, params=list(params), headers=headers, content=content)
        except httpx.InvalidURL:  # a filter naming thousands of ids, on a server that cannot take the query
            raise BackendError(f"That is too long a request to send to the server at {self.url}: narrow the "
                               "filter (incidents serve answers config: and check: filters itself).") from None
        except httpx.ConnectError as error:
            raise Unavailable(f"Cannot reach the server at {self.url}: {_reason(error)}"
                              + ("; nothing was changed." if writing else ".")) from None
        except httpx.ConnectTimeout:
            raise TimedOut(f"Cannot reach the server at {self.url}: no answer to connecting within "
                           f"{CONNECT_SECONDS:g} s" + ("; nothing was changed." if writing else ".")) from None
        except httpx.TimeoutException:
            raise TimedOut(f"The server at {self.url} did not answer within {self._timeout:g} s"
                           + ("; the change may or may not have been made: look before trying again."
                              if writing else ".")) from None
        except httpx.TransportError as error:
            raise Unavailable(f"The connection to the server at {self.url} failed: {_reason(error)}"
                              + ("; the change may or may not have been made." if writing else ".")) from None

    # -- answers --------------------------------------------------------------------------

    def check(self, response: httpx.Response, accept: frozenset[int]) -> httpx.Response:
        status = response.status_code
        if status in accept or 200 <= status < 300:
            return response
        message, code, details = _error_of(response)
        if status == 401:
            if not self._with_token:
                raise Forbidden(f"The server at {self.url} needs a token: give one with --token "
                                "(or in the config file or environment).")
            raise Forbidden(f"The server at {self.url} refused the token (unknown, revoked or expired): "
                            f"{message}.")
        if status == 403:
            raise Forbidden(_forbidden(response.headers, message, self.url))
        if status >= 500:
            raise Unavailable(f"The server at {self.url} failed ({status}): {message}.")
        raise _client_error(status, code, message, details, self.url)

    @staticmethod
    def json(response: httpx.Response, url: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise Unavailable(f"The server at {url} did not answer JSON (is it a PostgREST or "
                              "`incidents serve` address?).") from None


def _reason(error: httpx.TransportError) -> str:
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "its TLS certificate is not trusted (give the CA that signed it with --ca-bundle)"
    if "refused" in text.lower():
        return "connection refused"
    return one_line(clean(text), 120).rstrip(".") or type(error).__name__


def _error_of(response: httpx.Response) -> tuple[str, str | None, str | None]:
    """(message, code, details) of a PostgREST error body; the start of any other body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        details = body.get("details")
        return (clean(body["message"]).rstrip("."), str(body.get("code") or "") or None,
                details if isinstance(details, str) else None)
    text = one_line(clean(response.text), 120)
    return (text or response.reason_phrase or f"HTTP {response.status_code}"), None, None


def _forbidden(headers: Mapping[str, str], message: str, url: str) -> str:
    action, target = headers.get("x-rbac-action"), headers.get("x-rbac-object")
    if action and target:
        return f"This token may not {clean(action)} {clean(target)} on the server at {url}: {message}."
    return f"The server at {url} does not allow this: {message}."


def _client_error(status: int, code: str | None, message: str, details: str | None,
                  url: str) -> BackendError | LifecycleError:
    """A 4xx as the error the SQL backend would raise for the same request."""
    sentence = message + "."
    if code == "P0001":
        kind = _LIFECYCLE_ERRORS.get(details or "", LifecycleError)
        error = kind.__new__(kind)  # the message is the server's; the constructor would compose its own
        LifecycleError.__init__(error, sentence)
        return error
    if status == 409 and code == "PT409":
        return Conflict(sentence)
    if status == 404 and code in ("PT404", "PGRST116"):
        return NotFound(sentence)
    if status == 405 and code == "25006":
        return ReadOnly(sentence)
    if status == 404:
        return Unavailable(f"The server at {url} has no such resource ({message}): is it Mission Control "
                           "or `incidents serve`?")
    if code in ("PT400", "PGRST102"):
        return BackendError(sentence)
    return BackendError(f"The server at {url} refused the request ({status}): {sentence}")
