"""Themes through the real command: `--theme`, `theme` in the config file, and NO_COLOR in a real
terminal (tmux at 80x24): no colour reaches the terminal, and severity still reads."""

import re
from pathlib import Path

from .conftest import Cli
from .test_terminal import Terminal, tmux_installed  # noqa: F401 (fixture)

# SGR parameters that set a colour: 30-37, 39 excepted, 38;…, 40-47, 48;…, 90-97, 100-107.
COLOUR = re.compile(r"\x1b\[[0-9;]*?(?<![0-9])(3[0-8]|4[0-8]|9[0-7]|10[0-7])(?![0-9])[0-9;]*m")


def test_an_unknown_theme_is_a_sentence_and_the_tui_does_not_start(cli: Cli) -> None:
    run = cli("--demo", "--theme", "solarised")
    assert run.returncode == 2
    assert "There is no theme 'solarised'. Themes:" in run.stderr and "ansi-dark" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_theme_in_the_config_file_is_checked_too(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "no-such-theme"\n', encoding="utf-8")
    run = cli("--demo", "--config", str(config))
    assert run.returncode == 2 and "There is no theme 'no-such-theme'" in run.stderr


def test_no_color_in_a_real_terminal_at_80x24(cli: Cli) -> None:
    terminal = Terminal(cli, 80, 24, "--demo", env={"NO_COLOR": "1"})
    try:
        screen = terminal.wait_for(r"row 1 of \d+")
        assert "CRIT" in screen and "Critical" in screen and "Open" in screen
        coloured = terminal.tmux("capture-pane", "-p", "-e")
        assert "\x1b[" in coloured  # bold, reverse and dim are there
        assert not COLOUR.search(coloured.replace("\x1b[39m", "").replace("\x1b[49m", "")), coloured[:2000]
        terminal.keys("M")
        assert "MTTA" in terminal.wait_for("MTTA")
        assert not COLOUR.search(terminal.tmux("capture-pane", "-p", "-e"))
    finally:
        terminal.close()


# A colour other than the 16 a terminal palette has: 256-colour (38;5;n) or true colour (38;2;r;g;b).
BEYOND_16 = re.compile(r"\x1b\[[0-9;]*(?:38|48);[25];")


def test_the_terminal_theme_uses_only_the_terminals_16_colours(cli: Cli) -> None:
    terminal = Terminal(cli, 80, 24, "--demo", "--theme", "ansi-dark")
    try:
        terminal.wait_for(r"row 1 of \d+")
        terminal.keys("Tab")
        screens = [terminal.tmux("capture-pane", "-p", "-e")]
        terminal.keys("M")
        terminal.wait_for("MTTA")
        screens.append(terminal.tmux("capture-pane", "-p", "-e"))
        assert all(COLOUR.search(screen) for screen in screens)  # coloured: the terminal's red for critical…
        assert re.search(r"\x1b\[(?:[0-9;]*;)?31m", screens[0])  # the terminal's own red: critical, open
        assert not any(BEYOND_16.search(screen) for screen in screens)
    finally:
        terminal.close()
