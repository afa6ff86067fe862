"""The pages of definitions and datasets, read at their own IRIs.

The Linked Data router (``api.routers.linked_data``) answers ``/id/definition/<slug>`` and
``/id/dataset/<slug>`` asked for as HTML with these pages instead of its generic table of
statements; the other formats (Turtle, JSON-LD...) stay the RDF of the IRI, and each page
links to them. Nothing here has a route of its own: :func:`resource_page` takes the store,
the IRI and its types, and returns the page, or ``None`` for any other kind of resource.

* a **definition** (``cm:IndicatorDefinition``): what it measures and how, its target and
  reference groups as readable criteria, the places it is declared for, its sources, its
  versions, the Eurostat series that reproduce it, and what it can be compared with
  (``registry.discovery.get_definition``, ``registry.comparability.service.comparable_with``,
  ``registry.catalogue.datasets``);
* a **dataset** (``dcat:Dataset`` or ``qb:DataSet``): its DCAT description from the
  catalogue, its provenance, its Data Cube structure, the definitions it measures, how many
  observations it holds and a sample of them (``registry.catalogue``,
  ``registry.linked_data.describe``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from api.portal.templating import ID, environment, query
from registry import catalogue, discovery
from registry.comparability import service
from registry.discovery import Condition, DefinitionDetail, Ref
from registry.errors import CommensuraError, NotFoundError
from registry.linked_data import describe
from registry.namespaces import (
    CM,
    DCAT,
    DCAT3,
    DCTERMS,
    FOAF,
    PROV,
    QB,
    RDF,
    RDFS,
    SDMX_ATTRIBUTE,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SKOS,
)
from registry.store import Store

SAMPLE_SIZE = 20
"""How many observations a dataset's page shows."""
PLACES_SHOWN = 40
"""How many of a dataset's places its page names (the rest are counted)."""

STAT = catalogue.STAT
SPDX = catalogue.SPDX
VCARD = catalogue.VCARD

_SDMX_NAMES: dict[str, str] = {
    str(SDMX_DIMENSION.refArea): "Place",
    str(SDMX_DIMENSION.refPeriod): "Period",
    str(SDMX_DIMENSION.sex): "Sex",
    str(SDMX_DIMENSION.age): "Age",
    str(SDMX_MEASURE.obsValue): "Value",
    str(SDMX_ATTRIBUTE.unitMeasure): "Unit",
    str(SDMX_CODE["sex-T"]): "Total (both sexes)",
    str(SDMX_CODE["sex-M"]): "Male",
    str(SDMX_CODE["sex-F"]): "Female",
}
"""Names for the SDMX terms the store holds no label for."""

_COLUMN_ORDER: tuple[str, ...] = (
    str(SDMX_DIMENSION.refArea),
    str(SDMX_DIMENSION.refPeriod),
    str(CM.indicatorDefinition),
    str(CM.populationGroup),
    str(SDMX_DIMENSION.sex),
    str(SDMX_DIMENSION.age),
    str(CM.statistic),
    str(SDMX_MEASURE.obsValue),
    str(SDMX_ATTRIBUTE.unitMeasure),
    str(CM.observationStatus),
)
"""Where the usual components go in the sample of observations (others after them)."""

_DEFINITION_TYPES = frozenset({CM.IndicatorDefinition})
_DATASET_TYPES = frozenset({DCAT.Dataset, QB.DataSet})


@dataclass(frozen=True)
class Alternate:
    """Another format of the same IRI, and where it is."""

    name: str
    media_type: str
    url: str


@dataclass(frozen=True)
class Value:
    """A value to show: its text, where it links to, and its language."""

    text: str
    iri: str | None = None
    language: str | None = None
    number: bool = False


@dataclass(frozen=True)
class Component:
    """A Data Cube component of a dataset: its property and name."""

    iri: str
    label: str


@dataclass
class Sample:
    """The first observations of a dataset, as a table."""

    columns: list[Component] = field(default_factory=list)
    rows: list[list[list[Value]]] = field(default_factory=list)
    """One list of values per row and column (a component may have several)."""


# -- choosing the page -------------------------------------------------------------------


