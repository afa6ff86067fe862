"""Charts drawn on the server as SVG: no script, nothing loaded from elsewhere.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (``aria-labelledby`` points at both), so a screen reader announces it as one
image with a text alternative. What the chart shows is also kept as data
(:class:`Heatmap` rows and columns), which the page gives as a table under the chart
(a ``<details class="table-view">``). Every text written into the SVG is escaped here;
the result is ``Markup`` so templates insert it without ``|safe``.

A :class:`Heatmap` is a grid of rows by columns where each cell is in one of a few
states (:class:`CellState`), or empty. A state has a CSS class, a fill, a pattern and
a letter drawn in the cell, so that colour is never the only thing that tells states
apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["CellState", "Heatmap", "HeatmapRow", "heatmap"]

CELL_WIDTH = 22
CELL_HEIGHT = 20
FONT_SIZE = 12
LABEL_CHARS = 30
"""Row labels longer than this are shortened in the chart (the table view has them whole)."""
CHAR_WIDTH = 6.6
"""A generous average width of a character at ``FONT_SIZE``, to size the label column."""
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class CellState:
    """What a cell can say: its key (CSS class ``hm-<key>``), the letter drawn in it, a
    short label, the sentence of the legend, and how it is painted."""

    key: str
    letter: str
    label: str
    description: str
    fill: str
    ink: str
    hatched: bool = False


@dataclass(frozen=True)
class HeatmapRow:
    """One row: its label, where the label links to (``None``: nowhere), the state key
    of each column (``None``: empty) and an optional note for the table view."""

    label: str
    href: str | None
    cells: tuple[str | None, ...]
    note: str | None = None


@dataclass(frozen=True)
class Heatmap:
    """A heatmap and its data; ``svg`` is the drawing."""

    id: str
    title: str
    description: str
    row_header: str
    column_header: str
    columns: tuple[str, ...]
    rows: tuple[HeatmapRow, ...]
    states: tuple[CellState, ...]
    svg: Markup

    def state(self, key: str | None) -> CellState | None:
        """The state of a cell key (``None`` for an empty cell)."""
        return next((s for s in self.states if s.key == key), None)

    def count(self, key: str) -> int:
        """How many cells are in state ``key``."""
        return sum(row.cells.count(key) for row in self.rows)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _attrs(**values: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for name, v in values.items()
    )


def heatmap(
    *,
    chart_id: str,
    title: str,
    description: str,
    row_header: str,
    column_header: str,
    columns: Sequence[str],
    rows: Sequence[HeatmapRow],
    states: Sequence[CellState],
) -> Heatmap:
    """Draw rows by columns, each cell painted by its state.

    ``chart_id`` prefixes the ids inside the SVG (it must be unique on the page and a
    plain name). Every row must have one cell per column; a cell names a state key or
    is ``None``.
    """
    if not _ID.fullmatch(chart_id):
        msg = f"chart id {chart_id!r} is not a plain name"
        raise ValueError(msg)
    known = {s.key for s in states}
    for row in rows:
        if len(row.cells) != len(columns):
            msg = f"row {row.label!r} has {len(row.cells)} cells for {len(columns)} columns"
            raise ValueError(msg)
        unknown = {c for c in row.cells if c is not None} - known
        if unknown:
            msg = f"row {row.label!r} has cells in unknown states {sorted(unknown)}"
            raise ValueError(msg)
    svg = _draw(chart_id, title, description, columns, rows, states)
    return Heatmap(
        chart_id,
        title,
        description,
        row_header,
        column_header,
        tuple(columns),
        tuple(rows),
        tuple(states),
        svg,
    )


def _draw(
    chart_id: str,
    title: str,
    description: str,
    columns: Sequence[str],
    rows: Sequence[HeatmapRow],
    states: Sequence[CellState],
) -> Markup:
    longest = max((len(_short(r.label)) for r in rows), default=4)
    label_width = int(longest * CHAR_WIDTH) + 12
    header = max((len(c) for c in columns), default=1) * 7 + 10
    width = label_width + CELL_WIDTH * len(columns) + 4
    height = header + CELL_HEIGHT * len(rows) + 4
    by_key = {s.key: s for s in states}
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap"'
        f"{_attrs(id=chart_id, role='img', aria_labelledby=f'{chart_id}-title {chart_id}-desc')}"
        f"{_attrs(viewBox=f'0 0 {width} {height}', width=width, height=height)}"
        f' font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for state in states:
        if state.hatched:
            parts.append(
                f'<pattern id="{chart_id}-hatch-{escape(state.key)}" width="6" height="6"'
                ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                f'<rect width="6" height="6"{_attrs(fill=state.fill)}/>'
                f'<line x1="0" y1="0" x2="0" y2="6" stroke-width="2"{_attrs(stroke=state.ink)}'
                ' stroke-opacity="0.35"/></pattern>'
            )
    parts.append("</defs>")
    parts.append('<g class="columns" fill="#1b1b1b">')
    for index, column in enumerate(columns):
        x = label_width + index * CELL_WIDTH + CELL_WIDTH / 2 + 4
        parts.append(
            f'<text x="{x:g}" y="{header - 4}" transform="rotate(-90 {x:g} {header - 4})"'
            f">{escape(column)}</text>"
        )
    parts.append("</g>")
    for number, row in enumerate(rows):
        y = header + number * CELL_HEIGHT
        parts.append(f'<g class="row"{_attrs(data_row=number)}>')
        parts.append(
            f'<text x="{label_width - 6}" y="{y + CELL_HEIGHT - 6}" text-anchor="end"'
            f' fill="#1b1b1b">{escape(_short(row.label))}</text>'
        )
        for index, key in enumerate(row.cells):
            x = label_width + index * CELL_WIDTH
            found = by_key.get(key) if key is not None else None
            if found is None:
                parts.append(
                    f'<rect class="hm-empty" x="{x}" y="{y}" width="{CELL_WIDTH}"'
                    f' height="{CELL_HEIGHT}" fill="#ffffff" stroke="#c4c9d0"/>'
                )
                continue
            fill = f"url(#{chart_id}-hatch-{found.key})" if found.hatched else found.fill
            parts.append(
                f'<rect{_attrs(class_=f"hm-{found.key}")} x="{x}" y="{y}" width="{CELL_WIDTH}"'
                f' height="{CELL_HEIGHT}"{_attrs(fill=fill)} stroke="#ffffff"/>'
                f'<text x="{x + CELL_WIDTH / 2:g}" y="{y + CELL_HEIGHT - 6}" text-anchor="middle"'
                f' font-weight="700"{_attrs(fill=found.ink)}>{escape(found.letter)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704
