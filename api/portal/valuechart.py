"""Charts of values drawn on the server as SVG: a line chart over periods, or bars.

A :func:`value_chart` takes a few series (each a short key such as ``A``, a label and
its values by period) in one unit and draws them in an ``<svg role="img">`` named by
its ``<title>`` and described by its ``<desc>`` (``aria-labelledby`` points at both).
The description is a text alternative written from the data: the periods, and for
each series how many values it has, its first and last and its lowest and highest.

Series are told apart by more than colour: each has its own marker shape and dash
pattern, and its key is written at its last point (line) or under each bar. The data
stays available (:meth:`ValueChart.table`) for the table view the page puts under the
chart (``<details class="table-view">``).

With periods that are all years, the line chart spaces them by year (a gap shows);
other periods are spaced evenly, in their text order. A chart whose series have one
period in all is drawn as bars. Every text written into the SVG is escaped here; the
result is ``Markup``, inserted by templates without ``|safe``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "SeriesStyle",
    "ValueChart",
    "ValuePoint",
    "ValueSeries",
    "format_value",
    "value_chart",
]

WIDTH = 640
HEIGHT = 320
FONT_SIZE = 14
MARGIN_LEFT = 64
MARGIN_RIGHT = 40
MARGIN_TOP = 28
MARGIN_BOTTOM = 44
MAX_X_LABELS = 12
"""Most period labels written under the axis (others are skipped, evenly)."""
INK = "#1b1b1b"
GRID = "#c4c9d0"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class SeriesStyle:
    """How a series is drawn: its colour, its line's dash pattern and its marker."""

    colour: str
    dash: str | None
    marker: str
    name: str
    """The marker and line in words (for the legend): "solid line, circles"."""


STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle("#0b4f8a", None, "circle", "solid line, circles"),
    SeriesStyle("#a34700", "7 4", "square", "dashed line, squares"),
    SeriesStyle("#1d6b2f", "2 3", "triangle", "dotted line, triangles"),
    SeriesStyle("#6f2d86", "9 3 2 3", "diamond", "dash-dot line, diamonds"),
    SeriesStyle("#9b1c1c", "4 2", "cross", "short-dashed line, crosses"),
    SeriesStyle("#3d4652", "12 4", "circle-open", "long-dashed line, open circles"),
)
"""Colours with at least 4.5:1 contrast on white; no two styles share a marker or dash."""


@dataclass(frozen=True)
class ValuePoint:
    """One value of a series: its period as published (``2024``, ``2024-01-01``)."""

    period: str
    value: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValueSeries:
    """A series: the key drawn in the chart, its label, its values and a note (such as
    "partially comparable") said with it wherever it is named."""

    key: str
    label: str
    points: tuple[ValuePoint, ...]
    note: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class ValueChart:
    """A chart and its data; ``svg`` is the drawing."""

    id: str
    title: str
    description: str
    unit: str
    kind: str
    """``line`` or ``bar``."""
    periods: tuple[str, ...]
    series: tuple[ValueSeries, ...]
    styles: tuple[SeriesStyle, ...]
    svg: Markup

    def table(self) -> list[tuple[str, list[str]]]:
        """The table view: each period with the value of every series (``""``: none)."""
        values = [{p.period: p.value for p in s.points} for s in self.series]
        return [
            (period, [format_value(v[period]) if period in v else "" for v in values])
            for period in self.periods
        ]

    def legend(self) -> list[tuple[ValueSeries, SeriesStyle, Markup]]:
        """Each series with its style and a small drawing of its line and marker."""
        return [
            (series, style, _swatch(style, self.kind))
            for series, style in zip(self.series, self.styles, strict=True)
        ]


