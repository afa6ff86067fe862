"""Comparability: are two indicator definitions compatible, and if not, why and what then.

Thin routes over ``registry.comparability.service``; answers are JSON. See
docs/comparability.md for the dimensions, the grades and worked examples.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StoreDep
from registry.comparability import service

router = APIRouter(prefix="/api", tags=["comparability"])

DefinitionRef = Annotated[
    str,
    Query(
        min_length=1,
        max_length=2000,
        description="A definition's IRI, or the slug of one of the registry's own "
        "(`eurostat-employment-rate`).",
    ),
]


@router.get("/compare", summary="Compare two indicator definitions")
def compare(store: StoreDep, a: DefinitionRef, b: DefinitionRef) -> dict[str, Any]:
    """Every dimension of definition A against definition B (target and reference groups by
    their criteria, EU vintage, origin assignment, age band, sex, universe, source type,
    geography level, reference period, measure, numerator, denominator, unit), each with a
    relation, an effect and a reason; the grade; the reasons that cause it, weightiest
    first; the kind of check (transversal, longitudinal, definitional); and a harmonisation
    hint where one exists."""
    return service.compare(store, a, b)


@router.get(
    "/indicators/{indicator:path}/comparability",
    summary="Every definition of an indicator against every other",
)
def indicator_comparability(store: StoreDep, indicator: str) -> dict[str, Any]:
    """The comparability matrix of one indicator: its definitions, and the grade, kind and main
    reason of each pair (A before B in the order of the definitions); with a count per grade."""
    return service.indicator_matrix(store, indicator)


@router.get(
    "/definitions/{definition:path}/comparable",
    summary="What a figure made under this definition can be compared with",
)
def comparable(store: StoreDep, definition: str) -> dict[str, Any]:
    """The other definitions of the same indicator, best grade first, each with its
    publisher, geography level, places, grade and main reason: which cities a figure made
    under this definition can be compared with, and how."""
    return service.comparable_with(store, definition)
