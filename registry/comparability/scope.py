"""The scope of an indicator definition, and how two scopes compare, dimension by dimension.

Besides its target and reference groups (``registry.comparability.population``), a
definition fixes what is measured and of whom: an age band, a sex, a universe (the
population a source covers before any criterion: residents, registered persons,
persons in private households), the type of its data sources, a geography level, a
reference time, a measure type, a numerator, a denominator and a unit.

``compare_scopes(a, b)`` relates each of these for two definitions. Each result
names the dimension (a concept of the comparison dimensions scheme), the relation
of A's value to B's, read as sets where that makes sense (an age band, a sex, a
universe; a narrower concept of the same scheme is a subset of a broader one), the
effect the difference has on comparing the two values, and a reason in plain
English. ``Effect`` orders the effects from none to blocking; the verdict takes the
worst (``registry.comparability.verdict``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from registry.comparability.engine import Relation
from registry.namespaces import CM, SCHEMA
from registry.vocabularies import (
    DIMENSION,
    GRADE,
    REFERENCE_TIME,
    SOURCE_TYPE,
)

SDMX_SEX = "http://purl.org/linked-data/sdmx/2009/code#sex-"
_SEX_LABELS = {"T": "both sexes", "M": "men", "F": "women"}


class Effect(IntEnum):
    """What a difference in one dimension does to comparing two values, from none to blocking."""

    NONE = 0
    """The same in both."""
    EQUIVALENT = 1
    """Different in a way that does not change the value (a renamed group, 31 December
    against 1 January of the next year)."""
    CAVEAT = 2
    """A named, bounded difference: compare, and say it (a survey against a register)."""
    PARTIAL = 3
    """Different populations that share members: compare only with care."""
    BLOCKING = 4
    """The values measure different things: do not compare them."""

    @property
    def grade(self) -> URIRef:
        """The comparability grade this effect alone leads to."""
        return _GRADE_OF[self]


_GRADE_OF = {
    Effect.NONE: GRADE.identical,
    Effect.EQUIVALENT: GRADE.equivalent,
    Effect.CAVEAT: GRADE.comparableWithCaveats,
    Effect.PARTIAL: GRADE.partiallyComparable,
    Effect.BLOCKING: GRADE.notComparable,
}


@dataclass(frozen=True)
class Term:
    """A concept a definition uses, its label for people, and the concepts it is narrower than."""

    iri: str
    label: str
    broader: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.label

    @property
    def lineage(self) -> frozenset[str]:
        """The concept and every concept it is narrower than."""
        return self.broader | {self.iri}


@dataclass(frozen=True)
class AgeBand(Term):
    """An age band: lowest and highest age in completed years (``None``: open-ended)."""

    low: int | None = None
    high: int | None = None

    @property
    def bounds(self) -> tuple[int, float]:
        return (self.low or 0, float("inf") if self.high is None else self.high)


@dataclass(frozen=True)
class Scope:
    """What an indicator definition measures, and of whom, besides its populations."""

    iri: str
    label: str
    publisher: Term | None = None
    indicator: Term | None = None
    age_band: AgeBand | None = None
    sex: Term | None = None
    universe: Term | None = None
    source_types: frozenset[Term] = frozenset()
    sources: frozenset[Term] = frozenset()
    geography_level: Term | None = None
    reference_time: Term | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    measure_type: Term | None = None
    numerator: Term | None = None
    denominator: Term | None = None
    unit: Term | None = None
    target_group: str | None = None
    reference_group: str | None = None


@dataclass(frozen=True)
class DimensionResult:
    """One dimension of a comparison: the relation of A's value to B's, its effect, why."""

    dimension: URIRef
    relation: Relation
    effect: Effect
    reason: str
    a: str | None = None
    b: str | None = None


# -- reading a definition ---------------------------------------------------------------


def _label(graph: Graph, node: URIRef) -> str:
    if str(node).startswith(SDMX_SEX):
        return _SEX_LABELS.get(str(node).removeprefix(SDMX_SEX), str(node))
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)]
    labels = labels or [o for o in graph.objects(node, FOAF.name) if isinstance(o, Literal)]
    english = [lab for lab in labels if (lab.language or "").startswith("en")]
    chosen = sorted(english or labels, key=str)
    return str(chosen[0]) if chosen else str(node).rstrip("/#").rsplit("/", 1)[-1]


def _concept(graph: Graph, node: URIRef) -> Term:
    broader = {str(o) for o in graph.transitive_objects(node, SKOS.broader)} - {str(node)}
    return Term(str(node), _label(graph, node), frozenset(broader))


def _term(graph: Graph, subject: URIRef, predicate: URIRef) -> Term | None:
    values = sorted(o for o in graph.objects(subject, predicate) if isinstance(o, URIRef))
    return _concept(graph, values[0]) if values else None


def _number(graph: Graph, subject: URIRef, predicate: URIRef) -> int | None:
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            try:
                return int(str(value))
            except ValueError:
                continue
    return None


def _year(graph: Graph, subject: URIRef, direct: URIRef, period_bound: URIRef) -> int | None:
    """The year of ``direct`` (a date or year), else of the bound of its ``dct:temporal``."""
    values = list(graph.objects(subject, direct))
    for period in graph.objects(subject, DCTERMS.temporal):
        values += list(graph.objects(period, period_bound))
    for value in values:
        text = str(value)[:4]
        if isinstance(value, Literal) and text.isdigit():
            return int(text)
    return None


def scope_from_graph(graph: Graph, iri: str | URIRef) -> Scope:
    """Read the scope of an indicator definition from a graph that also holds the concepts
    it uses (their labels, the age bands' ``cm:minAge`` and ``cm:maxAge``, ``skos:broader``)
    and its data sources (their ``cm:sourceType``)."""
    subject = URIRef(str(iri))
    age = _term(graph, subject, CM.ageBand)
    band = None
    if age is not None:
        node = URIRef(age.iri)
        low, high = _number(graph, node, CM.minAge), _number(graph, node, CM.maxAge)
        band = AgeBand(age.iri, age.label, age.broader, low, high)
    source_types: set[Term] = set()
    sources: set[Term] = set()
    for source in graph.objects(subject, CM.dataSource):
        if isinstance(source, URIRef):
            sources.add(_concept(graph, source))
            kind = _term(graph, source, CM.sourceType)
            if kind is not None:
                source_types.add(kind)
    groups = {
        predicate: next(
            (o for o in graph.objects(subject, predicate) if isinstance(o, URIRef)), None
        )
        for predicate in (CM.targetGroup, CM.referenceGroup)
    }
    target, reference = groups[CM.targetGroup], groups[CM.referenceGroup]
    return Scope(
        iri=str(subject),
        label=_label(graph, subject),
        publisher=_term(graph, subject, DCTERMS.publisher),
        indicator=_term(graph, subject, CM.indicator),
        age_band=band,
        sex=_term(graph, subject, CM.sex),
        universe=_term(graph, subject, CM.universe),
        source_types=frozenset(source_types),
        sources=frozenset(sources),
        geography_level=_term(graph, subject, CM.geographyLevel),
        reference_time=_term(graph, subject, CM.referenceTime),
        valid_from=_year(graph, subject, SCHEMA.validFrom, DCAT.startDate),
        valid_to=_year(graph, subject, SCHEMA.validThrough, DCAT.endDate),
        measure_type=_term(graph, subject, CM.measureType),
        numerator=_term(graph, subject, CM.numerator),
        denominator=_term(graph, subject, CM.denominator),
        unit=_term(graph, subject, CM.unit),
        target_group=None if target is None else str(target),
        reference_group=None if reference is None else str(reference),
    )


# -- comparing two scopes ------------------------------------------------------------------


def _missing(dimension: URIRef, name: str, a: object, b: object) -> DimensionResult | None:
    """The result when one side or both do not state the dimension; ``None`` if both do."""
    if a is None and b is None:
        return DimensionResult(dimension, Relation.EQUAL, Effect.NONE, f"neither states a {name}")
    if a is None or b is None:
        side, other = ("A", b) if a is None else ("B", a)
        return DimensionResult(
            dimension,
            Relation.UNKNOWN,
            Effect.CAVEAT,
            f"{side} does not state its {name} (the other: {other}); check it before comparing",
            None if a is None else str(a),
            None if b is None else str(b),
        )
    return None


def _ages(text: AgeBand) -> str:
    low, high = text.bounds
    if high == float("inf"):
        return "all ages" if low == 0 else f"{low} and over"
    return f"{low}-{int(high)}"


def compare_age_bands(a: AgeBand | None, b: AgeBand | None) -> DimensionResult:
    """Age bands as sets of ages."""
    dimension = DIMENSION.ageBand
    if (missing := _missing(dimension, "age band", a, b)) is not None:
        return missing
    assert a is not None and b is not None  # noqa: S101 - _missing returned otherwise
    (a_low, a_high), (b_low, b_high) = a.bounds, b.bounds
    shown = (str(a), str(b))
    if (a_low, a_high) == (b_low, b_high):
        return DimensionResult(
            dimension, Relation.EQUAL, Effect.NONE, f"the same: {_ages(a)}", *shown
        )
    if a_high < b_low or b_high < a_low:
        reason = f"ages {_ages(a)} against {_ages(b)}: no age in common"
        return DimensionResult(dimension, Relation.DISJOINT, Effect.BLOCKING, reason, *shown)
    if b_low <= a_low and a_high <= b_high:
        relation = Relation.SUBSET
        reason = f"ages {_ages(a)} lie inside {_ages(b)}: B also counts {_outside(a, b)}"
    elif a_low <= b_low and b_high <= a_high:
        relation = Relation.SUPERSET
        reason = f"ages {_ages(a)} include {_ages(b)}: A also counts {_outside(b, a)}"
    else:
        relation = Relation.OVERLAP
        reason = f"ages {_ages(a)} and {_ages(b)} overlap; each counts ages the other does not"
    return DimensionResult(
        dimension,
        relation,
        Effect.PARTIAL,
        reason + "; rates by age differ, so the values differ even for the same people",
        *shown,
    )


def _outside(inner: AgeBand, outer: AgeBand) -> str:
    (i_low, i_high), (o_low, o_high) = inner.bounds, outer.bounds
    parts = []
    if o_low < i_low:
        parts.append(f"ages {o_low}-{i_low - 1}")
    if o_high > i_high:
        parts.append(
            f"ages {int(i_high) + 1}-{int(o_high)}"
            if o_high != float("inf")
            else f"ages {int(i_high) + 1} and over"
        )
    return " and ".join(parts)


def compare_sexes(a: Term | None, b: Term | None) -> DimensionResult:
    """Sexes as sets of persons: both sexes (``T``) contain men (``M``) and women (``F``)."""
    dimension = DIMENSION.sex
    if (missing := _missing(dimension, "sex", a, b)) is not None:
        return missing
    assert a is not None and b is not None  # noqa: S101 - _missing returned otherwise
    code_a, code_b = a.iri.removeprefix(SDMX_SEX), b.iri.removeprefix(SDMX_SEX)
    shown = (str(a), str(b))
    if code_a == code_b:
        return DimensionResult(dimension, Relation.EQUAL, Effect.NONE, f"the same: {a}", *shown)
    if code_a == "T" or code_b == "T":
        relation = Relation.SUPERSET if code_a == "T" else Relation.SUBSET
        reason = f"{a} against {b}: one counts both sexes, the other one sex only"
        return DimensionResult(dimension, relation, Effect.PARTIAL, reason, *shown)
    reason = f"{a} against {b}: no person in common"
    return DimensionResult(dimension, Relation.DISJOINT, Effect.BLOCKING, reason, *shown)


def _concept_relation(a: Term, b: Term) -> Relation:
    """Concepts of one scheme as sets: equal, narrower (subset), broader (superset), or apart."""
    if a.iri == b.iri:
        return Relation.EQUAL
    if b.iri in a.broader:
        return Relation.SUBSET
    if a.iri in b.broader:
        return Relation.SUPERSET
    return Relation.OVERLAP if a.lineage & b.lineage else Relation.DISJOINT


def compare_universes(a: Term | None, b: Term | None) -> DimensionResult:
    """Universes: persons in private households are part of the usually resident population;
    the registered and the resident populations mostly coincide, each with persons the other
    lacks."""
    dimension = DIMENSION.universe
    if (missing := _missing(dimension, "universe", a, b)) is not None:
        return missing
    assert a is not None and b is not None  # noqa: S101 - _missing returned otherwise
    relation = _concept_relation(a, b)
    shown = (str(a), str(b))
    a, b = _lowered(a), _lowered(b)
    if relation is Relation.EQUAL:
        return DimensionResult(dimension, relation, Effect.NONE, f"both cover the {a}", *shown)
    if relation in (Relation.SUBSET, Relation.SUPERSET):
        narrow, wide = (a, b) if relation is Relation.SUBSET else (b, a)
        reason = (
            f"the {narrow} is part of the {wide}: persons in institutions and collective "
            "households are counted by one only"
        )
    else:
        relation = Relation.OVERLAP
        reason = (
            f"the {a} and the {b} mostly coincide, but each has persons the other lacks "
            "(unregistered residents, registered persons who left)"
        )
    return DimensionResult(dimension, relation, Effect.CAVEAT, reason, *shown)


def _lowered(term: Term) -> Term:
    """The term with its label starting in lower case, for the middle of a sentence."""
    label = term.label[:1].lower() + term.label[1:]
    return Term(term.iri, label, term.broader)


_SURVEY = str(SOURCE_TYPE.sampleSurvey)


def _names(terms: Iterable[Term]) -> str:
    return ", ".join(sorted(str(t) for t in terms)) or "none stated"


def compare_source_types(a: frozenset[Term], b: frozenset[Term]) -> DimensionResult:
    """Source types: the same kinds of source, or a survey against a full count."""
    dimension = DIMENSION.sourceType
    shown = (_names(a), _names(b))
    if not a or not b:
        if not a and not b:
            return DimensionResult(
                dimension, Relation.EQUAL, Effect.NONE, "neither states its sources"
            )
        side = "A" if not a else "B"
        reason = f"{side} does not state the type of its data source; check it before comparing"
        return DimensionResult(dimension, Relation.UNKNOWN, Effect.CAVEAT, reason, *shown)
    if {t.iri for t in a} == {t.iri for t in b}:
        return DimensionResult(
            dimension, Relation.EQUAL, Effect.NONE, f"both from {shown[0]}", *shown
        )
    a_survey = any(_SURVEY in t.lineage for t in a)
    b_survey = any(_SURVEY in t.lineage for t in b)
    a_lines = frozenset().union(*(t.lineage for t in a))
    b_lines = frozenset().union(*(t.lineage for t in b))
    relation = Relation.OVERLAP if a_lines & b_lines else Relation.DISJOINT
    if a_survey != b_survey:
        survey, count = (shown[0], shown[1]) if a_survey else (shown[1], shown[0])
        reason = (
            f"a sample survey ({survey}) against a full count ({count}): the survey's value "
            "carries sampling error and covers private households; compare with its "
            "confidence interval"
        )
    elif a_survey:
        reason = (
            f"different surveys ({shown[0]} against {shown[1]}): questionnaires, samples and "
            "weighting differ"
        )
    else:
        reason = (
            f"different full-count sources ({shown[0]} against {shown[1]}): coverage and "
            "reference dates can differ"
        )
    return DimensionResult(dimension, relation, Effect.CAVEAT, reason, *shown)


def compare_geography_levels(a: Term | None, b: Term | None) -> DimensionResult:
    """Geography levels: the same definition at another level describes another territory."""
    dimension = DIMENSION.geographyLevel
    if (missing := _missing(dimension, "geography level", a, b)) is not None:
        return missing
    assert a is not None and b is not None  # noqa: S101 - _missing returned otherwise
    shown = (str(a), str(b))
    if a.iri == b.iri:
        return DimensionResult(
            dimension, Relation.EQUAL, Effect.NONE, f"both at the level {a}", *shown
        )
    reason = (
        f"{a} against {b}: the values describe different territories; compare them as a "
        "benchmark (for example a city against its country), not as the same figure"
    )
    return DimensionResult(dimension, Relation.DISJOINT, Effect.CAVEAT, reason, *shown)


_AVERAGES = frozenset({str(REFERENCE_TIME.annualAverage)})
_YEAR_BOUNDARY = frozenset({str(REFERENCE_TIME.startOfYear), str(REFERENCE_TIME.endOfYear)})


def compare_reference_periods(a: Scope, b: Scope) -> DimensionResult:
    """Reference time within the year, and the years each definition is valid for."""
    dimension = DIMENSION.referencePeriod
    ta, tb = a.reference_time, b.reference_time
    shown = (
        _period_text(ta, a.valid_from, a.valid_to),
        _period_text(tb, b.valid_from, b.valid_to),
    )
    low = max(a.valid_from or -10_000, b.valid_from or -10_000)
    high = min(a.valid_to or 10_000, b.valid_to or 10_000)
    if low > high:
        reason = (
            f"the definitions hold in different years ({shown[0]}; {shown[1]}): no year has "
            "values under both"
        )
        return DimensionResult(dimension, Relation.DISJOINT, Effect.CAVEAT, reason, *shown)
    if ta is None or tb is None:
        if ta is None and tb is None:
            return DimensionResult(
                dimension, Relation.EQUAL, Effect.NONE, "neither states a reference time", *shown
            )
        side = "A" if ta is None else "B"
        reason = f"{side} does not state its reference time; check it before comparing"
        return DimensionResult(dimension, Relation.UNKNOWN, Effect.CAVEAT, reason, *shown)
    if ta.iri == tb.iri:
        return DimensionResult(dimension, Relation.EQUAL, Effect.NONE, f"the same: {ta}", *shown)
    if {ta.iri, tb.iri} == _YEAR_BOUNDARY:
        reason = (
            "31 December of one year is 1 January of the next: compare the value of year Y "
            "at 31 December with that of year Y+1 at 1 January"
        )
        return DimensionResult(dimension, Relation.EQUAL, Effect.EQUIVALENT, reason, *shown)
    averages = {t.iri for t in (ta, tb)} & _AVERAGES
    if len(averages) == 1:
        reason = f"{ta} against {tb}: an average over the year against a count at one moment"
    else:
        reason = f"{ta} against {tb}: counted at different moments or over different periods"
    return DimensionResult(dimension, Relation.DISJOINT, Effect.CAVEAT, reason, *shown)


def _period_text(time: Term | None, start: int | None, end: int | None) -> str:
    years = f"{start or '…'}-{end or '…'}" if start or end else "any year"
    return f"{time or 'reference time not stated'}, {years}"


_SAME_SCALE = {
    frozenset({"percent", "perHundred"}),
}
_CONVERTIBLE = {
    frozenset({"percent", "perThousand"}): "a factor of 10",
    frozenset({"perHundred", "perThousand"}): "a factor of 10",
    frozenset({"persons", "thousandPersons"}): "a factor of 1,000",
}


def compare_units(a: Term | None, b: Term | None) -> DimensionResult:
    """Units: the same, the same scale under two names, convertible by a factor, or not."""
    dimension = DIMENSION.unit
    if (missing := _missing(dimension, "unit", a, b)) is not None:
        return missing
    assert a is not None and b is not None  # noqa: S101 - _missing returned otherwise
    shown = (str(a), str(b))
    if a.iri == b.iri:
        return DimensionResult(dimension, Relation.EQUAL, Effect.NONE, f"the same: {a}", *shown)
    pair = frozenset({a.iri.rsplit("/", 1)[-1], b.iri.rsplit("/", 1)[-1]})
    if pair in _SAME_SCALE:
        return DimensionResult(
            dimension, Relation.EQUAL, Effect.EQUIVALENT, f"{a} and {b} are the same scale", *shown
        )
    if pair in _CONVERTIBLE:
        reason = f"{a} against {b}: convert by {_CONVERTIBLE[pair]} before comparing"
        return DimensionResult(dimension, Relation.DISJOINT, Effect.CAVEAT, reason, *shown)
    reason = f"{a} against {b}: the values are not in the same unit and cannot be converted"
    return DimensionResult(dimension, Relation.DISJOINT, Effect.BLOCKING, reason, *shown)


def _measure(dimension: URIRef, name: str) -> Callable[[Term | None, Term | None], DimensionResult]:
    def compare(a: Term | None, b: Term | None) -> DimensionResult:
        if (missing := _missing(dimension, name, a, b)) is not None:
            return missing
        assert a is not None and b is not None  # noqa: S101 - _missing returned otherwise
        shown = (str(a), str(b))
        if a.iri == b.iri:
            return DimensionResult(dimension, Relation.EQUAL, Effect.NONE, f"the same: {a}", *shown)
        reason = f"the {name} differs ({a} against {b}): the values measure different things"
        return DimensionResult(dimension, Relation.DISJOINT, Effect.BLOCKING, reason, *shown)

    compare.__doc__ = f"The {name}: the same, or the values measure different things."
    return compare


compare_measure_types = _measure(DIMENSION.measureType, "measure type")
compare_numerators = _measure(DIMENSION.numerator, "numerator")
compare_denominators = _measure(DIMENSION.denominator, "denominator")


SCOPE_DIMENSIONS: tuple[
    tuple[Callable[[Scope], Hashable], Callable[[Scope, Scope], DimensionResult]], ...
] = (
    (lambda s: s.age_band, lambda a, b: compare_age_bands(a.age_band, b.age_band)),
    (lambda s: s.sex, lambda a, b: compare_sexes(a.sex, b.sex)),
    (lambda s: s.universe, lambda a, b: compare_universes(a.universe, b.universe)),
    (
        lambda s: s.source_types,
        lambda a, b: compare_source_types(a.source_types, b.source_types),
    ),
    (
        lambda s: s.geography_level,
        lambda a, b: compare_geography_levels(a.geography_level, b.geography_level),
    ),
    (lambda s: (s.reference_time, s.valid_from, s.valid_to), compare_reference_periods),
    (
        lambda s: s.measure_type,
        lambda a, b: compare_measure_types(a.measure_type, b.measure_type),
    ),
    (lambda s: s.numerator, lambda a, b: compare_numerators(a.numerator, b.numerator)),
    (lambda s: s.denominator, lambda a, b: compare_denominators(a.denominator, b.denominator)),
    (lambda s: s.unit, lambda a, b: compare_units(a.unit, b.unit)),
)
"""The scope dimensions in the order of the comparison dimensions: what each result depends
on (a key of the scope), and how two scopes are compared in it."""


def compare_scopes(a: Scope, b: Scope) -> list[DimensionResult]:
    """Every scope dimension of A against B, in the order of the comparison dimensions."""
    return [compare(a, b) for _, compare in SCOPE_DIMENSIONS]
