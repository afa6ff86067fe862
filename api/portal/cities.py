"""A city's page: its names, codes and links; what it measures (per indicator, its
definitions as readable criteria with their revisions, sources and the periods with
data); its monitoring practices; and, per definition, the cities it can be compared with.

The city is named by its place slug (``urban-audit/NL002C1``), a code (``NL002C1``) or
its IRI: whatever ``discovery.get_place(..., city=True)`` accepts. Places at other
levels and unknown names give the 404 page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep
from api.portal.indicators import period_text
from api.portal.templating import render
from registry import coverage, discovery
from registry.comparability import service
from registry.coverage import Cell
from registry.discovery import DefinitionDetail, PlaceDetail, PlaceItem, Ref
from registry.errors import NotFoundError
from registry.linked_data import local_path
from registry.store import Store

router = APIRouter()

SHOWN_CANDIDATES = 3
"""Cities to compare with shown at once per definition (the rest behind "more")."""
COVERAGE_PAGE = 500
MAX_CELLS = 2_000


@dataclass(frozen=True)
class Candidate:
    """A definition of another place (or of none) that a figure can be compared with."""

    definition: Ref
    places: list[Ref]
    publisher: str | None
    geography_level: str | None
    grade: dict[str, str]
    main_reason: str | None
    compare: str


@dataclass(frozen=True)
class DefinitionView:
    """One of the city's definitions, with what it can be compared with."""

    detail: DefinitionDetail
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorGroup:
    """What the city measures of one indicator: its definitions and its coverage."""

    indicator: Ref | None
    definitions: list[DefinitionView]
    cell: Cell | None


def _slug(iri: str) -> str:
    return discovery.slug_of(iri, "definition") or iri


def _compare_link(a: str, b: str) -> str:
    return "/compare?a=" + _slug(a) + "&b=" + _slug(b)


def candidates(
    store: Store, place: PlaceDetail, definition: DefinitionDetail, *, level: str | None
) -> list[Candidate]:
    """The definitions of the same indicator at the city's level in other places (or in
    no particular place), best grade first, from ``comparable_with``."""
    index = discovery.label_index(store)
    found = service.comparable_with(store, definition.id)
    out = []
    for candidate in found["candidates"]:
        places: list[str] = list(candidate.get("places") or [])
        if place.id in places:
            continue
        if level is not None and candidate.get("geography_level") != level:
            continue
        out.append(
            Candidate(
                definition=index.ref(candidate["iri"], "definition"),
                places=sorted(
                    (index.ref(p, "place") for p in places), key=lambda r: r.label or r.id
                ),
                publisher=candidate.get("publisher"),
                geography_level=candidate.get("geography_level"),
                grade=candidate["grade"],
                main_reason=candidate.get("main_reason"),
                compare=_compare_link(definition.id, candidate["iri"]),
            )
        )
    return out


def place_cells(store: Store, place: str) -> dict[str, Cell]:
    """The coverage summaries of a place, by indicator IRI."""
    cells: dict[str, Cell] = {}
    offset: int | None = 0
    while offset is not None and len(cells) < MAX_CELLS:
        page = coverage.matrix(store, place=place, limit=COVERAGE_PAGE, offset=offset)
        for cell in page.cells:
            cells.setdefault(cell.indicator.iri, cell)
        offset = page.next_offset
    return cells


def _definition_order(detail: DefinitionDetail) -> tuple[int, int, str]:
    return (detail.start_year or 0, detail.end_year or 9999, detail.label or detail.id)


def group_by_indicator(
    store: Store, place: PlaceDetail, details: Iterable[DefinitionDetail], cells: Mapping[str, Cell]
) -> list[IndicatorGroup]:
    """The city's definitions grouped by indicator (labels in order), each indicator
    with its coverage summary at the city."""
    level = place.level.label if place.level else None
    groups: dict[str, list[DefinitionView]] = {}
    indicators: dict[str, Ref | None] = {}
    for detail in sorted(details, key=_definition_order):
        key = detail.indicator.id if detail.indicator else ""
        indicators[key] = detail.indicator
        groups.setdefault(key, []).append(
            DefinitionView(detail, candidates(store, place, detail, level=level))
        )

    def label(key: str) -> str:
        indicator = indicators[key]
        return (indicator.label or key) if indicator is not None else ""

    order = sorted(groups, key=lambda k: (k == "", label(k)))
    return [IndicatorGroup(indicators[k], groups[k], cells.get(k)) for k in order]


def _country(place: PlaceDetail) -> PlaceItem | None:
    return next(
        (c for c in place.contained_in if c.level is not None and c.level.slug == "country"),
        None,
    )


def _years(details: Iterable[DefinitionDetail]) -> dict[str, dict[str, Any]]:
    """The years of the city's definitions by IRI, to date the versions of a chain."""
    return {d.id: {"start": d.start_year, "end": d.end_year} for d in details}


@router.get("/cities/{ref:path}", response_class=HTMLResponse, response_model=None)
def city_page(request: Request, store: StoreDep, ref: str) -> Response:
    try:
        place = discovery.get_place(store, ref=ref, city=True)
    except NotFoundError:
        # a place that is not a city (a region, a greater city): its Linked Data page
        other = discovery.get_place(store, ref=ref)
        target = local_path(other.id)
        if target is None:
            raise
        return RedirectResponse(quote(target, safe="/#:~"), status_code=303)
    details = [discovery.get_definition(store, ref=d.id) for d in place.definitions]
    cells = place_cells(store, place.id)
    groups = group_by_indicator(store, place, details, cells)
    country = _country(place)
    return render(
        request,
        "city.html",
        title=place.label or place.slug or "City",
        place=place,
        country=country,
        containers=[c for c in place.contained_in if c is not country],
        groups=groups,
        cells=sorted(cells.values(), key=lambda c: c.indicator.label or c.indicator.iri),
        definition_years=_years(details),
        period_text=period_text,
        shown_candidates=SHOWN_CANDIDATES,
    )
