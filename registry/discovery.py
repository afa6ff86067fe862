"""Discovery: which cities measure what, with which definition and source, since when.

The data functions behind the discovery API (``/api/cities``, ``/api/indicators``,
``/api/search``...). They take a ``Store`` and keyword-only arguments and return
plain dataclasses; nothing here knows about HTTP. A value the caller sent that
cannot be used raises ``InputError`` (with the allowed values), a slug or IRI that
names nothing raises ``NotFoundError``.

How answers are made, and why (docs/discovery.md has the figures):

* **Queries are files** (``registry/queries/*.rq``), read once. A line ``#? name:``
  in a query is a filter, added when a request uses it. Request values are bound to
  the query's variables as typed terms (``Store.query(..., bindings=...)``); the only
  text added is ``LIMIT``/``OFFSET`` from integers checked here.
* **Large lists page in SPARQL** (places, definitions, which-cities): ``LIMIT`` and
  ``OFFSET`` in the query, the total from a ``COUNT(DISTINCT ...)`` query. Their
  order is the store's order: stable while the content does not change, but not
  alphabetical (sorting in the engine costs seconds at 100,000 places). Small
  lists (indicators, publishers, sources, practices: hundreds at most) are read
  whole and sorted by label.
* **Labels come from an in-process index** (``LabelIndex``) of every label in every
  language, built from the store on first use and rebuilt when the store's size
  (``Store.count()``) changes. It resolves the labels of linked resources, answers
  ``/api/search`` (accent- and case-insensitive, ranked) and finds places by code.
* **Counts are remembered** per store size and query, like the index: a total is
  counted once until the content changes, and not at all when a page shows that it
  is the last one.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import time
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Annotated, Generic, TypeVar

from pydantic import Field
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DefinedNamespace
from rdflib.term import Node

from registry.errors import InputError, NotFoundError
from registry.ids import ID_BASE
from registry.namespaces import (
    CM,
    DCAT3,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)
from registry.store import SelectResult, Store, Term
from registry.vocabularies import CRITERION, GEOGRAPHY_LEVEL, PRACTICE_KIND, SOURCE_TYPE, THEME

T = TypeVar("T")
_log = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_CANDIDATES = 5_000
"""Most places a ``q`` or ``code`` filter may match when other filters must be checked too."""
VOCAB_BASE = "https://w3id.org/commensura/vocab/"

# -- queries -------------------------------------------------------------------------

_OPTIONAL_LINE = re.compile(r"^(\s*)#\?\s*([a-z_]+):\s?(.*)$")


@dataclass(frozen=True)
class QueryTemplate:
    """One query file: its text and the names of its optional filter lines."""

    name: str
    text: str
    options: frozenset[str]

    def render(self, options: Iterable[str] = ()) -> str:
        """The query with the filter lines of ``options`` switched on (the others stay comments)."""
        chosen = frozenset(options)
        unknown = chosen - self.options
        if unknown:
            msg = f"query {self.name} has no filter {', '.join(sorted(unknown))}"
            raise ValueError(msg)
        return _render(self, chosen)


@cache
def _render(template: QueryTemplate, options: frozenset[str]) -> str:
    lines = []
    for line in template.text.splitlines():
        match = _OPTIONAL_LINE.match(line)
        if match is not None and match.group(2) in options:
            lines.append(match.group(1) + match.group(3))
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


@cache
def queries() -> Mapping[str, QueryTemplate]:
    """Every discovery query, by file name without ``.rq``; read once."""
    folder = files("registry").joinpath("queries")
    found: dict[str, QueryTemplate] = {}
    for entry in folder.iterdir():
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        options = frozenset(
            m.group(2) for line in text.splitlines() if (m := _OPTIONAL_LINE.match(line))
        )
        name = entry.name.removesuffix(".rq")
        found[name] = QueryTemplate(name, text, options)
    return found


def query_text(name: str, options: Iterable[str] = ()) -> str:
    """The text of query ``name`` with the given filters on."""
    return queries()[name].render(options)


def _select(
    store: Store,
    name: str,
    *,
    options: Iterable[str] = (),
    bindings: Mapping[str, Term] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> SelectResult:
    sparql = query_text(name, options)
    if limit is not None:
        # Integers checked by check_page, never caller text.
        sparql += f"LIMIT {int(limit)} OFFSET {int(offset)}\n"
    return store.select(sparql, bindings=dict(bindings) if bindings else None)


def _exists(store: Store, resource: URIRef, cls: URIRef) -> bool:
    return store.ask(query_text("exists"), bindings={"resource": resource, "class": cls})


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A linked resource: its IRI, its slug in the API, and its label."""

    id: Annotated[str, Field(description="The resource's IRI.")]
    slug: Annotated[
        str | None,
        Field(description="The name the API knows it by (in paths and filters), when it has one."),
    ] = None
    label: Annotated[str | None, Field(description="Its label (English where there is one).")] = (
        None
    )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the items, how many there are in all, and where the page starts."""

    items: Annotated[list[T], Field(description="The items of this page.")]
    total: Annotated[int, Field(description="How many items the whole list holds.")]
    limit: Annotated[int, Field(description="The most items a page holds.")]
    offset: Annotated[int, Field(description="How many items come before this page.")]


@dataclass(frozen=True)
class LabelValue:
    """One label of a resource."""

    label: str
    language: Annotated[str | None, Field(description="BCP 47 language tag, if any.")] = None
    kind: Annotated[
        str, Field(description="prefLabel, altLabel, name (foaf:name) or label (rdfs:label).")
    ] = "prefLabel"


@dataclass(frozen=True)
class PlaceItem:
    """A place in a list."""

    id: str
    slug: str | None
    label: str | None
    level: Annotated[Ref | None, Field(description="Its geography level.")] = None
    country: Annotated[Ref | None, Field(description="The country it lies in.")] = None
    codes: Annotated[
        list[str], Field(description="Its codes: Urban Audit, LAU, NUTS, country.")
    ] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorItem:
    """An indicator in a list."""

    id: str
    slug: str | None
    label: str | None
    theme: Ref | None = None
    reference_definition: Annotated[
        Ref | None, Field(description="The definition others are compared with.")
    ] = None


@dataclass(frozen=True)
class DefinitionItem:
    """An indicator definition in a list."""

    id: str
    slug: str | None
    label: str | None
    indicator: Ref | None = None
    publisher: Ref | None = None
    target_group: Ref | None = None
    geography_level: Ref | None = None
    start_year: Annotated[
        int | None, Field(description="First year it holds for (validFrom or dct:temporal).")
    ] = None
    end_year: Annotated[int | None, Field(description="Last year it holds for; none: ongoing.")] = (
        None
    )


@dataclass(frozen=True)
class PublisherItem:
    """An organisation in a list."""

    id: str
    slug: str | None
    label: str | None
    homepages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceItem:
    """A data source in a list."""

    id: str
    slug: str | None
    label: str | None
    source_types: list[Ref] = field(default_factory=list)
    publisher: Ref | None = None
    universe: Ref | None = None


@dataclass(frozen=True)
class PracticeItem:
    """A practice of the cities' toolbox in a list."""

    id: str
    slug: str | None
    label: str | None
    kind: Ref | None = None
    operators: list[Ref] = field(default_factory=list)
    places: list[Ref] = field(default_factory=list)
    start: Annotated[str | None, Field(description="When it started (schema:startDate).")] = None


@dataclass(frozen=True)
class Measurement:
    """A place that measures an indicator, and how: one definition declared for it."""

    place: Ref
    definition: Ref
    publisher: Ref | None = None
    sources: list[Ref] = field(default_factory=list)
    target_group: Ref | None = None
    geography_level: Annotated[
        Ref | None, Field(description="The definition's geography level (city, district...).")
    ] = None
    since: Annotated[int | None, Field(description="First year the definition holds for.")] = None
    until: Annotated[int | None, Field(description="Last year; none: still in force.")] = None


@dataclass(frozen=True)
class SearchHit:
    """A resource whose label matches the search."""

    id: str
    slug: str | None
    label: Annotated[str | None, Field(description="Its display label.")]
    type: Annotated[str, Field(description="indicator, definition, population, ...")]
    matched_label: Annotated[str, Field(description="The label that matched, as written.")]
    language: Annotated[str | None, Field(description="The matched label's language.")]
    label_kind: Annotated[str, Field(description="prefLabel, altLabel, name or label.")]
    match: Annotated[str, Field(description="exact, prefix, word or substring.")]


@dataclass(frozen=True)
class Condition:
    """A condition of a population definition: a criterion, or a combination of conditions."""

    kind: Annotated[str, Field(description="criterion, anyOf, allOf or not.")]
    basis: Annotated[Ref | None, Field(description="The characteristic tested.")] = None
    values: Annotated[list[Ref], Field(description="Values that satisfy it (any of).")] = field(
        default_factory=list
    )
    parent_rule: Ref | None = None
    min_years: float | None = None
    max_years: float | None = None
    operands: list[Condition] = field(default_factory=list)


