"""Choose a person (commander, communicator, responder) from `backend.list_people()`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from rich.text import Text

from ..domain.format import clean
from ..domain.models import Person
from .dialog import R
from .picker import PickerDialog


def person_choice(person: Person, current: UUID | None = None) -> Text:
    text = Text(clean(person.display), style="bold")
    if person.email:
        text.append(f"  {clean(person.email)}", style="dim")
    if person.id == current:
        text.append("  (current)", style="italic")
    return text


class PeoplePicker(PickerDialog[Person, R]):
    def __init__(self, title: str, load: Callable[[], Sequence[Person]], submit: Callable[[Person], R],
                 *, current: UUID | None = None, intro: Text | str = "") -> None:
        super().__init__(title, load, lambda person: person_choice(person, current), submit, intro=intro)
