"""Coverage: which indicator is defined and measured for which place, by whom, since when.

The registry keeps one **coverage summary** for every (indicator, place) cell in the
``derived`` graph, and answers coverage questions from those summaries alone: never by
scanning observations at request time (see docs/coverage.md).

A summary is a ``qb:Observation`` of the coverage dataset (``id/dataset/coverage``):

* dimensions ``cm:coveredIndicator`` and ``sdmx-dimension:refArea`` (the place);
* measure ``cm:observationCount``: the observations held for the indicator and place;
* attributes ``cm:declaredDefinition`` (definitions declared for the place with
  ``dct:spatial``), ``cm:evidencedDefinition`` (definitions with observations of the
  place), ``cm:definitionPublisher``, ``cm:dataSource``, ``cm:geographyLevel`` (of the
  definitions), ``cm:theme`` (of the indicator), ``cm:country`` (of the place),
  ``cm:declaredPeriod`` and ``cm:evidencedPeriod`` (period nodes, ``dct:PeriodOfTime`` by
  the properties' range, with ``dcat:startDate`` / ``dcat:endDate``).

``refresh(store)`` recomputes every summary: a few aggregate queries inside the store
(declarations from all graphs, observations grouped by definition and place), the
summaries assembled in Python, and only the triples that changed written, in one
transaction. ``refresh(store, indicators=..., places=...)`` recomputes the cells of
some indicators or places only; ``refresh_after_write`` derives that scope from the
triples a submission wrote. Triples of the derived graph that are not coverage (such
as comparability annotations) are never touched.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from registry import graphs, ids
from registry.errors import InputError
from registry.ids import ID_BASE
from registry.namespaces import CM, DCAT, DCTERMS, QB, SCHEMA, SDMX_DIMENSION
from registry.store import RdfFormat, Store
from registry.store.base import Term, Triple
from registry.vocabularies import GEOGRAPHY_LEVEL

VOCAB = "https://w3id.org/commensura/vocab/"
COVERAGE_BASE = f"{ID_BASE}coverage/"
"""Coverage summaries, their period nodes and the coverage data structure live here."""
DATASET = ids.dataset("coverage")
"""The coverage dataset: a ``qb:DataSet`` whose observations are the summaries."""
STRUCTURE = URIRef(f"{COVERAGE_BASE}structure")
ZARAGOZA = URIRef(f"{ID_BASE}indicator-set/zaragoza-core")
"""The Zaragoza core indicators (a SKOS concept scheme in the curated content)."""
CITY_LEVEL = GEOGRAPHY_LEVEL.city
COUNTRY_LEVEL = GEOGRAPHY_LEVEL.country

DEFAULT_LIMIT = 50
MAX_LIMIT = 5_000
_BULK = 20_000
"""A first fill of an empty derived graph with more triples than this uses the bulk loader."""

_CELL_IRI = re.compile(rf"^{re.escape(COVERAGE_BASE)}[0-9a-f]{{32}}$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_SHORT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PERIOD_TYPES = (
    (re.compile(r"^-?\d{4}$"), XSD.gYear),
    (re.compile(r"^-?\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^-?\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"), XSD.date),
    (
        re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
        XSD.dateTime,
    ),
)

_LOCK = threading.Lock()
"""Refreshes of one process run one at a time, so that the last one sees every write."""

PREFIXES = """\
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# ---------------------------------------------------------------------------
# What refresh reads. Each query has one text; the scope (all cells, the cells of
# one indicator, the cells of one place) is a bound variable or an extra pattern.
# ---------------------------------------------------------------------------

# One row per definition (and indicator): what a definition contributes to a cell.
# Snapshots of earlier versions (dct:isVersionOf) are flagged: they count as
# evidence when observations refer to them, but they declare nothing any more.
_DEFINITIONS = (
    PREFIXES
    + """
SELECT ?definition ?indicator (SAMPLE(?current) AS ?snapshot)
  (GROUP_CONCAT(DISTINCT STR(?theme); separator=" ") AS ?themes)
  (GROUP_CONCAT(DISTINCT STR(?level); separator=" ") AS ?levels)
  (GROUP_CONCAT(DISTINCT STR(?publisher); separator=" ") AS ?publishers)
  (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
  (MIN(STR(?from)) AS ?start) (MAX(STR(?to)) AS ?end)
WHERE {
  ?definition cm:indicator ?indicator .
  %(scope)s
  FILTER(isIRI(?definition) && isIRI(?indicator))
  OPTIONAL { ?indicator cm:theme ?theme FILTER(isIRI(?theme)) }
  OPTIONAL { ?definition dct:isVersionOf ?current }
  OPTIONAL { ?definition cm:geographyLevel ?level FILTER(isIRI(?level)) }
  OPTIONAL { ?definition dct:publisher ?publisher FILTER(isIRI(?publisher)) }
  OPTIONAL { ?definition cm:dataSource ?source FILTER(isIRI(?source)) }
  OPTIONAL { { ?definition schema:validFrom ?from }
             UNION { ?definition dct:temporal/(dcat:startDate|schema:startDate) ?from } }
  OPTIONAL { { ?definition schema:validThrough ?to }
             UNION { ?definition dct:temporal/(dcat:endDate|schema:endDate) ?to } }
}
GROUP BY ?definition ?indicator
"""
)

# The places each definition is declared for.
_SPATIAL = (
    PREFIXES
    + """
SELECT ?definition (GROUP_CONCAT(DISTINCT STR(?place); separator=" ") AS ?places)
WHERE {
  ?definition cm:indicator ?indicator ; dct:spatial ?place .
  FILTER(isIRI(?definition) && isIRI(?place))
}
GROUP BY ?definition
"""
)

# The evidence: observations by definition and place, with their first and last
# reference period. Over the whole store each observation is matched inside one graph
# (the data graph of its dataset), which the engine scans faster than the union; an
# observation held in several graphs is counted once. A period given as an IRI
# (reference.data.gov.uk style) counts by its last path segment.
_EVIDENCE_ALL = (
    PREFIXES
    + """
SELECT ?definition ?place (COUNT(DISTINCT ?observation) AS ?observations)
  (MIN(?period) AS ?first) (MAX(?period) AS ?last)
WHERE {
  GRAPH ?g {
    ?observation cm:indicatorDefinition ?definition ;
                 sdmx-dimension:refArea ?place ;
                 a qb:Observation .
    OPTIONAL { ?observation sdmx-dimension:refPeriod ?refPeriod }
  }
  FILTER(isIRI(?definition) && isIRI(?place))
  BIND(IF(isLITERAL(?refPeriod), STR(?refPeriod), REPLACE(STR(?refPeriod), "^.*/", ""))
       AS ?period)
}
GROUP BY ?definition ?place
"""
)
# The same for one indicator's definitions (?indicator bound) or one place (?place
# bound): from the bound term, through the indexes, over the union of the graphs.
_EVIDENCE_SCOPED = (
    PREFIXES
    + """
SELECT ?definition ?place (COUNT(DISTINCT ?observation) AS ?observations)
  (MIN(?period) AS ?first) (MAX(?period) AS ?last)
WHERE {
  %(scope)s
  ?observation cm:indicatorDefinition ?definition ;
               sdmx-dimension:refArea ?place ;
               a qb:Observation .
  OPTIONAL { ?observation sdmx-dimension:refPeriod ?refPeriod }
  FILTER(isIRI(?definition) && isIRI(?place))
  BIND(IF(isLITERAL(?refPeriod), STR(?refPeriod), REPLACE(STR(?refPeriod), "^.*/", ""))
       AS ?period)
}
GROUP BY ?definition ?place
"""
)

