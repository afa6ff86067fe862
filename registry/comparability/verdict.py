"""The verdict on two indicator definitions: every dimension compared, a grade, the reasons
that cause it by weight, and a harmonisation hint.

``Assessor(graph)`` reads definitions, their target and reference groups, data
sources and the concepts they use from one graph (the registry's, or one made for
a submission), and ``assess(a, b)`` compares two of them:

* the **target group** and the **reference group** by set reasoning over their
  criteria (``registry.comparability.population``); the reference group matters
  only for gaps between the groups, so its difference weighs at most a caveat;
* the **EU vintage** of the groups (EU28 counts the United Kingdom, EU27_2020 does
  not) and the **origin assignment** of origin groups (mother first, father first);
* the **scope** (``registry.comparability.scope``): age band, sex, universe, source
  type, geography level, reference period, measure type, numerator, denominator,
  unit.

Each dimension has an ``Effect``; the worst effect gives the grade (``identical``,
``equivalent``, ``comparable with caveats``, ``partially comparable``, ``not
comparable``), and the reasons are the dimensions with an effect, worst first. The
check is *definitional* when one definition is the reference definition of the
other's indicator, *longitudinal* when one is a previous version of the other (a
grade below equivalent is then a break in series), else *transversal*.

The hint names the nearest common definition both publishers can produce: the
criteria that the data sources of both record (``cm:records``), the narrowest
common age band, and the Eurostat group on the first of those criteria.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from registry.comparability.engine import Relation
from registry.comparability.from_graph import population_from_graph
from registry.comparability.model import OriginAssignment
from registry.comparability.population import (
    PopulationComparator,
    PopulationDefinition,
)
from registry.comparability.scope import (
    SCOPE_DIMENSIONS,
    AgeBand,
    DimensionResult,
    Effect,
    Scope,
    compare_scopes,
    scope_from_graph,
)
from registry.errors import NotFoundError
from registry.namespaces import CM
from registry.vocabularies import CRITERION, DIMENSION, GRADE

GRADE_NAMES = {
    GRADE.identical: "identical",
    GRADE.equivalent: "equivalent",
    GRADE.comparableWithCaveats: "comparable with caveats",
    GRADE.partiallyComparable: "partially comparable",
    GRADE.notComparable: "not comparable",
}

DCAT_PREVIOUS_VERSION = URIRef("http://www.w3.org/ns/dcat#previousVersion")
_VALUES = "https://w3id.org/commensura/vocab/criterion-value/"
_EU28 = frozenset({f"{_VALUES}eu28", f"{_VALUES}nonEu28"})
_EU27 = frozenset({f"{_VALUES}eu27_2020", f"{_VALUES}nonEu27_2020"})

_HINT_GROUPS = (
    (str(CRITERION.ownCountryOfBirth), "persons born abroad (Eurostat's foreign-born)"),
    (str(CRITERION.currentCitizenship), "foreign citizens (Eurostat's non-nationals)"),
    (
        str(CRITERION.parentsCountryOfBirth),
        "a group on the parents' country of birth with one parent rule for both (for example "
        "both parents born abroad)",
    ),
    (str(CRITERION.firstCitizenship), "persons whose first citizenship was foreign"),
)
"""Criteria a common definition can rest on, most preferred first, and the group it gives."""


_SERIES_DIMENSIONS = frozenset(
    {
        DIMENSION.targetGroup,
        DIMENSION.referenceGroup,
        DIMENSION.euVintage,
        DIMENSION.ageBand,
        DIMENSION.sex,
        DIMENSION.universe,
        DIMENSION.sourceType,
        DIMENSION.measureType,
        DIMENSION.numerator,
        DIMENSION.denominator,
        DIMENSION.unit,
    }
)
"""Dimensions whose change between two versions breaks a series."""


class CheckKind(StrEnum):
    """What a comparison checks."""

    TRANSVERSAL = "transversal"
    """Two publishers or places, at the same time."""
    LONGITUDINAL = "longitudinal"
    """One publisher's definition against its previous version: is there a break in series?"""
    DEFINITIONAL = "definitional"
    """A definition against the reference definition of its indicator."""


