"""What was typed into a dialog left with esc, kept to be brought back when it opens again.

Esc is how an on-call engineer gets back to the board in a hurry, often to look something up
before finishing the comment. Asking "discard?" at that moment is one more thing to answer (and a
key typed ahead could answer it wrongly); keeping the draft loses nothing. A draft belongs to one
kind of dialog on one incident, lives as long as the app, and is dropped once saved; clearing the
text and leaving discards it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

DraftKey = tuple[str, UUID | None]
"""The dialog kind (`comment`, `edit`, ...) and the incident (None for a new one)."""


class Drafts:
    def __init__(self) -> None:
        self._kept: dict[DraftKey, dict[str, Any]] = {}

    def get(self, key: DraftKey) -> dict[str, Any] | None:
        return self._kept.get(key)

    def keep(self, key: DraftKey, values: Mapping[str, Any]) -> None:
        """Keep `values` as the draft; nothing typed leaves no draft."""
        if values:
            self._kept[key] = dict(values)
        else:
            self._kept.pop(key, None)

    def drop(self, key: DraftKey) -> None:
        self._kept.pop(key, None)