# Countries: the places at the country level, and how the places of the cells are
# contained in others (two steps: a city in its country, a district in its city's).
_COUNTRY_PLACES = PREFIXES + "SELECT DISTINCT ?country WHERE { ?country cm:geographyLevel ?level }"
_LINKS_ALL = (
    PREFIXES
    + """
SELECT DISTINCT ?place ?parent ?grandparent WHERE {
  { SELECT DISTINCT ?place WHERE {
      { ?definition cm:indicator ?i ; dct:spatial ?place }
      UNION { ?observation sdmx-dimension:refArea ?place } } }
  ?place schema:containedInPlace ?parent .
  OPTIONAL { ?parent schema:containedInPlace ?grandparent }
}
"""
)
_LINKS_OF_PLACE = (
    PREFIXES
    + """
SELECT DISTINCT ?place ?parent ?grandparent WHERE {
  ?place schema:containedInPlace ?parent .
  OPTIONAL { ?parent schema:containedInPlace ?grandparent }
}
"""
)

# The cities coverage always reports on, even where nothing is known: the city-level
# places of the curated registry (the working-group cities).
_REGISTRY_CITIES = (
    PREFIXES
    + """
SELECT DISTINCT ?place WHERE { ?place a cm:Place ; cm:geographyLevel ?level FILTER(isIRI(?place)) }
"""
)

# The stored triples of the summaries of one indicator or one place, with their periods.
_STORED_OF_INDICATOR = (
    PREFIXES
    + """
SELECT ?s ?p ?o WHERE {
  ?cell cm:coveredIndicator ?indicator .
  { ?cell ?p ?o BIND(?cell AS ?s) }
  UNION { ?cell cm:declaredPeriod|cm:evidencedPeriod ?s . ?s ?p ?o }
}
"""
)
_STORED_OF_PLACE = (
    PREFIXES
    + """
SELECT ?s ?p ?o WHERE {
  ?cell sdmx-dimension:refArea ?place ; a qb:Observation .
  { ?cell ?p ?o BIND(?cell AS ?s) }
  UNION { ?cell cm:declaredPeriod|cm:evidencedPeriod ?s . ?s ?p ?o }
}
"""
)

# What a write touched: the indicators of a definition, before and after.
_INDICATORS_OF_DEFINITION = (
    PREFIXES + "SELECT DISTINCT ?indicator WHERE { ?definition cm:indicator ?indicator }"
)
_SUMMARISED_INDICATORS_OF_DEFINITION = (
    PREFIXES
    + """
SELECT DISTINCT ?indicator WHERE {
  ?cell cm:declaredDefinition|cm:evidencedDefinition ?definition ;
        cm:coveredIndicator ?indicator .
}
"""
)


# ---------------------------------------------------------------------------
# Terms as N-Triples text: the summaries are compared with what is stored as text
# ---------------------------------------------------------------------------


def _iri(term: str) -> str:
    return f"<{term}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _typed(lexical: str, datatype: URIRef) -> str:
    return f'"{_escape(lexical)}"^^<{datatype}>'


def _period_value(text: str) -> str:
    """A period bound as a typed literal: a year, year-month, date or date-time, else a string."""
    for pattern, datatype in _PERIOD_TYPES:
        if pattern.match(text):
            return _typed(text, datatype)
    return f'"{_escape(text)}"'


def _term_text(term: Term) -> str:
    """An rdflib term (as the store returned it) in the N-Triples form used here."""
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, Literal):
        if term.language:
            return f'"{_escape(str(term))}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return _typed(str(term), term.datatype)
        return f'"{_escape(str(term))}"'
    return term.n3()


def cell_iri(indicator: str, place: str) -> URIRef:
    """The summary of an indicator at a place: a stable IRI derived from the two."""
    digest = hashlib.sha256(f"{indicator}\n{place}".encode()).hexdigest()[:32]
    return URIRef(f"{COVERAGE_BASE}{digest}")


# ---------------------------------------------------------------------------
# Refresh
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A period as ISO 8601 text (a year, year-month or date); ``None`` where not known."""

    start: str | None
    end: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"from": self.start, "to": self.end}


@dataclass
class _Definition:
    indicators: set[str] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    publishers: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    start: str | None = None
    end: str | None = None
    snapshot: bool = False

    @property
    def open_ended(self) -> bool:
        """Started, with no end said: the definition is in use."""
        return self.start is not None and self.end is None


@dataclass
class _Cell:
    indicator: str
    place: str
    declared: set[str] = field(default_factory=set)
    evidenced: set[str] = field(default_factory=set)
    observations: int = 0
    first: str | None = None
    last: str | None = None


@dataclass
class _Facts:
    """What refresh read from the store, for the cells in its scope."""

    definitions: dict[str, _Definition] = field(default_factory=dict)
    themes: dict[str, set[str]] = field(default_factory=dict)
    spatial: dict[str, set[str]] = field(default_factory=dict)
    evidence: list[tuple[str, str, int, str | None, str | None]] = field(default_factory=list)
    country_places: set[str] = field(default_factory=set)
    links: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    linked_all: bool = False
    countries: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh did: the cells in its scope, the triples it changed, the time taken."""

    scope: TypingLiteral["all", "partial"]
    cells: int
    added: int
    removed: int
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _split(value: Term | None) -> set[str]:
    return set(str(value).split()) if value is not None and str(value) else set()


def _text(value: Term | None) -> str | None:
    return str(value) if value is not None and str(value) != "" else None


def _read_definitions(
    store: Store, facts: _Facts, scope: str, bindings: Mapping[str, Term] | None
) -> None:
    rows = store.select(_DEFINITIONS % {"scope": scope}, bindings=bindings)
    for row in rows:
        definition, indicator, snapshot, themes, levels, publishers, sources, start, end = row
        entry = facts.definitions.setdefault(str(definition), _Definition())
        entry.indicators.add(str(indicator))
        entry.levels |= _split(levels)
        entry.publishers |= _split(publishers)
        entry.sources |= _split(sources)
        entry.snapshot = entry.snapshot or snapshot is not None
        begin, finish = _text(start), _text(end)
        if begin is not None and (entry.start is None or begin < entry.start):
            entry.start = begin
        if finish is not None and (entry.end is None or finish > entry.end):
            entry.end = finish
        facts.themes.setdefault(str(indicator), set()).update(_split(themes))


def _read_spatial(store: Store, facts: _Facts, bindings: Mapping[str, Term] | None) -> None:
    for definition, places in store.select(_SPATIAL, bindings=bindings):
        facts.spatial.setdefault(str(definition), set()).update(_split(places))


