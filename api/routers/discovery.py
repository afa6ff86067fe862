"""Discovery under ``/api``: cities, places, indicators, definitions, publishers, sources,
practices, search, and which cities measure an indicator.

Thin routes over ``registry.discovery``: they read the parameters, call one data
function and write its answer. Lists answer JSON (``{"items", "total", "limit",
"offset"}`` with ``Link`` headers to the next and previous pages) or CSV
(``Accept: text/csv`` or ``?format=csv``: one row per item, a linked resource as
two columns, its IRI and ``<name>_label``). Details answer JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException

from api.conneg import CSV, JSON, negotiate
from api.deps import StoreDep
from registry import discovery
from registry.discovery import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    DefinitionDetail,
    DefinitionItem,
    IndicatorDetail,
    IndicatorItem,
    Measurement,
    Page,
    PlaceDetail,
    PlaceItem,
    PracticeDetail,
    PracticeItem,
    PublisherDetail,
    PublisherItem,
    SearchHit,
    SourceDetail,
    SourceItem,
    concept_names,
)
from registry.errors import InputError
from registry.vocabularies import CRITERION, GEOGRAPHY_LEVEL, PRACTICE_KIND, SOURCE_TYPE, THEME

router = APIRouter(prefix="/api", tags=["discovery"])

T = TypeVar("T")

# -- parameters ----------------------------------------------------------------------------


def _one_of(names: list[str]) -> str:
    return "one of " + ", ".join(f"`{n}`" for n in names)


Limit = Annotated[
    int, Query(description=f"Most items in the page, 1 to {MAX_LIMIT} (400 outside that).")
]
Offset = Annotated[int, Query(description="How many items to skip (0 or more).")]
Format = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` or `csv`; wins over the Accept header (`application/json`, "
        "`text/csv`).",
    ),
]
Level = Annotated[
    str | None, Query(description=f"Geography level: {_one_of(concept_names(GEOGRAPHY_LEVEL))}.")
]
Country = Annotated[
    str | None, Query(description="Eurostat country code (`AT`, `EL` for Greece, ...).")
]
Code = Annotated[
    str | None,
    Query(description="A code of the place: Urban Audit, LAU, NUTS or country (any case)."),
]
Text = Annotated[
    str | None,
    Query(
        description="Words of a label, in any language, accents and case ignored; the "
        "answer is then ordered by how well the label matches."
    ),
]
Within = Annotated[
    str | None,
    Query(description="A place (slug, code or IRI) the places lie in, at any depth."),
]
IndicatorFilter = Annotated[
    str | None, Query(description="An indicator (slug or IRI), e.g. `employment-rate`.")
]
Theme = Annotated[str | None, Query(description=f"Theme: {_one_of(concept_names(THEME))}.")]

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page of the list. `Link` gives the next and previous pages.",
        "content": {CSV: {"schema": {"type": "string"}}},
    },
    400: {"description": "A filter value that is not allowed (`input.invalid`, with `allowed`)."},
    406: {"description": "Neither JSON nor CSV is acceptable to the client."},
}
DETAIL_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such resource (`not_found`)."},
    406: {"description": "JSON is not acceptable to the client."},
}


# -- answers -------------------------------------------------------------------------------


_ADAPTERS: dict[object, TypeAdapter[Any]] = {}
_COLUMNS: dict[type[Any], tuple[tuple[str, bool], ...]] = {}


def _adapter(kind: object) -> TypeAdapter[Any]:
    """A serializer for a type, made once (pydantic builds it from the dataclasses)."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)  # type: ignore[arg-type]
    return adapter


def choose_media_type(request: Request, fmt: str | None, offers: tuple[str, ...]) -> str:
    """JSON or CSV, as ``format`` (``json``, ``csv`` or the media type; it wins) or the
    ``Accept`` header asks; 400 for a format not offered, 406 when nothing fits."""
    if fmt:
        chosen = {"json": JSON, "csv": CSV, JSON: JSON, CSV: CSV}.get(fmt.strip().lower())
        allowed = ["json", "csv"] if CSV in offers else ["json"]
        if chosen is None or chosen not in offers:
            msg = f"format={fmt!r} is not offered here; use one of: {', '.join(allowed)}"
            raise InputError(msg, details={"parameter": "format", "allowed": allowed})
        return chosen
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        wanted = ", ".join(offers)
        raise HTTPException(406, f"this resource is available as {wanted} only")
    return chosen


