"""Choose a person (commander, communicator, responder) from `backend.list_people()`.

With `allow_nobody`, the first choice is None: nobody, to unassign a role. The highlight starts
on the current person, so enter straight away changes nothing; nobody is only ever picked on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from rich.text import Text

from ..domain.format import clean
from ..domain.models import Person
from .dialog import R
from .picker import PickerDialog


def person_choice(person: Person | None, current: UUID | None = None) -> Text:
    if person is None:
        return Text("nobody", style="italic").append("  (unassign)", style="dim")
    text = Text(clean(person.display), style="bold")
    if person.email:
        text.append(f"  {clean(person.email)}", style="dim")
    if person.id == current:
        text.append("  (current)", style="italic")
    return text


class PeoplePicker(PickerDialog[Person | None, R]):
    def __init__(self, title: str, load: Callable[[], Sequence[Person]], submit: Callable[[Person | None], R],
                 *, current: UUID | None = None, intro: Text | str = "", allow_nobody: bool = False) -> None:
        choices = (lambda: [None, *load()]) if allow_nobody else load
        super().__init__(title, choices, lambda person: person_choice(person, current), submit, intro=intro)
        self.current = current

    def first_choice(self) -> int:
        ids = [person.id if person else None for person in self.shown]
        return ids.index(self.current) if self.current in ids else 0
