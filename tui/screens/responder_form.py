"""Add a responder: a person, a team, or an external system with its properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from pydantic import ValidationError
from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Button, Input, Select, Static
from textual.widgets.select import InvalidSelectValueError

from ..domain.format import clean
from ..domain.models import (
    EXTERNAL_RESPONDER_FIELDS,
    REQUIRED_EXTERNAL_FIELDS,
    Person,
    ResponderDraft,
    ResponderKind,
    Team,
    external_property_problems,
    property_label,
)
from ..widgets.inline_select import InlineSelect
from .dialog import Dialog, R, describe_error

KIND_CHOICES = [(Text("Person"), ResponderKind.PERSON), (Text("Team"), ResponderKind.TEAM),
                (Text("External system (Jira, email, ServiceNow…)"), ResponderKind.EXTERNAL)]

# Which select names the responder of each kind, and the draft field it fills.
TARGET_FIELDS = {ResponderKind.PERSON: ("person", "person_id"), ResponderKind.TEAM: ("team", "team_id"),
                 ResponderKind.EXTERNAL: ("external-type", "external_type")}


def external_label(kind: str) -> str:
    return {"ca": "CA", "aws_support": "AWS Support", "aws_ams_services_request": "AWS AMS service request",
            "ms_planner": "MS Planner", "service_now": "ServiceNow", "redhat": "Red Hat",
            "vmware": "VMware"}.get(kind, kind.capitalize())


class ResponderForm(Dialog[R]):
    """Choose the kind, then who or what; an external system asks for its properties in order."""

    DEFAULT_CSS = """
    ResponderForm Vertical { height: auto; }
    ResponderForm .-hidden { display: none; }
    ResponderForm #save { margin-top: 1; }
    """

    def __init__(self, title: str, load_people: Callable[[], list[Person]],
                 load_teams: Callable[[], list[Team]], submit: Callable[[ResponderDraft], R]) -> None:
        super().__init__(title, hint="tab next field · enter opens a list · ctrl+s add · esc cancel")
        self.load_people, self.load_teams = load_people, load_teams
        self.submit_draft = submit
        self.properties_typed: dict[str, str] = {}
        """Property values typed so far, kept when the external type changes."""
        self.drafted: dict[str, Any] = {}
        """Choices of a kept draft not made yet: the person or team, until their list is loaded."""

    def compose_dialog(self):
        yield Static("Kind", classes="field-label")
        yield InlineSelect(KIND_CHOICES, allow_blank=False, value=ResponderKind.PERSON, id="kind", compact=True)
        with Vertical(id="target-person"):
            yield Static("Person", classes="field-label")
            yield InlineSelect([], prompt="loading people…", id="person", compact=True)
        with Vertical(id="target-team", classes="-hidden"):
            yield Static("Team", classes="field-label")
            yield InlineSelect([], prompt="loading teams…", id="team", compact=True)
        with Vertical(id="target-external", classes="-hidden"):
            yield Static("External system", classes="field-label")
            yield InlineSelect([(Text(external_label(kind)), kind) for kind in EXTERNAL_RESPONDER_FIELDS],
                               prompt="choose a system", id="external-type", compact=True)
            yield Vertical(id="properties")
        yield Button("Add responder", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.load("people", self.load_people)
        self.load("teams", self.load_teams)

    def loaded(self, tag: str, value: Any) -> None:
        select = self.query_one(f"#{'person' if tag == 'people' else 'team'}", Select)
        select.set_options([(Text(clean(item.name)), item.id) for item in value])
        select.prompt = f"choose a {'person' if tag == 'people' else 'team'}"
        self.choose_drafted()

    # -- drafts ---------------------------------------------------------------------------

    def typed(self) -> dict[str, Any]:
        self.remember_typed()
        properties = {name: value for name, value in self.properties_typed.items() if value.strip()}
        chosen = {select.id: select.value for select in self.query("#dialog-body Select").results(Select)
                  if select.id != "kind" and select.value is not Select.NULL}
        if not (properties or chosen):
            return {}
        return {"kind": self.query_one("#kind", Select).value, "chosen": chosen, "properties": properties}

    def retype(self, draft: dict[str, Any]) -> None:
        self.properties_typed.update(draft["properties"])
        self.drafted = {"kind": draft["kind"], **draft["chosen"]}
        self.choose_drafted()

    def choose_drafted(self) -> None:
        """Make the drafted choices whose options are there (the kind and system at once; a person or
        team once their list is loaded)."""
        for select_id, value in list(self.drafted.items()):
            try:
                self.query_one(f"#{select_id}", Select).value = value
            except InvalidSelectValueError:
                continue
            del self.drafted[select_id]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "kind":
            for kind in ResponderKind:
                self.query_one(f"#target-{kind.value}").set_class(event.value is not kind, "-hidden")
        elif event.select.id == "external-type":
            self.ask_properties(None if event.value is Select.NULL else str(event.value))

    def ask_properties(self, kind: str | None) -> None:
        box = self.query_one("#properties", Vertical)
        self.remember_typed()
        box.remove_children()
        required = REQUIRED_EXTERNAL_FIELDS.get(kind or "", frozenset())
        for name in EXTERNAL_RESPONDER_FIELDS.get(kind or "", ()):
            label = Text.assemble(property_label(name), (" (required)" if name in required else "", "dim"))
            box.mount(Static(label, classes="field-label"),
                      Input(self.properties_typed.get(name, ""), id=f"prop-{name}", compact=True),
                      Static("", id=f"prop-{name}-error", classes="field-error -empty"))

    def remember_typed(self) -> None:
        for field in self.query("#properties Input").results(Input):
            name = cast(str, field.id).removeprefix("prop-")  # ask_properties gives each its id
            self.properties_typed[name] = field.value

    def draft(self) -> ResponderDraft:
        """What the form says, validated by the domain model (raises ValidationError)."""
        kind = cast(ResponderKind, self.query_one("#kind", Select).value)  # the kind select has no blank
        fields: dict[str, Any] = {"kind": kind}
        select_id, field = TARGET_FIELDS[kind]
        value = self.query_one(f"#{select_id}", Select).value
        if value is not Select.NULL:
            fields[field] = value
        if kind is ResponderKind.EXTERNAL:
            self.remember_typed()
            wanted = EXTERNAL_RESPONDER_FIELDS.get(fields.get("external_type", ""), ())
            fields["properties"] = {name: self.properties_typed[name].strip() for name in wanted
                                    if self.properties_typed.get(name, "").strip()}
        return ResponderDraft(**fields)

    def show_property_problems(self) -> bool:
        """Each external property's problem under its field (see the domain's rules); True if any."""
        kind = self.query_one("#external-type", Select).value
        problems = {} if kind is Select.NULL else external_property_problems(str(kind), self.properties_typed)
        for error in self.query("#properties .field-error").results(Static):
            name = str(error.id).removeprefix("prop-").removesuffix("-error")
            message = problems.get(name, "")
            error.update(Text(message))
            error.set_class(not message, "-empty")
        return bool(problems)

    def action_save(self) -> None:
        try:
            draft = self.draft()
        except ValidationError as error:
            external = self.query_one("#kind", Select).value is ResponderKind.EXTERNAL
            placed = external and self.show_property_problems()
            self.show_error("Some fields need attention: see the messages under them." if placed
                            else describe_error(error))
            return
        self.show_property_problems()
        self.submit(lambda: self.submit_draft(draft))
