"""What every incident dialog shares.

Esc cancels and ctrl+s saves. The backend call a dialog exists for runs inside the dialog,
in a thread worker, so a failure is shown in place and nothing the user typed is lost;
the dialog closes only once the write is stored, returning what the call returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic import ValidationError
from rich.text import Text
from textual import events, work
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static, TextArea

from ..actions import ACTIONS_BY_ID, bindings_of, configured_keys
from ..domain.format import clean
from ..domain.lifecycle import LifecycleError
from ..domain.messages import sentences
from ..editor import EditorError, edit_in_editor
from ..store.base import BackendError
from ..typeahead import drop_typed_ahead, keys_may_flow

if TYPE_CHECKING:
    from ..app import IncidentApp
from .drafts import DraftKey, Drafts

R = TypeVar("R")

EDITOR_BINDINGS = bindings_of("dialog.editor")
"""For dialogs with long text (a comment, a note, a description): write it in $EDITOR."""
LONG_TEXT_IDS = ("comment", "description", "note")

USER_ERRORS = (BackendError, LifecycleError, ValidationError)
"""Errors that are the user's to read, never a traceback."""


def describe_error(error: BaseException) -> str:
    """One readable sentence per problem; pydantic's own text is written for developers.

    Anything that is not a user error is a bug; it is still a sentence, not a traceback,
    and the dialog or board that met it stays usable.
    """
    if isinstance(error, ValidationError):
        return clean(sentences(error.errors()))
    if not isinstance(error, USER_ERRORS):
        return clean(f"Unexpected error ({type(error).__name__}): {error}. Nothing was lost; please report this.")
    return clean(str(error))  # messages quote stored names and ids


class Submitted(Message, bubble=False):
    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class SubmitFailed(Message, bubble=False):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class Loaded(Message, bubble=False):
    """Data a dialog asked the backend for (people, teams, search results)."""

    def __init__(self, tag: str, value: Any) -> None:
        super().__init__()
        self.tag, self.value = tag, value