def kind_of(types: Iterable[Node]) -> str | None:
    """``definition``, ``dataset`` or ``None``: which page a resource of these types has."""
    found = set(types)
    if found & _DEFINITION_TYPES:
        return "definition"
    if found & _DATASET_TYPES:
        return "dataset"
    return None


def resource_page(
    store: Store,
    iri: URIRef,
    types: Iterable[Node],
    *,
    path: str,
    alternates: Sequence[Alternate],
) -> str | None:
    """The portal's page of a definition or dataset; ``None`` for any other resource, or
    when the registry does not list it as one (the generic description is shown then)."""
    kind = kind_of(types)
    try:
        if kind == "definition":
            return definition_page(store, iri, path=path, alternates=alternates)
        if kind == "dataset":
            return dataset_page(store, iri, path=path, alternates=alternates)
    except NotFoundError:
        return None
    return None


def _render(template: str, *, path: str, **context: Any) -> str:
    return environment().get_template(template).render(current=path, request_url=path, **context)


# -- definitions -------------------------------------------------------------------------


def definition_page(
    store: Store, iri: URIRef, *, path: str, alternates: Sequence[Alternate]
) -> str:
    """The page of an indicator definition; ``NotFoundError`` when it is not one."""
    detail = discovery.get_definition(store, ref=str(iri))
    comparable, comparable_error = _comparable(store, detail)
    datasets, _ = catalogue.datasets(store, measures=URIRef(detail.id), limit=20)
    return _render(
        "definition.html",
        path=path,
        title=detail.label or detail.slug or detail.id,
        d=detail,
        facts=_definition_facts(detail),
        comparable=comparable,
        comparable_error=comparable_error,
        datasets=datasets,
        alternates=alternates,
        duration=duration,
        combination=combination,
        compare_link=compare_link,
        number=number,
    )


def _comparable(store: Store, detail: DefinitionDetail) -> tuple[list[dict[str, Any]], str]:
    try:
        found = service.comparable_with(store, detail.id)
    except CommensuraError as exc:
        return [], exc.message
    candidates: list[dict[str, Any]] = found.get("candidates", [])
    return candidates, ""


def _definition_facts(d: DefinitionDetail) -> list[tuple[str, Ref | None]]:
    """The definition's dimensions, in the order people read them."""
    return [
        (name, _named(ref))
        for name, ref in (
            ("Measure type", d.measure_type),
            ("Numerator", d.numerator),
            ("Denominator", d.denominator),
            ("Unit", d.unit),
            ("Age band", d.age_band),
            ("Sex", d.sex),
            ("Universe", d.universe),
            ("Geography level", d.geography_level),
            ("Reference time", d.reference_time),
            ("Periodicity", d.periodicity),
        )
        if ref is not None
    ]


def _named(ref: Ref | None) -> Ref | None:
    """The reference with a readable label where the store holds none (SDMX codes)."""
    if ref is None:
        return None
    name = _SDMX_NAMES.get(ref.id)
    if name is not None and (ref.label is None or ref.label == ref.slug):
        return Ref(ref.id, ref.slug, name)
    return ref


def number(value: float | int | None) -> str:
    """``5.0`` -> ``5``, ``2.5`` -> ``2.5``; thousands separated."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


def duration(condition: Condition) -> str:
    """The years of residence a criterion asks for, in words (minimum inclusive, maximum
    exclusive), or ``""``."""
    low, high = condition.min_years, condition.max_years
    if low is not None and high is not None:
        return f"at least {number(low)} and fewer than {number(high)} years of residence"
    if low is not None:
        return f"at least {number(low)} years of residence"
    if high is not None:
        return f"fewer than {number(high)} years of residence"
    return ""


_COMBINATIONS = {
    "anyOf": "Any of these holds",
    "allOf": "All of these hold",
    "not": "None of these holds",
}


def combination(kind: str) -> str:
    """How a combination of conditions reads."""
    return _COMBINATIONS.get(kind, kind)


def _slug(iri: str) -> str:
    prefix = f"{ID}definition/"
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def compare_link(a: str, b: str) -> str:
    """The portal's page comparing two definitions."""
    return "/compare?" + query(a=_slug(a), b=_slug(b))


# -- datasets ----------------------------------------------------------------------------


