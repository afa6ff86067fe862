"""Observations of the imported datasets, found from any code of a place.

A place asked for is widened to its equivalents in other schemes and versions
(``registry.crosswalk.equivalent_places``): observations Eurostat coded FI001C
(Urban Audit 2020) are found from Helsinki's 2017 code FI001C2, its LAU 091 or its
Wikidata item, and a NUTS 2021 region finds what was coded in NUTS 2024.
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef

from registry.crosswalk import equivalent_places
from registry.discovery import check_page, query_text
from registry.store import Store, Term

MAX_LIMIT = 5_000
_PER_PLACE = 50_000
"""Most observations read for one place of a request (before paging)."""


def observations(
    store: Store,
    *,
    place: URIRef,
    definition: URIRef | None = None,
    indicator: URIRef | None = None,
    period: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of the observations of ``place`` and its equivalents, with the places used."""
    check_page(limit, offset, MAX_LIMIT)
    places = equivalent_places(store, place)
    options: list[str] = []
    bindings: dict[str, Term] = {}
    if definition is not None:
        bindings["definition"] = definition
    if indicator is not None:
        options.append("indicator")
        bindings["indicator"] = indicator
    if period is not None and period.strip():
        options.append("period")
        bindings["periodText"] = Literal(period.strip())
    sparql = query_text("observations", options) + f"LIMIT {_PER_PLACE}\n"
    rows: list[dict[str, Any]] = []
    for where in places:
        result = store.select(sparql, bindings={**bindings, "place": where})
        for values in result.dicts():
            rows.append(_row(values))
    return {
        "place": str(place),
        "places": [str(p) for p in places],
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


def _row(values: dict[str, Term]) -> dict[str, Any]:
    value = values.get("value")
    flags = str(values.get("flags") or "").split()
    return {
        "observation": str(values["observation"]),
        "dataset": str(values["dataset"]),
        "definition": str(values["definition"]),
        "place": str(values["place"]),
        "period": str(values["period"]),
        "group": str(values["group"]),
        "sex": str(values["sex"]),
        "age": str(values["age"]),
        "statistic": str(values["statistic"]),
        "value": float(value) if isinstance(value, Literal) else None,
        "unit": str(values["unit"]),
        "flags": sorted(flags),
    }
