"""Create an incident, or edit its title, severity, type and description.

Validation happens in the domain models (IncidentDraft / IncidentEdit); their errors are
shown under the field they concern, and nothing typed is cleared by an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError
from rich.text import Text
from textual import work
from textual.containers import Vertical
from textual.widgets import Button, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ..domain.enums import IncidentType, Severity, label
from ..domain.format import clean
from ..domain.messages import sentence
from ..domain.models import Check, ConfigItem, Incident, IncidentDraft, IncidentEdit, Person
from ..widgets.detail import health_text, looks_of
from ..widgets.inline_select import InlineSelect
from .dialog import EDITOR_BINDINGS, Dialog, Loaded, R, describe_error
from .picker import CHOICE_MOVES

Linkable = TypeVar("Linkable", ConfigItem, Check)


class LinkChooser(Vertical, Generic[Linkable]):
    """Search config items or health checks by name; enter links or unlinks the highlighted one."""

    BINDINGS = CHOICE_MOVES
    DEFAULT_CSS = """
    LinkChooser { height: auto; }
    LinkChooser > OptionList { height: auto; max-height: 5; border: none; }
    LinkChooser > .chosen { height: auto; }
    """

    def __init__(self, noun: str, find: Callable[[str], Sequence[Linkable]], *, id: str) -> None:
        super().__init__(id=id)
        self.noun = noun
        self.find: Callable[[str], Sequence[Linkable]] = find
        self.results: list[Linkable] = []
        self.chosen: dict[UUID, Linkable] = {}

    def compose(self):
        yield Input(placeholder=f"search {self.noun} by name · enter links/unlinks", compact=True)
        yield OptionList()
        yield Static(self._chosen_text(), classes="chosen")

    def on_mount(self) -> None:
        self.search("")

    @property
    def chosen_ids(self) -> tuple[UUID, ...]:
        return tuple(self.chosen)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def search(self, text: str) -> None:
        try:
            self.post_message(Loaded(text, self.find(text)))
        except Exception as error:  # noqa: BLE001 - shown under the field, see describe_error
            self.post_message(Loaded(text, describe_error(error)))

    def on_loaded(self, message: Loaded) -> None:
        if message.tag != self.query_one(Input).value:
            return  # an answer to something no longer typed
        if isinstance(message.value, str):
            self.query_one(".chosen", Static).update(Text(message.value, style="red"))
            return
        self.results = list(message.value)
        self._show_results()

    def _show_results(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.set_options([Option(self._result_text(item)) for item in self.results]
                            or [Option(Text(f"no {self.noun} match", style="dim"), disabled=True)])
        if self.results:
            options.highlighted = min(highlighted or 0, len(self.results) - 1)

    def _result_text(self, item: Linkable) -> Text:
        mark = Text("[x] " if item.id in self.chosen else "[ ] ")
        return Text.assemble(mark, clean(item.name), "  ", health_text(item.health, looks_of(self)),
                             (f"  {clean(item.type)}" if item.type else "", "dim"))

    def _chosen_text(self) -> Text:
        if not self.chosen:
            return Text(f"no {self.noun} linked", style="dim")
        return Text.assemble(("linked: ", "dim"), ", ".join(clean(item.name) for item in self.chosen.values()))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.toggle(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.toggle(event.option_index)

    def toggle(self, index: int | None) -> None:
        if index is None or not self.results:
            return
        item = self.results[index]
        if self.chosen.pop(item.id, None) is None:
            self.chosen[item.id] = item
        self._chosen_changed()

    def choose(self, items: Sequence[Linkable]) -> None:
        self.chosen = {item.id: item for item in items}
        self._chosen_changed()

    def _chosen_changed(self) -> None:
        self._show_results()
        self.query_one(".chosen", Static).update(self._chosen_text())

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.results:
            options.highlighted = max(0, min(len(self.results) - 1, (options.highlighted or 0) + step))


LINK_FIELDS = ("config_ids", "check_ids")


def _choices(values: Sequence[Severity] | Sequence[IncidentType]) -> list[tuple[Text, Any]]:
    return [(Text(value.label), value) for value in values]


class IncidentForm(Dialog[R]):
    """New incident (no `incident`) or edit of one; `submit` gets an IncidentDraft or IncidentEdit."""

    BINDINGS = EDITOR_BINDINGS

    DEFAULT_CSS = """
    IncidentForm > #dialog { width: 84; }
    IncidentForm #description { height: 5; }
    IncidentForm #save { margin: 1 0 0 0; }
    """

    def __init__(self, submit: Callable[[Any], R], *, incident: Incident | None = None,
                 load_people: Callable[[], list[Person]] | None = None,
                 search_configs: Callable[[str], Sequence[ConfigItem]] | None = None,
                 search_checks: Callable[[str], Sequence[Check]] | None = None) -> None:
        title = f"Edit {clean(incident.incident_id)}" if incident else "New incident"
        super().__init__(title, hint="tab next field · enter opens a list · ctrl+s save · esc cancel")
        self.incident = incident
        self.submit_model = submit
        self.load_people = load_people
        self.search_configs, self.search_checks = search_configs, search_checks
        self.prefilled: dict[str, Any] = {}
        """What the form showed when it opened: an edit sends only the fields changed since."""
        self.drafted_commander: UUID | None = None
        """The commander of a kept draft, chosen once the people are loaded."""

    @property
    def creating(self) -> bool:
        return self.incident is None

    def compose_dialog(self):
        incident = self.incident
        # An edit usually adds to the title: typing must not replace it (Input selects all on focus).
        yield from self._field("Title", Input(clean(incident.title) if incident else "", id="title",
                                              placeholder="what is wrong, in a line", compact=True,
                                              select_on_focus=False))
        yield from self._field("Severity", self._enum_select("severity", list(Severity), Severity.MEDIUM))
        yield from self._field("Type", self._enum_select("type", list(IncidentType), IncidentType.AVAILABILITY))
        description = clean(incident.description, multiline=True) if incident else ""
        yield from self._field("Description", TextArea(description,
                                                       id="description", compact=True))
        if self.creating:
            yield from self._field("Commander", InlineSelect([], prompt="nobody yet", id="commander_id",
                                                             compact=True))
            yield from self._field("Config items", LinkChooser("config items", self.search_configs,
                                                               id="config_ids"))
            yield from self._field("Health checks", LinkChooser("health checks", self.search_checks,
                                                                id="check_ids"))
        yield Button("Create incident" if self.creating else "Save changes", id="save",
                     variant="primary", compact=True)

    def _field(self, name: str, widget) -> Any:
        yield Static(name, classes="field-label")
        yield widget
        yield Static("", id=f"{widget.id}-error", classes="field-error -empty")

    def _enum_select(self, field: str, values: list, default: Any) -> Select:
        """Pre-filled with the incident's value; a value we do not know is kept unless changed."""
        current = getattr(self.incident, field) if self.incident else default
        known = current in values
        prompt = "" if known else f"keep “{clean(label(current))}”"
        return InlineSelect(_choices(values), id=field, compact=True, allow_blank=not known,
                            value=current if known else Select.NULL, prompt=prompt or "Select")

    def on_mount(self) -> None:
        self.prefilled = self.values()
        description = self.query_one("#description", TextArea)
        description.move_cursor(description.document.end)  # edits usually add to the end
        if self.creating and self.load_people is not None:
            self.load("people", self.load_people)

    def loaded(self, tag: str, value: Any) -> None:
        commander = self.query_one("#commander_id", Select)
        commander.set_options([(Text(clean(person.name)), person.id) for person in value])
        if self.drafted_commander in {person.id for person in value}:
            commander.value = self.drafted_commander

    # -- drafts ---------------------------------------------------------------------------

    def typed(self) -> dict[str, Any]:
        """The fields changed since the form opened; the linked items themselves, to show their names."""
        draft = {field: value for field, value in self.values().items()
                 if field not in LINK_FIELDS and value != self.prefilled.get(field)}
        if self.creating:
            for field in LINK_FIELDS:
                chosen = list(self.query_one(f"#{field}", LinkChooser).chosen.values())
                if chosen:
                    draft[field] = chosen
        return draft

    def retype(self, draft: dict[str, Any]) -> None:
        for field, value in draft.items():
            widget = self.query_one(f"#{field}")
            if isinstance(widget, Input):
                widget.value = value
            elif isinstance(widget, TextArea):
                widget.load_text(value)
            elif isinstance(widget, LinkChooser):
                widget.choose(value)
            elif field == "commander_id":
                self.drafted_commander = value  # set once the people are loaded
            elif isinstance(widget, Select):
                widget.value = value

    # -- building the model ---------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "title": self.query_one("#title", Input).value,
            "description": self.query_one("#description", TextArea).text,
        }
        for field in ("severity", "type", *(("commander_id",) if self.creating else ())):
            value = self.query_one(f"#{field}", Select).value
            if value is not Select.NULL:
                values[field] = value
        if self.creating:
            for field in LINK_FIELDS:
                values[field] = self.query_one(f"#{field}", LinkChooser).chosen_ids
        return values

    def model(self) -> BaseModel:
        values = self.values()
        if self.creating:
            return IncidentDraft(**values)
        return IncidentEdit(**{field: value for field, value in values.items()
                               if value != self.prefilled.get(field)})

    def clear_errors(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")
            error.add_class("-empty")
        self.show_error("")

    def show_validation(self, error: ValidationError) -> None:
        unplaced = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            message = sentence(problem)
            targets = self.query(f"#{field}-error").results(Static) if field else iter(())
            target = next(targets, None)
            if target is None:
                unplaced.append(message)
            else:
                target.update(Text(message))
                target.remove_class("-empty")
        self.show_error(" ".join(unplaced))
        first = next(iter(self.query(".field-error").exclude(".-empty")), None)
        if first is not None:
            self.query_one("#dialog-body").scroll_to_widget(first, animate=False)

    def action_save(self) -> None:
        self.clear_errors()
        try:
            model = self.model()
        except ValidationError as error:
            self.show_validation(error)
            return
        self.submit(lambda: self.submit_model(model))