def dataset_page(store: Store, iri: URIRef, *, path: str, alternates: Sequence[Alternate]) -> str:
    """The page of a dataset of the catalogue; ``NotFoundError`` when the catalogue does not
    list it."""
    item, graph = catalogue.dataset(store, iri)
    structure = _structure(store, graph, iri)
    sample = _sample(store, iri, structure)
    return _render(
        "dataset.html",
        path=path,
        title=item.get("title") or str(iri),
        iri=str(iri),
        item=item,
        about=_about_dataset(graph, iri),
        structure=structure,
        cube=(iri, RDF.type, QB.DataSet) in graph or bool(item.get("observations")),
        sample=sample,
        alternates=alternates,
        number=number,
        size=byte_size,
        places_shown=PLACES_SHOWN,
    )


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    """One text: the English one, else one without a language, else any."""
    values = sorted(
        (v for v in graph.objects(subject, predicate) if isinstance(v, Literal)), key=str
    )
    for wanted in ("en", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else None


def _name(graph: Graph, node: Node) -> str:
    """What to call a resource of the catalogue graph."""
    for predicate in (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name):
        found = _text(graph, node, predicate)
        if found:
            return found
    if str(node) in _SDMX_NAMES:
        return _SDMX_NAMES[str(node)]
    text = str(node).rstrip("/#")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if "#" in text or "/" in text else text


def _value(graph: Graph, node: Node) -> Value:
    if isinstance(node, Literal):
        return Value(str(node), language=node.language)
    if isinstance(node, URIRef):
        return Value(_name(graph, node), iri=str(node))
    return Value(_name(graph, node))


def _values(graph: Graph, subject: Node, predicate: URIRef) -> list[Value]:
    found = [_value(graph, o) for o in graph.objects(subject, predicate)]
    return sorted(found, key=lambda v: (v.text.casefold(), v.iri or ""))


def _about_dataset(graph: Graph, iri: URIRef) -> dict[str, Any]:
    """What the catalogue says of the dataset beyond ``datasets()``'s entry."""
    rights = [_text(graph, r, RDFS.label) or str(r) for r in graph.objects(iri, DCTERMS.rights)]
    provenance = [
        _text(graph, p, RDFS.label) or str(p) for p in graph.objects(iri, DCTERMS.provenance)
    ]
    licence = graph.value(iri, DCTERMS.license)
    activity = graph.value(iri, PROV.wasGeneratedBy)
    imported = None
    if activity is not None:
        ended = graph.value(activity, PROV.endedAtTime)
        imported = str(ended)[:10] if ended is not None else None
    contacts = [
        Value(
            _text(graph, c, VCARD.fn) or "",
            iri=str(graph.value(c, VCARD.hasURL)) if graph.value(c, VCARD.hasURL) else None,
        )
        for c in graph.objects(iri, DCAT.contactPoint)
    ]
    distributions = {
        str(d): {
            "format": _name(graph, f) if (f := graph.value(d, DCTERMS.format)) else None,
            "rights": [
                _text(graph, r, RDFS.label) or str(r) for r in graph.objects(d, DCTERMS.rights)
            ],
        }
        for d in graph.objects(iri, DCAT.distribution)
    }
    return {
        "identifier": _text(graph, iri, DCTERMS.identifier),
        "licence": _value(graph, licence) if licence is not None else None,
        "rights": sorted(set(rights)),
        "provenance": sorted(set(provenance)),
        "derived_from": sorted(str(s) for s in graph.objects(iri, PROV.wasDerivedFrom)),
        "imported": imported,
        "themes": _values(graph, iri, DCAT.theme),
        "keywords": _values(graph, iri, DCAT.keyword),
        "periodicity": (
            _value(graph, p) if (p := graph.value(iri, DCTERMS.accrualPeriodicity)) else None
        ),
        "issued": _literal_text(graph.value(iri, DCTERMS.issued)),
        "version": _literal_text(graph.value(iri, DCAT3.version)),
        "contacts": [c for c in contacts if c.text],
        "units": _values(graph, iri, STAT.statUnitMeasure),
        "series": _literal_text(graph.value(iri, STAT.numSeries)),
        "distributions": distributions,
        "places": _values(graph, iri, DCTERMS.spatial),
    }


def _literal_text(node: Node | None) -> str | None:
    return str(node) if isinstance(node, Literal) else None


def byte_size(value: int | None) -> str:
    """A size in bytes, for people: ``857,835 bytes (838 KiB)``."""
    if value is None:
        return ""
    text = f"{value:,} bytes"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= scale:
            return f"{text} ({value / scale:.3g} {unit})"
    return text


def _structure(store: Store, graph: Graph, iri: URIRef) -> dict[str, list[Component]]:
    """The dataset's dimensions, measures and attributes: from its Data Cube structure
    (``qb:structure``) where it has one, else from the catalogue's StatDCAT-AP lists."""
    index = discovery.label_index(store)
    found: dict[str, list[Component]] = {"dimensions": [], "measures": [], "attributes": []}
    order: dict[str, int] = {}
    structure = graph.value(iri, QB.structure)
    if isinstance(structure, URIRef):
        specs = [
            c
            for c in store.triples_about([structure]).objects(structure, QB.component)
            if isinstance(c, URIRef)
        ]
        described = store.triples_about(specs)
        for key, prop in (
            ("dimensions", QB.dimension),
            ("measures", QB.measure),
            ("attributes", QB.attribute),
        ):
            for spec in specs:
                for component in described.objects(spec, prop):
                    if isinstance(component, URIRef):
                        found[key].append(_component(component, index, graph))
                        rank = described.value(spec, QB.order)
                        if isinstance(rank, Literal) and isinstance(rank.toPython(), int):
                            order[str(component)] = rank.toPython()
    for key, prop in (("dimensions", STAT.dimension), ("attributes", STAT.attribute)):
        if not found[key]:
            found[key] = [
                _component(c, index, graph)
                for c in graph.objects(iri, prop)
                if isinstance(c, URIRef)
            ]
    for key in found:
        found[key] = sorted(
            {c.iri: c for c in found[key]}.values(),
            key=lambda c: (order.get(c.iri, 1000), _column_rank(c.iri), c.label.casefold()),
        )
    return found


def _component(iri: URIRef, index: discovery.LabelIndex, graph: Graph) -> Component:
    text = str(iri)
    label = _SDMX_NAMES.get(text) or index.label(text) or _name(graph, iri)
    return Component(text, _capital(label))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _column_rank(iri: str) -> int:
    return _COLUMN_ORDER.index(iri) if iri in _COLUMN_ORDER else len(_COLUMN_ORDER)


def _sample(store: Store, iri: URIRef, structure: Mapping[str, list[Component]]) -> Sample:
    """The first observations of the dataset (those ``describe`` lists as linking to it)."""
    description = describe(store, iri)
    observations = sorted(
        {s for s, p, _ in description.incoming if p == QB.dataSet and isinstance(s, URIRef)},
        key=str,
    )[:SAMPLE_SIZE]
    if not observations:
        return Sample()
    triples = store.triples_about(observations)
    index = discovery.label_index(store)
    ordered = [c for key in ("dimensions", "measures", "attributes") for c in structure[key]]
    known = {c.iri: c for c in ordered}
    position = {c.iri: i for i, c in enumerate(ordered)}
    used: set[str] = set()
    for _, p, _ in triples:
        if p not in (RDF.type, QB.dataSet):
            used.add(str(p))
    columns = [
        known.get(p) or Component(p, _capital(_SDMX_NAMES.get(p) or index.label(p) or _local(p)))
        for p in sorted(used, key=lambda p: (position.get(p, len(ordered)), _column_rank(p), p))
    ]
    rows: list[list[list[Value]]] = []
    for observation in observations:
        rows.append(
            [
                sorted(
                    (_cell(o, index) for o in triples.objects(observation, URIRef(column.iri))),
                    key=lambda v: v.text,
                )
                for column in columns
            ]
        )
    rows.sort(key=lambda r: tuple(" ".join(v.text for v in cell) for cell in r))
    return Sample(columns, rows)


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _cell(node: Node, index: discovery.LabelIndex) -> Value:
    if isinstance(node, Literal):
        python = node.toPython()
        if isinstance(python, bool):
            return Value(str(node))
        if isinstance(python, int | float | Decimal):
            return Value(number(float(python)), number=True)
        return Value(str(node), language=node.language)
    if isinstance(node, BNode):
        return Value("(blank node)")
    text = str(node)
    label = _SDMX_NAMES.get(text) or index.label(text) or _local(text)
    return Value(label, iri=text)
