"""Datasets: the catalogue, partners' imports, and the observations they hold.

``GET /api/datasets`` lists the DCAT-AP catalogue with filters; ``POST /api/datasets``
lets an organisation import a table through a mapping (docs/mapping.md) into a dataset
graph of its own; ``GET /api/observations`` answers the observations of a place, found
from any of its codes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import SettingsDep, StoreDep
from api.routers.submissions import ERRORS, OrgDep
from registry import catalogue, ids
from registry.crosswalk import equivalent_places
from registry.discovery import resolve_filter
from registry.errors import InputError, PayloadTooLargeError
from registry.importers import run_import
from registry.importers.mapping import MappingImporter, parse_mapping
from registry.observations import observations

router = APIRouter(prefix="/api", tags=["datasets"])

Ref = Annotated[str | None, Query(max_length=2000)]


@router.get("/datasets", summary="The catalogue of datasets (DCAT-AP 3), with filters")
def list_datasets(
    store: StoreDep,
    publisher: Annotated[
        str | None, Query(max_length=2000, description="Publisher (slug or IRI).")
    ] = None,
    definition: Annotated[
        str | None, Query(max_length=2000, description="Holds values of this indicator definition.")
    ] = None,
    indicator: Annotated[
        str | None,
        Query(max_length=2000, description="Holds values of a definition of this indicator."),
    ] = None,
    place: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Covers this place (slug, code or IRI), in any code scheme.",
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Words in the title, description or keywords."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Datasets imported or described in the registry, ordered by title: publisher, licence,
    temporal and spatial coverage, distributions, the definitions they measure and how many
    observations they hold."""
    see = "see /api/datasets for the datasets there are"
    filters: dict[str, Any] = {"text": q}
    if publisher:
        filters["publisher"] = resolve_filter(
            store, publisher, "publisher", parameter="publisher", see=see
        )
    if definition:
        filters["measures"] = resolve_filter(
            store, definition, "definition", parameter="definition", see=see
        )
    if indicator:
        filters["indicator"] = resolve_filter(
            store, indicator, "indicator", parameter="indicator", see=see
        )
    if place:
        where = resolve_filter(store, place, "place", parameter="place", see="see /api/places")
        found: dict[str, dict[str, Any]] = {}
        for each in equivalent_places(store, where):
            items, _ = catalogue.datasets(store, place=each, limit=500, **filters)
            for item in items:
                found.setdefault(item["iri"], item)
        ordered = sorted(
            found.values(), key=lambda i: ((i.get("title") or "").casefold(), i["iri"])
        )
        return {
            "total": len(ordered),
            "limit": limit,
            "offset": offset,
            "items": ordered[offset : offset + limit],
        }
    items, total = catalogue.datasets(store, limit=limit, offset=offset, **filters)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/catalogue", summary="The whole DCAT-AP 3 catalogue as RDF")
def get_catalogue(store: StoreDep) -> Response:
    """The catalogue graph in Turtle."""
    graph = catalogue.catalogue_graph(store)
    return Response(graph.serialize(format="turtle"), media_type="text/turtle")


@router.get("/observations", summary="Observations of a place, found from any of its codes")
def list_observations(
    store: StoreDep,
    place: Annotated[
        str, Query(min_length=1, max_length=2000, description="A place (slug, code or IRI).")
    ],
    definition: Ref = None,
    indicator: Ref = None,
    period: Annotated[
        str | None, Query(max_length=20, description="A period, such as 2024.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The observations of the place and of the places standing for the same territory under
    another code scheme or version (Urban Audit 2017 and 2020, NUTS versions, the LAU a city
    is made of, Wikidata); `places` lists which were searched."""
    see = "see /api/definitions"
    return observations(
        store,
        place=resolve_filter(store, place, "place", parameter="place", see="see /api/places"),
        definition=resolve_filter(store, definition, "definition", parameter="definition", see=see)
        if definition
        else None,
        indicator=resolve_filter(
            store, indicator, "indicator", parameter="indicator", see="see /api/indicators"
        )
        if indicator
        else None,
        period=period,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/datasets",
    status_code=201,
    summary="Import a table through a mapping into your organisation's dataset (token required)",
    responses={
        **ERRORS,
        401: {"description": "No token, or an unknown or revoked one (`auth.invalid_token`)"},
        400: {
            "description": "A bad form, mapping (`mapping.invalid`) or table (`source.invalid`: "
            "no row could be imported); nothing stored"
        },
    },
)
async def import_dataset(
    request: Request, store: StoreDep, settings: SettingsDep, org: OrgDep, response: Response
) -> dict[str, Any]:
    """A `multipart/form-data` body with a part `mapping` (YAML or JSON, docs/mapping.md: the
    dataset's DCAT description, the columns, the codes) and one part `file` per source of the
    mapping, in order. The dataset is named `<organisation>--<slug>` and imported into the graph
    `data/<organisation>--<slug>`; posting it again replaces that graph. The answer reports rows
    read, observations written and rows rejected, each with its line and reason."""
    cap = settings.max_body_bytes
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        msg = f"the body is larger than {cap:,} bytes: split the table into smaller ones"
        raise PayloadTooLargeError(msg, details={"limit": cap})
    try:
        form = await request.form(max_files=20, max_fields=20)
    except Exception as exc:  # the multipart parser's own errors
        msg = f"the body is not a readable multipart/form-data form: {exc}"
        raise InputError(msg) from exc
    try:
        mapping_part = form.get("mapping")
        if isinstance(mapping_part, UploadFile):
            text = (await mapping_part.read()).decode("utf-8", "replace")
        elif isinstance(mapping_part, str):
            text = mapping_part
        else:
            msg = "the form needs a part 'mapping' (the mapping file) and a part 'file' per source"
            raise InputError(msg, details={"parts": list(form.keys())})
        tables = [
            await part.read() for part in form.getlist("file") if isinstance(part, UploadFile)
        ]
    finally:
        await form.close()
    spec = parse_mapping(text, name="mapping")
    if len(tables) != len(spec.sources):
        msg = (
            f"the mapping has {len(spec.sources)} source(s) but the form has {len(tables)} "
            "part(s) named 'file': send one table per source, in order"
        )
        raise InputError(msg, details={"sources": len(spec.sources), "files": len(tables)})
    # "--" never occurs in a mapping's slug: no two organisations' names can meet, and
    # no partner dataset can take the name of one the registry imports itself.
    slug = f"{org.slug}--{spec.slug}"
    spec = spec.model_copy(update={"slug": slug})
    ids.dataset(slug)  # a valid name, or InputError
    with tempfile.TemporaryDirectory(prefix="commensura-upload-") as tmp:
        paths: dict[int, Path] = {}
        for index, content in enumerate(tables):
            path = Path(tmp) / f"source-{index}"
            path.write_bytes(content)
            paths[index] = path
        importer = MappingImporter(spec, files=paths)
        report = await run_in_threadpool(run_import, store, importer, Path(tmp))
    response.headers["Location"] = f"/api/datasets?q={slug}"
    return report.as_dict()