def _links(request: Request, page: Page[Any]) -> dict[str, str]:
    links = []
    if page.offset + page.limit < page.total:
        target = request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit)
        links.append(f'<{target}>; rel="next"')
    if page.offset > 0:
        previous = max(0, min(page.offset - page.limit, page.total - page.limit))
        target = request.url.include_query_params(offset=previous, limit=page.limit)
        links.append(f'<{target}>; rel="prev"')
    headers = {"X-Total-Count": str(page.total)}
    if links:
        headers["Link"] = ", ".join(links)
    return headers


def _plain(hint: Any) -> Any:
    """A field's type without ``Annotated`` and ``None``."""
    while typing.get_origin(hint) is Annotated:
        hint = typing.get_args(hint)[0]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = members[0] if len(members) == 1 else hint
    return hint


def _is_linked(hint: Any) -> bool:
    hint = _plain(hint)
    if typing.get_origin(hint) is list:
        hint = _plain(typing.get_args(hint)[0])
    return dataclasses.is_dataclass(hint)


def _columns(item_type: type[Any]) -> tuple[tuple[str, bool], ...]:
    """The CSV columns of an item type: each field, and whether it links to resources."""
    columns = _COLUMNS.get(item_type)
    if columns is None:
        hints = typing.get_type_hints(item_type, include_extras=True)
        columns = _COLUMNS[item_type] = tuple(
            (f.name, _is_linked(hints[f.name])) for f in dataclasses.fields(item_type)
        )
    return columns


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return str(value)


def _label_cell(value: Any) -> str:
    if isinstance(value, list):
        return " | ".join(_label_cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("label") or "")
    return ""


def csv_text(items: list[Mapping[str, Any]], item_type: type[Any]) -> str:
    """Items as CSV: one row each; a linked resource as its IRI and a ``_label`` column."""
    columns = _columns(item_type)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header: list[str] = []
    for name, linked in columns:
        header.extend([name, f"{name}_label"] if linked else [name])
    writer.writerow(header)
    for item in items:
        row: list[str] = []
        for name, linked in columns:
            value = item.get(name)
            row.append(_cell(value))
            if linked:
                row.append(_label_cell(value))
        writer.writerow(row)
    return buffer.getvalue()


def _list_response(
    request: Request, fmt: str | None, item_type: type[T], load: Callable[[], Page[T]]
) -> Response:
    media_type = choose_media_type(request, fmt, (JSON, CSV))
    page = load()
    headers = _links(request, page)
    if media_type == CSV:
        items = _adapter(list[item_type]).dump_python(page.items, mode="json")  # type: ignore[valid-type]
        return Response(
            csv_text(items, item_type), media_type="text/csv; charset=utf-8", headers=headers
        )
    body = _adapter(Page[item_type]).dump_json(page)  # type: ignore[valid-type]
    return Response(body, media_type=JSON, headers=headers)


def _detail_response(request: Request, fmt: str | None, load: Callable[[], object]) -> Response:
    choose_media_type(request, fmt, (JSON,))
    value = load()
    return Response(_adapter(type(value)).dump_json(value), media_type=JSON)


# -- places --------------------------------------------------------------------------------


