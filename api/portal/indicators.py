"""An indicator's page: its labels, the EU reference definition and its Eurostat table, the
cities that measure it and with which definition, a heatmap of cities by year, and the
comparability matrix of its definitions.

The heatmap is read from the coverage summaries (``registry.coverage.matrix``) of the
indicator at city level: a year is *data* when it lies within the summary's evidenced
period (observations in the registry) and *declared* when it lies only within the
declared period (a definition registered for the city). Rows are the cities with a
declared definition first, then the cities with the most evidence, up to a limit; the
page says how many are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.portal.charts import CellState, Heatmap, HeatmapRow, heatmap
from api.portal.templating import href, render
from registry import coverage, discovery
from registry.comparability import service
from registry.coverage import Cell, Period
from registry.discovery import DefinitionDetail, IndicatorDetail
from registry.linked_data import local_path
from registry.store import Store

router = APIRouter()

MAX_EVIDENCE_ROWS = 40
"""Most cities the heatmap shows for evidence alone (those with a declared definition come
first and are always shown)."""
MAX_YEARS = 30
"""Most years the heatmap spans; earlier years are left out (and the page says so)."""
COVERAGE_PAGE = 500
MAX_CELLS = 5_000
"""Most coverage summaries read for one indicator."""

DATA = CellState(
    key="data",
    letter="D",
    label="data",
    description="data: the year lies within the period the registry holds observations for",
    fill="#0b4f8a",
    ink="#ffffff",
)
DECLARED = CellState(
    key="declared",
    letter="R",
    label="declared",
    description=(
        "registered: the year lies only within the period a definition is declared for "
        "(no observations in the registry)"
    ),
    fill="#dbe7f3",
    ink="#0b3a66",
    hatched=True,
)
STATES = (DATA, DECLARED)

GRADES: tuple[tuple[str, str, str], ...] = (
    (
        "identical",
        "identical",
        "the definitions agree in every dimension: compare the figures as they are",
    ),
    (
        "equivalent",
        "equivalent",
        "they differ only in ways that do not change the value (a renamed label, "
        "31 December against 1 January)",
    ),
    (
        "comparableWithCaveats",
        "comparable with caveats",
        "the same population and measure, with named, bounded differences: compare them "
        "and state the caveats",
    ),
    (
        "partiallyComparable",
        "partially comparable",
        "the groups are a subset, superset or overlap of each other: compare only with care "
        "and an explanation",
    ),
    (
        "notComparable",
        "not comparable",
        "disjoint groups or different measures: the values should not be compared",
    ),
)
"""The grades, best first: the local name of the concept, its label and what it means
(from the ontology's comparability-grade scheme)."""
GRADE_BASE = "https://w3id.org/commensura/vocab/comparability-grade/"


# -- the heatmap --------------------------------------------------------------------------


def _year(text: str | None) -> int | None:
    if text and len(text) >= 4 and text[:4].isdigit():
        return int(text[:4])
    return None


def _span(period: Period | None, first: int, last: int) -> tuple[int, int] | None:
    """The years a period covers, an unknown start or end reaching to the edge shown."""
    if period is None:
        return None
    start, end = _year(period.start), _year(period.end)
    if start is None and end is None:
        return None
    return (start if start is not None else first, end if end is not None else last)


def _declared(cell: Cell) -> bool:
    return any(d.declared for d in cell.definitions)


def city_cells(store: Store, indicator: str) -> list[Cell]:
    """The coverage summaries of an indicator at city level, every page of them, for the
    places that are cities (a city-level definition may have data for a whole country)."""
    cities = discovery.city_iris(store)
    cells: list[Cell] = []
    offset: int | None = 0
    while offset is not None and len(cells) < MAX_CELLS:
        page = coverage.matrix(
            store,
            indicator=indicator,
            geography_level="city",
            limit=COVERAGE_PAGE,
            offset=offset,
        )
        cells.extend(c for c in page.cells if c.place.iri in cities)
        offset = page.next_offset
    return cells


def period_text(period: Period | None) -> str | None:
    """A period as years (``2002–2022``, ``since 2002``); ``None`` when no year is known."""
    if period is None or (period.start is None and period.end is None):
        return None
    start, end = _year(period.start), _year(period.end)
    if start and end:
        return str(start) if start == end else f"{start}–{end}"
    return f"since {start}" if start else f"until {end}"


@dataclass(frozen=True)
class CoverageView:
    """The heatmap with what the page says about it."""

    chart: Heatmap | None
    cities: int
    declared: int
    left_out: int
    first_year: int | None
    earlier_left_out: bool


def coverage_heatmap(indicator: IndicatorDetail, cells: Sequence[Cell]) -> CoverageView:
    """The heatmap of cities by year for an indicator's city-level coverage summaries.

    A period with no end reaches to the last year shown (the latest year any period
    names), one with no start from the first.
    """
    declared = sorted(
        (c for c in cells if _declared(c)), key=lambda c: c.place.label or c.place.iri
    )
    evidence = [c for c in cells if not _declared(c) and c.evidenced_period is not None]
    evidence.sort(key=lambda c: (-c.observations, c.place.label or c.place.iri))
    shown_evidence = sorted(
        evidence[:MAX_EVIDENCE_ROWS], key=lambda c: c.place.label or c.place.iri
    )
    chosen = declared + shown_evidence
    left_out = len(cells) - len(chosen)
    years: set[int] = set()
    for cell in chosen:
        for period in (cell.declared_period, cell.evidenced_period):
            if period is not None:
                years.update(y for y in (_year(period.start), _year(period.end)) if y)
    if not chosen or not years:
        return CoverageView(None, len(cells), len(declared), left_out, None, False)
    last = max(years)
    first = max(min(years), last - MAX_YEARS + 1)
    columns = list(range(first, last + 1))
    rows = []
    for cell in chosen:
        data = _span(cell.evidenced_period, first, last)
        registered = _span(cell.declared_period, first, last)
        states: list[str | None] = []
        for year in columns:
            if data is not None and data[0] <= year <= data[1]:
                states.append(DATA.key)
            elif registered is not None and registered[0] <= year <= registered[1]:
                states.append(DECLARED.key)
            else:
                states.append(None)
        notes = []
        if (text := period_text(cell.evidenced_period)) is not None:
            notes.append(f"data {text} ({cell.observations} observations)")
        if (text := period_text(cell.declared_period)) is not None:
            notes.append(f"declared {text}")
        if _declared(cell) and not notes:
            notes.append("a definition is declared, with no period known")
        rows.append(
            HeatmapRow(
                label=cell.place.label or cell.place.iri,
                href=href(cell.place.iri),
                cells=tuple(states),
                note="; ".join(notes) or None,
            )
        )
    name = indicator.label or indicator.slug or "the indicator"
    with_data = sum(1 for row in rows if DATA.key in row.cells)
    description = (
        f"{len(rows)} cities by year, {first} to {last}: {with_data} with data in the "
        f"registry for some year, {len(declared)} with a declared definition. "
        f"{DATA.letter} marks a year with data, {DECLARED.letter} (hatched) a year within a "
        "declared period only; an empty cell, nothing known."
    )
    chart = heatmap(
        chart_id="coverage-heatmap",
        title=f"{name}: which cities have data for which years",
        description=description,
        row_header="City",
        column_header="Year",
        columns=[str(y) for y in columns],
        rows=rows,
        states=STATES,
    )
    return CoverageView(chart, len(cells), len(declared), left_out, first, min(years) < first)


# -- the comparability matrix ---------------------------------------------------------------


@dataclass(frozen=True)
class MatrixEntry:
    """A definition of the matrix: its number, reference and scope."""

    number: int
    iri: str
    slug: str | None
    label: str
    publisher: str | None
    geography_level: str | None
    places: list[discovery.Ref]


@dataclass(frozen=True)
class MatrixCell:
    """One pair: the grade, the main reason and where to compare the two."""

    grade: dict[str, str]
    main_reason: str | None
    compare: str


@dataclass(frozen=True)
class MatrixView:
    entries: list[MatrixEntry]
    grid: list[list[MatrixCell | None]]
    grades: list[tuple[dict[str, str], str, int]]


def _slug(iri: str) -> str:
    return discovery.slug_of(iri, "definition") or iri


def matrix_view(store: Store, matrix: dict[str, Any]) -> MatrixView:
    """The matrix of ``service.indicator_matrix`` as rows and columns of grades."""
    index = discovery.label_index(store)
    entries = [
        MatrixEntry(
            number=n,
            iri=d["iri"],
            slug=discovery.slug_of(d["iri"], "definition"),
            label=d.get("label") or d["iri"],
            publisher=d.get("publisher"),
            geography_level=d.get("geography_level"),
            places=[index.ref(p, "place") for p in d.get("places", [])],
        )
        for n, d in enumerate(matrix["definitions"], start=1)
    ]
    pairs = {frozenset((p["a"], p["b"])): p for p in matrix["pairs"]}
    grid: list[list[MatrixCell | None]] = []
    for row in entries:
        line: list[MatrixCell | None] = []
        for column in entries:
            pair = pairs.get(frozenset((row.iri, column.iri)))
            if row.iri == column.iri or pair is None:
                line.append(None)
                continue
            line.append(
                MatrixCell(
                    grade=pair["grade"],
                    main_reason=pair.get("main_reason"),
                    compare="/compare?a=" + _slug(row.iri) + "&b=" + _slug(column.iri),
                )
            )
        grid.append(line)
    counts = matrix.get("grades", {})
    grades = [
        ({"iri": GRADE_BASE + name, "label": label}, meaning, int(counts.get(label, 0)))
        for name, label, meaning in GRADES
    ]
    return MatrixView(entries, grid, grades)


# -- the page ---------------------------------------------------------------------------------


def _reference(store: Store, indicator: IndicatorDetail) -> DefinitionDetail | None:
    if indicator.reference_definition is None:
        return None
    return discovery.get_definition(store, ref=indicator.reference_definition.id)


def _measuring(store: Store, indicator: IndicatorDetail) -> list[discovery.Measurement]:
    page = discovery.cities_measuring(
        store, indicator=indicator.id, level="city", limit=discovery.MAX_LIMIT
    )
    return sorted(page.items, key=lambda m: (m.place.label or m.place.id, m.definition.label or ""))


def _unplaced(
    indicator: IndicatorDetail, measuring: Iterable[discovery.Measurement]
) -> list[discovery.DefinitionSummary]:
    """The indicator's definitions declared for no city (national, regional, Europe-wide)."""
    placed = {m.definition.id for m in measuring}
    return [d for d in indicator.definitions if d.id not in placed]


@router.get("/indicators/{ref:path}", response_class=HTMLResponse)
def indicator_page(request: Request, store: StoreDep, ref: str) -> HTMLResponse:
    indicator = discovery.get_indicator(store, ref=ref)
    measuring = _measuring(store, indicator)
    cells = city_cells(store, indicator.id)
    return render(
        request,
        "indicator.html",
        title=indicator.label or indicator.slug or "Indicator",
        indicator=indicator,
        reference=_reference(store, indicator),
        measuring=measuring,
        unplaced=_unplaced(indicator, measuring),
        coverage=coverage_heatmap(indicator, cells),
        matrix=matrix_view(store, service.indicator_matrix(store, indicator.id)),
        max_evidence_rows=MAX_EVIDENCE_ROWS,
        city_count=len({m.place.id for m in measuring}),
        data_path=local_path(indicator.id),
    )