@dataclass(frozen=True)
class Definition:
    """An indicator definition as the assessor reads it: its scope and its two groups."""

    scope: Scope
    target: PopulationDefinition | None
    reference: PopulationDefinition | None
    vintages: frozenset[str]
    bases: frozenset[str]
    records: frozenset[str]
    previous: frozenset[str]
    reference_definition_of_indicator: str | None


@dataclass(frozen=True)
class Verdict:
    """Two definitions compared: every dimension, the grade, the reasons, the hint."""

    a: Scope
    b: Scope
    kind: CheckKind
    dimensions: tuple[DimensionResult, ...]
    grade: URIRef
    hint: str | None = None
    reasons: tuple[DimensionResult, ...] = field(default=())

    @property
    def grade_name(self) -> str:
        """The grade in words."""
        return GRADE_NAMES[self.grade]

    @property
    def break_in_series(self) -> bool:
        """A longitudinal check whose versions count other persons or measure another thing:
        a change of the groups, the age band, the sex, the universe, the source type or the
        measure (not of the years each version holds, which differ by construction)."""
        return self.kind is CheckKind.LONGITUDINAL and any(
            d.dimension in _SERIES_DIMENSIONS and d.effect > Effect.EQUIVALENT
            for d in self.dimensions
            if d.relation is not Relation.UNKNOWN
        )

    def summary(self) -> str:
        """One sentence for people: the grade and its weightiest reason."""
        head = f"{self.a.label} against {self.b.label}: {self.grade_name}"
        if self.break_in_series:
            head += " (a break in series)"
        if not self.reasons:
            return head + "."
        return f"{head}, because {self.reasons[0].reason.rstrip('.')}."


# -- the groups as dimensions --------------------------------------------------------------

_POPULATION_EFFECT = {
    Relation.EQUAL: Effect.NONE,
    Relation.SUBSET: Effect.PARTIAL,
    Relation.SUPERSET: Effect.PARTIAL,
    Relation.OVERLAP: Effect.PARTIAL,
    Relation.DISJOINT: Effect.BLOCKING,
    Relation.UNKNOWN: Effect.PARTIAL,
}


def _group_result(
    dimension: URIRef,
    a: PopulationDefinition | None,
    b: PopulationDefinition | None,
    comparator: PopulationComparator,
    *,
    cap: Effect = Effect.BLOCKING,
    note: str = "",
) -> DimensionResult:
    name = "target group" if dimension == DIMENSION.targetGroup else "reference group"
    if a is None or b is None:
        if a is None and b is None:
            return DimensionResult(
                dimension, Relation.EQUAL, Effect.NONE, f"neither names a {name}"
            )
        side = "A" if a is None else "B"
        reason = f"{side} names no {name}; check it before comparing"
        return DimensionResult(
            dimension,
            Relation.UNKNOWN,
            min(Effect.CAVEAT, cap),
            reason,
            None if a is None else a.title,
            None if b is None else b.title,
        )
    found = comparator.relation(a, b)
    effect = _POPULATION_EFFECT[found.relation]
    if found.relation is Relation.EQUAL and a.iri != b.iri:
        effect = Effect.EQUIVALENT  # two names, one group
    reason = found.reason + note if effect >= Effect.CAVEAT else found.reason
    return DimensionResult(
        dimension, found.relation, min(effect, cap), reason, a.title or a.iri, b.title or b.iri
    )


def _vintage_of(values: frozenset[str]) -> str | None:
    if values & _EU28:
        return "eu28"
    if values & _EU27:
        return "eu27"
    return None


