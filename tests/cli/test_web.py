"""`incidents web` in a real headless Chromium (Debian's `chromium`), driven over the DevTools
protocol: the page connects, the app streams the board to it, and a screenshot taken after the
board arrived shows it drawn (the board's own colours over the page, the red Critical count)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from PIL import Image

from tests.live_server import free_port

from .conftest import INCIDENTS, Cli

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
WINDOW = (1280, 800)
PAGE_BACKGROUND = (0x0C, 0x18, 0x1F)  # textual-serve's page, behind the terminal
# Before the page script runs: keep what the app sends the terminal, as text, for the test to read.
RECORD_THE_STREAM = """
(() => {
  const Native = window.WebSocket, decoder = new TextDecoder();
  window.__received = "";
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string") return;
        window.__received += decoder.decode(new Uint8Array(event.data), {stream: true});
      });
    }
  };
})();
"""
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed; .ci/run installs it for the web test")
        pytest.skip("needs chromium (apt-get install chromium)")
    return path


def started(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """The process and what it started (chromium's helpers, the app of each browser tab)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer: {log.read_text()[-3000:]}")


@pytest.fixture
def web(cli: Cli, tmp_path: Path) -> Iterator[str]:
    """`incidents --demo web` on a free loopback port; its URL."""
    port = free_port()
    log = tmp_path / "web.log"
    process = started([INCIDENTS, "--demo", "web", "--port", str(port)], cli.env, log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(process)


class DevTools:
    """One page of a headless Chromium, over the DevTools protocol's websocket."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket, self.next_id = socket, 0

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.socket.send_json({"id": self.next_id, "method": method, "params": params})
        while True:  # events arrive in between; the answer carries our id
            message = json.loads((await self.socket.receive(timeout=60)).data)
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]

    async def evaluate(self, expression: str) -> Any:
        return (await self.send("Runtime.evaluate", expression=expression, returnByValue=True))["result"].get("value")


def page_socket(port: int, process: subprocess.Popen, log: Path) -> str:
    targets = wait_for_http(f"http://127.0.0.1:{port}/json/list", process, log).json()
    return next(target["webSocketDebuggerUrl"] for target in targets if target["type"] == "page")


async def load_and_capture(socket_url: str, url: str, timeout: float = 90) -> tuple[str, bytes]:
    """Open `url`; once the board has arrived, the text it streamed and a PNG screenshot."""
    async with aiohttp.ClientSession() as session, session.ws_connect(socket_url, max_msg_size=0) as socket:
        page = DevTools(socket)
        await page.send("Page.enable")
        await page.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_THE_STREAM)
        await page.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            state = await page.evaluate("({drawn: document.body !== null && "
                                        "document.body.classList.contains('-first-byte'), "
                                        "received: window.__received || ''})")
            text = ANSI.sub("", state["received"])
            if state["drawn"] and re.search(r"INC-\d+", text) and "Filter" in text:
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"the board never arrived; the page received:\n{text[-2000:]}")
        await asyncio.sleep(1.5)  # the terminal fades in (0.3 s) and paints what it was sent
        shot = await page.send("Page.captureScreenshot", format="png")
        return text, base64.b64decode(shot["data"])


def test_the_board_draws_in_headless_chromium(chromium: str, web: str, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "chromium.log"
    browser = started([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                       f"--remote-debugging-port={port}", f"--window-size={WINDOW[0]},{WINDOW[1]}", "about:blank"],
                      os.environ | {"HOME": str(tmp_path)}, log)
    try:
        text, png = asyncio.run(load_and_capture(page_socket(port, browser, log), web))
    finally:
        stop(browser)
    (tmp_path / "board.png").write_bytes(png)
    assert "Active:" in text and "Critical" in text and "/ Filter" in text.replace("\xa0", " ")

    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.width == WINDOW[0] and image.height > WINDOW[1] // 2  # the viewport: the window less its frame
    pixels = list(zip(*[iter(image.tobytes())] * 3, strict=True))  # (r, g, b) each
    behind = sum(1 for pixel in pixels if _near(pixel, PAGE_BACKGROUND, 6))
    assert behind < len(pixels) * 0.2, f"mostly the empty page: {tmp_path / 'board.png'}"
    assert len(set(pixels)) > 50, f"too few colours for a drawn board: {tmp_path / 'board.png'}"
    reds = sum(1 for r, g, b in pixels if r > 150 and g < 100 and b < 100)
    assert reds > 50, f"no red Critical count on the strip: {tmp_path / 'board.png'}"


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int], tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_each_tab_runs_the_same_store_and_the_token_stays_off_the_command_line() -> None:
    from tui.cli import build_parser
    from tui.cli.web import app_command, is_loopback

    args = build_parser().parse_args(["--api", "https://mc.example.com", "--token", "itui_secret", "--config",
                                      "/etc/incidents.toml", "web", "--host", "0.0.0.0"])
    command = app_command(args)
    assert command.endswith("-m tui.cli --api https://mc.example.com --config /etc/incidents.toml")
    assert "itui_secret" not in command
    assert app_command(build_parser().parse_args(["--reset-demo", "web"])).endswith("-m tui.cli --demo")
    assert [is_loopback(host) for host in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "example.com")] == [
        True, True, True, False, False]