def format_value(value: float) -> str:
    """A value as the chart and the table write it: thousands separated, at most two
    decimals, no trailing zeros."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def value_chart(
    series: Sequence[ValueSeries],
    *,
    chart_id: str,
    title: str,
    unit: str,
    kind: str | None = None,
) -> ValueChart:
    """Draw ``series`` (in one ``unit``) as a line chart, or as bars when ``kind`` is
    ``bar`` or when there is only one period.

    ``chart_id`` prefixes the ids inside the SVG: unique on the page, a plain name.
    Series without values are left out of the drawing (and of the table).
    """
    if not _ID.fullmatch(chart_id):
        msg = f"chart id {chart_id!r} is not a plain name"
        raise ValueError(msg)
    shown = tuple(s for s in series if s.points)
    if not shown:
        msg = "a chart needs at least one series with values"
        raise ValueError(msg)
    periods = _periods(shown)
    chosen = kind or ("bar" if len(periods) == 1 else "line")
    if chosen not in ("line", "bar"):
        msg = f"chart kind {chosen!r} is neither line nor bar"
        raise ValueError(msg)
    styles = tuple(STYLES[i % len(STYLES)] for i in range(len(shown)))
    description = _describe(shown, periods, unit, chosen)
    svg = _draw(chart_id, title, description, unit, chosen, periods, shown, styles)
    return ValueChart(chart_id, title, description, unit, chosen, periods, shown, styles, svg)


def _periods(series: Sequence[ValueSeries]) -> tuple[str, ...]:
    found = {p.period for s in series for p in s.points}
    return tuple(sorted(found, key=_period_key))


def _period_key(period: str) -> tuple[int, str]:
    match = re.match(r"^(\d{4})", period)
    return (int(match.group(1)) if match else 10_000, period)


def _describe(series: Sequence[ValueSeries], periods: Sequence[str], unit: str, kind: str) -> str:
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    what = "Line chart" if kind == "line" else "Bar chart"
    parts = [f"{what} of {len(series)} series in {unit}, {span}."]
    for s in series:
        points = sorted(s.points, key=lambda p: _period_key(p.period))
        low = min(points, key=lambda p: p.value)
        high = max(points, key=lambda p: p.value)
        name = f"{s.key}, {s.label}" + (f" ({s.note})" if s.note else "")
        if len(points) == 1:
            parts.append(f"{name}: {format_value(points[0].value)} in {points[0].period}.")
            continue
        first, last = points[0], points[-1]
        parts.append(
            f"{name}: {len(points)} values, {format_value(first.value)} in {first.period} "
            f"and {format_value(last.value)} in {last.period}; lowest "
            f"{format_value(low.value)} ({low.period}), highest {format_value(high.value)} "
            f"({high.period})."
        )
    return " ".join(parts)


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    magnitude = float(10.0 ** math.floor(math.log10(raw)))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _scale(values: Sequence[float]) -> tuple[float, float, float]:
    """The lowest and highest value of the axis and the step between its ticks; the axis
    includes zero."""
    low = min(0.0, *values)
    high = max(0.0, *values)
    if high == low:
        high = low + 1.0
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _attrs(**values: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for name, v in values.items()
    )


def _marker(style: SeriesStyle, x: float, y: float, size: float = 4.5) -> str:
    colour = escape(style.colour)
    if style.marker == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:g}" fill="{colour}"/>'
    if style.marker == "circle-open":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:g}" fill="#ffffff"'
            f' stroke="{colour}" stroke-width="2"/>'
        )
    if style.marker == "square":
        side = size * 1.8
        return (
            f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}"'
            f' height="{side:.1f}" fill="{colour}"/>'
        )
    if style.marker == "triangle":
        s = size * 1.25
        return (
            f'<path d="M{x:.1f} {y - s:.1f}L{x + s:.1f} {y + s * 0.8:.1f}'
            f'L{x - s:.1f} {y + s * 0.8:.1f}Z" fill="{colour}"/>'
        )
    if style.marker == "diamond":
        s = size * 1.3
        return (
            f'<path d="M{x:.1f} {y - s:.1f}L{x + s:.1f} {y:.1f}L{x:.1f} {y + s:.1f}'
            f'L{x - s:.1f} {y:.1f}Z" fill="{colour}"/>'
        )
    s = size
    return (
        f'<path d="M{x - s:.1f} {y - s:.1f}L{x + s:.1f} {y + s:.1f}M{x - s:.1f} {y + s:.1f}'
        f'L{x + s:.1f} {y - s:.1f}" stroke="{colour}" stroke-width="2.5" fill="none"/>'
    )


def _dash(style: SeriesStyle) -> str:
    return f' stroke-dasharray="{escape(style.dash)}"' if style.dash else ""


def _swatch(style: SeriesStyle, kind: str) -> Markup:
    """A small drawing of a series' line and marker (or bar), for the legend; decorative."""
    if kind == "bar":
        body = f'<rect x="6" y="3" width="20" height="12" fill="{escape(style.colour)}"/>'
    else:
        body = (
            f'<line x1="1" y1="9" x2="31" y2="9" stroke="{escape(style.colour)}"'
            f' stroke-width="2.5"{_dash(style)}/>' + _marker(style, 16, 9, 4)
        )
    return Markup(  # noqa: S704 - our own markup, values escaped above
        '<svg class="swatch" xmlns="http://www.w3.org/2000/svg" width="32" height="18"'
        f' viewBox="0 0 32 18" aria-hidden="true" focusable="false">{body}</svg>'
    )