def _vintage_result(a: Definition, b: Definition) -> DimensionResult:
    names = {"eu28": "EU28", "eu27": "EU27 (from 2020)"}

    va, vb = _vintage_of(a.vintages), _vintage_of(b.vintages)
    shown = (names.get(va or "", "none"), names.get(vb or "", "none"))
    if va == vb or va is None or vb is None:
        if va and va == vb:
            reason = f"the same EU composition: {shown[0]}"
        elif va or vb:
            reason = "only one side uses an EU grouping: nothing to reconcile"
        else:
            reason = "no EU grouping on either side"
        return DimensionResult(DIMENSION.euVintage, Relation.EQUAL, Effect.NONE, reason, *shown)
    reason = (
        "EU28 counts the United Kingdom as an EU country, EU27 (from 2020) does not: persons "
        "born in or citizens of the United Kingdom change side"
    )
    # The groupings as sets of countries: EU28 holds every country of EU27 and the UK.
    relation = Relation.SUPERSET if va == "eu28" else Relation.SUBSET
    return DimensionResult(DIMENSION.euVintage, relation, Effect.CAVEAT, reason, *shown)


_ORIGIN_NAMES: dict[OriginAssignment | None, str] = {
    OriginAssignment.OWN_THEN_MOTHER_THEN_FATHER: "own country, then mother's, then father's",
    OriginAssignment.MOTHER_THEN_FATHER: "the mother's country, then the father's",
    OriginAssignment.FATHER_THEN_MOTHER: "the father's country, then the mother's",
    OriginAssignment.OWN_ONLY: "own country only",
}


def _origin_result(a: Definition, b: Definition) -> DimensionResult:
    ra = a.target.origin_assignment if a.target else None
    rb = b.target.origin_assignment if b.target else None
    shown = (_ORIGIN_NAMES.get(ra, "none"), _ORIGIN_NAMES.get(rb, "none"))
    if ra == rb or ra is None or rb is None:
        if ra and ra == rb:
            reason = "origin groups formed the same way"
        elif ra or rb:
            reason = "only one side forms origin groups: nothing to reconcile"
        else:
            reason = "no origin rule on either side"
        return DimensionResult(
            DIMENSION.originAssignment, Relation.EQUAL, Effect.NONE, reason, *shown
        )
    reason = (
        f"origin groups are formed differently ({shown[0]} against {shown[1]}): breakdowns by "
        "country or region of origin do not match even where the whole groups do"
    )
    return DimensionResult(
        DIMENSION.originAssignment, Relation.DISJOINT, Effect.CAVEAT, reason, *shown
    )


# -- the assessor --------------------------------------------------------------------------


def _values_under(graph: Graph, node: URIRef, predicate: URIRef = CM.value) -> frozenset[str]:
    """Every criterion value (or basis) used by a population definition's conditions."""
    found: set[str] = set()
    pending = list(graph.objects(node, CM.condition))
    seen: set[object] = set()
    while pending:
        condition = pending.pop()
        if condition in seen:
            continue
        seen.add(condition)
        found.update(str(v) for v in graph.objects(condition, predicate) if isinstance(v, URIRef))
        pending.extend(graph.objects(condition, CM.operand))
    return frozenset(found)