@dataclass(frozen=True)
class Population:
    """A target or reference group, with its criteria."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    publisher: Ref | None = None
    conditions: Annotated[
        list[Condition], Field(description="All must hold (a set of atomic criteria).")
    ] = field(default_factory=list)
    origin_assignment: Ref | None = None
    generation: Ref | None = None
    version: str | None = None
    valid_from: str | None = None
    valid_through: str | None = None
    previous_version: Ref | None = None


@dataclass(frozen=True)
class Version:
    """One version in a chain of revisions."""

    id: str
    slug: str | None
    label: str | None
    version: str | None = None
    valid_from: str | None = None
    valid_through: str | None = None
    previous: Ref | None = None


@dataclass(frozen=True)
class SeriesSelection:
    """A published series that reproduces a definition: a dataset and dimension filters."""

    dataset_code: str | None = None
    notation: str | None = None
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlaceCode:
    """A code of a place and the code list it belongs to."""

    code: str
    code_list: Annotated[str | None, Field(description="e.g. UrbanAudit2017Code.")] = None


@dataclass(frozen=True)
class PlaceDetail:
    """A place with its codes, containers, links and the definitions declared for it."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    level: Ref | None = None
    codes: list[PlaceCode] = field(default_factory=list)
    contained_in: list[PlaceItem] = field(default_factory=list)
    administrative_unit: Ref | None = None
    same_as: list[str] = field(default_factory=list)
    replaces: list[Ref] = field(default_factory=list)
    replaced_by: list[Ref] = field(default_factory=list)
    definitions: Annotated[list[Ref], Field(description="Definitions declared for this place.")] = (
        field(default_factory=list)
    )
    practices: list[Ref] = field(default_factory=list)
    statistical_authorities: list[Ref] = field(default_factory=list)
    verification_status: Ref | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DefinitionSummary:
    """A definition of an indicator, as the indicator's page lists it."""

    id: str
    slug: str | None
    label: str | None
    publisher: Ref | None = None
    sources: list[Ref] = field(default_factory=list)
    target_group: Ref | None = None
    geography_level: Ref | None = None
    start_year: int | None = None
    end_year: int | None = None


@dataclass(frozen=True)
class IndicatorDetail:
    """An indicator with its labels in every language, its sets and its definitions."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    definition: Annotated[str | None, Field(description="What it measures (skos:definition).")] = (
        None
    )
    theme: Ref | None = None
    sets: list[Ref] = field(default_factory=list)
    reference_definition: Ref | None = None
    definitions: list[DefinitionSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DefinitionDetail:
    """An indicator definition with every link resolved to a label."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    definition: str | None = None
    indicator: Ref | None = None
    publisher: Ref | None = None
    measure_type: Ref | None = None
    numerator: Ref | None = None
    denominator: Ref | None = None
    unit: Ref | None = None
    age_band: Ref | None = None
    sex: Ref | None = None
    universe: Ref | None = None
    geography_level: Ref | None = None
    reference_time: Ref | None = None
    periodicity: Ref | None = None
    sources: list[SourceItem] = field(default_factory=list)
    target_group: Population | None = None
    reference_group: Population | None = None
    places: list[PlaceItem] = field(default_factory=list)
    start_year: int | None = None
    end_year: int | None = None
    previous_version: Ref | None = None
    next_versions: list[Ref] = field(default_factory=list)
    versions: Annotated[
        list[Version], Field(description="The whole chain of revisions, oldest first.")
    ] = field(default_factory=list)
    series: list[SeriesSelection] = field(default_factory=list)
    formula: str | None = None
    practices: list[Ref] = field(default_factory=list)
    verification_status: Ref | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PublisherDetail:
    """An organisation with what it publishes and runs."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    homepages: list[str] = field(default_factory=list)
    statistical_authority_for: list[Ref] = field(default_factory=list)
    definitions: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    populations: list[Ref] = field(default_factory=list)
    practices: list[Ref] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceDetail:
    """A data source with what it records and what uses it."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    source_types: list[Ref] = field(default_factory=list)
    universe: Ref | None = None
    records: Annotated[list[Ref], Field(description="Criteria it can test per person.")] = field(
        default_factory=list
    )
    publisher: Ref | None = None
    sample_size: int | None = None
    definitions: list[Ref] = field(default_factory=list)
    populations: list[Ref] = field(default_factory=list)
    practices: list[Ref] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Edition:
    """An edition of a practice (a report, a wave)."""

    id: str
    label: str | None
    number: int | None = None
    issued: str | None = None


@dataclass(frozen=True)
class PracticeDetail:
    """A practice of the cities' toolbox with its links."""

    id: str
    slug: str | None
    label: str | None
    labels: list[LabelValue] = field(default_factory=list)
    definition: str | None = None
    kind: Ref | None = None
    operators: list[Ref] = field(default_factory=list)
    partners: list[Ref] = field(default_factory=list)
    places: list[Ref] = field(default_factory=list)
    definitions: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    themes: list[Ref] = field(default_factory=list)
    start: str | None = None
    editions: list[Edition] = field(default_factory=list)
    verification_status: Ref | None = None
    notes: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)


# -- kinds of resources, slugs and references ----------------------------------------------

KINDS: dict[str, URIRef] = {
    "indicator": CM.Indicator,
    "definition": CM.IndicatorDefinition,
    "population": CM.PopulationDefinition,
    "source": CM.DataSource,
    "publisher": FOAF.Organization,
    "practice": CM.Practice,
    "place": CM.Place,
}
"""The kinds of resources discovery lists and searches, with their classes (in rank order)."""
_KIND_OF_CLASS = {str(cls): kind for kind, cls in KINDS.items()}
_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_BASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator/",),
    "definition": ("definition/",),
    "population": ("population/",),
    "source": ("source/",),
    "publisher": ("org/", "organisation/"),
    "practice": ("practice/",),
    "place": ("place/",),
    "indicator-set": ("indicator-set/",),
}
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LABEL_KINDS = {
    str(SKOS.prefLabel): "prefLabel",
    str(FOAF.name): "name",
    str(RDFS.label): "label",
    str(SKOS.altLabel): "altLabel",
}
_KIND_ORDER = {"prefLabel": 0, "name": 1, "label": 2, "altLabel": 3}


def slug_of(iri: str, kind: str | None = None) -> str | None:
    """The API's name for a resource: ``employment-rate``, ``urban-audit/AT001C1``, ``city``.

    Resources under Commensura's id namespace lose the namespace and their kind's
    folder; vocabulary concepts are named by their local name; other IRIs have none.
    """
    if iri.startswith(ID_BASE):
        rest = iri[len(ID_BASE) :]
        for base in _BASES.get(kind or "", ()):
            if rest.startswith(base):
                return rest[len(base) :]
        if kind is None:
            for bases in _BASES.values():
                for base in bases:
                    if rest.startswith(base):
                        return rest[len(base) :]
        return rest
    if iri.startswith(VOCAB_BASE):
        return iri.rsplit("/", 1)[-1]
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return (
        tail
        if iri.startswith(("http://purl.org/linked-data/sdmx/", "http://publications."))
        else None
    )


def _looks_like_iri(ref: str) -> bool:
    return ref.startswith(("http://", "https://", "http:/", "https:/", "urn:"))


def _iri_from_ref(ref: str) -> URIRef:
    # A proxy may fold the '//' of an IRI sent in a path to '/'.
    fixed = re.sub(r"^(https?):/(?!/)", r"\1://", ref.strip())
    if any(ch in fixed for ch in '<>"{}|\\^` \n\t'):
        msg = f"{ref[:200]!r} is not a valid IRI"
        raise InputError(msg, details={"iri": ref[:200]})
    return URIRef(fixed)


def _candidates(ref: str, kind: str) -> list[URIRef]:
    ref = ref.strip()
    if _looks_like_iri(ref):
        return [_iri_from_ref(ref)]
    if not _SLUG.fullmatch(ref) or ".." in ref:
        return []
    found = [URIRef(f"{ID_BASE}{base}{ref}") for base in _BASES.get(kind, ())]
    found.append(URIRef(f"{ID_BASE}{ref}"))
    if kind == "place":
        found.append(URIRef(f"{ID_BASE}place/urban-audit/{ref}"))
    return found


def _resolve(store: Store, ref: str, kind: str) -> URIRef | None:
    cls = KINDS[kind]
    for candidate in _candidates(ref, kind):
        if _exists(store, candidate, cls):
            return candidate
    if kind == "place" and not _looks_like_iri(ref):
        index = label_index(store)
        places = index.places_with_code(ref)
        if len(places) == 1:
            return URIRef(places[0])
    return None


def _find(store: Store, ref: str, kind: str, *, what: str, listed_at: str) -> URIRef:
    """The resource a path names; ``NotFoundError`` if there is none of that kind."""
    iri = _resolve(store, ref, kind)
    if iri is None:
        msg = f"there is no {what} {ref!r}: see {listed_at} for those there are"
        raise NotFoundError(msg, details={"kind": kind, "ref": ref})
    return iri


def _filter_ref(
    store: Store,
    ref: str,
    kind: str,
    *,
    parameter: str,
    allowed: Callable[[], list[str]] | str,
) -> URIRef:
    """The resource a filter names; ``InputError`` (400) with the allowed values if none.

    ``allowed`` lists the values (called only when needed), or says where to find them.
    """
    iri = _resolve(store, ref, kind)
    if iri is None:
        msg = f"{parameter}={ref!r} names no {kind} Commensura knows"
        if isinstance(allowed, str):
            msg += f": {allowed}"
            raise InputError(msg, details={"parameter": parameter, "value": ref, "see": allowed})
        values = allowed()
        msg += f"; use one of: {', '.join(values)}"
        raise InputError(msg, details={"parameter": parameter, "value": ref, "allowed": values})
    return iri


