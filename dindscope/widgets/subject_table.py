"""The subjects list: one DataTable row per subject, group title rows per engine, updated by diff."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from dindscope.tui.rows import Group, SubjectRow
from dindscope.tui.safe import clean
from dindscope.widgets.badges import STATE_STYLE, badge, impact_word

GROUP_PREFIX = "§group:"
NAME_WIDTH = 30
COLUMNS = (("sev", "Sev", 4), ("state", "State", 8), ("name", "Name", NAME_WIDTH), ("reach", "Reaches", 10),
           ("steps", "Steps", 5), ("via", "Via", None))


def row_cells(row: SubjectRow) -> tuple[Text, ...]:
    length = row.path_len
    techs = row.techniques
    return (
        badge(row.severity),
        Text(clean(row.state, 8), style=STATE_STYLE.get(row.state, ""), end=""),
        Text(clean(row.subject.label, NAME_WIDTH, middle=True), end="", overflow="ellipsis", no_wrap=True),
        Text(impact_word(row.impact) if row.findings else "-", style="bold" if row.impact == "host-root" else "",
             end=""),
        Text("-" if length is None else str(length), end=""),
        Text(clean(", ".join(techs[:3]) + (" …" if len(techs) > 3 else ""), 60), style="dim", end=""),
    )


def group_cells(group: Group) -> tuple[Text, ...]:
    count = len(group.rows)
    return (Text("━━━━", style="dim", end=""), Text(clean(group.kind, 8), style="bold cyan", end=""),
            Text(clean(group.where, NAME_WIDTH), style="bold", end="", overflow="ellipsis", no_wrap=True),
            Text(clean(group.mode, 10), style="bold", end=""), Text(str(count), style="dim", end=""),
            Text("subjects" if count != 1 else "subject", style="dim", end=""))


class SubjectTable(DataTable):
    """Rows are keyed by subject; a refresh only redraws the rows whose content changed."""

    DEFAULT_CSS = """
    SubjectTable { height: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._order: list[str] = []
        self._signatures: dict[str, tuple[object, ...]] = {}
        self.rows_by_key: dict[str, SubjectRow] = {}
        self._cell_key: dict[int, str] = {}  # id(first cell) -> row key, to sort by our order
        # Called as soon as the cursor moves (same frame), unlike RowHighlighted which arrives a frame later.
        self.on_cursor_moved: Callable[[], None] | None = None
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if old != new and self.on_cursor_moved is not None:
            self.on_cursor_moved()

    @property
    def current_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    @property
    def current_row(self) -> SubjectRow | None:
        key = self.current_key
        return self.rows_by_key.get(key) if key else None

    def show(self, groups: Sequence[Group]) -> None:
        """Show ``groups``: cells updated in place when the order is unchanged, else rebuilt keeping the cursor."""
        order: list[str] = []
        cells: dict[str, tuple[Text, ...]] = {}
        signatures: dict[str, tuple[object, ...]] = {}
        rows_by_key: dict[str, SubjectRow] = {}
        for group in groups:
            gkey = GROUP_PREFIX + group.key
            order.append(gkey)
            signatures[gkey] = (group.title,)
            for row in group.rows:
                order.append(row.key)
                signatures[row.key] = row.signature()
                rows_by_key[row.key] = row
        self.rows_by_key = rows_by_key
        groups_by_key = {GROUP_PREFIX + g.key: g for g in groups}

        def cells_for(key: str) -> tuple[Text, ...]:
            if key not in cells:
                cells[key] = group_cells(groups_by_key[key]) if key in groups_by_key else row_cells(rows_by_key[key])
            return cells[key]

        keep = self.current_key
        with self.app.batch_update():
            if not self._order or len(set(order) & set(self._order)) < len(order) // 2:
                self._rebuild(order, cells_for)
            else:
                self._diff(order, signatures, cells_for)
            if keep in signatures:
                self.move_cursor(row=order.index(keep), animate=False)
            elif self.cursor_row >= len(order) or keep is None:
                self.move_cursor(row=self._first_subject(order), animate=False)
        self._order = order
        self._signatures = signatures

    def _rebuild(self, order: list[str], cells_for: Callable[[str], tuple[Text, ...]]) -> None:
        self.clear()
        self._cell_key = {}
        for key in order:
            cells = cells_for(key)
            self._cell_key[id(cells[0])] = key
            self.add_row(*cells, key=key)

    def _diff(self, order: list[str], signatures: dict[str, tuple[object, ...]],
              cells_for: Callable[[str], tuple[Text, ...]]) -> None:
        """Remove gone rows, add new ones, redraw changed cells, then re-sort: no full rebuild."""
        wanted = set(order)
        for key in self._order:
            if key not in wanted:
                self.remove_row(key)
        old = set(self._order)
        for key in order:
            if key not in old:
                cells = cells_for(key)
                self._cell_key[id(cells[0])] = key
                self.add_row(*cells, key=key)
            elif signatures[key] != self._signatures.get(key):
                cells = cells_for(key)
                self._cell_key[id(cells[0])] = key
                for (column, _, _), value in zip(COLUMNS, cells, strict=True):
                    self.update_cell(key, column, value)
        if order != [k for k in self._order if k in wanted] + [k for k in order if k not in old]:
            position = {key: i for i, key in enumerate(order)}
            cell_key = self._cell_key
            self.sort(key=lambda values: position[cell_key[id(values[0])]])

    def _first_subject(self, order: Sequence[str]) -> int:
        for i, key in enumerate(order):
            if not key.startswith(GROUP_PREFIX):
                return i
        return 0
