"""A real TCP proxy on loopback between a client and a server, whose network a test can make
slow or cut: answers held back (`stall`), delayed (`delay`), or connections closed at once
(`refuse`), and fast again with `heal`. It records when each connection was accepted."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.live_server import free_port


class SlowNetwork:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.delay = 0.0
        """Seconds each chunk of an answer is held before it is passed on."""
        self.stalled = threading.Event()
        self.refusing = threading.Event()
        self.accepted: list[float] = []
        """time.monotonic() of every connection the client made, in order."""
        self._closing = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stall(self) -> None:
        """Answers stop arriving (requests still get through): a hanging server or a dead link."""
        self.stalled.set()

    def refuse(self) -> None:
        """Every connection, open or new, is closed at once."""
        self.refusing.set()
        for sock in list(self._sockets):
            _close(sock)

    def heal(self) -> None:
        self.delay = 0.0
        self.refusing.clear()
        self.stalled.clear()

    def close(self) -> None:
        self._closing.set()
        self.heal()
        _close(self._listener)
        for sock in list(self._sockets):
            _close(sock)

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(time.monotonic())
            if self.refusing.is_set():
                _close(client)
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                _close(client)
                continue
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        """Copy `source` to `target`; an answer (server to client) is held while stalled or delayed."""
        source.settimeout(None)
        try:
            while chunk := source.recv(65536):
                if answers:
                    while self.stalled.is_set() and not self._closing.is_set():
                        time.sleep(0.05)
                    if self.delay:
                        time.sleep(self.delay)
                if self.refusing.is_set():
                    break
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