class Assessor:
    """Compares indicator definitions read from ``graph``; remembers what it has read.

    Safe to share between threads (a server's request threads): one comparison runs at a
    time, because what it remembers is not made for concurrent writers.
    """

    def __init__(self, graph: Graph, comparator: PopulationComparator | None = None) -> None:
        self.graph = graph
        self.comparator = comparator or PopulationComparator()
        self._lock = threading.RLock()
        self._definitions: dict[str, Definition] = {}
        self._populations: dict[str, PopulationDefinition] = {}

    def population(self, iri: str) -> PopulationDefinition:
        """A population definition of the graph, read once."""
        if iri not in self._populations:
            self._populations[iri] = population_from_graph(self.graph, iri)
        return self._populations[iri]

    def definition(self, iri: str | URIRef) -> Definition:
        """An indicator definition of the graph, read once; ``NotFoundError`` if there is none."""
        with self._lock:
            return self._definition(iri)

    def _definition(self, iri: str | URIRef) -> Definition:
        key = str(iri)
        if key in self._definitions:
            return self._definitions[key]
        subject = URIRef(key)
        if (subject, RDF.type, CM.IndicatorDefinition) not in self.graph:
            msg = f"{key} is not an indicator definition the registry holds"
            raise NotFoundError(msg, details={"definition": key})
        scope = scope_from_graph(self.graph, subject)
        target = None if scope.target_group is None else self.population(scope.target_group)
        reference = (
            None if scope.reference_group is None else self.population(scope.reference_group)
        )
        vintages = frozenset().union(
            *(
                _values_under(self.graph, URIRef(g))
                for g in (scope.target_group, scope.reference_group)
                if g is not None
            )
        )
        bases = (
            frozenset()
            if scope.target_group is None
            else _values_under(self.graph, URIRef(scope.target_group), CM.basis)
        )
        records = frozenset(
            str(basis)
            for source in self.graph.objects(subject, CM.dataSource)
            for basis in self.graph.objects(source, CM.records)
        )
        previous = frozenset(
            str(o)
            for predicate in (DCAT_PREVIOUS_VERSION, PROV.wasRevisionOf)
            for o in self.graph.transitive_objects(subject, predicate)
            if o != subject
        )
        indicator = scope.indicator.iri if scope.indicator else None
        reference_definition = None
        if indicator is not None:
            chosen = self.graph.value(URIRef(indicator), CM.referenceDefinition)
            reference_definition = None if chosen is None else str(chosen)
        found = Definition(
            scope, target, reference, vintages, bases, records, previous, reference_definition
        )
        self._definitions[key] = found
        return found

    def kind(self, a: Definition, b: Definition) -> CheckKind:
        """Definitional, longitudinal or transversal (see the module's description)."""
        if a.scope.iri in b.previous or b.scope.iri in a.previous:
            return CheckKind.LONGITUDINAL
        if a.scope.iri != b.scope.iri and (
            a.scope.iri == b.reference_definition_of_indicator
            or b.scope.iri == a.reference_definition_of_indicator
        ):
            return CheckKind.DEFINITIONAL
        return CheckKind.TRANSVERSAL

    def assess(self, a_iri: str | URIRef, b_iri: str | URIRef) -> Verdict:
        """Compare definition A with definition B."""
        with self._lock:
            return self._assess(a_iri, b_iri)

    def _assess(self, a_iri: str | URIRef, b_iri: str | URIRef) -> Verdict:
        a, b = self.definition(a_iri), self.definition(b_iri)
        dimensions = [
            _group_result(DIMENSION.targetGroup, a.target, b.target, self.comparator),
            _group_result(
                DIMENSION.referenceGroup,
                a.reference,
                b.reference,
                self.comparator,
                cap=Effect.CAVEAT,
                note=" This matters for gaps between the target and the reference group.",
            ),
            _vintage_result(a, b),
            _origin_result(a, b),
            *compare_scopes(a.scope, b.scope),
        ]
        worst = max((d.effect for d in dimensions), default=Effect.NONE)
        order = {d.dimension: i for i, d in enumerate(dimensions)}
        reasons = tuple(
            sorted(
                (d for d in dimensions if d.effect > Effect.NONE),
                key=lambda d: (-d.effect, order[d.dimension]),
            )
        )
        return Verdict(
            a.scope,
            b.scope,
            self.kind(a, b),
            tuple(dimensions),
            worst.grade,
            _hint(a, b, worst, dimensions),
            reasons,
        )

    def grade_matrix(self, iris: Iterable[str | URIRef]) -> GradeMatrix:
        """The grade of every pair of the definitions, without words: the same grades as
        ``assess`` gives, computed once per pair of distinct values of each dimension."""
        with self._lock:
            return self._grade_matrix(iris)

    def _grade_matrix(self, iris: Iterable[str | URIRef]) -> GradeMatrix:
        definitions = [self.definition(i) for i in iris]
        n = len(definitions)
        worst = np.zeros((n, n), dtype=np.int8)
        for cap, pick in ((Effect.BLOCKING, _target), (Effect.CAVEAT, _reference)):
            worst = np.maximum(worst, self._group_effects([pick(d) for d in definitions], cap))
        for key, compare in _KEYED_DIMENSIONS:
            keys = [key(d) for d in definitions]
            distinct = list(dict.fromkeys(keys))
            first = {k: definitions[keys.index(k)] for k in distinct}
            table = np.array(
                [[compare(first[x], first[y]).effect for y in distinct] for x in distinct],
                dtype=np.int8,
            )
            codes = np.array([distinct.index(k) for k in keys], dtype=np.intp)
            worst = np.maximum(worst, table[np.ix_(codes, codes)])
        return GradeMatrix(tuple(d.scope.iri for d in definitions), worst)

    def _group_effects(
        self, groups: list[PopulationDefinition | None], cap: Effect
    ) -> np.ndarray[Any, np.dtype[np.int8]]:
        distinct = list(dict.fromkeys(g for g in groups if g is not None))
        relations = self.comparator.relations(distinct) if distinct else []
        index = {g: i for i, g in enumerate(distinct)}
        size = len(distinct) + 1  # the last code: no group named
        table = np.zeros((size, size), dtype=np.int8)
        table[-1, :-1] = table[:-1, -1] = min(Effect.CAVEAT, cap)
        for i, a in enumerate(distinct):
            for j, b in enumerate(distinct):
                effect = _POPULATION_EFFECT[relations[i][j]]
                if relations[i][j] is Relation.EQUAL and a.iri != b.iri:
                    effect = Effect.EQUIVALENT
                table[i, j] = min(effect, cap)
        codes = np.array([size - 1 if g is None else index[g] for g in groups], dtype=np.intp)
        result: np.ndarray[Any, np.dtype[np.int8]] = table[np.ix_(codes, codes)]
        return result