def _read_evidence(
    store: Store, facts: _Facts, scope: str | None, bindings: Mapping[str, Term] | None
) -> None:
    query = _EVIDENCE_ALL if scope is None else _EVIDENCE_SCOPED % {"scope": scope}
    for definition, place, count, first, last in store.select(query, bindings=bindings):
        facts.evidence.append(
            (str(definition), str(place), int(str(count)), _text(first), _text(last))
        )


def _read_links(
    store: Store, facts: _Facts, query: str, bindings: Mapping[str, Term] | None
) -> None:
    for place, parent, grandparent in store.select(query, bindings=bindings):
        parents, grandparents = facts.links.setdefault(str(place), (set(), set()))
        if parent is not None:
            parents.add(str(parent))
        if grandparent is not None:
            grandparents.add(str(grandparent))


def _gather(
    store: Store, indicators: Sequence[URIRef] | None, places: Sequence[URIRef] | None
) -> _Facts:
    """Read what the cells in scope are made of: definitions, declarations, evidence."""
    facts = _Facts()
    facts.country_places = {
        str(c)
        for c in store.select(_COUNTRY_PLACES, bindings={"level": COUNTRY_LEVEL}).column("country")
    }
    if indicators is None and places is None:
        _read_definitions(store, facts, "", None)
        _read_spatial(store, facts, None)
        _read_evidence(store, facts, None, None)
        _read_links(store, facts, _LINKS_ALL, None)
        facts.linked_all = True
        return facts
    for indicator in indicators or ():
        bound: dict[str, Term] = {"indicator": indicator}
        _read_definitions(store, facts, "", bound)
        _read_spatial(store, facts, bound)
        _read_evidence(store, facts, "?definition cm:indicator ?indicator .", bound)
    for place in places or ():
        bound = {"place": place}
        _read_spatial_of_place(store, facts, place)
        _read_evidence(store, facts, "", bound)
        _read_links(store, facts, _LINKS_OF_PLACE, bound)
        related = {d for d, spatial in facts.spatial.items() if str(place) in spatial}
        related |= {d for d, area, *_ in facts.evidence if area == str(place)}
        for definition in sorted(related - set(facts.definitions)):
            _read_definitions(store, facts, "", {"definition": URIRef(definition)})
    return facts


def _read_spatial_of_place(store: Store, facts: _Facts, place: URIRef) -> None:
    query = PREFIXES + (
        "SELECT DISTINCT ?definition WHERE { ?definition cm:indicator ?i ; dct:spatial ?place "
        "FILTER(isIRI(?definition)) }"
    )
    for (definition,) in store.select(query, bindings={"place": place}):
        facts.spatial.setdefault(str(definition), set()).add(str(place))


def _resolve_countries(
    store: Store,
    facts: _Facts,
    places: Iterable[str],
    known: Mapping[str, set[str]],
    recheck: Iterable[str] = (),
) -> None:
    """The countries of ``places``: the place itself, or what it lies in, one or two steps up.

    ``known`` holds countries already stored for places whose containment did not
    change (a partial refresh of some indicators); places in ``recheck`` and places
    not known are looked up.
    """
    again = set(recheck)
    for place in places:
        if place in facts.countries:
            continue
        if place in known and place not in again:
            facts.countries[place] = set(known[place])
            continue
        if place not in facts.links and not facts.linked_all:
            _read_links(store, facts, _LINKS_OF_PLACE, {"place": URIRef(place)})
        if place in facts.country_places:
            facts.countries[place] = {place}
            continue
        parents, grandparents = facts.links.get(place, (set(), set()))
        facts.countries[place] = (parents & facts.country_places) or (
            grandparents & facts.country_places
        )


def _assemble(
    facts: _Facts, indicators: Sequence[URIRef] | None, places: Sequence[URIRef] | None
) -> dict[tuple[str, str], _Cell]:
    """The cells in scope, from the facts read."""
    wanted_indicators = None if indicators is None else {str(i) for i in indicators}
    wanted_places = None if places is None else {str(p) for p in places}
    full = wanted_indicators is None and wanted_places is None

    def in_scope(indicator: str, place: str) -> bool:
        if full:
            return True
        return (wanted_indicators is not None and indicator in wanted_indicators) or (
            wanted_places is not None and place in wanted_places
        )

    cells: dict[tuple[str, str], _Cell] = {}

    def cell(indicator: str, place: str) -> _Cell:
        key = (indicator, place)
        if key not in cells:
            cells[key] = _Cell(indicator, place)
        return cells[key]

    for definition, spatial in facts.spatial.items():
        entry = facts.definitions.get(definition)
        if entry is None or entry.snapshot:
            continue
        for indicator in entry.indicators:
            for place in spatial:
                if in_scope(indicator, place):
                    cell(indicator, place).declared.add(definition)
    seen: set[tuple[str, str]] = set()
    for definition, place, count, first, last in facts.evidence:
        entry = facts.definitions.get(definition)
        if entry is None or (definition, place) in seen:
            continue  # a definition of no known indicator cannot be placed in a cell
        seen.add((definition, place))
        for indicator in entry.indicators:
            if not in_scope(indicator, place):
                continue
            target = cell(indicator, place)
            target.evidenced.add(definition)
            target.observations += count
            if first is not None and (target.first is None or first < target.first):
                target.first = first
            if last is not None and (target.last is None or last > target.last):
                target.last = last
    return cells


_TYPE = _iri(str(RDF.type))
_HEAD = (
    f"{_TYPE} {_iri(str(QB.Observation))}",
    f"{_iri(str(QB.dataSet))} {_iri(str(DATASET))}",
)
_P_INDICATOR = _iri(str(CM.coveredIndicator))
_P_AREA = _iri(str(SDMX_DIMENSION.refArea))
_P_COUNT = _iri(str(CM.observationCount))
_P_DECLARED = _iri(str(CM.declaredDefinition))
_P_EVIDENCED = _iri(str(CM.evidencedDefinition))
_P_THEME = _iri(str(CM.theme))
_P_COUNTRY = _iri(str(CM.country))
_P_LEVEL = _iri(str(CM.geographyLevel))
_P_PUBLISHER = _iri(str(CM.definitionPublisher))
_P_SOURCE = _iri(str(CM.dataSource))
_P_DECLARED_PERIOD = _iri(str(CM.declaredPeriod))
_P_EVIDENCED_PERIOD = _iri(str(CM.evidencedPeriod))
_P_START = _iri(str(DCAT.startDate))
_P_END = _iri(str(DCAT.endDate))


@dataclass(frozen=True)
class Summary:
    """One coverage summary as computed, before it is stored: IRIs only, no labels."""

    indicator: str
    place: str
    declared: frozenset[str]
    evidenced: frozenset[str]
    themes: frozenset[str]
    countries: frozenset[str]
    geography_levels: frozenset[str]
    publishers: frozenset[str]
    sources: frozenset[str]
    declared_period: Period | None
    evidenced_period: Period | None
    observations: int

    @property
    def iri(self) -> URIRef:
        return cell_iri(self.indicator, self.place)


