"""Comparability: are two indicator definitions compatible, and if not, why and what then.

Thin routes over ``registry.comparability.service``; answers are JSON. See
docs/comparability.md for the dimensions, the grades and worked examples.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from api.deps import StoreDep
from api.routers.submissions import BODY, ERRORS, Body
from registry.comparability import service
from registry.submissions.parse import (
    DRY_RUN_BASE,
    DRY_RUN_GRAPH,
    format_for_media_type,
    parse_submission,
)

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


OptionalRef = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="A definition of the registry (IRI or slug) to compare the one sent with.",
    ),
]


@router.post(
    "/compare",
    summary="Compare definitions sent inline (validated first)",
    openapi_extra={"requestBody": BODY},
    responses={
        **ERRORS,
        422: {"description": "The definitions do not conform (`submission.invalid` + report)"},
    },
)
def compare_inline(
    body: Body,
    store: StoreDep,
    a: OptionalRef = None,
    b: OptionalRef = None,
    content_type: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Two indicator definitions in the body (Turtle or JSON-LD with Commensura's context, as
    for a submission), or one and `a` or `b` naming a definition of the registry. They are
    validated by the shapes first and never stored; the answer is that of `GET /api/compare`."""
    fmt = format_for_media_type(content_type)
    parsed = parse_submission(store, body, fmt, graph=DRY_RUN_GRAPH, base=DRY_RUN_BASE)
    return service.compare_inline(store, parsed.graph, a, b)


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
