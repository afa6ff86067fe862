"""Verdicts on real pairs of indicator definitions of the registry (DOMAIN.md, section 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from registry.comparability.engine import Relation
from registry.comparability.scope import Effect
from registry.comparability.verdict import Assessor, CheckKind, Verdict, assess_all
from registry.errors import NotFoundError
from registry.namespaces import CM
from registry.vocabularies import GRADE

ROOT = Path(__file__).resolve().parent.parent
DEF = "https://w3id.org/commensura/id/definition/"


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    graph = Graph()
    for folder in (ROOT / "registry" / "kb" / "content", ROOT / "ontology" / "vocabularies"):
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path)
    return Assessor(graph)


def dimension(verdict: Verdict, name: str) -> tuple[Relation, Effect]:
    found = next(d for d in verdict.dimensions if str(d.dimension).endswith("/" + name))
    return found.relation, found.effect


# Each pair: A, B, expected kind, grade, and the relation and effect of named dimensions.
PAIRS = [
    pytest.param(
        "amsterdam-migration-background-share",
        "vienna-migration-background-share-microcensus",
        CheckKind.TRANSVERSAL,
        GRADE.partiallyComparable,
        {
            "targetGroup": (Relation.SUPERSET, Effect.PARTIAL),
            "sourceType": (Relation.DISJOINT, Effect.CAVEAT),
        },
        id="CBS until 2021 (one parent abroad) vs Statistik Austria (both parents)",
    ),
    pytest.param(
        "vienna-foreign-origin-share",
        "eurostat-foreign-born-share",
        CheckKind.DEFINITIONAL,
        GRADE.partiallyComparable,
        {"targetGroup": (Relation.SUPERSET, Effect.PARTIAL)},
        id="Vienna foreign origin vs Eurostat foreign-born",
    ),
    pytest.param(
        "helsinki-foreign-language-share",
        "eurostat-foreign-born-share",
        CheckKind.DEFINITIONAL,
        GRADE.partiallyComparable,
        {
            "targetGroup": (Relation.OVERLAP, Effect.PARTIAL),
            "referencePeriod": (Relation.EQUAL, Effect.EQUIVALENT),
        },
        id="Helsinki foreign-language speakers vs Eurostat foreign-born",
    ),
    pytest.param(
        "eurostat-employment-rate",
        "oecd-employment-rate",
        CheckKind.DEFINITIONAL,
        GRADE.partiallyComparable,
        {
            "ageBand": (Relation.SUBSET, Effect.PARTIAL),
            "referenceGroup": (Relation.EQUAL, Effect.EQUIVALENT),
            "measureType": (Relation.EQUAL, Effect.NONE),
        },
        id="Eurostat 20-64 vs OECD 15-64 employment rate",
    ),
    pytest.param(
        "amsterdam-migration-background-share",
        "amsterdam-origin-share-2022",
        CheckKind.LONGITUDINAL,
        GRADE.partiallyComparable,
        {"targetGroup": (Relation.SUBSET, Effect.PARTIAL)},
        id="CBS 2021 vs CBS 2022: a break in series",
    ),
    pytest.param(
        "athens-foreign-citizen-share",
        "athens-born-abroad-share",
        CheckKind.TRANSVERSAL,
        GRADE.partiallyComparable,
        {
            "targetGroup": (Relation.OVERLAP, Effect.PARTIAL),
            "sourceType": (Relation.EQUAL, Effect.NONE),
        },
        id="Athens foreign citizens vs born abroad, one census",
    ),
    pytest.param(
        "ghent-non-belgian-share",
        "eurostat-foreign-citizen-share",
        CheckKind.DEFINITIONAL,
        GRADE.comparableWithCaveats,
        {
            "targetGroup": (Relation.EQUAL, Effect.EQUIVALENT),
            "universe": (Relation.OVERLAP, Effect.CAVEAT),
        },
        id="Ghent non-Belgians vs Eurostat foreign citizens: the same group",
    ),
    pytest.param(
        "amsterdam-migration-background-share",
        "amsterdam-migration-background-share-by-district",
        CheckKind.TRANSVERSAL,
        GRADE.comparableWithCaveats,
        {
            "targetGroup": (Relation.EQUAL, Effect.NONE),
            "geographyLevel": (Relation.DISJOINT, Effect.CAVEAT),
        },
        id="One definition for the city and for its districts",
    ),
    pytest.param(
        "eurostat-foreign-born-share",
        "eurostat-foreign-born-share-urban-audit",
        CheckKind.DEFINITIONAL,
        GRADE.comparableWithCaveats,
        {
            "targetGroup": (Relation.EQUAL, Effect.NONE),
            "sourceType": (Relation.EQUAL, Effect.NONE),
            "geographyLevel": (Relation.DISJOINT, Effect.CAVEAT),
        },
        id="Eurostat's foreign-born share for countries and for cities",
    ),
    pytest.param(
        "eurostat-tertiary-attainment",
        "eurostat-tertiary-attainment-25-34",
        CheckKind.DEFINITIONAL,
        GRADE.partiallyComparable,
        {
            "ageBand": (Relation.SUBSET, Effect.PARTIAL),
            "targetGroup": (Relation.EQUAL, Effect.NONE),
        },
        id="Tertiary attainment 30-34 vs 25-34",
    ),
    pytest.param(
        "eurostat-employment-rate",
        "eurostat-unemployment-rate",
        CheckKind.TRANSVERSAL,
        GRADE.notComparable,
        {
            "numerator": (Relation.DISJOINT, Effect.BLOCKING),
            "denominator": (Relation.DISJOINT, Effect.BLOCKING),
            "targetGroup": (Relation.EQUAL, Effect.NONE),
        },
        id="Employment rate vs unemployment rate: different measures",
    ),
    pytest.param(
        "athens-born-abroad-share",
        "eurostat-foreign-born-share-urban-audit",
        CheckKind.TRANSVERSAL,
        GRADE.comparableWithCaveats,
        {
            "targetGroup": (Relation.EQUAL, Effect.EQUIVALENT),
            "referencePeriod": (Relation.DISJOINT, Effect.CAVEAT),
        },
        id="ELSTAT born abroad vs Eurostat foreign-born: one group, two names",
    ),
    pytest.param(
        "ghent-foreign-origin-share",
        "amsterdam-migration-background-share",
        CheckKind.TRANSVERSAL,
        GRADE.partiallyComparable,
        {"targetGroup": (Relation.OVERLAP, Effect.PARTIAL)},
        id="Statbel foreign origin (citizenships) vs CBS (parents' birth countries)",
    ),
    pytest.param(
        "helsinki-foreign-language-share",
        "vienna-foreign-origin-share",
        CheckKind.TRANSVERSAL,
        GRADE.partiallyComparable,
        {
            "targetGroup": (Relation.OVERLAP, Effect.PARTIAL),
            "referenceGroup": (Relation.OVERLAP, Effect.CAVEAT),
        },
        id="Helsinki foreign-language speakers vs Vienna foreign origin",
    ),
    pytest.param(
        "athens-foreign-citizen-share",
        "eurostat-foreign-citizen-share-urban-audit",
        CheckKind.TRANSVERSAL,
        GRADE.comparableWithCaveats,
        {"targetGroup": (Relation.EQUAL, Effect.EQUIVALENT)},
        id="ELSTAT vs Eurostat foreign citizens in cities",
    ),
]


@pytest.mark.parametrize(("a", "b", "kind", "grade", "expected"), PAIRS)
def test_real_pairs(
    assessor: Assessor,
    a: str,
    b: str,
    kind: CheckKind,
    grade: object,
    expected: dict[str, tuple[Relation, Effect]],
) -> None:
    verdict = assessor.assess(DEF + a, DEF + b)
    assert verdict.kind is kind
    assert verdict.grade == grade, verdict.summary()
    for name, (relation, effect) in expected.items():
        assert dimension(verdict, name) == (relation, effect), name
    # The reasons are the dimensions with an effect, the weightiest first.
    effects = [r.effect for r in verdict.reasons]
    assert effects == sorted(effects, reverse=True)
    assert all(e > Effect.NONE for e in effects)
    assert max(effects).grade == verdict.grade
    assert verdict.summary().startswith(verdict.a.label)
    # The mirrored comparison: the same grade, converse relations.
    mirror = assessor.assess(DEF + b, DEF + a)
    assert mirror.grade == verdict.grade
    for name, (relation, _) in expected.items():
        assert dimension(mirror, name)[0] is relation.converse
    for there, back in zip(verdict.dimensions, mirror.dimensions, strict=True):
        assert there.dimension == back.dimension
        assert back.relation is there.relation.converse, there.dimension
        assert back.effect is there.effect, there.dimension


def test_a_break_in_series_is_named(assessor: Assessor) -> None:
    verdict = assessor.assess(
        DEF + "amsterdam-migration-background-share", DEF + "amsterdam-origin-share-2022"
    )
    assert verdict.break_in_series
    assert "break in series" in verdict.summary()
    assert "born abroad" in verdict.reasons[0].reason


def test_a_definition_against_itself_is_identical(assessor: Assessor) -> None:
    verdict = assessor.assess(DEF + "eurostat-employment-rate", DEF + "eurostat-employment-rate")
    assert verdict.grade == GRADE.identical
    assert verdict.reasons == ()
    assert verdict.hint is None


def test_no_hint_when_the_measures_differ(assessor: Assessor) -> None:
    verdict = assessor.assess(DEF + "eurostat-employment-rate", DEF + "eurostat-unemployment-rate")
    assert verdict.hint is None


def test_the_hint_names_what_both_sources_record(assessor: Assessor) -> None:
    parents = assessor.assess(
        DEF + "amsterdam-migration-background-share",
        DEF + "vienna-migration-background-share-microcensus",
    )
    assert parents.hint is not None
    assert "parents' country of birth" in parents.hint
    ages = assessor.assess(DEF + "eurostat-employment-rate", DEF + "oecd-employment-rate")
    assert ages.hint is not None
    assert "ages 20-64" in ages.hint


def test_an_unknown_definition_is_not_found(assessor: Assessor) -> None:
    with pytest.raises(NotFoundError):
        assessor.assess(DEF + "no-such-definition", DEF + "eurostat-employment-rate")


def test_all_pairs_of_the_registry(assessor: Assessor) -> None:
    definitions = sorted(str(d) for d in assessor.graph.subjects(RDF.type, CM.IndicatorDefinition))
    verdicts = assess_all(assessor, definitions)
    n = len(definitions)
    assert len(verdicts) == n * (n - 1) // 2
    grades = {v.grade for v in verdicts}
    assert GRADE.notComparable in grades  # different measures exist in the registry
    assert GRADE.partiallyComparable in grades


def test_eu_vintages(assessor: Assessor) -> None:
    """The employment rate of persons born outside EU28 (tables before 2020) against outside
    EU27 (from 2020): the UK-born change side."""
    from rdflib import URIRef

    graph = Graph()
    for triple in assessor.graph:
        graph.add(triple)
    reference = URIRef(DEF + "eurostat-employment-rate")
    older = URIRef("https://example.org/definition/employment-rate-non-eu28")
    pop = "https://w3id.org/commensura/id/population/"
    for p, o in assessor.graph.predicate_objects(reference):
        if p not in (CM.targetGroup, CM.reproducedBy):
            graph.add((older, p, o))
    graph.add((older, CM.targetGroup, URIRef(pop + "eurostat-non-eu28-born")))
    verdict = Assessor(graph).assess(reference, older)
    assert dimension(verdict, "euVintage") == (Relation.SUBSET, Effect.CAVEAT)
    assert dimension(verdict, "targetGroup") == (Relation.SUPERSET, Effect.PARTIAL)
    assert "United Kingdom" in next(
        r.reason for r in verdict.reasons if str(r.dimension).endswith("euVintage")
    )
    assert verdict.grade == GRADE.partiallyComparable


def test_the_grade_matrix_agrees_with_every_verdict(assessor: Assessor) -> None:
    definitions = sorted(str(d) for d in assessor.graph.subjects(RDF.type, CM.IndicatorDefinition))
    matrix = assessor.grade_matrix(definitions)
    assert matrix.iris == tuple(definitions)
    for i, a in enumerate(definitions):
        for j, b in enumerate(definitions):
            assert matrix.grade(i, j) == assessor.assess(a, b).grade, (a, b)
    counts = matrix.counts()
    n = len(definitions)
    assert sum(counts.values()) == n * (n - 1) // 2


def test_a_new_version_that_changes_nothing_is_no_break(assessor: Assessor) -> None:
    """Two versions, valid to 2021 and from 2022, the same in everything else: a longitudinal
    check whose years do not meet by construction, and no break in series."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    graph = Graph()
    for triple in assessor.graph:
        graph.add(triple)
    source = URIRef(DEF + "vienna-foreign-origin-share")
    old = URIRef("https://example.org/definition/v1")
    new = URIRef("https://example.org/definition/v2")
    for p, o in assessor.graph.predicate_objects(source):
        graph.add((old, p, o))
        graph.add((new, p, o))
    schema = "https://schema.org/"
    graph.add((old, URIRef(schema + "validThrough"), Literal("2021-12-31", datatype=XSD.date)))
    graph.add((new, URIRef(schema + "validFrom"), Literal("2022-01-01", datatype=XSD.date)))
    graph.add((new, URIRef("http://www.w3.org/ns/dcat#previousVersion"), old))
    verdict = Assessor(graph).assess(old, new)
    assert verdict.kind is CheckKind.LONGITUDINAL
    assert not verdict.break_in_series
    assert dimension(verdict, "targetGroup") == (Relation.EQUAL, Effect.NONE)
    # Changing the target group in the new version is a break.
    graph.remove((new, CM.targetGroup, None))
    graph.add(
        (
            new,
            CM.targetGroup,
            URIRef("https://w3id.org/commensura/id/population/eurostat-foreign-born"),
        )
    )
    changed = Assessor(graph).assess(old, new)
    assert changed.break_in_series
    assert "break in series" in changed.summary()
