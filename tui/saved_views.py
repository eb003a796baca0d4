"""Saved views: a name for a filter (its sort included), recalled with a number key.

The config file's `[views]` come first, in its order; views saved from the board (`V`, `:save NAME`)
follow, kept in a small JSON file under the XDG state directory (the config file is the user's
to edit: the app never rewrites it). At most nine have a key.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .actions import SAVED_VIEW_KEYS
from .config import APP_NAME


@dataclass(frozen=True)
class SavedView:
    name: str
    filter: str
    """Filter text as the filter bar takes it, with its sort (`sev:critical sort:-age`)."""
    from_config: bool = False


def default_views_file() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME)) / "views.json"


def read_saved(path: Path) -> dict[str, str]:
    """The views saved from the board; a file that is missing or not ours reads as none (saving
    again replaces it)."""
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(values, dict):
        return {}
    return {str(name): text for name, text in values.items() if isinstance(text, str)}


def write_saved(path: Path, views: Mapping[str, str]) -> None:
    """Replace the file at once (never half-written), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".views-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(views), out, indent=2, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def numbered(from_config: Mapping[str, str], saved: Mapping[str, str]) -> list[SavedView]:
    """The views with a number key, in order: 1 is the first."""
    views = [SavedView(name, text, from_config=True) for name, text in from_config.items()]
    views += [SavedView(name, text) for name, text in saved.items() if name not in from_config]
    return views[:SAVED_VIEW_KEYS]