def _target(definition: Definition) -> PopulationDefinition | None:
    return definition.target


def _reference(definition: Definition) -> PopulationDefinition | None:
    return definition.reference


def _on_scopes(
    key: Callable[[Scope], Hashable], compare: Callable[[Scope, Scope], DimensionResult]
) -> tuple[Callable[[Definition], Hashable], Callable[[Definition, Definition], DimensionResult]]:
    return (lambda d: key(d.scope), lambda a, b: compare(a.scope, b.scope))


_KEYED_DIMENSIONS: tuple[
    tuple[Callable[[Definition], Hashable], Callable[[Definition, Definition], DimensionResult]],
    ...,
] = (
    (lambda d: _vintage_of(d.vintages), _vintage_result),
    (lambda d: d.target.origin_assignment if d.target else None, _origin_result),
    *(_on_scopes(key, compare) for key, compare in SCOPE_DIMENSIONS),
)
"""Every dimension but the two groups: what its result depends on, and how it is compared."""


@dataclass(frozen=True)
class GradeMatrix:
    """The grades of every pair of a list of definitions: ``effects[i, j]`` is the worst
    ``Effect`` of definition i against definition j."""

    iris: tuple[str, ...]
    effects: np.ndarray[Any, np.dtype[np.int8]]

    def grade(self, i: int, j: int) -> URIRef:
        """The grade of definition i against definition j."""
        return Effect(int(self.effects[i, j])).grade

    def counts(self) -> dict[URIRef, int]:
        """How many pairs (each unordered pair once) have each grade."""
        upper = self.effects[np.triu_indices(len(self.iris), k=1)]
        return {effect.grade: int((upper == effect).sum()) for effect in Effect}


def _common_band(a: AgeBand | None, b: AgeBand | None) -> str | None:
    if a is None or b is None:
        return None
    (a_low, a_high), (b_low, b_high) = a.bounds, b.bounds
    low, high = max(a_low, b_low), min(a_high, b_high)
    if low > high:
        return None
    return f"ages {low}-{int(high)}" if high != float("inf") else f"ages {low} and over"


_MEASURE_DIMENSIONS = frozenset(
    {DIMENSION.measureType, DIMENSION.numerator, DIMENSION.denominator, DIMENSION.unit}
)