def _draw(
    chart_id: str,
    title: str,
    description: str,
    unit: str,
    kind: str,
    periods: Sequence[str],
    series: Sequence[ValueSeries],
    styles: Sequence[SeriesStyle],
) -> Markup:
    values = [p.value for s in series for p in s.points]
    low, high, step = _scale(values)
    plot_left, plot_right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    plot_top, plot_bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM

    def y_of(value: float) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="value-chart"'
        f"{_attrs(id=chart_id, role='img', aria_labelledby=f'{chart_id}-title {chart_id}-desc')}"
        f"{_attrs(viewBox=f'0 0 {WIDTH} {HEIGHT}', width=WIDTH, height=HEIGHT)}"
        f' font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<text x="4" y="{MARGIN_TOP - 12}" fill="{INK}">{escape(unit)}</text>',
        f'<g class="grid" fill="{INK}">',
    ]
    ticks = round((high - low) / step)
    for number in range(ticks + 1):
        value = low + number * step
        y = y_of(value)
        parts.append(
            f'<line x1="{plot_left}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}"'
            f' stroke="{GRID if value else INK}" stroke-width="1"/>'
            f'<text x="{plot_left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(value))}</text>"
        )
    parts.append("</g>")
    if kind == "line":
        parts.extend(_lines(periods, series, styles, plot_left, plot_right, plot_bottom, y_of))
    else:
        parts.extend(_bars(periods, series, styles, plot_left, plot_right, plot_bottom, y_of))
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704


def _x_positions(periods: Sequence[str], left: float, right: float) -> dict[str, float]:
    inner_left, inner_right = left + 16, right - 16
    if len(periods) == 1:
        return {periods[0]: (inner_left + inner_right) / 2}
    if all(_YEAR.fullmatch(p) for p in periods):
        first, last = int(periods[0]), int(periods[-1])
        return {
            p: inner_left + (int(p) - first) / (last - first) * (inner_right - inner_left)
            for p in periods
        }
    gap = (inner_right - inner_left) / (len(periods) - 1)
    return {p: inner_left + i * gap for i, p in enumerate(periods)}


def _x_labels(periods: Sequence[str]) -> list[str]:
    every = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    chosen = [p for i, p in enumerate(periods) if i % every == 0]
    if periods[-1] not in chosen and len(periods) > 1:
        chosen[-1] = periods[-1]
    return chosen


def _lines(
    periods: Sequence[str],
    series: Sequence[ValueSeries],
    styles: Sequence[SeriesStyle],
    left: float,
    right: float,
    bottom: float,
    y_of: Callable[[float], float],
) -> list[str]:
    xs = _x_positions(periods, left, right)
    parts = [f'<g class="periods" fill="{INK}" text-anchor="middle">']
    for period in _x_labels(periods):
        x = xs[period]
        parts.append(
            f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" stroke="{INK}"/>'
            f'<text x="{x:.1f}" y="{bottom + 20}">{escape(period)}</text>'
        )
    parts.append("</g>")
    for s, style in zip(series, styles, strict=True):
        points = sorted(s.points, key=lambda p: _period_key(p.period))
        coords = [(xs[p.period], y_of(p.value), p) for p in points]
        parts.append(f'<g class="series"{_attrs(data_key=s.key)}>')
        if len(coords) > 1:
            path = "".join(
                f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y, _) in enumerate(coords)
            )
            parts.append(
                f'<path d="{path}" fill="none" stroke="{escape(style.colour)}"'
                f' stroke-width="2.5" stroke-linejoin="round"{_dash(style)}/>'
            )
        for x, y, point in coords:
            parts.append(
                f"<g><title>{escape(s.key)}, {escape(point.period)}: "
                f"{escape(format_value(point.value))}</title>{_marker(style, x, y)}</g>"
            )
        x, y, _ = coords[-1]
        parts.append(
            f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" font-weight="700"'
            f' fill="{escape(style.colour)}">{escape(s.key)}</text>'
        )
        parts.append("</g>")
    return parts


def _bars(
    periods: Sequence[str],
    series: Sequence[ValueSeries],
    styles: Sequence[SeriesStyle],
    left: float,
    right: float,
    bottom: float,
    y_of: Callable[[float], float],
) -> list[str]:
    group = (right - left) / len(periods)
    bar = min(56.0, group * 0.8 / len(series))
    zero = y_of(0.0)
    parts = [f'<g class="periods" fill="{INK}" text-anchor="middle">']
    for index, period in enumerate(periods):
        centre = left + group * (index + 0.5)
        parts.append(f'<text x="{centre:.1f}" y="{bottom + 36}">{escape(period)}</text>')
    parts.append("</g>")
    for number, (s, style) in enumerate(zip(series, styles, strict=True)):
        parts.append(f'<g class="series"{_attrs(data_key=s.key)} text-anchor="middle">')
        values = {p.period: p.value for p in s.points}
        for index, period in enumerate(periods):
            if period not in values:
                continue
            value = values[period]
            x = left + group * (index + 0.5) - bar * len(series) / 2 + bar * number
            top = min(zero, y_of(value))
            height = max(abs(zero - y_of(value)), 1.0)
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{top:.1f}" width="{bar - 4:.1f}" height="{height:.1f}"'
                f' fill="{escape(style.colour)}"/>'
                f'<text x="{x + bar / 2:.1f}" y="{top - 5:.1f}" fill="{INK}">'
                f"{escape(format_value(value))}</text>"
                f'<text x="{x + bar / 2:.1f}" y="{bottom + 17}" font-weight="700" fill="{INK}">'
                f"{escape(s.key)}</text>"
            )
        parts.append("</g>")
    return parts
