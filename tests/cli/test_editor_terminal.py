"""A comment written in $EDITOR, in a real terminal (tmux): the app hands the terminal over and comes
back with the text; an editor that fails leaves what was typed in place."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from .conftest import Cli
from .test_terminal import Terminal, tmux_installed  # noqa: F401 - tmux_installed: the module's autouse check

EDITOR = """#!/bin/sh
# Fails while a file named `fail` is beside it; otherwise adds a line, as a user would, and saves.
if [ -e "$(dirname "$0")/fail" ]; then exit 3; fi
printf '\\nWritten in the editor\\n' >> "$1"
"""


def stored_comments(cli: Cli) -> list[str]:
    with sqlite3.connect(cli.home / "data" / "incidents" / "demo.db") as database:
        return [text for (text,) in database.execute("SELECT comment FROM comments")]


def test_a_comment_is_written_in_the_editor_and_kept_when_the_editor_fails(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    editor = tmp_path / "bin" / "editor"
    editor.parent.mkdir()
    editor.write_text(EDITOR)
    editor.chmod(0o755)
    fail = editor.with_name("fail")
    fail.touch()
    terminal = Terminal(cli, 120, 40, "--demo", env={"EDITOR": str(editor), "VISUAL": ""})
    try:
        terminal.wait_for(r"row 1 of")
        terminal.keys("c")
        terminal.wait_for(r"Comment on INC-\d+")
        terminal.type("typed first")
        terminal.keys("F4")
        terminal.wait_for(r"The editor exited with status 3: what you typed is kept")
        assert "typed first" in terminal.screen()

        fail.unlink()
        terminal.keys("F4")
        screen = terminal.wait_for(r"Written in the editor")
        assert "typed first" in screen and "Comment on INC-" in screen  # back in the same dialog
        terminal.tmux("send-keys", "C-s")
        terminal.wait_for(r"Comment added to INC-\d+")
        deadline = time.monotonic() + 10
        while "typed first\nWritten in the editor" not in stored_comments(cli) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "typed first\nWritten in the editor" in stored_comments(cli)
    finally:
        terminal.close()
