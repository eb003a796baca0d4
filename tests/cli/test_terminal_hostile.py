"""Escape sequences stored in the database, shown in a real terminal: the window title and the
clipboard stay as they were."""

from tests.ui.test_odd_data import poison

from .conftest import Cli
from .test_terminal import Terminal, tmux_installed  # noqa: F401 - the fixture applies here too


def test_stored_escape_sequences_do_not_drive_the_terminal(cli: Cli) -> None:
    assert cli("--demo", "list").returncode == 0  # the demo database, to write odd values into
    poison(f"sqlite:///{cli.home / 'data' / 'incidents' / 'demo.db'}")
    terminal = Terminal(cli, 160, 48)
    try:
        # Let the terminal obey what it is sent: OSC 52 sets the clipboard, OSC 0 the title.
        terminal.tmux("set", "-g", "set-clipboard", "on")
        title = terminal.tmux("display", "-p", "#{pane_title}")
        terminal.wait_for(r"INC-\d+")
        terminal.keys("/")
        terminal.type("zebra")
        terminal.keys("Enter")
        screen = terminal.wait_for(r"Creator")
        assert "zebra ABC" in screen and "pwned" not in screen and "SGVsbG8" not in screen
        for key in ("e", "Escape", "c", "Escape", "j"):
            terminal.keys(key)
        terminal.wait_for(r"INC-311")
        assert terminal.tmux("display", "-p", "#{pane_title}") == title
        assert terminal.tmux("list-buffers") == ""
        terminal.keys("q")
    finally:
        terminal.close()
