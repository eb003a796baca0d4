"""The `:` command line, in the k9s manner: what a typed line asks for (parsed here, done by the board).

    :INC-313        jump to that incident (also :313)
    :configs        the config items view          :checks   the health checks view
    :view NAME      a saved view by name           :save NAME  save the current filter and sort
    :q              quit                           :help     the commands
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCREENS = {"configs": "view.configs", "checks": "view.checks"}
"""Commands that open a view, by the id of the registry action that opens it (when the app has it)."""

_INCIDENT = re.compile(r"(?:inc-?)?(\d+)", re.IGNORECASE)
QUIT = ("q", "quit", "q!")


@dataclass(frozen=True)
class Command:
    kind: str
    """jump, screen, view, save, quit, help or unknown."""
    argument: str = ""


def incident_number(text: str) -> str | None:
    """`INC-313` for `INC-313`, `inc313` or `313`; None for anything else."""
    found = _INCIDENT.fullmatch(text.strip())
    return f"INC-{int(found[1])}" if found else None


def parse_command(line: str) -> Command:
    text = line.strip().removeprefix(":").strip()
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if not text or word in ("help", "h", "?"):
        return Command("help")
    if word in QUIT and not rest:
        return Command("quit")
    if (incident_id := incident_number(text)) is not None:
        return Command("jump", incident_id)
    if word in SCREENS and not rest:
        return Command("screen", word)
    if word in ("view", "v") and rest:
        return Command("view", rest)
    if word in ("save", "w") and rest:
        return Command("save", rest)
    return Command("unknown", text)


def completions(view_names: list[str]) -> list[str]:
    """What the line offers to complete, in the order it offers them."""
    return ["configs", "checks", "help", "quit", *(f"view {name}" for name in view_names), "save "]


def command_help(known_screens: set[str]) -> str:
    screens = " · ".join(f":{name}" for name, id in SCREENS.items() if id in known_screens)
    return " · ".join(filter(None, [":INC-12 jumps to it", screens, ":view NAME", ":save NAME", ":q quits"]))