def _key(text: str) -> str:
    return re.sub(r"[\s_-]", "", text).casefold()


def concept_names(namespace: type[DefinedNamespace]) -> list[str]:
    """The local names of a closed vocabulary's concepts, in the scheme's order."""
    return [name for name in namespace.__annotations__ if not name.startswith("_")]


@cache
def _concepts(namespace: type[DefinedNamespace]) -> dict[str, URIRef]:
    base = str(namespace._NS)
    return {_key(name): URIRef(base + name) for name in concept_names(namespace)}


def _concept(value: str, namespace: type[DefinedNamespace], parameter: str) -> URIRef:
    """A concept of a closed vocabulary by its local name (case, '-' and '_' ignored) or IRI."""
    wanted = value.strip().removeprefix(str(namespace._NS))
    found = _concepts(namespace).get(_key(wanted))
    if found is not None:
        return found
    names = concept_names(namespace)
    msg = f"{parameter}={value!r} is not known; use one of: {', '.join(names)}"
    raise InputError(msg, details={"parameter": parameter, "value": value, "allowed": names})


def check_page(limit: int, offset: int, maximum: int = MAX_LIMIT) -> None:
    """Refuse a page size outside 1-``maximum`` or a negative offset (``InputError``)."""
    if not 1 <= limit <= maximum:
        msg = f"limit={limit} is out of range: use 1 to {maximum}"
        raise InputError(msg, details={"parameter": "limit", "allowed": f"1-{maximum}"})
    if offset < 0:
        msg = f"offset={offset} is out of range: use 0 or more"
        raise InputError(msg, details={"parameter": "offset", "allowed": "0 or more"})


def _check_year(value: int | None, parameter: str) -> Literal | None:
    if value is None:
        return None
    if not 1000 <= value <= 9999:
        msg = f"{parameter}={value} is not a year: use four digits, such as 2015"
        raise InputError(msg, details={"parameter": parameter, "allowed": "1000-9999"})
    return Literal(value, datatype=XSD.integer)


# -- the label index -------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text folded for matching: no accents, no case, words separated by one space.

    The same folding as the place importers' name matching: ``Erwerbstätigenquote``
    and ``erwerbstatigenquote`` are equal, ``Helsinki / Helsingfors`` is
    ``helsinki helsingfors``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"\w+", plain))


_MATCHES = ("exact", "prefix", "word", "substring")


@dataclass(frozen=True)
class _Entry:
    iri: str
    label: LabelValue
    kind: str
    folded: str


@dataclass(frozen=True)
class LabelMatch:
    """One resource found by ``LabelIndex.search``: its best matching label."""

    iri: str
    kind: str
    label: LabelValue
    match: str


def _language_rank(language: str | None) -> int:
    if language is None:
        return 1
    return 0 if language.lower().split("-")[0] == "en" else 2


class LabelIndex:
    """Every label, type and code of the store, held in memory for lookups and search.

    Built from three queries (labels.rq, types.rq, notations.rq); see ``label_index``
    for when it is rebuilt. Search looks through the labels of the kinds in ``KINDS``
    only; labels of other resources (vocabulary concepts) are there for display.
    """

    REFS = 200_000
    """Most ``Ref`` objects an index keeps made."""

    def __init__(
        self,
        labels: Iterable[tuple[str, str, str, str | None]],
        types: Iterable[tuple[str, str]],
        notations: Iterable[tuple[str, str, str | None]],
        *,
        version: int = 0,
    ) -> None:
        self.version = version
        self._refs: dict[tuple[str, str | None], Ref] = {}
        kinds: dict[str, str] = {}
        for iri, cls in types:
            kind = _KIND_OF_CLASS.get(cls)
            if kind is not None and (iri not in kinds or _KIND_RANK[kind] < _KIND_RANK[kinds[iri]]):
                kinds[iri] = kind
        self._kinds = kinds
        by_iri: dict[str, list[LabelValue]] = {}
        seen: set[tuple[str, str, str, str | None]] = set()
        for iri, prop, text, language in labels:
            if (iri, prop, text, language) in seen:
                continue
            seen.add((iri, prop, text, language))
            by_iri.setdefault(iri, []).append(LabelValue(text, language, _LABEL_KINDS[prop]))
        self._labels: dict[str, tuple[LabelValue, ...]] = {
            iri: tuple(sorted(values, key=_label_order)) for iri, values in by_iri.items()
        }
        self._display = {iri: values[0].label for iri, values in self._labels.items()}
        codes: dict[str, list[tuple[str, str | None]]] = {}
        by_code: dict[str, list[str]] = {}
        for iri, code, datatype in notations:
            codes.setdefault(iri, []).append((code, datatype))
            by_code.setdefault(code.upper(), []).append(iri)
        self._codes = {iri: tuple(sorted(set(values))) for iri, values in codes.items()}
        self._by_code = {code: tuple(sorted(set(iris))) for code, iris in by_code.items()}
        entries = [
            _Entry(iri, value, kinds[iri], fold(value.label))
            for iri, values in self._labels.items()
            if iri in kinds
            for value in values
        ]
        self._entries = [e for e in entries if e.folded]
        self._starts: list[int] = []
        position = 0
        for entry in self._entries:
            self._starts.append(position)
            position += len(entry.folded) + 1
        self._blob = "\n".join(e.folded for e in self._entries)

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, iri: str) -> str | None:
        """The label to show for a resource: English first, preferred before alternative."""
        return self._display.get(iri)

    def labels(self, iri: str) -> tuple[LabelValue, ...]:
        """Every label of a resource, preferred ones and English first."""
        return self._labels.get(iri, ())

    def ref(self, iri: str, kind: str | None = None) -> Ref:
        """A resource as a ``Ref`` (IRI, slug, label); made once per index and kind."""
        key = (iri, kind)
        found = self._refs.get(key)
        if found is None:
            slug = slug_of(iri, kind or self._kinds.get(iri))
            found = Ref(iri, slug, self._display.get(iri) or slug_of(iri, kind))
            if len(self._refs) < self.REFS:
                self._refs[key] = found
        return found

    def kind(self, iri: str) -> str | None:
        """The kind of a resource (``indicator``, ``place``...), if discovery knows it."""
        return self._kinds.get(iri)

    def codes(self, iri: str) -> tuple[tuple[str, str | None], ...]:
        """A resource's codes (skos:notation) with their datatypes."""
        return self._codes.get(iri, ())

    def with_code(self, code: str) -> tuple[str, ...]:
        """The resources with a code, compared without case."""
        return self._by_code.get(code.strip().upper(), ())

    def places_with_code(self, code: str) -> list[str]:
        """The places with a code."""
        return [iri for iri in self.with_code(code) if self._kinds.get(iri) == "place"]

    def country_codes(self) -> list[str]:
        """The Eurostat country codes of the places held."""
        country = str(CM.EurostatCountryCode)
        return sorted(
            {code for values in self._codes.values() for code, dt in values if dt == country}
        )

    def search(self, text: str, *, kinds: Iterable[str] | None = None) -> list[LabelMatch]:
        """Resources whose labels contain ``text``, best match first.

        Accents and case are ignored. Ranked by how the label matches (the whole label,
        its start, the start of a word, anywhere), then preferred labels before
        alternative ones, then by kind (indicators first), then shorter labels first.
        Each resource appears once, with its best matching label.
        """
        query = fold(text)
        if not query:
            return []
        wanted = set(kinds) if kinds is not None else None
        best: dict[str, tuple[tuple[int, int, int, int, str], _Entry, int]] = {}
        blob, starts, entries = self._blob, self._starts, self._entries
        position = blob.find(query)
        while position >= 0:
            at = bisect.bisect_right(starts, position) - 1
            entry = entries[at]
            if wanted is None or entry.kind in wanted:
                folded = entry.folded
                if folded == query:
                    tier = 0
                elif folded.startswith(query):
                    tier = 1
                elif f" {query}" in folded:
                    tier = 2
                else:
                    tier = 3
                rank = (
                    tier,
                    1 if entry.label.kind == "altLabel" else 0,
                    _KIND_RANK[entry.kind],
                    len(folded),
                    folded,
                )
                current = best.get(entry.iri)
                if current is None or rank < current[0]:
                    best[entry.iri] = (rank, entry, tier)
            following = at + 1
            if following >= len(starts):
                break
            position = blob.find(query, starts[following])
        ordered = sorted(best.values(), key=lambda item: (item[0], item[1].iri))
        return [LabelMatch(e.iri, e.kind, e.label, _MATCHES[tier]) for _, e, tier in ordered]


def _label_order(value: LabelValue) -> tuple[int, int, int, str]:
    return (
        1 if value.kind == "altLabel" else 0,
        _language_rank(value.language),
        _KIND_ORDER[value.kind],
        value.label,
    )


def _literal_language(term: Term | None) -> str | None:
    return term.language if isinstance(term, Literal) and term.language else None


