"""Coverage: which indicator is defined and measured where, ``/api/coverage``.

Thin routes over ``registry.coverage``: they read the coverage summaries the registry
keeps in the derived graph (never the observations), as JSON or as a flat CSV table.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.conneg import CSV, JSON
from api.deps import StoreDep
from api.routers.discovery import choose_media_type
from registry import coverage
from registry.errors import InputError

router = APIRouter(prefix="/api", tags=["coverage"])

MATRIX_PARAMETERS = frozenset(
    {
        "indicator",
        "theme",
        "country",
        "geography_level",
        "place",
        "since",
        "until",
        "limit",
        "offset",
        "format",
    }
)
GAPS_PARAMETERS = frozenset({"indicator_set", "format"})


# -- what the answers look like (for the OpenAPI description) ----------------------------


class Ref(BaseModel):
    iri: str = Field(description="The resource's IRI.")
    label: str | None = Field(description="A label for people: English if there is one.")


class DefinitionRef(Ref):
    declared: bool = Field(description="Declared for the place (`dct:spatial`).")
    evidenced: bool = Field(description="Observations of the place are held for it.")


class PeriodModel(BaseModel):
    from_: str | None = Field(alias="from", description="Start: a year, year-month or date.")
    to: str | None = Field(description="End; `null` when none is given (ongoing or not said).")


class CellModel(BaseModel):
    iri: str = Field(description="The coverage summary (a `qb:Observation` of the derived graph).")
    indicator: Ref
    place: Ref
    themes: list[Ref]
    countries: list[Ref]
    geography_levels: list[Ref] = Field(description="The levels of the cell's definitions.")
    definitions: list[DefinitionRef]
    sources: list[Ref]
    publishers: list[Ref]
    declared_period: PeriodModel | None = Field(description="What the definitions declare.")
    evidenced_period: PeriodModel | None = Field(
        description="First and last reference period of the observations held."
    )
    observations: int = Field(description="Observations held for the indicator and place.")


class CoverageModel(BaseModel):
    filters: dict[str, str] = Field(description="The filters applied, as IRIs and dates.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; `null` on the last.")
    count: int = Field(description="Cells in this page.")
    cells: list[CellModel]


class GapModel(BaseModel):
    city: Ref
    city_definition: bool = Field(description="A city-level definition of the indicator exists.")
    data: bool = Field(description="Observations of the indicator for the city are held.")


class IndicatorGapsModel(BaseModel):
    indicator: Ref
    city_definition_anywhere: bool
    gaps: list[GapModel] = Field(description="The cities lacking a city definition or data.")


class GapsModel(BaseModel):
    indicator_set: Ref
    cities: list[Ref] = Field(description="The cities considered.")
    indicators: list[IndicatorGapsModel]
    without_city_definition: list[Ref] = Field(
        description="Indicators of the set with no city-level definition for any place."
    )


# -- parameters --------------------------------------------------------------------------

Format = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` or `csv`; wins over the Accept header (`application/json`, "
        "`text/csv`).",
    ),
]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "A malformed or unknown filter, or a parameter this route does not "
        "take (`input.invalid`, with `details.parameter`)."
    },
    406: {"description": "None of the offered media types is acceptable to the client."},
}


def _check_parameters(request: Request, allowed: frozenset[str]) -> None:
    """Refuse parameters the route does not take, and repeated ones: a typo must not
    silently widen the answer."""
    for name in request.query_params:
        if name not in allowed:
            msg = f"this route takes no parameter {name!r}; it takes {', '.join(sorted(allowed))}"
            raise InputError(msg, details={"parameter": name, "allowed": sorted(allowed)})
        if len(request.query_params.getlist(name)) > 1:
            msg = f"give the parameter {name!r} once"
            raise InputError(msg, details={"parameter": name})


def _csv(page: coverage.CoveragePage) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=coverage.CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(coverage.csv_row(cell) for cell in page.cells)
    return out.getvalue()


# -- routes ------------------------------------------------------------------------------


@router.get(
    "/coverage",
    summary="Coverage matrix: which indicator is defined and measured where",
    response_model=None,
    responses={
        200: {
            "model": CoverageModel,
            "description": "One page of cells (indicator x place). As CSV, a flat table with "
            "one row per cell: lists of IRIs separated by spaces, labels by ` | `. `Link` "
            "names the next page.",
            "content": {CSV: {"schema": {"type": "string"}}},
        },
        **ERRORS,
    },
)
def coverage_matrix(
    request: Request,
    store: StoreDep,
    indicator: Annotated[
        str | None,
        Query(description="An indicator: slug (`employment-rate`) or IRI."),
    ] = None,
    theme: Annotated[
        str | None,
        Query(description="The indicator's theme: `employment`, `education`... or an IRI."),
    ] = None,
    country: Annotated[
        str | None,
        Query(description="The place's country: Eurostat code (`AT`, `EL`) or IRI."),
    ] = None,
    geography_level: Annotated[
        str | None,
        Query(description="A level one of the cell's definitions is at: `city`, `nuts2`..."),
    ] = None,
    place: Annotated[
        str | None,
        Query(description="A place: Urban Audit code (`AT001C1`) or IRI."),
    ] = None,
    since: Annotated[
        str | None,
        Query(
            description="Keep cells whose declared or evidenced period reaches this year, "
            "year-month or date (`2015`, `2015-06-30`) or later."
        ),
    ] = None,
    until: Annotated[
        str | None,
        Query(description="Keep cells whose declared or evidenced period starts by then."),
    ] = None,
    limit: Annotated[
        int,
        Query(description=f"Cells in a page, 1 to {coverage.MAX_LIMIT} (400 outside that)."),
    ] = coverage.DEFAULT_LIMIT,
    offset: Annotated[int, Query(description="Cells to skip: a page's `next_offset`.")] = 0,
    fmt: Format = None,
) -> Response:
    """One cell per indicator and place, from the coverage summaries the registry keeps:
    the definitions declared or evidenced there (IRI and label), their sources and
    publishers, the period declared and the period evidenced, and the number of
    observations. A cell matches a filter when its indicator, theme, country, place or
    one of its definitions' geography levels is the one given."""
    _check_parameters(request, MATRIX_PARAMETERS)
    media = choose_media_type(request, fmt, (JSON, CSV))
    page = coverage.matrix(
        store,
        indicator=indicator,
        theme=theme,
        country=country,
        geography_level=geography_level,
        place=place,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    headers = {}
    if page.next_offset is not None:
        target = request.url.include_query_params(offset=page.next_offset, limit=page.limit)
        headers["Link"] = f'<{target}>; rel="next"'
    if media == CSV:
        return Response(_csv(page), media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse(page.to_dict(), headers=headers)


@router.get(
    "/coverage/gaps",
    summary="Gaps: indicators of a set without city-level definitions or data",
    response_model=None,
    responses={200: {"model": GapsModel}, **ERRORS},
)
def coverage_gaps(
    request: Request,
    store: StoreDep,
    indicator_set: Annotated[
        str,
        Query(
            description="An indicator set (a SKOS concept scheme): slug (`zaragoza-core`) "
            "or IRI. The Zaragoza core indicators by default."
        ),
    ] = "zaragoza-core",
    fmt: Format = None,
) -> Response:
    """For each indicator of the set, the cities (the working-group cities and every place
    with a city-level definition) that lack a city-level definition of it or data for it,
    and the indicators with no city-level definition anywhere."""
    _check_parameters(request, GAPS_PARAMETERS)
    choose_media_type(request, fmt, (JSON,))
    return JSONResponse(coverage.gaps(store, indicator_set=indicator_set).to_dict())
