"""Every incident action of the board: transitions, acknowledge, comment, edit, create, people.

`IncidentActions` is a mixin for the Board screen. The host provides `backend`, `_tell(message)`,
`selected_incident()`, `selected_detail()`, `when_selected(act)` and `refresh_board(keep_id=...)`.

An action acts on the incident under the cursor when its key was pressed: if that incident's
details are still loading, `when_selected` runs it once they are here (typed keys wait meanwhile),
and not at all if the incident changed since its row was shown.

Each write runs in a thread worker: quick actions (acknowledge, mitigate, resolve) in this
mixin's worker, which posts a message; actions with a dialog inside the dialog, which stays
open with the error in place when the write fails. Either way a stored change ends in
`refresh_board(keep_id=...)` and a short notification ("INC-12 mitigated").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial, wraps
from typing import TYPE_CHECKING, Any
from uuid import UUID

from rich.text import Text
from textual import work
from textual.message import Message
from textual.notifications import SeverityLevel

from ..domain import lifecycle, plan
from ..domain.conflict import describe_conflict
from ..domain.enums import Status, label, parse_status
from ..domain.format import clean
from ..domain.models import Incident, IncidentDetail, IncidentDraft, IncidentEdit, Person, Responder, ResponderDraft
from ..store.base import Backend, Conflict
from ..widgets.detail import responder_kind, responder_name, transition_keys
from .action_plan import ActionPlanScreen
from .comment import CommentDialog
from .confirm import ConfirmDialog
from .dialog import describe_error
from .drafts import DraftKey, Drafts
from .incident_form import IncidentForm
from .people_picker import PeoplePicker
from .picker import PickerDialog
from .plan_forms import LinkDialog, Links, Once
from .responder_form import ResponderForm
from .transition import TransitionDialog


@dataclass(frozen=True)
class Done:
    """A stored change: the incident to keep selected and the sentence to tell the user."""

    keep_id: UUID
    message: str
    written: Incident | None = None
    """The incident as a status change stored it: the board shows it without reloading (see Board.refresh_board)."""


class IncidentChanged(Message):
    def __init__(self, done: Done) -> None:
        super().__init__()
        self.done = done


class IncidentActionFailed(Message):
    def __init__(self, error: Exception, incident_id: UUID) -> None:
        super().__init__()
        self.error, self.incident_id = error, incident_id


class Version:
    """The version of the incident a dialog's write compares against (compare-and-set).

    A Conflict moves it to the stored version and says what differs, field by field (theirs and
    yours): what the user typed stays in the dialog, and saving again applies it on top of the
    newer version, deliberately.
    """

    def __init__(self, backend: Backend, incident: Incident) -> None:
        self.backend, self.seen = backend, incident

    @property
    def updated_at(self) -> datetime:
        return self.seen.updated_at

    def write(self, call: Callable[[datetime], Incident], yours: Mapping[str, Any]) -> Incident:
        """`yours`: the fields the write sets, to show beside theirs if it conflicts."""
        try:
            return call(self.seen.updated_at)
        except Conflict as error:
            seen, self.seen = self.seen, self.backend.get_incident(self.seen.id).incident
            people = {person.id: person for person in self.backend.list_people()}
            raise Conflict(describe_conflict(seen, self.seen, yours, people)) from error


def on_the_selected_incident(action: Callable[..., None]) -> Callable[..., None]:
    """An action on the incident under the cursor: runs once that incident is loaded (see `when_selected`)."""

    @wraps(action)
    def when_loaded(self: IncidentActions, *args: str) -> None:
        self.when_selected(lambda: action(self, *args))

    return when_loaded


def headline(incident: Incident) -> Text:
    return Text.assemble((clean(incident.incident_id), "bold"), " ", clean(incident.title))


def transition_consequence(incident: Incident, to: Status) -> Text:
    """What a confirmed transition does, in words."""
    text = Text.assemble(headline(incident), "\n\nIt will be ", (to.label.lower(), "bold"),
                         f": {to.description[0].lower()}{to.description[1:]}.")
    if to.is_final:
        text.append(" It becomes read-only; only reopening changes it again.")
    if to is Status.OPEN and incident.closed is not None:
        text.append(f" It was closed {incident.closed:%Y-%m-%d %H:%M}; its resolved and closed "
                    "times are cleared.")
    return text


def responder_choice(responder: Responder) -> Text:
    return Text.assemble(responder_kind(responder), "  ", clean(responder_name(responder)))


if TYPE_CHECKING:  # mypy checks the mixin against the screen it is mixed into
    from textual.screen import Screen

    _Host = Screen
else:
    _Host = object


class IncidentActions(_Host):
    """Incident actions for the Board screen (see the module docstring for the contract)."""

    if TYPE_CHECKING:  # provided by the host screen
        @property
        def backend(self) -> Backend: ...

        def selected_incident(self) -> Incident | None: ...
        def selected_detail(self) -> IncidentDetail | None: ...
        def when_selected(self, act: Callable[[], None]) -> None: ...
        def refresh_board(self, keep_id: UUID | None = None, written: Incident | None = None) -> None: ...
        def _tell(self, message: str, *, severity: SeverityLevel = "information",
                  timeout: float | None = None) -> None: ...

    # -- which incident, and may it change ---------------------------------------------------

    def _selected(self) -> Incident | None:
        incident = self.selected_incident()
        if incident is None:
            self._tell("No incident selected: no incident matches the filter.", severity="warning")
        return incident

    def _editable(self) -> Incident | None:
        """The selected incident if it may be changed; otherwise say why (read-only)."""
        incident = self._selected()
        if incident is not None and lifecycle.is_read_only(incident):
            key = transition_keys(self)[Status.OPEN]
            self._tell(f"{clean(incident.incident_id)} is {label(incident.status).lower()} and read-only; "
                       f"press {key} to reopen it first.", severity="warning")
            return None
        return incident

    def _detail_of(self, incident: Incident | None) -> IncidentDetail | None:
        """The loaded detail of `incident`, if it is the one selected (None otherwise)."""
        detail = self.selected_detail() if incident is not None else None
        return detail if incident is not None and detail is not None and detail.incident.id == incident.id else None

    # -- running writes ------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="incident-action")
    def _perform(self, incident_id: UUID, call: Callable[[], Done]) -> None:
        try:
            done = call()
        except Exception as error:  # noqa: BLE001 - becomes a notification, see describe_error
            self.post_message(IncidentActionFailed(error, incident_id))
        else:
            self.post_message(IncidentChanged(done))

    def on_incident_changed(self, message: IncidentChanged) -> None:
        self._finish(message.done)

    def on_incident_action_failed(self, message: IncidentActionFailed) -> None:
        self._tell(describe_error(message.error), severity="error")
        if isinstance(message.error, Conflict):  # show the newer version the user is up against
            self.refresh_board(keep_id=message.incident_id)

    def _finish(self, done: Done | None) -> None:
        """A dialog's or worker's result: None when the user backed out."""
        if done is not None:
            self.refresh_board(keep_id=done.keep_id, written=done.written)
            self._tell(done.message, timeout=3)

    def _open(self, dialog, draft: DraftKey | None = None) -> None:
        """Show `dialog`; with a `draft` key, what esc leaves in it comes back the next time."""
        if draft is not None:
            dialog.keeping_drafts(self.drafts, draft)
        self.app.push_screen(dialog, callback=self._finish)

    @cached_property
    def drafts(self) -> Drafts:
        return Drafts()

    # -- lifecycle -------------------------------------------------------------------------------

    @on_the_selected_incident
    def action_acknowledge(self) -> None:
        incident = self._editable()
        if incident is None:
            return
        becomes_commander = incident.commander_id is None

        def acknowledge() -> Done:
            updated = self.backend.acknowledge(incident.id, incident.updated_at)
            suffix = "; you are its commander" if becomes_commander else ""
            return Done(incident.id, f"{updated.incident_id} acknowledged{suffix}")

        self._perform(incident.id, acknowledge)

    @on_the_selected_incident
    def action_transition(self, to: str) -> None:
        incident = self._selected()
        target = parse_status(to)
        if incident is None or not isinstance(target, Status):
            return
        if target not in lifecycle.allowed_transitions(incident):
            if lifecycle.is_read_only(incident):
                self._editable()  # says it is read-only and how to reopen
            else:
                self._tell(str(lifecycle.InvalidTransition(incident.status, target)), severity="warning")
            return
        version = Version(self.backend, incident)
        if lifecycle.needs_confirmation(incident.status, target):
            verb = {Status.OPEN: "reopen", Status.CLOSED: "close", Status.CANCELLED: "cancel"}[target]
            self._open(ConfirmDialog(
                f"{verb.capitalize()} {clean(incident.incident_id)}?",
                transition_consequence(incident, target),
                lambda note: self._move(version, incident, target, note),
                confirm_label=f"{verb} it"), draft=(f"move-{target.value}", incident.id))
        else:
            self._perform(incident.id, lambda: self._move(version, incident, target, None))

    @on_the_selected_incident
    def action_transition_with_note(self) -> None:
        incident = self._selected()
        if incident is None:
            return
        version = Version(self.backend, incident)
        self._open(TransitionDialog(incident, transition_keys(self),
                                    lambda target, note: self._move(version, incident, target, note)),
                   draft=("move", incident.id))

    def _move(self, version: Version, incident: Incident, target: Status, note: str | None) -> Done:
        updated = version.write(lambda at: self.backend.transition(incident.id, target, note, at), {"status": target})
        return Done(incident.id, f"{updated.incident_id} {lifecycle.verb(target, incident.status)}", updated)

    # -- content -------------------------------------------------------------------------------

    @on_the_selected_incident
    def action_comment(self) -> None:
        incident = self._editable()
        if incident is None:
            return

        def comment(text: str) -> Done:
            self.backend.add_comment(incident.id, text)
            return Done(incident.id, f"Comment added to {incident.incident_id}")

        self._open(CommentDialog(f"Comment on {clean(incident.incident_id)}", headline(incident), comment),
                   draft=("comment", incident.id))

    @on_the_selected_incident
    def action_edit(self) -> None:
        incident = self._editable()
        if incident is None:
            return
        version = Version(self.backend, incident)

        def save(edit: IncidentEdit) -> Done:
            if not edit.changes():
                return Done(incident.id, f"{incident.incident_id}: nothing changed")
            updated = version.write(lambda at: self.backend.update_incident(incident.id, edit, at), edit.changes())
            return Done(incident.id, f"{updated.incident_id} updated")

        self._open(IncidentForm(save, incident=incident), draft=("edit", incident.id))

    def action_new_incident(self) -> None:
        def create(draft: IncidentDraft) -> Done:
            created = self.backend.create_incident(draft)
            return Done(created.id, f"{created.incident_id} created")

        self._open(IncidentForm(create, load_people=self.backend.list_people,
                                search_configs=self.backend.search_configs,
                                search_checks=self.backend.search_checks), draft=("new", None))

    # -- people ----------------------------------------------------------------------------------

    def action_assign_commander(self) -> None:
        self._assign("commander")

    def action_assign_communicator(self) -> None:
        self._assign("communicator")

    @on_the_selected_incident
    def _assign(self, role: str) -> None:
        incident = self._editable()
        if incident is None:
            return
        field = f"{role}_id"
        version = Version(self.backend, incident)

        def assign(person: Person | None) -> Done:
            if (person.id if person else None) == getattr(incident, field):  # enter on the highlight as it opened
                kept = f"{person.display} stays {role}" if person else f"still no {role}"
                return Done(incident.id, f"{incident.incident_id}: {kept}")
            edit = IncidentEdit(**{field: person.id if person else None})
            updated = version.write(lambda at: self.backend.update_incident(incident.id, edit, at), {field: person})
            if person is None:
                return Done(incident.id, f"{updated.incident_id} has no {role} now")
            return Done(incident.id, f"{person.display} is now {role} of {updated.incident_id}")

        self._open(PeoplePicker(f"{role.capitalize()} of {clean(incident.incident_id)}",
                                self.backend.list_people, assign, current=getattr(incident, field),
                                intro=headline(incident), allow_nobody=True))

    @on_the_selected_incident
    def action_add_responder(self) -> None:
        incident = self._editable()
        if incident is None:
            return

        def add(draft: ResponderDraft) -> Done:
            responder = self.backend.add_responder(incident.id, draft)
            return Done(incident.id, f"{responder_name(responder)} added to {incident.incident_id}")

        self._open(ResponderForm(f"Add a responder to {clean(incident.incident_id)}",
                                 self.backend.list_people, self.backend.list_teams, add),
                   draft=("responder", incident.id))

    @on_the_selected_incident
    def action_remove_responder(self) -> None:
        incident = self._editable()
        detail = self._detail_of(incident)
        if incident is None or detail is None:
            return
        if not detail.responders:
            self._tell(f"{incident.incident_id} has no responders to remove.", severity="warning")
            return
        picker = PickerDialog(f"Remove a responder from {clean(incident.incident_id)}",
                              lambda: detail.responders, responder_choice, lambda responder: responder)
        self.app.push_screen(picker, callback=lambda responder: self._confirm_removal(incident, responder))

    def _confirm_removal(self, incident: Incident, responder: Responder | None) -> None:
        if responder is None:
            return
        name = clean(responder_name(responder))

        def remove(_note: str | None) -> Done:
            self.backend.remove_responder(responder.id)
            return Done(incident.id, f"{name} removed from {incident.incident_id}")

        self._open(ConfirmDialog(f"Remove responder from {clean(incident.incident_id)}?",
                                 Text.assemble("Remove ", responder_choice(responder), " from ",
                                               headline(incident), "?"),
                                 remove, confirm_label="remove", with_note=False))

    # -- links and the action plan -------------------------------------------------------------

    @on_the_selected_incident
    def action_link(self) -> None:
        incident = self._editable()
        detail = self._detail_of(incident)
        if incident is None or detail is None:
            return

        once = Once()

        def save(links: Links) -> Done:
            added, removed = links
            counts = [f"{len(added)} linked"] * bool(added) + [f"{len(removed)} unlinked"] * bool(removed)
            for draft in added:
                once.run(draft, partial(self.backend.add_evidence, incident.id, draft))
            for evidence in removed:
                once.run(evidence.id, partial(self.backend.remove_evidence, evidence.id))
            return Done(incident.id, f"{incident.incident_id}: {', '.join(counts) or 'no links changed'}")

        self._open(LinkDialog(f"Links of {clean(incident.incident_id)}", headline(incident), plan.root_links(detail),
                              self.backend.search_configs, self.backend.search_checks, save))

    @on_the_selected_incident
    def action_action_plan(self) -> None:
        detail = self._detail_of(self._selected())
        if detail is None:
            return
        self.app.push_screen(ActionPlanScreen(self.backend, detail),
                             callback=lambda kept: self.refresh_board(keep_id=kept))