def build_label_index(store: Store) -> LabelIndex:
    """Read every label, type and code from the store into a new ``LabelIndex``."""
    version = store.count()
    labels = [
        (str(r), str(p), str(v), _literal_language(v))
        for r, p, v in _select(store, "labels").rows
        if r is not None and p is not None and v is not None
    ]
    types = [
        (str(r), str(c)) for r, c in _select(store, "types").rows if r is not None and c is not None
    ]
    notations = [
        (
            str(r),
            str(n),
            str(n.datatype) if isinstance(n, Literal) and n.datatype is not None else None,
        )
        for r, n in _select(store, "notations").rows
        if r is not None and n is not None
    ]
    return LabelIndex(labels, types, notations, version=version)


class _StoreState:
    """What discovery keeps per store: its label index, and answers it remembers."""

    REMEMBERED = 4096

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: int | None = None
        self.index: LabelIndex | None = None
        self.build_seconds = 0.0
        self.rebuilding = False
        self.remembered: OrderedDict[tuple[object, ...], object] = OrderedDict()

    def refresh(self, version: int) -> None:
        """Forget remembered answers when the store's content has changed."""
        if version != self.version:
            self.version = version
            self.remembered.clear()


_STATES: weakref.WeakKeyDictionary[Store, _StoreState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state(store: Store) -> _StoreState:
    with _STATES_LOCK:
        state = _STATES.get(store)
        if state is None:
            state = _STATES[store] = _StoreState()
        return state


SYNCHRONOUS_REBUILD_SECONDS = 0.5
"""An index that took longer than this to build is rebuilt in the background."""


def label_index(store: Store) -> LabelIndex:
    """The store's label index: built on first use, rebuilt when ``store.count()`` changes.

    ``Store.count()`` is cached by the embedded store and reset by every write it
    makes, so this costs a dictionary lookup per call until the content changes. A
    small index (built in under ``SYNCHRONOUS_REBUILD_SECONDS``) is rebuilt before
    answering; a large one (the place registries: seconds) keeps answering while a
    background thread rebuilds it, so a submission does not stall the next request:
    for those seconds, resources just written have their slug for a label and are not
    found by search yet.
    """
    state = _state(store)
    version = store.count()
    index = state.index
    if index is not None and index.version == version:
        return index
    if index is not None and state.build_seconds > SYNCHRONOUS_REBUILD_SECONDS:
        with state.lock:
            if not state.rebuilding:
                state.rebuilding = True
                threading.Thread(
                    target=_rebuild, args=(store, state), name="label-index", daemon=True
                ).start()
        return index
    with state.lock:
        index = state.index
        if index is None or index.version != store.count():
            started = time.perf_counter()
            index = build_label_index(store)
            state.build_seconds = time.perf_counter() - started
            state.index = index
        return index


def _rebuild(store: Store, state: _StoreState) -> None:
    try:
        started = time.perf_counter()
        index = build_label_index(store)
        with state.lock:
            state.index = index
            state.build_seconds = time.perf_counter() - started
    except Exception:
        _log.warning("rebuilding the label index failed", exc_info=True)
    finally:
        with state.lock:
            state.rebuilding = False


def forget(store: Store) -> None:
    """Drop what discovery remembers about a store (its index and remembered answers)."""
    with _STATES_LOCK:
        _STATES.pop(store, None)


V = TypeVar("V")


def _remember(store: Store, key: tuple[object, ...], compute: Callable[[], V]) -> V:
    """An answer computed once per store content (``store.count()``), in a bounded LRU.

    For registry-sized facts many requests share: counts of lists, the definitions
    of an indicator. A write that changes the store's size forgets them all.
    """
    state = _state(store)
    version = store.count()
    with state.lock:
        state.refresh(version)
        if key in state.remembered:
            state.remembered.move_to_end(key)
            return state.remembered[key]  # type: ignore[return-value]
    value = compute()
    with state.lock:
        if state.version == version:
            state.remembered[key] = value
            while len(state.remembered) > _StoreState.REMEMBERED:
                state.remembered.popitem(last=False)
    return value


def _bindings_key(bindings: Mapping[str, Term]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v.n3()) for k, v in bindings.items()))


def _count(store: Store, name: str, options: frozenset[str], bindings: Mapping[str, Term]) -> int:
    """A count query's answer, remembered until the store's content changes."""

    def count() -> int:
        result = _select(store, name, options=options, bindings=bindings)
        value = result.rows[0][0] if result.rows else None
        return int(value.toPython()) if isinstance(value, Literal) else 0

    return _remember(store, ("count", name, options, _bindings_key(bindings)), count)


def _total(
    store: Store,
    name: str,
    options: frozenset[str],
    bindings: Mapping[str, Term],
    *,
    limit: int,
    offset: int,
    shown: int,
) -> int:
    """The size of a whole list: known from the page when it is the last one, else counted."""
    if shown < limit and (shown > 0 or offset == 0):
        return offset + shown
    return _count(store, name, options, bindings)


# -- helpers to turn terms into results --------------------------------------------------------


def _ref(index: LabelIndex, term: Node | None, kind: str | None = None) -> Ref | None:
    if term is None or not isinstance(term, URIRef):
        return None
    return index.ref(str(term), kind)


def _refs(index: LabelIndex, terms: Iterable[Node], kind: str | None = None) -> list[Ref]:
    found: dict[str, Ref] = {}
    for term in terms:
        ref = _ref(index, term, kind)
        if ref is not None:
            found.setdefault(ref.id, ref)
    return sorted(found.values(), key=lambda r: ((r.label or r.id).casefold(), r.id))


def _year(term: Node | None) -> int | None:
    if isinstance(term, Literal):
        try:
            return int(str(term)[:4])
        except ValueError:
            return None
    return None


def _year_of(text: str | None) -> int | None:
    return _year(Literal(text)) if text else None


def _integer(term: Node | None) -> int | None:
    number = _number(term)
    return int(number) if number is not None else None


def _text(term: Node | None) -> str | None:
    return str(term) if isinstance(term, Literal) else None


def _english(graph: Graph, subject: URIRef, prop: URIRef) -> str | None:
    values = [o for o in graph.objects(subject, prop) if isinstance(o, Literal)]
    if not values:
        return None
    values.sort(key=lambda v: (_language_rank(v.language), str(v)))
    return str(values[0])


def _notes(graph: Graph, subject: URIRef) -> list[str]:
    return sorted(
        {
            str(o)
            for prop in (SKOS.scopeNote, SKOS.note)
            for o in graph.objects(subject, prop)
            if isinstance(o, Literal)
        }
    )


def _labels_of(graph: Graph, subject: URIRef) -> list[LabelValue]:
    found = {
        LabelValue(str(o), o.language or None, _LABEL_KINDS[str(prop)])
        for prop in (SKOS.prefLabel, FOAF.name, RDFS.label, SKOS.altLabel)
        for o in graph.objects(subject, URIRef(prop))
        if isinstance(o, Literal)
    }
    return sorted(found, key=_label_order)


def _one(graph: Graph, subject: Node, prop: URIRef) -> Node | None:
    values = sorted(graph.objects(subject, prop), key=str)
    return values[0] if values else None


def _about(store: Store, resource: URIRef, *, places: bool = True) -> Graph:
    """The statements about a resource, optionally without its places (dct:spatial)."""
    graph = Graph()
    options = () if places else ("no_places",)
    for prop, value in _select(store, "about", options=options, bindings={"resource": resource}):
        if isinstance(prop, URIRef) and value is not None:
            graph.add((resource, prop, value))
    return graph


def _strings(graph: Graph, subject: URIRef, prop: URIRef) -> list[str]:
    return sorted({str(o) for o in graph.objects(subject, prop)})


def _referrers(store: Store, prop: URIRef, obj: URIRef) -> dict[str, list[URIRef]]:
    """Resources pointing at ``obj`` with ``prop``, by kind."""
    found: dict[str, set[URIRef]] = {}
    rows = _select(store, "referrers", bindings={"property": prop, "object": obj}).rows
    for subject, cls in rows:
        if not isinstance(subject, URIRef):
            continue
        kind = _KIND_OF_CLASS.get(str(cls)) if cls is not None else None
        found.setdefault(kind or "other", set()).add(subject)
    return {kind: sorted(values) for kind, values in found.items()}


def _sorted_page(items: list[T], limit: int, offset: int) -> Page[T]:
    return Page(items[offset : offset + limit], len(items), limit, offset)


def _label_key(index: LabelIndex, iri: str) -> tuple[str, str]:
    return ((index.label(iri) or iri).casefold(), iri)


# -- places ------------------------------------------------------------------------------------


def _place_item(
    index: LabelIndex, place: URIRef, level: Node | None = None, country: Node | None = None
) -> PlaceItem:
    iri = str(place)
    return PlaceItem(
        iri,
        slug_of(iri, "place"),
        index.label(iri),
        _ref(index, level),
        _ref(index, country, "place"),
        [code for code, _ in index.codes(iri)],
    )


def _country_code(index: LabelIndex, value: str) -> Literal:
    code = value.strip().upper()
    known = index.country_codes()
    if not _COUNTRY.fullmatch(code) or code not in known:
        msg = f"country={value!r} is not a country Commensura holds; use one of: {', '.join(known)}"
        raise InputError(msg, details={"parameter": "country", "value": value, "allowed": known})
    return Literal(code, datatype=CM.EurostatCountryCode)


