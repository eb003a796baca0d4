"""Long text written in the user's own editor ($VISUAL, else $EDITOR): the app suspends, the editor
gets the terminal, and what it saved comes back into the field.

This runs on the UI thread on purpose: `App.suspend` hands the terminal over, and nothing is drawn
until the editor exits. A failure (no editor, an editor that exits with an error, a terminal that
cannot be handed over) is an `EditorError` whose message is a sentence; the field keeps its text.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported


class EditorError(Exception):
    pass


def editor_command() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ""
    try:
        words = shlex.split(command)
    except ValueError:
        raise EditorError(f"$EDITOR ({command}) cannot be read as a command; what you typed is kept.") from None
    if not words:
        raise EditorError("Set $EDITOR (or $VISUAL) to the editor you want, e.g. export EDITOR=vim; "
                          "what you typed is kept.")
    return words


def edit_in_editor(app: App[object], text: str) -> str:
    """`text` as the user left it in their editor; raises EditorError (the caller keeps `text`)."""
    command = editor_command()
    handle, name = tempfile.mkstemp(prefix="incidents-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            with app.suspend():
                completed = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:
            raise EditorError("This terminal cannot be handed to an editor; type the text here.") from None
        except OSError as error:
            raise EditorError(f"The editor {command[0]} could not be started ({error.strerror}); "
                              "what you typed is kept.") from None
        if completed.returncode != 0:
            raise EditorError(f"The editor exited with status {completed.returncode}: what you typed is kept.")
        return path.read_text(encoding="utf-8", errors="replace").removesuffix("\n")
    finally:
        path.unlink(missing_ok=True)