class Dialog(ModalScreen[R | None], Generic[R]):
    """A centred box with a title, the subclass's fields, an error line and a key hint."""

    BINDINGS = bindings_of("dialog.cancel", "dialog.save", "app.help")
    AUTO_FOCUS = ""  # see on_mount
    DEFAULT_CSS = """
    Dialog { align: center middle; background: $background 60%; }
    Dialog > #dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; border-title-style: bold; background: $surface; padding: 0 1;
    }
    Dialog #dialog-body { height: auto; }
    Dialog #dialog-error { color: $text-error; height: auto; }
    Dialog #dialog-error.-empty { display: none; }
    Dialog .dialog-hint { color: $text-muted; height: auto; }
    Dialog .field-label { margin-top: 1; text-style: bold; }
    Dialog .field-error { color: $text-error; height: auto; }
    Dialog .field-error.-empty { display: none; }
    Dialog .-textual-compact { background: $boost; }
    Dialog .-textual-compact:focus, Dialog Select.-textual-compact:focus-within { background: $primary 25%; }
    """
    ASKS_FIRST = False
    """A confirmation: keys typed before it appeared are dropped, never taken as its answer."""

    def __init__(self, title: str, hint: str = "ctrl+s save · esc cancel") -> None:
        super().__init__()
        self.dialog_title = title
        self.hint = hint
        self.busy = False
        """Its write is on its way: keys typed now wait, to go to what shows next (tui.typeahead)."""
        self.error_text = Text("")
        self.drafts: Drafts | None = None
        self.draft_key: DraftKey | None = None
        self.opened = False
        """Mounted, with its first field focused: keys typed before wait for it."""

    def compose_dialog(self):  # pragma: no cover - every subclass overrides it
        yield from ()

    def compose(self):
        with Vertical(id="dialog") as box:
            box.border_title = self.dialog_title
            with VerticalScroll(id="dialog-body", can_focus=False):
                yield from self.compose_dialog()
            yield Static("", id="dialog-error", classes="-empty")
            yield Static(Text(self.key_hint()), classes="dialog-hint")

    @property
    def accepting_keys(self) -> bool:
        return self.opened and not self.busy

    def key_hint(self) -> str:
        """The hint, naming the keys the user's keymap gives save and cancel (hints say ctrl+s, esc)."""
        hint = self.hint
        for id, default in (("dialog.save", "ctrl+s"), ("dialog.cancel", "esc")):
            if id in getattr(self.app, "user_keymap", {}):
                hint = hint.replace(default, configured_keys(self.app, ACTIONS_BY_ID[id]).split(",")[0])
        return hint

    def on_mount(self) -> None:
        """Focus the first field without scrolling: Textual's auto focus scrolls before layout."""
        first = next((widget for widget in self.query("#dialog-body *") if widget.focusable), None)
        if first is not None and self.focused is None:
            first.focus(scroll_visible=False)
        draft = self.drafts.get(self.draft_key) if self.drafts and self.draft_key else None
        if draft:
            self.retype(draft)
            self.query_one("#dialog").border_subtitle = "your unsaved draft"
        if self.ASKS_FIRST and drop_typed_ahead(self):
            self.show_error("Keys typed before this question appeared were ignored: read it, then answer.")
        # Keys typed ahead wait for the first paint: a TextArea given text before it has a size
        # keeps it but is not repainted until the next key, so the box looked empty.
        self.call_after_refresh(self._open_for_keys)

    def _open_for_keys(self) -> None:
        self.opened = True  # a subclass's on_mount has run already (handlers run subclass first)
        keys_may_flow(self)  # after the focus change scheduled in on_mount

    # -- drafts: what esc keeps (see drafts.py) -------------------------------------------

    def keeping_drafts(self, drafts: Drafts, key: DraftKey) -> Dialog[R]:
        """Keep what is typed when esc leaves this dialog, and bring back what was kept for `key`."""
        self.drafts, self.draft_key = drafts, key
        return self

    def typed(self) -> dict[str, Any]:
        """Override: what the user typed that leaving must not lose (empty when nothing was)."""
        return {}

    def retype(self, draft: dict[str, Any]) -> None:
        """Override: put a kept draft (from `typed`) back into the fields."""

    def on_resize(self, event: events.Resize) -> None:
        self._fit_body()

    def _fit_body(self) -> None:
        """Fields scroll inside the box; the title, the error (however long) and the key hint stay in view."""
        box = self.query_one("#dialog")
        width = box.content_region.width or 72
        lines = len(self.error_text.wrap(self.app.console, width)) if self.error_text else 1
        self.query_one("#dialog-body").styles.max_height = max(self.size.height - 5 - lines, 3)

    # -- errors ---------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        error = self.query_one("#dialog-error", Static)
        self.error_text = Text(clean(message))
        error.update(self.error_text)
        error.set_class(not message, "-empty")
        self._fit_body()

    # -- the write this dialog is for -----------------------------------------------------

    def submit(self, call: Callable[[], R]) -> None:
        """Run `call` (a backend write) off the UI thread; close with its result on success."""
        if self.busy:
            return
        self.busy = True
        self.show_error("")
        self._run_submit(call)

    @work(thread=True, exit_on_error=False, group="dialog-submit")
    def _run_submit(self, call: Callable[[], R]) -> None:
        try:
            result = call()
        except Exception as error:  # noqa: BLE001 - shown in the dialog, see describe_error
            self.post_message(SubmitFailed(error))
        else:
            self.post_message(Submitted(result))

    def on_submitted(self, message: Submitted) -> None:
        if self.drafts and self.draft_key:
            self.drafts.drop(self.draft_key)
        self.dismiss(message.result)
        keys_may_flow(self)

    def on_submit_failed(self, message: SubmitFailed) -> None:
        self.busy = False
        self.show_error(describe_error(message.error))
        keys_may_flow(self)

    # -- data the dialog needs ------------------------------------------------------------

    def load(self, tag: str, call: Callable[[], Any]) -> None:
        """Fetch something for the form off the UI thread; `loaded(tag, value)` receives it."""
        self._run_load(tag, call)

    @work(thread=True, exit_on_error=False, group="dialog-load")
    def _run_load(self, tag: str, call: Callable[[], Any]) -> None:
        try:
            value = call()
        except Exception as error:  # noqa: BLE001 - shown in the dialog, see describe_error
            self.post_message(SubmitFailed(error))
        else:
            self.post_message(Loaded(tag, value))

    def on_loaded(self, message: Loaded) -> None:
        self.loaded(message.tag, message.value)

    def loaded(self, tag: str, value: Any) -> None:
        """Override to show what `load` fetched."""

    # -- keys -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.drafts and self.draft_key:
            self.drafts.keep(self.draft_key, self.typed())
        self.dismiss(None)

    def action_external_editor(self) -> None:
        """The focused long-text field (else the first one) in $EDITOR; on failure it keeps its text."""
        fields = [field for id in LONG_TEXT_IDS for field in self.query(f"#{id}")
                  if isinstance(field, TextArea | Input)]
        field = self.focused if self.focused in fields else next(iter(fields), None)
        if not isinstance(field, TextArea | Input):
            self.show_error("Nothing in this dialog is written in an editor.")
            return
        try:
            text = edit_in_editor(self.app, field.text if isinstance(field, TextArea) else field.value)
        except EditorError as error:
            self.show_error(str(error))
            return
        self.show_error("")
        if isinstance(field, TextArea):
            field.load_text(text)
            field.move_cursor(field.document.end)
        else:
            field.value = " ".join(text.split())  # one line: the editor's lines joined
        field.focus()

    def action_help(self) -> None:
        """A modal screen hides the app's keys: help is bound here too (where a field does not take `?`)."""
        cast("IncidentApp", self.app).action_help()

    # Enter in a one-line field, a button press and a picked option all save, like ctrl+s.
    # A widget that gives enter another meaning (a search box) stops the event itself.

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Override: validate what was typed, then `submit` the write."""