def list_places(
    store: Store,
    *,
    level: str | None = None,
    country: str | None = None,
    code: str | None = None,
    q: str | None = None,
    within: str | None = None,
    indicator: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[PlaceItem]:
    """Places, filtered by geography level, country, code, containing place, label, indicator.

    ``country`` is a Eurostat country code (``AT``, ``EL``); ``code`` any code of the
    place (Urban Audit, LAU, NUTS, country), without regard to case; ``within`` a
    place the places lie in, at any depth; ``indicator`` keeps places some definition
    of that indicator is declared for; ``q`` matches labels as search does, and then
    orders the places by how well they match.
    """
    check_page(limit, offset)
    index = label_index(store)
    options: set[str] = set()
    bindings: dict[str, Term] = {}
    if level:
        bindings["levelFilter"] = _concept(level, GEOGRAPHY_LEVEL, "level")
        options.add("level")
    if country:
        bindings["countryCode"] = _country_code(index, country)
        options.add("country")
    if within:
        bindings["within"] = _filter_ref(
            store, within, "place", parameter="within", allowed="see /api/places"
        )
        options.add("within")
    if indicator:
        bindings["indicator"] = _filter_ref(
            store,
            indicator,
            "indicator",
            parameter="indicator",
            allowed=lambda: _indicator_slugs(store),
        )
        options.add("indicator")
    chosen = frozenset(options)
    if code or q:
        return _places_by_label_or_code(
            store,
            index,
            code=code,
            q=q,
            options=chosen,
            bindings=bindings,
            limit=limit,
            offset=offset,
        )
    rows = _select(
        store, "places", options=chosen, bindings=bindings, limit=limit, offset=offset
    ).rows
    items = _merge_places(index, rows)
    total = _total(
        store, "places-count", chosen, bindings, limit=limit, offset=offset, shown=len(rows)
    )
    return Page(items, total, limit, offset)


def _merge_places(index: LabelIndex, rows: Sequence[tuple[Term | None, ...]]) -> list[PlaceItem]:
    items: dict[str, PlaceItem] = {}
    for place, level, country in rows:
        if isinstance(place, URIRef) and str(place) not in items:
            items[str(place)] = _place_item(index, place, level, country)
    return list(items.values())


def _places_by_label_or_code(
    store: Store,
    index: LabelIndex,
    *,
    code: str | None,
    q: str | None,
    options: frozenset[str],
    bindings: Mapping[str, Term],
    limit: int,
    offset: int,
) -> Page[PlaceItem]:
    """Places found in the label index by code or label, then checked against the filters."""
    candidates: list[str] | None = None
    if q:
        if not fold(q):
            msg = "q must hold at least one letter or digit"
            raise InputError(msg, details={"parameter": "q"})
        candidates = [m.iri for m in index.search(q, kinds=["place"])]
    if code:
        coded = set(index.places_with_code(code))
        candidates = (
            sorted(coded, key=lambda iri: _label_key(index, iri))
            if candidates is None
            else [iri for iri in candidates if iri in coded]
        )
    assert candidates is not None  # noqa: S101 - code or q is set
    if options and len(candidates) > MAX_CANDIDATES:
        msg = (
            f"{len(candidates):,} places match q={q!r}; with other filters at most "
            f"{MAX_CANDIDATES:,} can be checked: use more letters"
        )
        raise InputError(msg, details={"parameter": "q", "matches": len(candidates)})
    if options:
        kept: list[PlaceItem] = []
        for iri in candidates:
            rows = _select(
                store, "places", options=options, bindings={**bindings, "place": URIRef(iri)}
            ).rows
            kept.extend(_merge_places(index, rows))
        return _sorted_page(kept, limit, offset)
    page = candidates[offset : offset + limit]
    items: list[PlaceItem] = []
    for iri in page:
        rows = _select(store, "places", bindings={"place": URIRef(iri)}).rows
        merged = _merge_places(index, rows)
        items.extend(merged or [_place_item(index, URIRef(iri))])
    return Page(items, len(candidates), limit, offset)


def list_cities(
    store: Store,
    *,
    country: str | None = None,
    code: str | None = None,
    q: str | None = None,
    within: str | None = None,
    indicator: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[PlaceItem]:
    """Cities (places at the Urban Audit city level), with the filters of ``list_places``."""
    return list_places(
        store,
        level="city",
        country=country,
        code=code,
        q=q,
        within=within,
        indicator=indicator,
        limit=limit,
        offset=offset,
    )


def city_iris(store: Store) -> frozenset[str]:
    """The IRIs of every place at the city level, read once per content of the store."""

    def compute() -> frozenset[str]:
        found: set[str] = set()
        offset = 0
        while True:
            page = list_cities(store, limit=MAX_LIMIT, offset=offset)
            found.update(item.id for item in page.items)
            offset += MAX_LIMIT
            if not page.items or offset >= page.total:
                return frozenset(found)

    return _remember(store, ("city-iris",), compute)


_CODE_LISTS = {
    str(CM.UrbanAudit2017Code),
    str(CM.UrbanAudit2020Code),
    str(CM.LAU2018Code),
    str(CM.NUTS2016Code),
    str(CM.NUTS2021Code),
    str(CM.NUTS2024Code),
    str(CM.EurostatCountryCode),
}


def get_place(store: Store, *, ref: str, city: bool = False) -> PlaceDetail:
    """One place by slug (``urban-audit/AT001C1``), code (``AT001C1``) or IRI.

    With ``city=True`` the place must be at the city level (``NotFoundError`` if not).
    """
    what, listed_at = ("city", "/api/cities") if city else ("place", "/api/places")
    iri = _find(store, ref, "place", what=what, listed_at=listed_at)
    index = label_index(store)
    graph = store.triples_about([iri])
    level = _one(graph, iri, CM.geographyLevel)
    if city and level != GEOGRAPHY_LEVEL.city:
        msg = f"{ref!r} is a place at another geography level, not a city: see /api/places/{ref}"
        raise NotFoundError(msg, details={"kind": "city", "ref": ref})
    containers = [
        _place_item(index, c, lv)
        for c, lv in _select(store, "place-containers", bindings={"place": iri}).rows
        if isinstance(c, URIRef)
    ]
    spatial = _referrers(store, DCTERMS.spatial, iri)
    authorities = _referrers(store, CM.statisticalAuthorityFor, iri)
    codes = []
    for code in graph.objects(iri, SKOS.notation):
        if isinstance(code, Literal):
            datatype = str(code.datatype) if code.datatype is not None else None
            name = datatype.rsplit("#", 1)[-1] if datatype in _CODE_LISTS else None
            codes.append(PlaceCode(str(code), name))
    return PlaceDetail(
        id=str(iri),
        slug=slug_of(str(iri), "place"),
        label=index.label(str(iri)),
        labels=_labels_of(graph, iri),
        level=_ref(index, level),
        codes=sorted(set(codes), key=lambda c: (c.code_list or "", c.code)),
        contained_in=sorted(
            {c.id: c for c in containers}.values(), key=lambda p: _label_key(index, p.id)
        ),
        administrative_unit=_ref(index, _one(graph, iri, CM.administrativeUnit), "place"),
        same_as=_strings(graph, iri, OWL.sameAs),
        replaces=_refs(index, graph.objects(iri, DCTERMS.replaces), "place"),
        replaced_by=_refs(index, graph.objects(iri, DCTERMS.isReplacedBy), "place"),
        definitions=_refs(index, spatial.get("definition", []), "definition"),
        practices=_refs(index, spatial.get("practice", []), "practice"),
        statistical_authorities=_refs(index, authorities.get("publisher", []), "publisher"),
        verification_status=_ref(index, _one(graph, iri, CM.verificationStatus)),
        notes=_notes(graph, iri),
    )


# -- indicators ----------------------------------------------------------------------------


def _indicator_slugs(store: Store) -> list[str]:
    rows = _select(store, "indicators").rows
    return sorted({slug_of(str(r[0]), "indicator") or str(r[0]) for r in rows if r[0] is not None})


def _indicator_sets(store: Store) -> list[URIRef]:
    return sorted({r[0] for r in _select(store, "indicator-sets").rows if isinstance(r[0], URIRef)})


def list_indicators(
    store: Store,
    *,
    theme: str | None = None,
    indicator_set: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[IndicatorItem]:
    """Indicators, by theme (``employment``...) and indicator set (``zaragoza-core``...)."""
    check_page(limit, offset)
    index = label_index(store)
    options: set[str] = set()
    bindings: dict[str, Term] = {}
    if theme:
        bindings["themeFilter"] = _concept(theme, THEME, "theme")
        options.add("theme")
    if indicator_set:
        sets = _indicator_sets(store)
        by_slug = {slug_of(str(s), "indicator-set") or str(s): s for s in sets}
        chosen = by_slug.get(indicator_set.strip()) or next(
            (s for s in sets if str(s) == indicator_set.strip()), None
        )
        if chosen is None:
            allowed = sorted(by_slug)
            msg = f"set={indicator_set!r} is not an indicator set; use one of: {', '.join(allowed)}"
            raise InputError(
                msg, details={"parameter": "set", "value": indicator_set, "allowed": allowed}
            )
        bindings["set"] = chosen
        options.add("set")
    rows = _select(store, "indicators", options=options, bindings=bindings).rows
    items: dict[str, IndicatorItem] = {}
    for indicator, theme_term, reference in rows:
        if isinstance(indicator, URIRef) and str(indicator) not in items:
            iri = str(indicator)
            items[iri] = IndicatorItem(
                iri,
                slug_of(iri, "indicator"),
                index.label(iri),
                _ref(index, theme_term),
                _ref(index, reference, "definition"),
            )
    ordered = sorted(items.values(), key=lambda i: _label_key(index, i.id))
    return _sorted_page(ordered, limit, offset)


def _summaries(store: Store, index: LabelIndex, indicator: URIRef) -> list[DefinitionSummary]:
    """Every definition of an indicator with its publisher, sources, group, level and period."""
    rows = _select(store, "indicator-definitions", bindings={"indicator": indicator}).rows
    facts: dict[str, dict[str, object]] = {}
    sources: dict[str, set[URIRef]] = {}
    for definition, publisher, source, group, level, start, end in rows:
        if not isinstance(definition, URIRef):
            continue
        key = str(definition)
        facts.setdefault(
            key,
            {"publisher": publisher, "group": group, "level": level, "start": start, "end": end},
        )
        if isinstance(source, URIRef):
            sources.setdefault(key, set()).add(source)
    return [
        DefinitionSummary(
            iri,
            slug_of(iri, "definition"),
            index.label(iri),
            _ref(index, f["publisher"], "publisher"),  # type: ignore[arg-type]
            _refs(index, sources.get(iri, ()), "source"),
            _ref(index, f["group"], "population"),  # type: ignore[arg-type]
            _ref(index, f["level"]),  # type: ignore[arg-type]
            _year(f["start"]),  # type: ignore[arg-type]
            _year(f["end"]),  # type: ignore[arg-type]
        )
        for iri, f in facts.items()
    ]


def get_indicator(store: Store, *, ref: str) -> IndicatorDetail:
    """One indicator by slug (``employment-rate``) or IRI, with all its definitions."""
    iri = _find(store, ref, "indicator", what="indicator", listed_at="/api/indicators")
    index = label_index(store)
    graph = store.triples_about([iri])
    definitions = sorted(_summaries(store, index, iri), key=lambda d: _label_key(index, d.id))
    return IndicatorDetail(
        id=str(iri),
        slug=slug_of(str(iri), "indicator"),
        label=index.label(str(iri)),
        labels=_labels_of(graph, iri),
        definition=_english(graph, iri, SKOS.definition),
        theme=_ref(index, _one(graph, iri, CM.theme)),
        sets=_refs(index, graph.objects(iri, SKOS.inScheme), "indicator-set"),
        reference_definition=_ref(index, _one(graph, iri, CM.referenceDefinition), "definition"),
        definitions=definitions,
        notes=_notes(graph, iri),
    )


def cities_measuring(
    store: Store,
    *,
    indicator: str,
    level: str | None = "city",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Measurement]:
    """Which places measure an indicator: each place a definition of it is declared for.

    One item per place and definition, with the definition's publisher, sources,
    target group, geography level and period. ``level`` is the places' geography
    level (``city`` by default; ``any`` for every level). ``NotFoundError`` when
    there is no such indicator.
    """
    check_page(limit, offset)
    options: set[str] = set()
    bindings: dict[str, Term] = {}
    if level and level.strip().lower() != "any":
        bindings["level"] = _concept(level, GEOGRAPHY_LEVEL, "level")
        options.add("level")
    chosen = frozenset(options)
    for candidate in _candidates(indicator, "indicator"):
        bindings["indicator"] = candidate
        rows = _select(
            store, "which-cities", options=chosen, bindings=bindings, limit=limit, offset=offset
        ).rows
        if rows or _exists(store, candidate, CM.Indicator):
            break
    else:
        msg = f"there is no indicator {indicator!r}: see /api/indicators for those there are"
        raise NotFoundError(msg, details={"kind": "indicator", "ref": indicator})
    index = label_index(store)
    summaries = (
        _remember(
            store,
            ("summaries", str(candidate), index.version),
            lambda: {s.id: s for s in _summaries(store, index, candidate)},
        )
        if rows
        else {}
    )
    items: list[Measurement] = []
    for place, definition in rows:
        if not isinstance(place, URIRef) or not isinstance(definition, URIRef):
            continue
        summary = summaries.get(str(definition))
        place_ref = _ref(index, place, "place")
        definition_ref = _ref(index, definition, "definition")
        assert place_ref is not None and definition_ref is not None  # noqa: S101 - IRIs
        if summary is None:
            items.append(Measurement(place_ref, definition_ref))
            continue
        items.append(
            Measurement(
                place_ref,
                definition_ref,
                summary.publisher,
                summary.sources,
                summary.target_group,
                summary.geography_level,
                summary.start_year,
                summary.end_year,
            )
        )
    total = _total(
        store, "which-cities-count", chosen, bindings, limit=limit, offset=offset, shown=len(rows)
    )
    return Page(items, total, limit, offset)


# -- definitions ---------------------------------------------------------------------------


def list_definitions(
    store: Store,
    *,
    indicator: str | None = None,
    publisher: str | None = None,
    theme: str | None = None,
    criterion: str | None = None,
    source_type: str | None = None,
    level: str | None = None,
    place: str | None = None,
    country: str | None = None,
    since: int | None = None,
    until: int | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[DefinitionItem]:
    """Indicator definitions, filtered.

    ``criterion`` is a basis of the target group's criteria (``parentsCountryOfBirth``);
    ``source_type`` a type of its data source, narrower types included
    (``sampleSurvey`` finds the labour force surveys); ``level`` its geography level;
    ``place`` a place it is declared for, ``country`` a country such a place lies in.
    ``since=Y`` keeps definitions that hold from year Y or earlier and are still in
    force in Y; ``until=Y`` those in force in year Y (see definitions.rq).
    """
    check_page(limit, offset)
    options: set[str] = set()
    bindings: dict[str, Term] = {}
    if indicator:
        bindings["indicatorFilter"] = _filter_ref(
            store,
            indicator,
            "indicator",
            parameter="indicator",
            allowed=lambda: _indicator_slugs(store),
        )
        options.add("indicator")
    if publisher:
        bindings["publisherFilter"] = _filter_ref(
            store,
            publisher,
            "publisher",
            parameter="publisher",
            allowed=lambda: [p.slug or p.id for p in list_publishers(store, limit=MAX_LIMIT).items],
        )
        options.add("publisher")
    if theme:
        bindings["themeFilter"] = _concept(theme, THEME, "theme")
        options.add("theme")
    if criterion:
        bindings["criterion"] = _concept(criterion, CRITERION, "criterion")
        options.add("criterion")
    if source_type:
        bindings["sourceType"] = _concept(source_type, SOURCE_TYPE, "source_type")
        options.add("source_type")
    if level:
        bindings["levelFilter"] = _concept(level, GEOGRAPHY_LEVEL, "level")
        options.add("level")
    if place:
        bindings["place"] = _filter_ref(
            store, place, "place", parameter="place", allowed="see /api/places"
        )
        options.add("place")
    if country:
        bindings["countryCode"] = _country_code(label_index(store), country)
        options.add("country")
    since_term = _check_year(since, "since")
    until_term = _check_year(until, "until")
    if since_term is not None:
        bindings["since"] = since_term
        options.add("since")
    if until_term is not None:
        bindings["until"] = until_term
        options.add("until")
    if since is not None and until is not None and since > until:
        msg = f"since={since} is after until={until}"
        raise InputError(msg, details={"parameter": "since", "allowed": f"a year up to {until}"})
    chosen = frozenset(options)
    rows = _select(
        store, "definitions", options=chosen, bindings=bindings, limit=limit, offset=offset
    ).rows
    index = label_index(store)
    items: dict[str, DefinitionItem] = {}
    for definition, ind, pub, group, lvl, start, end in rows:
        if isinstance(definition, URIRef) and str(definition) not in items:
            iri = str(definition)
            items[iri] = DefinitionItem(
                iri,
                slug_of(iri, "definition"),
                index.label(iri),
                _ref(index, ind, "indicator"),
                _ref(index, pub, "publisher"),
                _ref(index, group, "population"),
                _ref(index, lvl),
                _year(start),
                _year(end),
            )
    count_options = chosen | (
        {"period"} if since_term is not None or until_term is not None else set()
    )
    total = _total(
        store,
        "definitions-count",
        frozenset(count_options),
        bindings,
        limit=limit,
        offset=offset,
        shown=len(rows),
    )
    return Page(list(items.values()), total, limit, offset)


def _condition(graph: Graph, index: LabelIndex, node: Node, depth: int = 0) -> Condition | None:
    if depth > 20:
        return None
    types = set(graph.objects(node, RDF.type))
    kind = (
        "anyOf"
        if CM.AnyOf in types
        else "allOf"
        if CM.AllOf in types
        else "not"
        if CM.Not in types
        else "criterion"
    )
    operands = [
        c
        for o in sorted(graph.objects(node, CM.operand), key=_condition_key(graph))
        if (c := _condition(graph, index, o, depth + 1)) is not None
    ]
    return Condition(
        kind=kind,
        basis=_ref(index, _one(graph, node, CM.basis)),
        values=_refs(index, graph.objects(node, CM.value)),
        parent_rule=_ref(index, _one(graph, node, CM.parentRule)),
        min_years=_number(_one(graph, node, CM.minYears)),
        max_years=_number(_one(graph, node, CM.maxYears)),
        operands=operands,
    )


def _condition_key(graph: Graph) -> Callable[[Node], tuple[str, ...]]:
    """Orders sibling conditions (blank nodes) by their content, so answers are stable."""

    def key(node: Node) -> tuple[str, ...]:
        return tuple(sorted(f"{p} {o}" for p, o in graph.predicate_objects(node)))

    return key


def _number(term: Node | None) -> float | None:
    if isinstance(term, Literal):
        try:
            return float(str(term))
        except ValueError:
            return None
    return None


def _population(store: Store, index: LabelIndex, group: URIRef) -> Population:
    graph = store.triples_about([group])
    conditions = Graph()
    roots: list[Node] = []
    for node, prop, value in _select(store, "conditions", bindings={"group": group}).rows:
        if node is None:
            if value is not None:
                roots.append(value)
        elif prop is not None and value is not None:
            conditions.add((node, prop, value))
    criteria = [
        c
        for root in sorted(set(roots), key=_condition_key(conditions))
        if (c := _condition(conditions, index, root)) is not None
    ]
    iri = str(group)
    return Population(
        id=iri,
        slug=slug_of(iri, "population"),
        label=index.label(iri),
        labels=_labels_of(graph, group),
        publisher=_ref(index, _one(graph, group, DCTERMS.publisher), "publisher"),
        conditions=criteria,
        origin_assignment=_ref(index, _one(graph, group, CM.originAssignment)),
        generation=_ref(index, _one(graph, group, CM.generation)),
        version=_text(_one(graph, group, DCAT3.version)),
        valid_from=_text(_one(graph, group, SCHEMA.validFrom)),
        valid_through=_text(_one(graph, group, SCHEMA.validThrough)),
        previous_version=_ref(index, _one(graph, group, DCAT3.previousVersion), "population"),
    )


def _versions(store: Store, index: LabelIndex, resource: URIRef, kind: str) -> list[Version]:
    rows = _select(store, "versions", bindings={"resource": resource}).rows
    found: dict[str, dict[str, Node | None]] = {}
    for version, previous, name, valid_from, valid_through in rows:
        if not isinstance(version, URIRef):
            continue
        entry = found.setdefault(
            str(version),
            {"previous": None, "name": name, "from": valid_from, "through": valid_through},
        )
        if isinstance(previous, URIRef) and entry["previous"] is None:
            entry["previous"] = previous
    if len(found) < 2:
        return []
    # Oldest first: a version comes after the one it revises.
    ordered: list[str] = []
    remaining = dict(found)
    while remaining:
        ready = sorted(
            iri
            for iri, e in remaining.items()
            if e["previous"] is None or str(e["previous"]) not in remaining
        ) or sorted(remaining)
        for iri in ready:
            ordered.append(iri)
            remaining.pop(iri)
    return [
        Version(
            iri,
            slug_of(iri, kind),
            index.label(iri),
            _text(found[iri]["name"]),
            _text(found[iri]["from"]),
            _text(found[iri]["through"]),
            _ref(index, found[iri]["previous"], kind),
        )
        for iri in ordered
    ]


def _series(store: Store, definition: URIRef) -> list[SeriesSelection]:
    rows = _select(store, "series", bindings={"definition": definition}).rows
    found: dict[str, tuple[str | None, str | None, dict[str, str]]] = {}
    for selection, dataset, notation, dimension, code in rows:
        if selection is None:
            continue
        entry = found.setdefault(str(selection), (_text(dataset), _text(notation), {}))
        if dimension is not None and code is not None:
            entry[2][str(dimension)] = str(code)
    return sorted(
        (SeriesSelection(d, n, dict(sorted(f.items()))) for d, n, f in found.values()),
        key=lambda s: (s.notation or "", s.dataset_code or ""),
    )


def get_definition(store: Store, *, ref: str) -> DefinitionDetail:
    """One indicator definition by slug or IRI, with every link resolved to a label."""
    iri = _find(store, ref, "definition", what="definition", listed_at="/api/definitions")
    index = label_index(store)
    graph = _about(store, iri, places=False)
    sources = sorted(set(graph.objects(iri, CM.dataSource)), key=str)
    source_graph = store.triples_about([s for s in sources if isinstance(s, URIRef)])
    target = _one(graph, iri, CM.targetGroup)
    reference = _one(graph, iri, CM.referenceGroup)
    target_group = _population(store, index, target) if isinstance(target, URIRef) else None
    spatial = _merge_places(
        index,
        [
            (place, level, None)
            for place, level in _select(
                store, "definition-places", bindings={"definition": iri}
            ).rows
        ],
    )
    versions = _versions(store, index, iri, "definition")
    following = [v.id for v in versions if v.previous is not None and v.previous.id == str(iri)]
    start = _year(_one(graph, iri, SCHEMA.validFrom))
    end = _year(_one(graph, iri, SCHEMA.validThrough))
    temporal = _one(graph, iri, DCTERMS.temporal)
    if temporal is not None:
        period = store.triples_about([temporal]) if isinstance(temporal, URIRef) else graph
        start = start or _year(_one(period, temporal, DCAT3.startDate))
        end = end or _year(_one(period, temporal, DCAT3.endDate))
    if target_group is not None:
        start = start or _year(
            Literal(target_group.valid_from) if target_group.valid_from else None
        )
        end = end or _year(
            Literal(target_group.valid_through) if target_group.valid_through else None
        )
    uses = _referrers(store, CM.usesDefinition, iri)
    return DefinitionDetail(
        id=str(iri),
        slug=slug_of(str(iri), "definition"),
        label=index.label(str(iri)),
        labels=_labels_of(graph, iri),
        definition=_english(graph, iri, SKOS.definition),
        indicator=_ref(index, _one(graph, iri, CM.indicator), "indicator"),
        publisher=_ref(index, _one(graph, iri, DCTERMS.publisher), "publisher"),
        measure_type=_ref(index, _one(graph, iri, CM.measureType)),
        numerator=_ref(index, _one(graph, iri, CM.numerator)),
        denominator=_ref(index, _one(graph, iri, CM.denominator)),
        unit=_ref(index, _one(graph, iri, CM.unit)),
        age_band=_ref(index, _one(graph, iri, CM.ageBand)),
        sex=_ref(index, _one(graph, iri, CM.sex)),
        universe=_ref(index, _one(graph, iri, CM.universe)),
        geography_level=_ref(index, _one(graph, iri, CM.geographyLevel)),
        reference_time=_ref(index, _one(graph, iri, CM.referenceTime)),
        periodicity=_ref(index, _one(graph, iri, DCTERMS.accrualPeriodicity)),
        sources=[
            SourceItem(
                str(s),
                slug_of(str(s), "source"),
                index.label(str(s)),
                _refs(index, source_graph.objects(s, CM.sourceType)),
                _ref(index, _one(source_graph, s, DCTERMS.publisher), "publisher"),
                _ref(index, _one(source_graph, s, CM.universe)),
            )
            for s in sources
            if isinstance(s, URIRef)
        ],
        target_group=target_group,
        reference_group=(
            _population(store, index, reference) if isinstance(reference, URIRef) else None
        ),
        places=sorted(spatial, key=lambda p: _label_key(index, p.id)),
        start_year=start,
        end_year=end,
        previous_version=_ref(index, _one(graph, iri, DCAT3.previousVersion), "definition")
        or _ref(index, _one(graph, iri, PROV.wasRevisionOf), "definition"),
        next_versions=_refs(index, [URIRef(v) for v in following], "definition"),
        versions=versions,
        series=_series(store, iri),
        formula=_text(_one(graph, iri, CM.formula)),
        practices=_refs(index, uses.get("practice", []), "practice"),
        verification_status=_ref(index, _one(graph, iri, CM.verificationStatus)),
        notes=_notes(graph, iri),
    )


# -- publishers, sources, practices -----------------------------------------------------------


def list_publishers(
    store: Store, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[PublisherItem]:
    """Organisations: publishers, statistical offices and the operators of practices."""
    check_page(limit, offset)
    index = label_index(store)
    homepages: dict[str, set[str]] = {}
    for organisation, homepage in _select(store, "organisations").rows:
        if isinstance(organisation, URIRef):
            found = homepages.setdefault(str(organisation), set())
            if homepage is not None:
                found.add(str(homepage))
    items = [
        PublisherItem(iri, slug_of(iri, "publisher"), index.label(iri), sorted(pages))
        for iri, pages in homepages.items()
    ]
    items.sort(key=lambda p: _label_key(index, p.id))
    return _sorted_page(items, limit, offset)


def get_publisher(store: Store, *, ref: str) -> PublisherDetail:
    """One organisation by slug (``cbs``) or IRI, with what it publishes and runs."""
    iri = _find(store, ref, "publisher", what="publisher", listed_at="/api/publishers")
    index = label_index(store)
    graph = store.triples_about([iri])
    published = _referrers(store, DCTERMS.publisher, iri)
    runs = _referrers(store, CM.operator, iri)
    partners = _referrers(store, CM.partner, iri)
    return PublisherDetail(
        id=str(iri),
        slug=slug_of(str(iri), "publisher"),
        label=index.label(str(iri)),
        labels=_labels_of(graph, iri),
        homepages=_strings(graph, iri, FOAF.homepage),
        statistical_authority_for=_refs(
            index, graph.objects(iri, CM.statisticalAuthorityFor), "place"
        ),
        definitions=_refs(index, published.get("definition", []), "definition"),
        sources=_refs(index, published.get("source", []), "source"),
        populations=_refs(index, published.get("population", []), "population"),
        practices=_refs(
            index, [*runs.get("practice", []), *partners.get("practice", [])], "practice"
        ),
        notes=_notes(graph, iri),
    )


def list_sources(
    store: Store,
    *,
    source_type: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[SourceItem]:
    """Data sources, by source type (narrower types included: ``sampleSurvey`` finds EU-LFS)."""
    check_page(limit, offset)
    index = label_index(store)
    options: set[str] = set()
    bindings: dict[str, Term] = {}
    if source_type:
        bindings["sourceType"] = _concept(source_type, SOURCE_TYPE, "source_type")
        options.add("source_type")
    facts: dict[str, dict[str, object]] = {}
    for source, kind, publisher, universe in _select(
        store, "sources", options=options, bindings=bindings
    ).rows:
        if not isinstance(source, URIRef):
            continue
        entry = facts.setdefault(
            str(source), {"types": set(), "publisher": publisher, "universe": universe}
        )
        if isinstance(kind, URIRef):
            entry["types"].add(kind)  # type: ignore[attr-defined]
    items = [
        SourceItem(
            iri,
            slug_of(iri, "source"),
            index.label(iri),
            _refs(index, f["types"]),  # type: ignore[arg-type]
            _ref(index, f["publisher"], "publisher"),  # type: ignore[arg-type]
            _ref(index, f["universe"]),  # type: ignore[arg-type]
        )
        for iri, f in facts.items()
    ]
    items.sort(key=lambda s: _label_key(index, s.id))
    return _sorted_page(items, limit, offset)


def get_source(store: Store, *, ref: str) -> SourceDetail:
    """One data source by slug (``eu-lfs``) or IRI, with what it records and what uses it."""
    iri = _find(store, ref, "source", what="data source", listed_at="/api/sources")
    index = label_index(store)
    graph = store.triples_about([iri])
    users = _referrers(store, CM.dataSource, iri)
    size = _one(graph, iri, CM.sampleSize)
    return SourceDetail(
        id=str(iri),
        slug=slug_of(str(iri), "source"),
        label=index.label(str(iri)),
        labels=_labels_of(graph, iri),
        source_types=_refs(index, graph.objects(iri, CM.sourceType)),
        universe=_ref(index, _one(graph, iri, CM.universe)),
        records=_refs(index, graph.objects(iri, CM.records)),
        publisher=_ref(index, _one(graph, iri, DCTERMS.publisher), "publisher"),
        sample_size=int(_number(size) or 0) if size is not None else None,
        definitions=_refs(index, users.get("definition", []), "definition"),
        populations=_refs(index, users.get("population", []), "population"),
        practices=_refs(index, users.get("practice", []), "practice"),
        notes=_notes(graph, iri),
    )


def list_practices(
    store: Store,
    *,
    kind: str | None = None,
    city: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[PracticeItem]:
    """The cities' toolbox, by kind (``monitoringSystem``...) and city (slug, code or IRI)."""
    check_page(limit, offset)
    index = label_index(store)
    options: set[str] = set()
    bindings: dict[str, Term] = {}
    if kind:
        bindings["kindFilter"] = _concept(kind, PRACTICE_KIND, "kind")
        options.add("kind")
    if city:
        bindings["placeFilter"] = _filter_ref(
            store, city, "place", parameter="city", allowed="see /api/cities"
        )
        options.add("place")
    facts: dict[str, dict[str, object]] = {}
    for practice, practice_kind, operator, place, start in _select(
        store, "practices", options=options, bindings=bindings
    ).rows:
        if not isinstance(practice, URIRef):
            continue
        entry = facts.setdefault(
            str(practice),
            {"kind": practice_kind, "operators": set(), "places": set(), "start": start},
        )
        if isinstance(operator, URIRef):
            entry["operators"].add(operator)  # type: ignore[attr-defined]
        if isinstance(place, URIRef):
            entry["places"].add(place)  # type: ignore[attr-defined]
    items = [
        PracticeItem(
            iri,
            slug_of(iri, "practice"),
            index.label(iri),
            _ref(index, f["kind"]),  # type: ignore[arg-type]
            _refs(index, f["operators"], "publisher"),  # type: ignore[arg-type]
            _refs(index, f["places"], "place"),  # type: ignore[arg-type]
            _text(f["start"]),  # type: ignore[arg-type]
        )
        for iri, f in facts.items()
    ]
    items.sort(key=lambda p: _label_key(index, p.id))
    return _sorted_page(items, limit, offset)


def get_practice(store: Store, *, ref: str) -> PracticeDetail:
    """One practice by slug or IRI, with its operators, places, definitions and editions."""
    iri = _find(store, ref, "practice", what="practice", listed_at="/api/practices")
    index = label_index(store)
    graph = store.triples_about([iri])
    edition_iris = sorted(o for o in graph.objects(iri, CM.edition) if isinstance(o, URIRef))
    editions_graph = store.triples_about(edition_iris)
    editions = [
        Edition(
            str(e),
            index.label(str(e)) or _english(editions_graph, e, SKOS.prefLabel),
            int(n)
            if (n := _number(_one(editions_graph, e, CM.editionNumber))) is not None
            else None,
            _text(_one(editions_graph, e, DCTERMS.issued)),
        )
        for e in edition_iris
    ]
    return PracticeDetail(
        id=str(iri),
        slug=slug_of(str(iri), "practice"),
        label=index.label(str(iri)),
        labels=_labels_of(graph, iri),
        definition=_english(graph, iri, SKOS.definition),
        kind=_ref(index, _one(graph, iri, CM.practiceKind)),
        operators=_refs(index, graph.objects(iri, CM.operator), "publisher"),
        partners=_refs(index, graph.objects(iri, CM.partner), "publisher"),
        places=_refs(index, graph.objects(iri, DCTERMS.spatial), "place"),
        definitions=_refs(index, graph.objects(iri, CM.usesDefinition), "definition"),
        sources=_refs(index, graph.objects(iri, CM.dataSource), "source"),
        themes=_refs(index, graph.objects(iri, CM.theme)),
        start=_text(_one(graph, iri, SCHEMA.startDate)),
        editions=sorted(editions, key=lambda e: (e.number or 0, e.id)),
        verification_status=_ref(index, _one(graph, iri, CM.verificationStatus)),
        notes=_notes(graph, iri),
        see_also=_strings(graph, iri, RDFS.seeAlso),
    )


# -- search --------------------------------------------------------------------------------


def search(
    store: Store,
    *,
    q: str,
    kind: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[SearchHit]:
    """Resources whose labels, in any language, match ``q``; best match first.

    Accents and case do not matter (``erwerbstatigenquote`` finds the employment
    rate by its German label). The order: the whole label matches, then its start,
    then the start of a word in it, then anywhere in it; preferred labels before
    alternative ones; indicators, definitions, target groups, sources, publishers,
    practices, places in that order; shorter labels first. ``kind`` keeps one kind.
    """
    check_page(limit, offset)
    if kind is not None and kind not in KINDS:
        allowed = list(KINDS)
        msg = f"type={kind!r} is not a kind of resource; use one of: {', '.join(allowed)}"
        raise InputError(msg, details={"parameter": "type", "value": kind, "allowed": allowed})
    if not fold(q or ""):
        msg = "q must hold at least one letter or digit"
        raise InputError(msg, details={"parameter": "q"})
    index = label_index(store)
    matches = index.search(q, kinds=[kind] if kind else None)
    hits = [
        SearchHit(
            m.iri,
            slug_of(m.iri, m.kind),
            index.label(m.iri),
            m.kind,
            m.label.label,
            m.label.language,
            m.label.kind,
            m.match,
        )
        for m in matches[offset : offset + limit]
    ]
    return Page(hits, len(matches), limit, offset)


__all__ = [
    "DEFAULT_LIMIT",
    "KINDS",
    "MAX_LIMIT",
    "Condition",
    "DefinitionDetail",
    "DefinitionItem",
    "DefinitionSummary",
    "Edition",
    "IndicatorDetail",
    "IndicatorItem",
    "LabelIndex",
    "LabelMatch",
    "LabelValue",
    "Measurement",
    "Page",
    "PlaceCode",
    "PlaceDetail",
    "PlaceItem",
    "Population",
    "PracticeDetail",
    "PracticeItem",
    "PublisherDetail",
    "PublisherItem",
    "QueryTemplate",
    "Ref",
    "SearchHit",
    "SeriesSelection",
    "SourceDetail",
    "SourceItem",
    "Version",
    "build_label_index",
    "cities_measuring",
    "concept_names",
    "fold",
    "forget",
    "get_definition",
    "get_indicator",
    "get_place",
    "get_practice",
    "get_publisher",
    "get_source",
    "label_index",
    "list_cities",
    "list_definitions",
    "list_indicators",
    "list_places",
    "list_practices",
    "list_publishers",
    "list_sources",
    "queries",
    "query_text",
    "search",
    "slug_of",
]


def resolve_filter(store: Store, ref: str, kind: str, *, parameter: str, see: str) -> URIRef:
    """The resource a request's filter names (slug, code or IRI); ``InputError`` if none."""
    return _filter_ref(store, ref, kind, parameter=parameter, allowed=see)