@router.get(
    "/cities",
    response_model=Page[PlaceItem],
    summary="Cities (Urban Audit), filtered",
    responses=LIST_RESPONSES,
)
def cities(
    request: Request,
    store: StoreDep,
    country: Country = None,
    code: Code = None,
    q: Text = None,
    within: Within = None,
    indicator: Annotated[
        str | None,
        Query(description="Only cities a definition of this indicator is declared for."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Places at the city level: the Urban Audit cities."""
    return _list_response(
        request,
        fmt,
        PlaceItem,
        lambda: discovery.list_cities(
            store,
            country=country,
            code=code,
            q=q,
            within=within,
            indicator=indicator,
            limit=limit,
            offset=offset,
        ),
    )


@router.get(
    "/cities/{ref:path}",
    response_model=PlaceDetail,
    summary="One city, by slug, code or IRI",
    responses=DETAIL_RESPONSES,
)
def city(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """A city (`urban-audit/AT001C1`, `AT001C1` or its IRI) with its codes and links."""
    return _detail_response(request, fmt, lambda: discovery.get_place(store, ref=ref, city=True))


@router.get(
    "/places",
    response_model=Page[PlaceItem],
    summary="Places of every geography level, filtered",
    responses=LIST_RESPONSES,
)
def places(
    request: Request,
    store: StoreDep,
    level: Level = None,
    country: Country = None,
    code: Code = None,
    q: Text = None,
    within: Within = None,
    indicator: Annotated[
        str | None,
        Query(description="Only places a definition of this indicator is declared for."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Cities, LAUs, NUTS regions, countries... With the place registries imported there
    are over 120,000: the list pages in the store, in the store's order (stable while the
    content does not change); with `q`, ordered by how well the label matches."""
    return _list_response(
        request,
        fmt,
        PlaceItem,
        lambda: discovery.list_places(
            store,
            level=level,
            country=country,
            code=code,
            q=q,
            within=within,
            indicator=indicator,
            limit=limit,
            offset=offset,
        ),
    )


@router.get(
    "/places/{ref:path}",
    response_model=PlaceDetail,
    summary="One place, by slug, code or IRI",
    responses=DETAIL_RESPONSES,
)
def place(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """A place (`nuts-2021/AT13`, `lau-2018/AT/90001`, a unique code, or its IRI)."""
    return _detail_response(request, fmt, lambda: discovery.get_place(store, ref=ref))


# -- indicators ----------------------------------------------------------------------------


@router.get(
    "/indicators",
    response_model=Page[IndicatorItem],
    summary="Indicators, by theme and indicator set",
    responses=LIST_RESPONSES,
)
def indicators(
    request: Request,
    store: StoreDep,
    theme: Theme = None,
    indicator_set: Annotated[
        str | None,
        Query(alias="set", description="Indicator set: `zaragoza-core`, `eu-migrant-integration`."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """The indicators of immigrant integration, by label."""
    return _list_response(
        request,
        fmt,
        IndicatorItem,
        lambda: discovery.list_indicators(
            store, theme=theme, indicator_set=indicator_set, limit=limit, offset=offset
        ),
    )


@router.get(
    "/indicators/{ref:path}/cities",
    response_model=Page[Measurement],
    summary="Which cities measure an indicator",
    responses={**LIST_RESPONSES, 404: {"description": "No such indicator (`not_found`)."}},
)
def cities_measuring(
    request: Request,
    store: StoreDep,
    ref: str,
    level: Annotated[
        str,
        Query(
            description="Geography level of the places: `city` (default), `any`, or "
            f"{_one_of(concept_names(GEOGRAPHY_LEVEL))}."
        ),
    ] = "city",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Each city a definition of the indicator is declared for, with the definition, its
    publisher, data sources, target group, geography level and the years it holds for.
    One item per city and definition."""
    return _list_response(
        request,
        fmt,
        Measurement,
        lambda: discovery.cities_measuring(
            store, indicator=ref, level=level, limit=limit, offset=offset
        ),
    )


@router.get(
    "/indicators/{ref:path}",
    response_model=IndicatorDetail,
    summary="One indicator, by slug or IRI",
    responses=DETAIL_RESPONSES,
)
def indicator(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """An indicator with its labels in every language, its sets and its definitions."""
    return _detail_response(request, fmt, lambda: discovery.get_indicator(store, ref=ref))


# -- definitions ---------------------------------------------------------------------------


@router.get(
    "/definitions",
    response_model=Page[DefinitionItem],
    summary="Indicator definitions, filtered",
    responses=LIST_RESPONSES,
)
def definitions(
    request: Request,
    store: StoreDep,
    indicator: IndicatorFilter = None,
    publisher: Annotated[str | None, Query(description="A publisher (slug or IRI).")] = None,
    theme: Theme = None,
    criterion: Annotated[
        str | None,
        Query(
            description="A basis of the target group's criteria: "
            f"{_one_of(concept_names(CRITERION))}."
        ),
    ] = None,
    source_type: Annotated[
        str | None,
        Query(
            description="Type of the data source, narrower types included: "
            f"{_one_of(concept_names(SOURCE_TYPE))}."
        ),
    ] = None,
    level: Level = None,
    place: Annotated[
        str | None, Query(description="A place the definition is declared for.")
    ] = None,
    city: Annotated[str | None, Query(description="The same as `place`, for a city.")] = None,
    country: Annotated[
        str | None,
        Query(description="Eurostat country code of the places the definition is declared for."),
    ] = None,
    since: Annotated[
        int | None,
        Query(description="Keep definitions known to hold from this year or earlier, still then."),
    ] = None,
    until: Annotated[
        int | None, Query(description="Keep definitions in force in this year.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """How each publisher operationalises the indicators, in the store's order."""
    if place and city and place != city:
        msg = "place and city name the same filter: give one of them"
        raise InputError(msg, details={"parameter": "city"})
    return _list_response(
        request,
        fmt,
        DefinitionItem,
        lambda: discovery.list_definitions(
            store,
            indicator=indicator,
            publisher=publisher,
            theme=theme,
            criterion=criterion,
            source_type=source_type,
            level=level,
            place=place or city,
            country=country,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        ),
    )


@router.get(
    "/definitions/{ref:path}",
    response_model=DefinitionDetail,
    summary="One indicator definition, by slug or IRI",
    responses=DETAIL_RESPONSES,
)
def definition(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """A definition with its indicator, publisher, sources, target and reference groups
    (their criteria), places, period, versions and the series that reproduce it."""
    return _detail_response(request, fmt, lambda: discovery.get_definition(store, ref=ref))


# -- publishers, sources, practices --------------------------------------------------------


@router.get(
    "/publishers",
    response_model=Page[PublisherItem],
    summary="Publishers and other organisations",
    responses=LIST_RESPONSES,
)
def publishers(
    request: Request,
    store: StoreDep,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Organisations: publishers of definitions and sources, statistical offices, and the
    organisations that run practices; by name."""
    return _list_response(
        request,
        fmt,
        PublisherItem,
        lambda: discovery.list_publishers(store, limit=limit, offset=offset),
    )


@router.get(
    "/publishers/{ref:path}",
    response_model=PublisherDetail,
    summary="One organisation, by slug or IRI",
    responses=DETAIL_RESPONSES,
)
def publisher(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """An organisation with the definitions, sources and groups it publishes and the
    practices it runs."""
    return _detail_response(request, fmt, lambda: discovery.get_publisher(store, ref=ref))


@router.get(
    "/sources",
    response_model=Page[SourceItem],
    summary="Data sources, by source type",
    responses=LIST_RESPONSES,
)
def sources(
    request: Request,
    store: StoreDep,
    source_type: Annotated[
        str | None,
        Query(
            description="Source type, narrower types included: "
            f"{_one_of(concept_names(SOURCE_TYPE))}."
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Registers, censuses and surveys the definitions are measured from, by label."""
    return _list_response(
        request,
        fmt,
        SourceItem,
        lambda: discovery.list_sources(store, source_type=source_type, limit=limit, offset=offset),
    )


@router.get(
    "/sources/{ref:path}",
    response_model=SourceDetail,
    summary="One data source, by slug or IRI",
    responses=DETAIL_RESPONSES,
)
def source(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """A data source with what it records and the definitions that use it."""
    return _detail_response(request, fmt, lambda: discovery.get_source(store, ref=ref))


@router.get(
    "/practices",
    response_model=Page[PracticeItem],
    summary="The cities' toolbox: practices by kind and city",
    responses=LIST_RESPONSES,
)
def practices(
    request: Request,
    store: StoreDep,
    kind: Annotated[
        str | None, Query(description=f"Kind: {_one_of(concept_names(PRACTICE_KIND))}.")
    ] = None,
    city: Annotated[
        str | None, Query(description="A city or other place (slug, code or IRI).")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Monitoring systems, survey models, collaboration models, audiences and
    communication formats, by label."""
    return _list_response(
        request,
        fmt,
        PracticeItem,
        lambda: discovery.list_practices(store, kind=kind, city=city, limit=limit, offset=offset),
    )


@router.get(
    "/practices/{ref:path}",
    response_model=PracticeDetail,
    summary="One practice, by slug or IRI",
    responses=DETAIL_RESPONSES,
)
def practice(request: Request, store: StoreDep, ref: str, fmt: Format = None) -> Response:
    """A practice with its operators, partners, places, definitions and editions."""
    return _detail_response(request, fmt, lambda: discovery.get_practice(store, ref=ref))


# -- search --------------------------------------------------------------------------------


@router.get(
    "/search",
    response_model=Page[SearchHit],
    summary="Search labels in every language",
    responses=LIST_RESPONSES,
)
def search(
    request: Request,
    store: StoreDep,
    q: Annotated[
        str,
        Query(description="Words of a label, in any language; accents and case are ignored."),
    ],
    kind: Annotated[
        str | None,
        Query(alias="type", description=f"Only this kind: {_one_of(list(discovery.KINDS))}."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Resources whose labels (skos:prefLabel, skos:altLabel, foaf:name, rdfs:label) match,
    best first: the whole label, then its start, then the start of a word, then anywhere;
    preferred labels before alternative ones. Each hit says which label matched and its
    language."""
    return _list_response(
        request,
        fmt,
        SearchHit,
        lambda: discovery.search(store, q=q, kind=kind, limit=limit, offset=offset),
    )