def _summary(cell: _Cell, facts: _Facts) -> Summary:
    listed = [facts.definitions[d] for d in cell.declared | cell.evidenced]
    declared = [facts.definitions[d] for d in cell.declared]
    starts = [d.start for d in declared if d.start is not None]
    ends = [d.end for d in declared if d.end is not None]
    declared_period = None
    if starts or ends:
        end = None if any(d.open_ended for d in declared) or not ends else max(ends)
        declared_period = Period(min(starts) if starts else None, end)
    return Summary(
        indicator=cell.indicator,
        place=cell.place,
        declared=frozenset(cell.declared),
        evidenced=frozenset(cell.evidenced),
        themes=frozenset(facts.themes.get(cell.indicator, ())),
        countries=frozenset(facts.countries.get(cell.place, ())),
        geography_levels=frozenset(x for d in listed for x in d.levels),
        publishers=frozenset(x for d in listed for x in d.publishers),
        sources=frozenset(x for d in listed for x in d.sources),
        declared_period=declared_period,
        evidenced_period=Period(cell.first, cell.last) if cell.observations else None,
        observations=cell.observations,
    )


def _summary_lines(summary: Summary) -> list[str]:
    """The triples of one summary, as N-Triples text without the final dot."""
    subject = str(summary.iri)
    s = _iri(subject)
    lines = [f"{s} {rest}" for rest in _HEAD]
    lines += [
        f"{s} {_P_INDICATOR} {_iri(summary.indicator)}",
        f"{s} {_P_AREA} {_iri(summary.place)}",
        f"{s} {_P_COUNT} {_typed(str(summary.observations), XSD.nonNegativeInteger)}",
    ]
    values: tuple[tuple[str, Iterable[str]], ...] = (
        (_P_DECLARED, summary.declared),
        (_P_EVIDENCED, summary.evidenced),
        (_P_THEME, summary.themes),
        (_P_COUNTRY, summary.countries),
        (_P_LEVEL, summary.geography_levels),
        (_P_PUBLISHER, summary.publishers),
        (_P_SOURCE, summary.sources),
    )
    for predicate, objects in values:
        lines.extend(f"{s} {predicate} <{o}>" for o in objects)
    for predicate, name, period in (
        (_P_DECLARED_PERIOD, "declared-period", summary.declared_period),
        (_P_EVIDENCED_PERIOD, "evidenced-period", summary.evidenced_period),
    ):
        if period is not None:
            lines += _period_lines(subject, predicate, name, period.start, period.end)
    return lines


def _period_lines(
    subject: str, predicate: str, name: str, start: str | None, end: str | None
) -> list[str]:
    node = _iri(f"{subject}/{name}")
    lines = [f"{_iri(subject)} {predicate} {node}"]
    if start is not None:
        lines.append(f"{node} {_P_START} {_period_value(start)}")
    if end is not None:
        lines.append(f"{node} {_P_END} {_period_value(end)}")
    return lines


_COMPONENTS = (
    ("indicator", QB.dimension, CM.coveredIndicator),
    ("place", QB.dimension, SDMX_DIMENSION.refArea),
    ("observations", QB.measure, CM.observationCount),
    ("declared-definition", QB.attribute, CM.declaredDefinition),
    ("evidenced-definition", QB.attribute, CM.evidencedDefinition),
    ("publisher", QB.attribute, CM.definitionPublisher),
    ("source", QB.attribute, CM.dataSource),
    ("geography-level", QB.attribute, CM.geographyLevel),
    ("theme", QB.attribute, CM.theme),
    ("country", QB.attribute, CM.country),
    ("declared-period", QB.attribute, CM.declaredPeriod),
    ("evidenced-period", QB.attribute, CM.evidencedPeriod),
)


def _dataset_lines(cities: Iterable[str]) -> list[str]:
    """The coverage dataset and its data structure definition."""
    ds, dsd = _iri(str(DATASET)), _iri(str(STRUCTURE))
    a = _iri(str(RDF.type))
    title = "Coverage of integration indicators by place"
    description = (
        "One summary for each indicator and place, computed by Commensura from the "
        "declared definitions and the observations the registry holds: the definitions, "
        "their sources and publishers, the period declared and the period evidenced, and "
        "the number of observations. The places named with dct:spatial are the cities "
        "coverage is always reported for."
    )
    lines = [
        f"{ds} {a} {_iri(str(QB.DataSet))}",
        f'{ds} {_iri(str(DCTERMS.title))} "{title}"@en',
        f'{ds} {_iri(str(DCTERMS.description))} "{_escape(description)}"@en',
        f"{ds} {_iri(str(QB.structure))} {dsd}",
        f"{dsd} {a} {_iri(str(QB.DataStructureDefinition))}",
    ]
    lines += [f"{ds} {_iri(str(DCTERMS.spatial))} {_iri(c)}" for c in sorted(cities)]
    for order, (name, kind, prop) in enumerate(_COMPONENTS, start=1):
        spec = _iri(f"{STRUCTURE}/{name}")
        lines += [
            f"{dsd} {_iri(str(QB.component))} {spec}",
            f"{spec} {a} {_iri(str(QB.ComponentSpecification))}",
            f"{spec} {_iri(str(kind))} {_iri(str(prop))}",
            f"{spec} {_iri(str(QB.order))} {_typed(str(order), XSD.integer)}",
        ]
    return lines


_INTEGERS = tuple(
    f"^^<{XSD[name]}>"
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)


def _key(line: str) -> str:
    """A triple's text as compared with what is stored.

    Stores may keep an integer of a derived type (``xsd:nonNegativeInteger``) as an
    ``xsd:integer`` (Oxigraph does): the two compare equal here.
    """
    if line.endswith(_INTEGERS):
        head, _, _ = line.rpartition("^^<")
        return f"{head}^^<{XSD.integer}>"
    return line


def _owned(subject_text: str) -> bool:
    return subject_text.startswith(f"<{COVERAGE_BASE}") or subject_text == f"<{DATASET}>"


def _stored_all(store: Store) -> set[str]:
    """Every coverage triple the derived graph holds, as N-Triples text."""
    buffer = io.BytesIO()
    store.export(buffer, RdfFormat.NQUADS, graphs=[graphs.DERIVED])
    suffix = f" <{graphs.DERIVED}> ."
    stored: set[str] = set()
    for line in buffer.getvalue().decode("utf-8").splitlines():
        if not line.endswith(suffix):
            continue
        triple = line[: -len(suffix)]
        if _owned(triple.split(" ", 1)[0]):
            stored.add(triple)
    return stored


def _stored_in_scope(
    store: Store, indicators: Sequence[URIRef], places: Sequence[URIRef]
) -> set[str]:
    stored: set[str] = set()
    for query, name, values in (
        (_STORED_OF_INDICATOR, "indicator", indicators),
        (_STORED_OF_PLACE, "place", places),
    ):
        for value in values:
            rows = store.select(query, bindings={name: value}, default_graphs=[graphs.DERIVED])
            stored.update(
                f"{_term_text(s)} {_term_text(p)} {_term_text(o)}"
                for s, p, o in rows
                if s is not None and p is not None and o is not None
            )
    return stored


def _stored_countries(stored: Iterable[str]) -> dict[str, set[str]]:
    """The countries stored summaries give their places: ``{place: {country, ...}}``."""
    area, country = _iri(str(SDMX_DIMENSION.refArea)), _iri(str(CM.country))
    places: dict[str, str] = {}
    countries: dict[str, set[str]] = {}
    for line in stored:
        subject, predicate, obj = line.split(" ", 2)
        if predicate == area:
            places[subject] = obj[1:-1]
        elif predicate == country:
            countries.setdefault(subject, set()).add(obj[1:-1])
    known: dict[str, set[str]] = {}
    for cell, place in places.items():
        known.setdefault(place, set()).update(countries.get(cell, ()))
    return known


