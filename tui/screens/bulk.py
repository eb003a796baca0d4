"""One action on several selected incidents: one confirmation that lists them, a result for each.

The lifecycle decides, per incident and before anything is written, which will be changed and
which not (and why); the confirmation says both. The writes then run one after the other in the
dialog's worker, each compare-and-set against the version that was listed: an incident someone
changed meanwhile is reported as a conflict and left alone, the others go ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from ..domain import lifecycle
from ..domain.clock import utcnow
from ..domain.format import clean
from ..domain.models import Incident
from ..store.base import Conflict
from .confirm import ConfirmDialog
from .dialog import USER_ERRORS, describe_error


@dataclass(frozen=True)
class BulkAction:
    """What to do to each incident, in words and in code."""

    title: str
    """The question, for some number of incidents: "Acknowledge {n} incidents?"."""
    done: str
    """What happened to one that was changed: "acknowledged"."""
    check: Callable[[Incident, datetime], object]
    """Raises the lifecycle's error if this incident may not be changed so (nothing is written)."""
    write: Callable[[Incident, str | None], object]
    """The backend write for one incident (compare-and-set on the listed version), with the note."""
    with_note: bool = False


@dataclass(frozen=True)
class Outcome:
    incident_id: str
    done: bool
    sentence: str


def refusal(action: BulkAction, incident: Incident, now: datetime) -> str | None:
    """Why the lifecycle will not let `action` change `incident`, or None if it will."""
    try:
        action.check(incident, now)
    except lifecycle.LifecycleError as error:
        return str(error)
    return None


def listing(action: BulkAction, incidents: Sequence[Incident]) -> Text:
    """Every selected incident, and what will happen to it."""
    now = utcnow()
    text = Text()
    for incident in incidents:
        reason = refusal(action, incident, now)
        mark, style = ("✗ ", "dim") if reason else ("✓ ", "")
        text.append(mark, style="bold").append(clean(incident.incident_id), style="bold " + style)
        text.append(f" {clean(incident.title)}\n", style=style)
        text.append(f"    {'skipped: ' + reason if reason else 'will be ' + action.done}\n",
                    style="italic" if reason else "dim")
    text.rstrip()
    return text


def run(action: BulkAction, incidents: Sequence[Incident], note: str | None) -> list[Outcome]:
    """The writes, one per incident; one that fails does not stop the others."""
    outcomes = []
    now = utcnow()
    for incident in incidents:
        name = incident.incident_id
        reason = refusal(action, incident, now)
        if reason is not None:
            outcomes.append(Outcome(name, False, f"{name} not changed: {reason}"))
            continue
        try:
            action.write(incident, note)
        except Conflict:
            outcomes.append(Outcome(name, False, f"{name} not changed: someone changed it after it was listed "
                                                 "(conflict); check it and try again."))
        except USER_ERRORS as error:
            outcomes.append(Outcome(name, False, f"{name} not changed: {describe_error(error)}"))
        else:
            outcomes.append(Outcome(name, True, f"{name} {action.done}"))
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> str:
    done = [outcome for outcome in outcomes if outcome.done]
    failed = [outcome for outcome in outcomes if not outcome.done]
    head = f"{len(done)} of {len(outcomes)} changed."
    return "\n".join([head, *(outcome.sentence for outcome in [*failed, *done])])


def changeable(action: BulkAction, incidents: Sequence[Incident]) -> int:
    now = utcnow()
    return sum(refusal(action, incident, now) is None for incident in incidents)


def confirmation(action: BulkAction, incidents: Sequence[Incident]) -> ConfirmDialog[list[Outcome]]:
    """The one question before `action` is done to every incident it may be done to."""
    may = changeable(action, incidents)
    intro = Text(f"{may} of {len(incidents)} selected incidents will be {action.done}:\n\n", style="bold")
    return ConfirmDialog(action.title.format(n=len(incidents)), intro + listing(action, incidents),
                         lambda note: run(action, incidents, note),
                         confirm_label=f"change {may}", with_note=action.with_note)