def _hint(
    a: Definition, b: Definition, worst: Effect, dimensions: Iterable[DimensionResult] = ()
) -> str | None:
    """The nearest common definition both publishers can produce, when the two count partly
    different persons (target group, age band or sex); none when they measure different
    things or count disjoint groups, and none when only the territory, source or period
    differ (no other definition would remove those)."""
    if worst is Effect.BLOCKING:
        return None
    partial = {d.dimension for d in dimensions if d.effect is Effect.PARTIAL}
    if not partial & {DIMENSION.targetGroup, DIMENSION.ageBand, DIMENSION.sex}:
        return None
    common = a.records & b.records
    parts = []
    if DIMENSION.targetGroup in partial:
        # A criterion both groups rest on first, then one either rests on, then any in order.
        ranked = sorted(
            _HINT_GROUPS,
            key=lambda g: (g[0] not in a.bases & b.bases, g[0] not in a.bases | b.bases),
        )
        basis = next((text for iri, text in ranked if iri in common), None)
        if basis is None:
            if not a.records or not b.records:
                return None
            return (
                "the data sources of the two record no characteristic in common, so no common "
                "definition of the group can be produced"
            )
        parts.append(basis)
    else:
        parts.append("the same group")
    band = _common_band(a.scope.age_band, b.scope.age_band)
    if DIMENSION.ageBand in partial and band:
        parts.append(band)
    if DIMENSION.sex in partial:
        parts.append("the same sex on both sides")
    recorded = ", ".join(sorted(_basis_name(c) for c in common)) or "what they record"
    return (
        f"both sources record {recorded}: the nearest common definition is "
        + ", ".join(parts)
        + ", which both can produce"
    )


_BASIS_NAMES = {
    "parentsCountryOfBirth": "the parents' country of birth",
    "parentsFirstCitizenship": "the parents' first citizenship",
}


def _basis_name(iri: str) -> str:
    name = iri.rsplit("/", 1)[-1]
    if name in _BASIS_NAMES:
        return _BASIS_NAMES[name]
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


def assess_all(assessor: Assessor, iris: Iterable[str | URIRef]) -> list[Verdict]:
    """Every pair of the definitions, each once (A before B in the order given)."""
    chosen = [str(i) for i in iris]
    return [
        assessor.assess(chosen[i], chosen[j])
        for i in range(len(chosen))
        for j in range(i + 1, len(chosen))
    ]


def _concept_label(graph: Graph, iri: URIRef) -> str:
    from rdflib.namespace import SKOS

    labels = sorted(
        str(o) for o in graph.objects(iri, SKOS.prefLabel) if getattr(o, "language", None) == "en"
    )
    return labels[0] if labels else str(iri).rsplit("/", 1)[-1]


def _dimension_dict(graph: Graph, result: DimensionResult) -> dict[str, object]:
    return {
        "dimension": {
            "iri": str(result.dimension),
            "label": _concept_label(graph, result.dimension),
        },
        "relation": result.relation.value,
        "effect": result.effect.name.lower(),
        "grade": {"iri": str(result.effect.grade), "label": GRADE_NAMES[result.effect.grade]},
        "reason": result.reason,
        "a": result.a,
        "b": result.b,
    }


def _scope_dict(scope: Scope) -> dict[str, object]:
    return {
        "iri": scope.iri,
        "label": scope.label,
        "publisher": None if scope.publisher is None else scope.publisher.label,
        "indicator": None if scope.indicator is None else scope.indicator.iri,
    }


def verdict_dict(graph: Graph, verdict: Verdict) -> dict[str, object]:
    """A verdict as JSON-ready data: both definitions, the grade, reasons, every dimension."""
    return {
        "a": _scope_dict(verdict.a),
        "b": _scope_dict(verdict.b),
        "kind": verdict.kind.value,
        "grade": {"iri": str(verdict.grade), "label": verdict.grade_name},
        "break_in_series": verdict.break_in_series,
        "summary": verdict.summary(),
        "reasons": [_dimension_dict(graph, r) for r in verdict.reasons],
        "hint": verdict.hint,
        "dimensions": [_dimension_dict(graph, d) for d in verdict.dimensions],
    }