def _apply(store: Store, removed: set[str], added: set[str]) -> None:
    """Write the changes in one transaction (a first fill of an empty graph in bulk)."""
    if not removed and not added:
        return
    if not removed and len(added) > _BULK and store.count(graphs.DERIVED) == 0:
        # Nothing reads an empty derived graph yet: the bulk loader fills it without
        # holding every triple in memory twice, several times faster than an update.
        text = "".join(f"{line} .\n" for line in sorted(added)).encode("utf-8")
        store.bulk_load(text, RdfFormat.NTRIPLES, graph=graphs.DERIVED)
        return
    with store.transaction() as tx:
        if removed:
            text = "".join(f"{line} .\n" for line in sorted(removed)).encode("utf-8")
            tx.remove(
                store.parse(text, RdfFormat.NTRIPLES, graph=graphs.DERIVED), graph=graphs.DERIVED
            )
        if added:
            text = "".join(f"{line} .\n" for line in sorted(added)).encode("utf-8")
            tx.load(text, RdfFormat.NTRIPLES, graph=graphs.DERIVED)


def _compute(
    store: Store,
    indicators: Sequence[URIRef] | None,
    places: Sequence[URIRef] | None,
    known: Mapping[str, set[str]],
) -> list[Summary]:
    facts = _gather(store, indicators, places)
    cells = _assemble(facts, indicators, places)
    _resolve_countries(
        store,
        facts,
        sorted({c.place for c in cells.values()}),
        known,
        recheck=(str(p) for p in places or ()),
    )
    return [_summary(cell, facts) for _, cell in sorted(cells.items())]


def compute(
    store: Store,
    *,
    indicators: Iterable[URIRef] | None = None,
    places: Iterable[URIRef] | None = None,
) -> list[Summary]:
    """The summaries the store's content implies now, computed and not stored.

    This reads the observations: it is what ``refresh`` stores, and what answering a
    coverage question would cost without the summaries (the benchmark's baseline).
    """
    return _compute(
        store,
        None if indicators is None else sorted(set(indicators)),
        None if places is None else sorted(set(places)),
        {},
    )


def refresh(
    store: Store,
    *,
    indicators: Iterable[URIRef] | None = None,
    places: Iterable[URIRef] | None = None,
) -> RefreshReport:
    """Recompute the coverage summaries in the derived graph; returns what changed.

    Without arguments every summary is recomputed. With ``indicators`` and/or
    ``places``, only the cells of those indicators and places are: the scope a write
    to some definitions or places can change. Either way the derived graph ends up
    holding exactly the summaries the store's current content implies for that scope.
    Only the triples that differ are written, in one transaction; a refresh that finds
    nothing to change writes nothing (running it again is harmless).
    """
    started = time.perf_counter()
    scoped_indicators = None if indicators is None else sorted(set(indicators))
    scoped_places = None if places is None else sorted(set(places))
    full = scoped_indicators is None and scoped_places is None
    if not full and not scoped_indicators and not scoped_places:
        return RefreshReport("partial", 0, 0, 0, time.perf_counter() - started)
    with _LOCK:
        if full:
            stored = _stored_all(store)
            known: dict[str, set[str]] = {}
        else:
            stored = _stored_in_scope(store, scoped_indicators or [], scoped_places or [])
            known = _stored_countries(stored)
        summaries = _compute(store, scoped_indicators, scoped_places, known)
        new: set[str] = set()
        for summary in summaries:
            new.update(_summary_lines(summary))
        if full:
            cities = store.select(
                _REGISTRY_CITIES,
                bindings={"level": CITY_LEVEL},
                default_graphs=[graphs.REGISTRY],
            ).column("place")
            new.update(_dataset_lines(str(c) for c in cities if c is not None))
        new_keys = {_key(line): line for line in new}
        stored_keys = {_key(line): line for line in stored}
        removed = {line for key, line in stored_keys.items() if key not in new_keys}
        added = {line for key, line in new_keys.items() if key not in stored_keys}
        _apply(store, removed, added)
    return RefreshReport(
        "all" if full else "partial",
        len(summaries),
        len(added),
        len(removed),
        time.perf_counter() - started,
    )


def scope_of_write(store: Store, triples: Iterable[Triple]) -> tuple[set[URIRef], set[URIRef]]:
    """The indicators and places whose summaries a write of ``triples`` can change.

    Call it after the write: a definition's indicators are read as they are now and
    as the summaries stored before the write list them, so that a definition that
    moved to another indicator, or disappeared, leaves no stale summary behind.
    """
    definitions: set[URIRef] = set()
    indicators: set[URIRef] = set()
    places: set[URIRef] = set()
    for s, p, o in triples:
        if p == CM.indicator:
            if isinstance(s, URIRef):
                definitions.add(s)
            if isinstance(o, URIRef):
                indicators.add(o)
        elif p == RDF.type and o == CM.IndicatorDefinition and isinstance(s, URIRef):
            definitions.add(s)
        elif p == CM.indicatorDefinition and isinstance(o, URIRef):
            definitions.add(o)
        elif ((p == RDF.type and o == CM.Indicator) or p == CM.theme) and isinstance(s, URIRef):
            indicators.add(s)
        elif (
            p in (SCHEMA.containedInPlace, CM.geographyLevel) or (p == RDF.type and o == CM.Place)
        ) and isinstance(s, URIRef):
            places.add(s)
    for definition in definitions:
        bound = {"definition": definition}
        now = store.select(_INDICATORS_OF_DEFINITION, bindings=bound).column("indicator")
        before = store.select(
            _SUMMARISED_INDICATORS_OF_DEFINITION, bindings=bound, default_graphs=[graphs.DERIVED]
        ).column("indicator")
        indicators.update(i for i in (*now, *before) if isinstance(i, URIRef))
    # A definition is not a place even when it has a geography level.
    places -= definitions
    return indicators, places


def refresh_after_write(store: Store, triples: Iterable[Triple]) -> RefreshReport:
    """Refresh the summaries a write of ``triples`` (added or removed) can have changed."""
    indicators, places = scope_of_write(store, triples)
    return refresh(store, indicators=indicators, places=places)


# ---------------------------------------------------------------------------
# Reading: the matrix and the gaps, from the summaries only (and labels)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A resource named in an answer: its IRI and a label for people (English if any)."""

    iri: str
    label: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"iri": self.iri, "label": self.label}


@dataclass(frozen=True)
class DefinitionRef(Ref):
    """A definition listed by a summary: declared for the place, evidenced there, or both."""

    declared: bool = False
    evidenced: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "declared": self.declared,
            "evidenced": self.evidenced,
        }


