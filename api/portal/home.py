"""The home page, search results, and the lists of indicators and cities."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.portal.templating import ID, render
from registry import discovery
from registry.discovery import IndicatorItem, PlaceItem, Ref

router = APIRouter()

WORKING_GROUP: tuple[str, ...] = ("NL002C1", "EL001C1", "BE003C1", "FI001C2", "AT001C1")
"""The cities of the indicators working group of the EU Urban Agenda's Partnership on
Inclusion of Migrants and Refugees (Amsterdam, Athens, Ghent, Helsinki, Vienna), by their
Urban Audit 2017 codes (DOMAIN.md)."""

SEARCH_KINDS: dict[str, str] = {
    "indicator": "Indicators",
    "definition": "Definitions",
    "population": "Target and reference groups",
    "source": "Data sources",
    "publisher": "Organisations",
    "practice": "Practices",
    "place": "Places",
}


def _all_indicators(store: StoreDep) -> list[IndicatorItem]:
    return discovery.list_indicators(store, limit=discovery.MAX_LIMIT).items


def working_group(store: StoreDep) -> list[PlaceItem]:
    """The working-group cities as the registry holds them (those it holds)."""
    out = []
    for code in WORKING_GROUP:
        found = discovery.list_cities(store, code=code, limit=1).items
        out.extend(found[:1])
    return out


def _by_theme(indicators: list[IndicatorItem]) -> list[tuple[Ref | None, list[IndicatorItem]]]:
    groups: dict[str, list[IndicatorItem]] = defaultdict(list)
    themes: dict[str, Ref | None] = {}
    for item in indicators:
        key = item.theme.id if item.theme else ""
        groups[key].append(item)
        themes[key] = item.theme

    def order(key: str) -> tuple[bool, str]:
        theme = themes[key]
        return (key == "", (theme.label or "") if theme is not None else "")

    ordered = sorted(groups, key=order)
    return [(themes[k], sorted(groups[k], key=lambda i: i.label or "")) for k in ordered]


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, store: StoreDep) -> HTMLResponse:
    indicators = _all_indicators(store)
    return render(
        request,
        "home.html",
        title="Migrant-integration indicators of European cities",
        themes=_by_theme(indicators),
        cities=working_group(store),
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    text = q.strip()
    chosen = kind if kind in SEARCH_KINDS else ""
    hits = (
        discovery.search(store, q=text, kind=chosen or None, limit=50, offset=offset)
        if text
        else None
    )
    return render(
        request,
        "search.html",
        title=f"Search: {text}" if text else "Search",
        q=text,
        kind=chosen,
        kinds=SEARCH_KINDS,
        hits=hits,
        offset=offset,
    )


@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(request: Request, store: StoreDep) -> HTMLResponse:
    return render(
        request,
        "indicators.html",
        title="Indicators",
        themes=_by_theme(_all_indicators(store)),
    )


@router.get("/cities", response_class=HTMLResponse)
def cities_page(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
    country: Annotated[str, Query(max_length=2)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    text = q.strip()
    code = country.strip().upper()
    page = discovery.list_cities(
        store,
        q=text or None,
        country=code if len(code) == 2 and code.isalpha() else None,
        limit=100,
        offset=offset,
    )
    return render(
        request,
        "cities.html",
        title="Cities",
        q=text,
        country=code,
        page=page,
        working_group=working_group(store),
        place_base=f"{ID}place/",
    )
