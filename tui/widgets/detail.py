"""The detail pane: everything about one incident, and what can be done with it next.

All incident data is rendered as `rich.text.Text` after `clean()`, never as markup: a title
like `[SEV1] db down` shows verbatim and `[/x]` cannot raise. Colours always come with a word
or a symbol, so the pane reads the same on a monochrome terminal.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.dom import DOMNode, NoScreen
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import themes
from ..actions import ACTIONS_BY_ID, TRANSITIONS, Action
from ..domain import lifecycle
from ..domain.describe import history_phrase, is_comment, responder_name
from ..domain.describe import responder_kind as kind_of
from ..domain.enums import Health, HypothesisType, IncidentType, Severity, Status, label
from ..domain.format import age, clean
from ..domain.models import (
    Check,
    ConfigItem,
    Incident,
    IncidentDetail,
    IncidentRow,
    Person,
    Responder,
    ResponderKind,
    TimelineEntry,
)
from ..themes import Looks
from .key_scrolling import SCROLL_BINDINGS, KeyScrolling
from .line_view import set_content_size
from .marks import HEALTH_MARKS, MUTED
from .plan_view import action_plan

HEADING = "bold underline"
TIME_FORMAT = "%Y-%m-%d %H:%M"

NOTHING_SELECTED = Text("No incident selected", style=MUTED)


def key_for(node: DOMNode | None, action: Action) -> str:
    """The key bound to a registry action as the user sees it (keymap included); its default
    key when `node` is not on a screen that binds it."""
    try:
        active = node.screen.active_bindings.values() if node is not None else ()
    except NoScreen:
        active = ()
    bound = next((item.binding for item in active if item.binding.id == action.id), None)
    if bound is not None and node is not None:  # a binding is only found on a node's screen
        return node.app.get_key_display(bound)
    return action.key_display or action.keys.split(",")[0]


def looks_of(node: DOMNode | None) -> Looks:
    """The severity, status and health styles of the node's app's theme (the default theme's without one)."""
    return themes.looks(node.app.current_theme) if node is not None else themes.looks()
def _on_a_read_only_board(node: DOMNode | None) -> bool:
    try:
        return node is not None and bool(getattr(node.screen.app, "read_only", False))
    except NoScreen:
        return False


def transition_keys(node: DOMNode | None = None) -> dict[Status, str]:
    """The key that moves an incident to each status."""
    return {status: key_for(node, action) for status, action in TRANSITIONS.items()}


# -- small pieces ----------------------------------------------------------------------------

def badge(text: str, style: str | Style) -> Text:
    return Text(f" {text} ", style=style)


def value_badge(value: Severity | Status | str, looks: Looks) -> Text:
    """A severity or status in capitals on a block of its colour (an unknown one verbatim, reversed)."""
    return badge(clean(label(value)).upper(), looks.badge(value))


def type_badge(kind: IncidentType | str) -> Text:
    return badge(clean(label(kind)), "bold reverse" if isinstance(kind, IncidentType) else "italic reverse")


def badges(values: IncidentRow | Incident, looks: Looks) -> Text:
    return Text(" ").join([value_badge(values.severity, looks), value_badge(values.status, looks),
                           type_badge(values.type)])


def when(moment: datetime | None) -> Text:
    if moment is None:
        return Text("—", style=MUTED)
    return Text.assemble(f"{moment:{TIME_FORMAT}}", (f" ({age(moment)} ago)", MUTED))


def person_text(person: Person | None) -> Text:
    if person is None:
        return Text("nobody", style=MUTED)
    return Text(clean(person.display), style="italic" if person.is_system else "")


def health_text(health: Health, looks: Looks) -> Text:
    return Text(f"{HEALTH_MARKS[health][0]} {health.label.lower()}", style=looks.of(health))


def grid(*ratios: int | None) -> Table:
    table = Table.grid(padding=(0, 2), expand=False)
    for ratio in ratios:
        table.add_column(ratio=ratio, overflow="fold")
    return table


def section(title: str, count: int | None = None) -> Text:
    suffix = f" ({count})" if count is not None else ""
    return Text.assemble("\n", (title, HEADING), suffix)


# -- sections --------------------------------------------------------------------------------

def moments(detail: IncidentDetail) -> tuple[tuple[str, datetime | None], ...]:
    """The times the header shows, each with how long ago it was."""
    incident = detail.incident
    return (("Created", incident.created_at), ("Acknowledged", incident.acknowledged),
            ("Resolved", incident.resolved), ("Closed", incident.closed))


def relative_times(detail: IncidentDetail) -> tuple[str, ...]:
    """The "(3h ago)" texts the pane shows now: when one reads differently, the pane is redrawn."""
    return tuple(age(moment) for _, moment in moments(detail) if moment is not None)


def header(detail: IncidentDetail, looks: Looks) -> RenderableType:
    incident = detail.incident
    title = Text.assemble((clean(incident.incident_id), "bold"), "  ", (clean(incident.title), "bold"))
    times = grid(None, None)
    for name, moment in moments(detail):
        times.add_row(Text(name, style=MUTED), when(moment))
    return Group(title, badges(incident, looks), Text(""), times)


def people(detail: IncidentDetail) -> RenderableType:
    table = grid(None, None)
    for role, person in (("Commander", detail.commander), ("Communicator", detail.communicator),
                         ("Creator", detail.creator)):
        table.add_row(Text(role, style=MUTED), person_text(person))
    return table


def next_steps(detail: IncidentDetail, keys: dict[Status, str], note_key: str, *,
               board_read_only: bool = False) -> Text:
    incident = detail.incident
    if board_read_only:  # --read-only: no key offered changes anything
        return Text.assemble(("Next  ", MUTED), "nothing here: this board is read-only")
    if lifecycle.is_read_only(incident):
        return Text.assemble(("Next  ", MUTED), ("read-only", "bold"),
                             f" — press {keys[Status.OPEN]} to reopen")
    steps = [Text.assemble((keys[to], "bold reverse"), " ", step_name(incident.status, to))
             for to in sorted(lifecycle.allowed_transitions(incident), key=lambda s: s.rank)]
    steps.append(Text.assemble((note_key, "bold reverse"), " with a note"))
    return Text.assemble(("Next  ", MUTED), Text("  ").join(steps))


STEP_NAMES = {Status.OPEN: "reopen", Status.MITIGATED: "mitigate", Status.RESOLVED: "resolve",
              Status.CLOSED: "close", Status.CANCELLED: "cancel"}


def step_name(current: Status | str, to: Status) -> str:
    """The move offered from `current`: an unknown stored status was never closed, so it is not
    reopened but set to open (the one move the lifecycle allows from it)."""
    return "set open" if to is Status.OPEN and not lifecycle.knows(current) else STEP_NAMES[to]


DESCRIPTION_PREVIEW_CHARS = 4000
DESCRIPTION_PREVIEW_LINES = 80
"""How much of a description the pane shows at first: wrapping it into lines is most of the
cost of showing an incident, and a pasted log of a megabyte would take seconds."""
DESCRIPTION_GROWTH = 4
"""Each time the reader scrolls to the end of what is shown, this many times as much is shown."""


def preview_end(text: str, chars: int, lines: int) -> int:
    """Where to cut `text` to show at most `chars` characters and `lines` lines of it."""
    end = min(len(text), chars)
    newlines = 0
    for _ in range(lines):
        newlines = text.find("\n", newlines, end) + 1
        if not newlines:
            return end
    return newlines - 1


def description_cut(detail: IncidentDetail, growth: int = 1) -> int | None:
    """Where the pane cuts the description at `growth` times the preview; None if it shows it whole."""
    raw = detail.incident.description.strip()
    end = preview_end(raw, DESCRIPTION_PREVIEW_CHARS * growth, DESCRIPTION_PREVIEW_LINES * growth)
    return end if end < len(raw) else None


def description(detail: IncidentDetail, growth: int = 1) -> RenderableType:
    """The description, cut (see `description_cut`) with a last line saying how much is left."""
    raw = detail.incident.description.strip()
    end = description_cut(detail, growth)
    text = clean(raw[:end], multiline=True).rstrip()
    if not text:
        return Group(section("Description"), Text("no description", style=MUTED))
    if end is None:
        return Group(section("Description"), Text(text))
    lines_left = raw.count("\n", end + (raw[end] == "\n")) + 1
    more = Text(f"… {len(raw) - end:,} more characters ({lines_left:,} lines); scroll on to read them", style=MUTED)
    return Group(section("Description"), Text(text), more)


def responders(detail: IncidentDetail, looks: Looks) -> RenderableType:
    if not detail.responders:
        return Group(section("Responders", 0), Text("none yet — press + to add one", style=MUTED))
    table = grid(None, 1, None)
    for responder in detail.responders:
        table.add_row(responder_kind(responder), Text(clean(responder_name(responder))),
                      responder_ack(responder, looks))
    return Group(section("Responders", len(detail.responders)), table)


def responder_kind(responder: Responder) -> Text:
    return Text(clean(kind_of(responder)), style="bold" if responder.kind is ResponderKind.EXTERNAL else MUTED)


def responder_ack(responder: Responder, looks: Looks) -> Text:
    if responder.acknowledged is None:
        return Text("not acknowledged", style=MUTED)
    return Text(f"✓ acknowledged {responder.acknowledged:{TIME_FORMAT}}", style=looks.of(Health.HEALTHY))


def links(title: str, items: Iterable[ConfigItem | Check], looks: Looks) -> RenderableType:
    items = list(items)
    if not items:
        return Group(section(title, 0), Text("none linked", style=MUTED))
    table = grid(None, 1)
    for item in items:
        name = Text(clean(item.name), style="bold")
        if item.type:
            name.append(f" ({clean(item.type)})", style=MUTED)
        note = getattr(item, "last_message", None)
        if note:
            name.append(f" — {clean(note)}", style=MUTED)
        table.add_row(health_text(item.health, looks), name)
    return Group(section(title, len(items)), table)


def plan_section(detail: IncidentDetail, node: DOMNode | None) -> RenderableType:
    """The hypothesis tree, the definition of done, and the keys that change them."""
    counts = [f"{n} {kind.value}{'s' if n > 1 else ''}" for kind in (HypothesisType.FACTOR, HypothesisType.SOLUTION)
              if (n := sum(1 for h in detail.hypotheses if h.type is kind))]
    heading = Text.assemble(section("Action plan"), (f"  {' · '.join(counts)}" if counts else "", MUTED))
    hint = Text(f"{key_for(node, ACTIONS_BY_ID['incident.plan'])} edit the plan · "
                f"{key_for(node, ACTIONS_BY_ID['incident.link'])} link config items and checks", style=MUTED)
    return action_plan(detail, heading, hint)


def timeline(detail: IncidentDetail) -> RenderableType:
    entries = sorted(detail.timeline, key=lambda entry: entry.at, reverse=True)
    if not entries:
        return Group(section("Timeline"), Text("nothing recorded yet", style=MUTED))
    table = grid(None, 1)
    for entry in entries:
        table.add_row(Text(f"{entry.at:{TIME_FORMAT}}", style=MUTED), timeline_sentence(entry))
    return Group(Text.assemble(section("Timeline"), (" newest first", MUTED)), table)


def timeline_sentence(entry: TimelineEntry) -> Text:
    """A history row or comment as a sentence crediting the person who acted."""
    who = Text(clean(entry.actor.display), style="bold")
    text = clean(entry.text, multiline=True).strip()
    if is_comment(entry):
        return Text.assemble(who, " commented:\n", (f"“{text}”", "italic"))
    return Text.assemble(who, " ", history_phrase(entry.type or "", text))


def render_detail(detail: IncidentDetail, node: DOMNode | None = None, growth: int = 1) -> RenderableType:
    """The whole pane; `node` (the pane) finds the keys as bound, else the defaults are shown.
    The description is cut at `growth` times its preview (see `description_cut`)."""
    return Group(*detail_halves(detail, node, growth))


def detail_halves(detail: IncidentDetail, node: DOMNode | None, growth: int) -> tuple[Group, Group]:
    """The pane down to the end of the description, and the rest: the pane renders them apart, to
    know the line a cut description ends on."""
    looks = looks_of(node)
    above = Group(
        header(detail, looks),
        Text(""),
        people(detail),
        Text(""),
        next_steps(detail, transition_keys(node), key_for(node, ACTIONS_BY_ID["incident.transition"]),
                   board_read_only=_on_a_read_only_board(node)),
        description(detail, growth),
    )
    below = Group(
        responders(detail, looks),
        links("Config items", detail.configs, looks),
        links("Health checks", detail.checks, looks),
        plan_section(detail, node),
        timeline(detail),
    )
    return above, below


def render_unreadable(row: IncidentRow, looks: Looks) -> RenderableType:
    title = Text.assemble((clean(row.incident_id), "bold"), "  ", (clean(row.title), "bold"))
    problems = [Text.assemble(("⚠ ", "bold"), clean(problem)) for problem in row.problems]
    explain = Text("This incident was stored by another tool with values incident-tui cannot read, so it is "
                   "shown as well as it can be and cannot be changed here. Fix the row in the database, "
                   "or ask whoever wrote it.", style=MUTED)
    return Group(title, badges(row, looks), Text(""), Text("Unreadable", style=HEADING), *problems, Text(""),
                 explain)


RENDERED_KEPT = 8
"""Details whose rendered lines the pane keeps (the one shown, its prefetched neighbours)."""


@dataclass(frozen=True)
class _Rendered:
    detail: IncidentDetail | None
    growth: int
    width: int
    ages: tuple[str, ...]
    lines: list[Strip]
    cut_line: int | None
    style: Style


class IncidentDetailPane(KeyScrolling, ScrollView):
    """Scrollable detail of the selected incident; `show(None)` when nothing is selected.

    A line widget: each detail is rendered once per width into strips, and showing another
    one only changes the scrollable height. (A Static in a scrolling container measured the
    rich tables once for their height and again to draw them, and the scrollbar coming and
    going re-laid the pane out a second time.) The scrollbar is always there, so the width, and
    with it the rendering, never depends on the detail's length, and showing another detail needs
    no layout (see `line_view.set_content_size`).
    """

    BINDINGS = SCROLL_BINDINGS
    DEFAULT_CSS = """
    IncidentDetailPane { padding: 0 1; overflow-x: hidden; overflow-y: scroll; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.detail: IncidentDetail | None = None
        self._parts: tuple[RenderableType, ...] = (NOTHING_SELECTED,)
        """What the pane shows when it shows no detail (nothing, an unreadable row)."""
        self._growth = 1
        """How many previews of a long description are shown (see `description_cut`)."""
        self._cut_line: int | None = None
        """The line saying how much of a cut description is left, once rendered."""
        self._lines: list[Strip] = []
        self._lines_width = -1
        self._ages: tuple[str, ...] = ()
        """`relative_times` of the detail as last rendered."""
        self._lines_style = Style()
        """The style `_lines` are made in (see `render_line`)."""
        self._frame_style = Style()
        """The pane's style in the frame being drawn (see `render_lines`)."""
        self._rendered: OrderedDict[UUID, _Rendered] = OrderedDict()
        """The lines of the details shown or prepared lately, so a step onto one is a swap of lines."""

    def show(self, detail: IncidentDetail | None) -> None:
        if detail is not None and detail == self.detail:
            return  # a refresh that changed nothing: keep the lines and the scroll position
        moved = detail is None or self.detail is None or detail.incident.id != self.detail.incident.id
        self.detail = detail
        if moved:
            self._growth = 1
        self._render_detail()
        if moved and self.scroll_y:
            self.scroll_to(0, 0, animate=False, immediate=True)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    def _restyle(self, _: object) -> None:
        """The severity and status colours are drawn into the lines: a new theme draws them again."""
        if self.detail is not None:
            self._render_detail()
    def prepare(self, detail: IncidentDetail) -> None:
        """Render `detail` now, while the user reads another (a prefetched neighbour), so that the
        step onto it shows lines already made instead of rendering the whole pane through Rich."""
        width = self.scrollable_content_region.width
        if width > 0 and self._cached(detail, 1, width) is None:
            self._keep(detail, 1, width, self._render_parts(detail_halves(detail, self, 1), detail, 1, width))

    def show_unreadable(self, row: IncidentRow) -> None:
        """A row another tool stored with values we cannot read: what it holds, and what is wrong."""
        self.detail = None
        self._show_parts(render_unreadable(row, looks_of(self)))
        self.scroll_to(0, 0, animate=False, immediate=True)

    def tick(self) -> None:
        """Redraw (keeping the scroll position) if a relative time reads differently now."""
        if self.detail is not None and relative_times(self.detail) != self._ages:
            self._render_detail()

    @property
    def body(self) -> RenderableType:
        """What the pane shows, as a rich renderable."""
        parts = self._current_parts()
        return parts[0] if len(parts) == 1 else Group(*parts)

    def _current_parts(self) -> tuple[RenderableType, ...]:
        """The detail in the parts rendered apart (see `detail_halves`), made only when needed."""
        return self._parts if self.detail is None else detail_halves(self.detail, self, self._growth)

    def _render_detail(self) -> None:
        detail = self.detail
        self._ages = relative_times(detail) if detail is not None else ()
        self._show_parts(NOTHING_SELECTED) if detail is None else self._render_body()

    def _show_parts(self, *parts: RenderableType) -> None:
        self._parts = parts
        self._render_body()

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._lines_width:
            self._render_body()

    def _render_body(self, *, repaint: bool = True) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return  # hidden or not laid out yet: rendered when it is drawn
        detail = self.detail
        made = self._cached(detail, self._growth, width) if detail is not None else None
        if made is None:
            made = self._render_parts(self._current_parts(), detail, self._growth, width)
            if detail is not None:
                self._keep(detail, self._growth, width, made)
        shown, self._lines = self._lines, made.lines
        self._cut_line, self._lines_style = made.cut_line, made.style
        self._lines_width = width
        set_content_size(self, Size(width, len(self._lines)))
        if repaint:
            self._repaint_changed(shown)
        self.call_after_refresh(self._read_on)

    def _repaint_changed(self, shown: list[Strip]) -> None:
        """Repaint the lines in view that differ from those `shown` before: two incidents share their
        headings, blank lines and labels, and a refresh of the same incident changes a line or two."""
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        lines, width = self._lines, self.size.width
        changed = [y for y in range(height) if (lines[top + y:top + y + 1] != shown[top + y:top + y + 1])]
        if len(changed) == height:
            self.refresh()
        else:
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def _render_parts(self, parts: Iterable[RenderableType], detail: IncidentDetail | None, growth: int,
                      width: int) -> _Rendered:
        console = self.app.console
        options = self.app.console_options.update(width=width, highlight=False)
        lines: list[Strip] = []
        cut_line, style = None, self.rich_style
        for part in parts:
            lines += [Strip(line, width).apply_style(style) for line in console.render_lines(part, options, pad=True)]
            if cut_line is None and detail is not None and description_cut(detail, growth):
                cut_line = len(lines) - 1
        ages = relative_times(detail) if detail is not None else ()
        return _Rendered(detail, growth, width, ages, lines, cut_line, style)

    def _cached(self, detail: IncidentDetail, growth: int, width: int) -> _Rendered | None:
        """The lines made for this very detail, at this width and length, whose relative times still read the same."""
        made = self._rendered.get(detail.incident.id)
        if made is None or made.growth != growth or made.width != width or made.style != self.rich_style:
            return None
        if not (made.detail is detail or made.detail == detail) or made.ages != relative_times(detail):
            return None
        return made

    def _keep(self, detail: IncidentDetail, growth: int, width: int, made: _Rendered) -> None:
        self._rendered[detail.incident.id] = made
        self._rendered.move_to_end(detail.incident.id)
        while len(self._rendered) > RENDERED_KEPT:
            self._rendered.popitem(last=False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rendered.clear()  # a theme change: the lines kept carry the old colours

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._read_on()

    def _read_on(self) -> None:
        """Show more of a cut description once the line saying what is left comes into view."""
        cut, top = self._cut_line, self.scroll_offset.y
        if cut is not None and top <= cut < top + self.scrollable_content_region.height:
            self._growth *= DESCRIPTION_GROWTH
            self._render_detail()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The width can change without a resize (a border that comes with the focus, a pane shown
        # after the detail arrived while it was hidden): the lines follow the width they are drawn at.
        if self.scrollable_content_region.width != self._lines_width:
            self._render_body(repaint=False)
        # Once a frame, not once a line: the style is worked out through every ancestor.
        self._frame_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        style = self._frame_style
        if index >= len(self._lines):
            return Strip.blank(self.scrollable_content_region.width, style)
        line = self._lines[index]
        # The lines are made in the pane's style (ahead, while idle); only another style (the focus
        # changed it) is applied as the line is drawn.
        return line if style == self._lines_style else line.apply_style(style)