@dataclass(frozen=True)
class Cell:
    """One coverage summary: an indicator at a place."""

    iri: str
    indicator: Ref
    place: Ref
    themes: tuple[Ref, ...]
    countries: tuple[Ref, ...]
    geography_levels: tuple[Ref, ...]
    definitions: tuple[DefinitionRef, ...]
    sources: tuple[Ref, ...]
    publishers: tuple[Ref, ...]
    declared_period: Period | None
    evidenced_period: Period | None
    observations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "indicator": self.indicator.to_dict(),
            "place": self.place.to_dict(),
            "themes": [r.to_dict() for r in self.themes],
            "countries": [r.to_dict() for r in self.countries],
            "geography_levels": [r.to_dict() for r in self.geography_levels],
            "definitions": [d.to_dict() for d in self.definitions],
            "sources": [r.to_dict() for r in self.sources],
            "publishers": [r.to_dict() for r in self.publishers],
            "declared_period": None
            if self.declared_period is None
            else self.declared_period.to_dict(),
            "evidenced_period": (
                None if self.evidenced_period is None else self.evidenced_period.to_dict()
            ),
            "observations": self.observations,
        }


CSV_COLUMNS = (
    "indicator",
    "indicator_label",
    "place",
    "place_label",
    "countries",
    "themes",
    "geography_levels",
    "definitions",
    "definition_labels",
    "declared_definitions",
    "evidenced_definitions",
    "sources",
    "source_labels",
    "publishers",
    "publisher_labels",
    "declared_from",
    "declared_to",
    "evidenced_from",
    "evidenced_to",
    "observations",
    "summary",
)
"""The columns of the flat table of cells. Lists: IRIs separated by spaces, labels by ' | '."""


def _iris(refs: Iterable[Ref]) -> str:
    return " ".join(r.iri for r in refs)


def _labels(refs: Iterable[Ref]) -> str:
    return " | ".join(r.label or "" for r in refs)


def csv_row(cell: Cell) -> dict[str, str]:
    """One cell as a row of the flat table (``CSV_COLUMNS``)."""
    declared = cell.declared_period or Period(None, None)
    evidenced = cell.evidenced_period or Period(None, None)
    return {
        "indicator": cell.indicator.iri,
        "indicator_label": cell.indicator.label or "",
        "place": cell.place.iri,
        "place_label": cell.place.label or "",
        "countries": _iris(cell.countries),
        "themes": _iris(cell.themes),
        "geography_levels": _iris(cell.geography_levels),
        "definitions": _iris(cell.definitions),
        "definition_labels": _labels(cell.definitions),
        "declared_definitions": _iris(d for d in cell.definitions if d.declared),
        "evidenced_definitions": _iris(d for d in cell.definitions if d.evidenced),
        "sources": _iris(cell.sources),
        "source_labels": _labels(cell.sources),
        "publishers": _iris(cell.publishers),
        "publisher_labels": _labels(cell.publishers),
        "declared_from": declared.start or "",
        "declared_to": declared.end or "",
        "evidenced_from": evidenced.start or "",
        "evidenced_to": evidenced.end or "",
        "observations": str(cell.observations),
        "summary": cell.iri,
    }


@dataclass(frozen=True)
class CoveragePage:
    """A page of the coverage matrix: the cells matching the filters.

    ``next_offset`` is the offset of the next page, or ``None`` on the last page.
    """

    cells: tuple[Cell, ...]
    limit: int
    offset: int
    next_offset: int | None
    filters: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": self.next_offset,
            "count": len(self.cells),
            "cells": [c.to_dict() for c in self.cells],
        }


@dataclass(frozen=True)
class Gap:
    """An indicator at a city: whether a city-level definition and data exist."""

    city: Ref
    city_definition: bool
    data: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "city": self.city.to_dict(),
            "city_definition": self.city_definition,
            "data": self.data,
        }


@dataclass(frozen=True)
class IndicatorGaps:
    """One indicator of a set: the cities lacking a city-level definition or data."""

    indicator: Ref
    city_definition_anywhere: bool
    gaps: tuple[Gap, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.to_dict(),
            "city_definition_anywhere": self.city_definition_anywhere,
            "gaps": [g.to_dict() for g in self.gaps],
        }


@dataclass(frozen=True)
class Gaps:
    """Where an indicator set lacks city-level definitions or data."""

    indicator_set: Ref
    cities: tuple[Ref, ...]
    indicators: tuple[IndicatorGaps, ...]

    @property
    def without_city_definition(self) -> tuple[Ref, ...]:
        """The indicators of the set with no city-level definition for any place."""
        return tuple(i.indicator for i in self.indicators if not i.city_definition_anywhere)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator_set": self.indicator_set.to_dict(),
            "cities": [c.to_dict() for c in self.cities],
            "indicators": [i.to_dict() for i in self.indicators],
            "without_city_definition": [r.to_dict() for r in self.without_city_definition],
        }


# -- filters -------------------------------------------------------------------------


def _bad(parameter: str, value: object, why: str) -> InputError:
    return InputError(
        f"the {parameter} filter {str(value)[:200]!r} {why}",
        details={"parameter": parameter, "value": str(value)[:200]},
    )


def _resolve(parameter: str, value: str | URIRef, short: str) -> URIRef:
    """A filter value as an IRI: a full IRI, or a short name under ``short`` (an IRI prefix)."""
    text = str(value).strip()
    if _IRI.fullmatch(text):
        return URIRef(text)
    if _SHORT.fullmatch(text):
        return URIRef(short + text)
    raise _bad(parameter, value, f"is neither an IRI nor a short name such as {short}…")


def _date_bound(parameter: str, value: str | date) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    match = _DATE.fullmatch(text)
    if match is None:
        raise _bad(
            parameter, value, "is not a year, year-month or date (2015, 2015-06, 2015-06-30)"
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year or 1, month or 1, day or 1)
    except ValueError as exc:
        raise _bad(parameter, value, f"is not a real date ({exc})") from exc
    return text


