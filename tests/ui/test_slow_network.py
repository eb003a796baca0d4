"""A slow or dead network between the board and a real server on loopback (tests/slow_network.py,
a TCP proxy the test controls): the banner shows within seconds, retries follow the schedule the
README states, and the board is back by itself once the network is fast again."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.slow_network import SlowNetwork
from tests.ui.test_api_mode import Live, banner, board_of, live, messages, titles  # noqa: F401 - live
from tests.ui.test_offline import until
from tui.app import IncidentApp
from tui.domain.enums import Severity
from tui.domain.models import IncidentDraft
from tui.screens import board as board_module
from tui.store.api import http, open_api_backend

PROMPTLY = http.ANSWER_SECONDS + 4
"""The banner's promise: the request's own wait, plus a live look's interval and a loaded machine."""


@pytest.fixture
def network(live: Live) -> Iterator[SlowNetwork]:
    proxy = SlowNetwork(live.port)
    yield proxy
    proxy.close()


def app_through(network: SlowNetwork, live: Live) -> IncidentApp:
    return IncidentApp(open_api_backend(network.url, live.tokens["responder"]), refresh_seconds=0.2,
                       where=network.url)


async def test_a_stalled_network_shows_the_banner_within_seconds_and_the_board_recovers(
        live: Live, network: SlowNetwork, settle) -> None:
    app = app_through(network, live)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        board, before = board_of(app), titles(app)
        assert before and banner(app) == ""

        network.stall()
        stalled = time.monotonic()
        await until(pilot, lambda: board.offline, seconds=PROMPTLY + 10)
        assert time.monotonic() - stalled < PROMPTLY  # not 3 tries x the timeout, as it was (~31 s)
        assert f"did not answer within {http.ANSWER_SECONDS:g} s" in banner(app) and "Retrying" in banner(app)
        assert titles(app) == before  # the rows stay, dimmed

        live.store.create_incident(IncidentDraft(title="Opened while the link was down", severity=Severity.CRITICAL))
        network.heal()
        await until(pilot, lambda: not board.offline and "Opened while the link was down" in titles(app),
                    seconds=PROMPTLY + 10)
        assert banner(app) == ""
        assert "Connected again; the board is up to date." in messages(app)


async def test_a_slow_network_that_still_answers_is_no_fault(live: Live, network: SlowNetwork, settle) -> None:
    app = app_through(network, live)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        network.delay = 0.3  # every chunk of every answer: a slow link, not a dead one
        live.store.create_incident(IncidentDraft(title="Seen over a slow link", severity=Severity.CRITICAL))
        await until(pilot, lambda: "Seen over a slow link" in titles(app), seconds=20)
        assert not board_of(app).offline and banner(app) == ""


RETRIES = (0.5, 1.0, 2.0, 4.0, 5.0, 5.0)
"""README (Remote mode): "asks again after half a second, then waits twice as long each time, up to 5 seconds"."""


async def test_the_banner_asks_again_after_half_a_second_backing_off_to_five(
        live: Live, network: SlowNetwork, settle, monkeypatch) -> None:
    monkeypatch.setattr(http, "READ_DELAYS", ())  # one connection per attempt, so attempts can be counted
    app = app_through(network, live)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        network.refuse()  # every connection closed at once: each attempt fails in milliseconds
        refused = time.monotonic()
        await until(pilot, lambda: board_of(app).offline)
        await until(pilot, lambda: len([t for t in network.accepted if t > refused]) > len(RETRIES) + 1,
                    seconds=sum(RETRIES) + 15)
        attempts = [t for t in network.accepted if t > refused]
        gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:], strict=False)]
    assert board_module.RETRY_FIRST_SECONDS == RETRIES[0] and board_module.RETRY_MAX_SECONDS == RETRIES[-1]
    for gap, planned in zip(gaps, RETRIES, strict=False):
        assert planned * 0.9 <= gap <= planned + 1.5, (gaps, RETRIES)  # timers run late on a loaded machine
