"""The user's own default database is created by itself on first use; once it exists, it must not
be created again unnoticed. A database deleted (or moved, or on a disk not mounted) while the app
was closed would otherwise come back empty, and the user would take the empty board for the
truth. So the data directory keeps the paths of the default databases that were in use, and a
missing one is an error that says what happened and how to start afresh (`incidents init`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import data_dir

FILE_NAME = "known-databases"


def _known_file() -> Path:
    return data_dir() / FILE_NAME


def known() -> set[str]:
    try:
        return {line for line in _known_file().read_text(encoding="utf-8").splitlines() if line}
    except (OSError, UnicodeDecodeError):
        return set()  # nothing remembered (or unreadable): the first start as ever


def was_in_use(path: Path) -> bool:
    return str(path) in known()


def remember(path: Path) -> None:
    """Note `path` as a database in use (its file exists by now). Best effort: a data directory we
    cannot write to is reported by the database itself."""
    if str(path) in known():
        return
    try:
        fd = os.open(_known_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return
    with os.fdopen(fd, "a", encoding="utf-8") as file:
        file.write(f"{path}\n")


def gone_sentence(path: Path) -> str:
    return (f"Your database {path} is gone: it was in use before and is no longer there (deleted, moved, "
            "or on a disk that is not mounted). Nothing was created in its place. Put it back, or start a "
            "new, empty one with: incidents init (or add --create)")