def _count(parameter: str, value: int | str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _bad(parameter, value, "is not a whole number") from None
    if not low <= number <= high:
        raise _bad(parameter, value, f"must be between {low:,} and {high:,}")
    return number


_KNOWN = PREFIXES + "ASK { ?thing ?p ?o }"


def _check_known(store: Store, parameter: str, iri: URIRef) -> None:
    if not store.ask(_KNOWN, bindings={"thing": iri}):
        raise _bad(parameter, iri, "names nothing the registry knows")


def _filters(
    store: Store,
    *,
    indicator: str | URIRef | None,
    theme: str | URIRef | None,
    country: str | URIRef | None,
    geography_level: str | URIRef | None,
    place: str | URIRef | None,
    since: str | date | None,
    until: str | date | None,
) -> tuple[dict[str, Term], dict[str, str]]:
    bindings: dict[str, Term] = {}
    echo: dict[str, str] = {}
    for parameter, value, short in (
        ("indicator", indicator, f"{ID_BASE}indicator/"),
        ("theme", theme, f"{VOCAB}theme/"),
        ("country", country, f"{ID_BASE}place/country/"),
        ("geography_level", geography_level, f"{VOCAB}geography-level/"),
        ("place", place, f"{ID_BASE}place/urban-audit/"),
    ):
        if value is None or str(value).strip() == "":
            continue
        iri = _resolve(parameter, value, short)
        _check_known(store, parameter, iri)
        bindings[parameter] = iri
        echo[parameter] = str(iri)
    for parameter, bound in (("since", since), ("until", until)):
        if bound is None or str(bound).strip() == "":
            continue
        text = _date_bound(parameter, bound)
        bindings[parameter] = Literal(text)
        echo[parameter] = text
    if "since" in echo and "until" in echo:
        low, high = echo["since"], echo["until"]
        if low[: len(high)] > high[: len(low)]:
            raise _bad("until", high, f"is before since ({low})")
    return bindings, echo


def _before(a: str, b: str) -> str:
    """SPARQL: the ISO text of ``a`` is not after that of ``b``, on their common length.

    ``2010-05-01`` is not after ``2010``, and ``2023`` is not before ``2023-06-01``:
    a year stands for all of its dates. An unbound side is read as "" (callers guard with
    ``BOUND``): a remote server (Virtuoso) evaluates every operand of ``||`` and fails on a
    SUBSTR whose length is unbound.
    """
    a, b = f'STR(COALESCE({a}, ""))', f'STR(COALESCE({b}, ""))'
    return f"(SUBSTR({a}, 1, STRLEN({b})) <= SUBSTR({b}, 1, STRLEN({a})))"


def _matrix_where(bindings: Mapping[str, Term]) -> str:
    parts = ["?cell cm:coveredIndicator ?indicator ; sdmx-dimension:refArea ?place ."]
    if "theme" in bindings:
        parts.append("?cell cm:theme ?theme .")
    if "country" in bindings:
        parts.append("?cell cm:country ?country .")
    if "geography_level" in bindings:
        parts.append("?cell cm:geographyLevel ?geography_level .")
    since, until = "since" in bindings, "until" in bindings
    if since or until:
        # Some period of the cell (declared or evidenced) overlaps [since, until].
        conditions = []
        for node, start, end in (("?dp", "?ds", "?de"), ("?ep", "?es", "?ee")):
            tests = [f"BOUND({node})"]
            if until:
                tests.append(f"(!BOUND({start}) || {_before(start, '?until')})")
            if since:
                tests.append(f"(!BOUND({end}) || {_before('?since', end)})")
            conditions.append("(" + " && ".join(tests) + ")")
        parts.append(
            "OPTIONAL { ?cell cm:declaredPeriod ?dp . OPTIONAL { ?dp dcat:startDate ?ds } "
            "OPTIONAL { ?dp dcat:endDate ?de } }\n"
            "  OPTIONAL { ?cell cm:evidencedPeriod ?ep . OPTIONAL { ?ep dcat:startDate ?es } "
            "OPTIONAL { ?ep dcat:endDate ?ee } }\n"
            f"  FILTER({' || '.join(conditions)})"
        )
    return "\n  ".join(parts)


# The triples of some summaries and of their period nodes, named ``<summary>/declared-period``
# and ``<summary>/evidenced-period`` (the summaries' own IRIs, checked against their
# pattern, are the only terms written into this text). One subject list: a remote server
# (Virtuoso) plans a join from the summaries to their periods badly when the dataset is
# one graph, 300 times slower.
_DETAILS = (
    PREFIXES
    + """
SELECT ?s ?p ?o WHERE {
  VALUES ?s { %(subjects)s }
  ?s ?p ?o
  FILTER(?p != rdf:type && ?p != qb:dataSet)
}
"""
)
# Labels of what those summaries name, from every graph.
_LABELS = (
    PREFIXES
    + """
SELECT ?thing ?label WHERE {
  { SELECT DISTINCT ?thing WHERE {
      VALUES ?cell { %(cells)s }
      GRAPH <%(derived)s> { ?cell ?p ?thing }
      FILTER(isIRI(?thing) && ?p != rdf:type && ?p != qb:dataSet) } }
  { ?thing skos:prefLabel ?label } UNION { ?thing rdfs:label ?label }
  UNION { ?thing foaf:name ?label }
}
"""
)


def _best_label(labels: Iterable[Term]) -> str | None:
    """English first, then a label without language, then any (alphabetically)."""
    ranked = sorted(
        (lab for lab in labels if isinstance(lab, Literal)),
        key=lambda lab: (
            0 if (lab.language or "").lower().startswith("en") else 1 if not lab.language else 2,
            str(lab),
        ),
    )
    return str(ranked[0]) if ranked else None


_PERIOD_SUFFIXES = ("/declared-period", "/evidenced-period")


def _cell_values(cells: Sequence[URIRef]) -> str:
    for cell in cells:
        if not _CELL_IRI.fullmatch(str(cell)):  # only our own summaries' IRIs go into the text
            msg = f"{cell} is not a coverage summary"
            raise InputError(msg)
    return " ".join(_iri(str(c)) for c in cells)


def _labels_of(store: Store, values: str) -> dict[str, str | None]:
    found: dict[str, list[Term]] = {}
    for thing, label in store.select(_LABELS % {"cells": values, "derived": graphs.DERIVED}):
        if thing is not None and label is not None:
            found.setdefault(str(thing), []).append(label)
    return {thing: _best_label(labels) for thing, labels in found.items()}


_S_INDICATOR = str(CM.coveredIndicator)
_S_AREA = str(SDMX_DIMENSION.refArea)
_S_COUNT = str(CM.observationCount)
_S_DECLARED = str(CM.declaredDefinition)
_S_EVIDENCED = str(CM.evidencedDefinition)
_S_THEME = str(CM.theme)
_S_COUNTRY = str(CM.country)
_S_LEVEL = str(CM.geographyLevel)
_S_PUBLISHER = str(CM.definitionPublisher)
_S_SOURCE = str(CM.dataSource)
_S_DECLARED_PERIOD = str(CM.declaredPeriod)
_S_EVIDENCED_PERIOD = str(CM.evidencedPeriod)
_S_START = str(DCAT.startDate)
_S_END = str(DCAT.endDate)


def _details(store: Store, cells: Sequence[URIRef]) -> list[Cell]:
    """The summaries, fully described, with labels, in the order given."""
    if not cells:
        return []
    values = _cell_values(cells)
    triples: dict[str, dict[str, list[str]]] = {}
    subjects = " ".join(
        _iri(f"{cell}{suffix}") for cell in cells for suffix in ("", *_PERIOD_SUFFIXES)
    )
    for s, p, o in store.select(_DETAILS % {"subjects": subjects}, default_graphs=[graphs.DERIVED]):
        triples.setdefault(str(s), {}).setdefault(str(p), []).append(str(o))
    labels = _labels_of(store, values)

    def refs(own: Mapping[str, list[str]], predicate: str) -> tuple[Ref, ...]:
        return tuple(Ref(i, labels.get(i)) for i in sorted(set(own.get(predicate, ()))))

    def one(own: Mapping[str, list[str]], predicate: str) -> str | None:
        found = own.get(predicate)
        return min(found) if found else None

    def period(own: Mapping[str, list[str]], predicate: str) -> Period | None:
        node = one(own, predicate)
        if node is None:
            return None
        bounds = triples.get(node, {})
        return Period(one(bounds, _S_START), one(bounds, _S_END))

    out = []
    for cell in cells:
        own = triples.get(str(cell), {})
        declared = set(own.get(_S_DECLARED, ()))
        evidenced = set(own.get(_S_EVIDENCED, ()))
        indicator = one(own, _S_INDICATOR) or ""
        place = one(own, _S_AREA) or ""
        out.append(
            Cell(
                iri=str(cell),
                indicator=Ref(indicator, labels.get(indicator)),
                place=Ref(place, labels.get(place)),
                themes=refs(own, _S_THEME),
                countries=refs(own, _S_COUNTRY),
                geography_levels=refs(own, _S_LEVEL),
                definitions=tuple(
                    DefinitionRef(d, labels.get(d), d in declared, d in evidenced)
                    for d in sorted(declared | evidenced)
                ),
                sources=refs(own, _S_SOURCE),
                publishers=refs(own, _S_PUBLISHER),
                declared_period=period(own, _S_DECLARED_PERIOD),
                evidenced_period=period(own, _S_EVIDENCED_PERIOD),
                observations=int(one(own, _S_COUNT) or 0),
            )
        )
    return out


def matrix(
    store: Store,
    *,
    indicator: str | URIRef | None = None,
    theme: str | URIRef | None = None,
    country: str | URIRef | None = None,
    geography_level: str | URIRef | None = None,
    place: str | URIRef | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    limit: int | str | None = None,
    offset: int | str | None = None,
) -> CoveragePage:
    """The coverage matrix: one cell per indicator and place, filtered, a page at a time.

    Filters take an IRI or a short name: an indicator slug (``employment-rate``), a
    theme (``employment``), a country code (``AT``), a geography level (``city``: a cell
    matches when one of its definitions is at that level), an Urban Audit code
    (``AT001C1``). ``since`` and ``until`` (a year, year-month or date) keep the cells
    whose declared or evidenced period overlaps them; cells with no known period are
    left out then. A malformed filter, or one naming nothing the registry knows, raises
    ``InputError``.

    Pages follow the store's order of the summaries, which stays the same while the
    coverage does not change; ``next_offset`` continues. (Sorting or counting every
    matching summary would cost as much as reading them all.)
    """
    bindings, echo = _filters(
        store,
        indicator=indicator,
        theme=theme,
        country=country,
        geography_level=geography_level,
        place=place,
        since=since,
        until=until,
    )
    size = _count("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
    start = _count("offset", offset, 0, 0, 10**9)
    where = _matrix_where(bindings)
    page = store.select(
        f"{PREFIXES}SELECT ?cell WHERE {{\n  {where}\n}}\nLIMIT {size + 1}\nOFFSET {start}",
        bindings=bindings or None,
        default_graphs=[graphs.DERIVED],
    )
    cells = [c for c in page.column("cell") if isinstance(c, URIRef)]
    more = len(cells) > size
    cells = cells[:size]
    return CoveragePage(
        tuple(_details(store, cells)), size, start, start + size if more else None, echo
    )


_SET_MEMBERS = (
    PREFIXES
    + """
SELECT ?indicator ?label ?setLabel WHERE {
  ?indicator skos:inScheme ?set .
  OPTIONAL { ?indicator skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?set skos:prefLabel|rdfs:label ?setLabel }
}
"""
)
# The cities gaps are reported for: those the coverage dataset names (the
# working-group cities) and the places of summaries with a city-level definition.
_GAP_CITIES = (
    PREFIXES
    + """
SELECT ?place ?label WHERE {
  { SELECT DISTINCT ?place WHERE { GRAPH <%(derived)s> {
      { <%(dataset)s> dct:spatial ?place }
      UNION { ?cell cm:geographyLevel <%(city)s> ; sdmx-dimension:refArea ?place } } } }
  OPTIONAL { { ?place skos:prefLabel ?label } UNION { ?place rdfs:label ?label } }
}
"""
)
# For each indicator of the set: its summaries, each as one word: "D" or "-" (a
# city-level definition or not), "O" or "-" (observations or not), then the place.
_GAP_CELLS = (
    PREFIXES
    + """
SELECT ?indicator (GROUP_CONCAT(?entry; separator=" ") AS ?entries) WHERE {
  ?indicator skos:inScheme ?set .
  GRAPH <%(derived)s> {
    ?cell cm:coveredIndicator ?indicator ; sdmx-dimension:refArea ?place ;
          cm:observationCount ?observations .
    BIND(EXISTS { ?cell cm:geographyLevel <%(city)s> } AS ?city)
  }
  FILTER(isIRI(?place))
  BIND(CONCAT(IF(?city, "D", "-"), IF(?observations > 0, "O", "-"), STR(?place)) AS ?entry)
}
GROUP BY ?indicator
"""
)


def gaps(store: Store, *, indicator_set: str | URIRef = ZARAGOZA) -> Gaps:
    """Where the indicators of a set lack city-level definitions or data.

    The cities considered are the working-group cities (the city-level places of the
    curated registry, which the coverage dataset names) and every place with a
    city-level definition of any indicator. For each indicator of the set, ordered by
    label: the cities without a city-level definition of it, or without observations
    of it. ``Gaps.without_city_definition`` lists the indicators that have no
    city-level definition anywhere.
    """
    scheme = _resolve("indicator_set", indicator_set, f"{ID_BASE}indicator-set/")
    members = store.select(_SET_MEMBERS, bindings={"set": scheme})
    if not members.rows:
        raise _bad("indicator_set", indicator_set, "is not a set with indicators (skos:inScheme)")
    indicator_labels: dict[str, list[Literal]] = {}
    set_labels: list[Literal] = []
    for row_member, label, set_label in members:
        indicator_labels.setdefault(str(row_member), [])
        if isinstance(label, Literal):
            indicator_labels[str(row_member)].append(label)
        if isinstance(set_label, Literal) and set_label not in set_labels:
            set_labels.append(set_label)
    derived = {"derived": graphs.DERIVED, "dataset": DATASET, "city": CITY_LEVEL}
    city_labels: dict[str, list[Literal]] = {}
    for row_city, label in store.select(_GAP_CITIES % derived):
        city_labels.setdefault(str(row_city), [])
        if isinstance(label, Literal):
            city_labels[str(row_city)].append(label)
    status: dict[tuple[str, str], tuple[bool, bool]] = {}
    for row_indicator, entries in store.select(_GAP_CELLS % derived, bindings={"set": scheme}):
        for entry in str(entries or "").split():
            status[(str(row_indicator), entry[2:])] = (entry[0] == "D", entry[1] == "O")
    cities = sorted(
        (Ref(c, _best_label(labels)) for c, labels in city_labels.items()),
        key=lambda r: ((r.label or "").casefold(), r.iri),
    )
    with_city_definition = {i for (i, _), (defined, _) in status.items() if defined}
    out = []
    for member, labels in indicator_labels.items():
        anywhere = member in with_city_definition
        lacking = []
        for city in cities:
            has_definition, has_data = status.get((member, city.iri), (False, False))
            if not (has_definition and has_data):
                lacking.append(Gap(city, has_definition, has_data))
        out.append(IndicatorGaps(Ref(member, _best_label(labels)), anywhere, tuple(lacking)))
    out.sort(key=lambda g: ((g.indicator.label or "").casefold(), g.indicator.iri))
    return Gaps(Ref(str(scheme), _best_label(set_labels)), tuple(cities), tuple(out))
