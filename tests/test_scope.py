"""Scope comparison of indicator definitions: real definitions of the registry, and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from registry.comparability.engine import Relation
from registry.comparability.scope import (
    AgeBand,
    DimensionResult,
    Effect,
    Scope,
    Term,
    compare_age_bands,
    compare_scopes,
    compare_sexes,
    compare_source_types,
    compare_units,
    compare_universes,
    scope_from_graph,
)
from registry.vocabularies import DIMENSION, GRADE, SOURCE_TYPE, UNIVERSE

ROOT = Path(__file__).resolve().parent.parent
DEF = "https://w3id.org/commensura/id/definition/"
SEX = "http://purl.org/linked-data/sdmx/2009/code#sex-"


@pytest.fixture(scope="module")
def registry_graph() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "registry" / "kb" / "content").glob("*.ttl")):
        graph.parse(path)
    for path in sorted((ROOT / "ontology" / "vocabularies").glob("*.ttl")):
        graph.parse(path)
    return graph


def by_dimension(results: list[DimensionResult]) -> dict[str, DimensionResult]:
    return {str(r.dimension).rsplit("/", 1)[-1]: r for r in results}


def test_reading_a_definition(registry_graph: Graph) -> None:
    scope = scope_from_graph(registry_graph, DEF + "eurostat-employment-rate")
    assert scope.age_band is not None
    assert (scope.age_band.low, scope.age_band.high) == (20, 64)
    assert scope.sex is not None and scope.sex.label == "both sexes"
    assert scope.universe is not None and scope.universe.iri == str(
        UNIVERSE.privateHouseholdPopulation
    )
    assert str(UNIVERSE.residentPopulation) in scope.universe.broader
    assert {t.iri for t in scope.source_types} == {str(SOURCE_TYPE.labourForceSurvey)}
    assert str(SOURCE_TYPE.sampleSurvey) in next(iter(scope.source_types)).broader
    assert scope.target_group is not None and scope.target_group.endswith("non-eu27-2020-born")


def test_eurostat_20_64_against_oecd_15_64_differs_in_the_age_band_only(
    registry_graph: Graph,
) -> None:
    eurostat = scope_from_graph(registry_graph, DEF + "eurostat-employment-rate")
    oecd = scope_from_graph(registry_graph, DEF + "oecd-employment-rate")
    results = by_dimension(compare_scopes(eurostat, oecd))
    age = results["ageBand"]
    assert (age.relation, age.effect) == (Relation.SUBSET, Effect.PARTIAL)
    assert "15-19" in age.reason
    others = [r for name, r in results.items() if name != "ageBand"]
    assert all(r.relation is Relation.EQUAL and r.effect is Effect.NONE for r in others), [
        (r.dimension, r.reason) for r in others if r.effect is not Effect.NONE
    ]
    mirrored = by_dimension(compare_scopes(oecd, eurostat))["ageBand"]
    assert mirrored.relation is Relation.SUPERSET


def test_a_register_count_against_a_sample_survey_is_a_caveat(registry_graph: Graph) -> None:
    register = scope_from_graph(registry_graph, DEF + "vienna-foreign-origin-share")
    survey = scope_from_graph(registry_graph, DEF + "vienna-migration-background-share-microcensus")
    source = by_dimension(compare_scopes(register, survey))["sourceType"]
    assert source.effect is Effect.CAVEAT
    assert "sample survey" in source.reason
    assert "sampling error" in source.reason


def test_31_december_against_1_january_is_equivalent(registry_graph: Graph) -> None:
    helsinki = scope_from_graph(registry_graph, DEF + "helsinki-foreign-language-share")
    eurostat = scope_from_graph(registry_graph, DEF + "eurostat-foreign-born-share")
    period = by_dimension(compare_scopes(helsinki, eurostat))["referencePeriod"]
    assert helsinki.reference_time is not None and eurostat.reference_time is not None
    assert {helsinki.reference_time.label, eurostat.reference_time.label} == {
        "31 December",
        "1 January",
    }
    assert (period.relation, period.effect) == (Relation.EQUAL, Effect.EQUIVALENT)


def test_every_definition_against_itself_is_the_same_in_every_dimension(
    registry_graph: Graph,
) -> None:
    from rdflib.namespace import RDF

    from registry.namespaces import CM

    definitions = sorted(str(d) for d in registry_graph.subjects(RDF.type, CM.IndicatorDefinition))
    assert len(definitions) >= 40
    for iri in definitions:
        scope = scope_from_graph(registry_graph, iri)
        for result in compare_scopes(scope, scope):
            assert result.effect is Effect.NONE, (iri, result)
            assert result.relation is Relation.EQUAL, (iri, result)


# -- edge cases, written in code ------------------------------------------------------------


def band(low: int | None, high: int | None) -> AgeBand:
    return AgeBand(f"urn:age:{low}-{high}", f"{low}-{high}", frozenset(), low, high)


@pytest.mark.parametrize(
    ("a", "b", "relation", "effect"),
    [
        ((20, 64), (20, 64), Relation.EQUAL, Effect.NONE),
        ((20, 64), (15, 64), Relation.SUBSET, Effect.PARTIAL),
        ((15, 74), (20, 64), Relation.SUPERSET, Effect.PARTIAL),
        ((15, 29), (25, 34), Relation.OVERLAP, Effect.PARTIAL),
        ((15, 24), (25, 64), Relation.DISJOINT, Effect.BLOCKING),
        ((65, None), (20, 64), Relation.DISJOINT, Effect.BLOCKING),
        ((0, None), (18, 64), Relation.SUPERSET, Effect.PARTIAL),
        ((18, None), (18, None), Relation.EQUAL, Effect.NONE),
    ],
)
def test_age_bands_as_sets_of_ages(
    a: tuple[int, int | None], b: tuple[int, int | None], relation: Relation, effect: Effect
) -> None:
    result = compare_age_bands(band(*a), band(*b))
    assert (result.relation, result.effect) == (relation, effect)
    assert compare_age_bands(band(*b), band(*a)).relation is relation.converse


def test_a_missing_value_is_unknown_with_a_caveat_and_two_missing_are_equal() -> None:
    one = compare_age_bands(band(20, 64), None)
    assert (one.relation, one.effect) == (Relation.UNKNOWN, Effect.CAVEAT)
    assert "B does not state" in one.reason
    none = compare_age_bands(None, None)
    assert (none.relation, none.effect) == (Relation.EQUAL, Effect.NONE)


def sex(code: str) -> Term:
    return Term(SEX + code, code)


def test_sexes() -> None:
    assert compare_sexes(sex("T"), sex("F")).relation is Relation.SUPERSET
    assert compare_sexes(sex("M"), sex("T")).relation is Relation.SUBSET
    apart = compare_sexes(sex("M"), sex("F"))
    assert (apart.relation, apart.effect) == (Relation.DISJOINT, Effect.BLOCKING)


def test_universes_use_the_concept_hierarchy() -> None:
    resident = Term(str(UNIVERSE.residentPopulation), "resident")
    private = Term(str(UNIVERSE.privateHouseholdPopulation), "private", frozenset({resident.iri}))
    registered = Term(str(UNIVERSE.registeredPopulation), "registered")
    assert compare_universes(private, resident).relation is Relation.SUBSET
    assert compare_universes(resident, private).relation is Relation.SUPERSET
    assert compare_universes(registered, resident).relation is Relation.OVERLAP
    assert compare_universes(registered, private).effect is Effect.CAVEAT


def test_source_types() -> None:
    survey = str(SOURCE_TYPE.sampleSurvey)
    lfs = Term(str(SOURCE_TYPE.labourForceSurvey), "LFS", frozenset({survey}))
    city = Term(str(SOURCE_TYPE.citySurvey), "city survey", frozenset({survey}))
    register = Term(str(SOURCE_TYPE.populationRegister), "register")
    mixed = compare_source_types(frozenset({lfs}), frozenset({register}))
    assert (mixed.relation, mixed.effect) == (Relation.DISJOINT, Effect.CAVEAT)
    surveys = compare_source_types(frozenset({lfs}), frozenset({city}))
    assert surveys.relation is Relation.OVERLAP
    assert "different surveys" in surveys.reason
    assert compare_source_types(frozenset({lfs}), frozenset({lfs})).effect is Effect.NONE


def test_units() -> None:
    def unit(name: str) -> Term:
        return Term(f"https://w3id.org/commensura/vocab/unit/{name}", name)

    assert compare_units(unit("percent"), unit("perHundred")).effect is Effect.EQUIVALENT
    assert compare_units(unit("percent"), unit("perThousand")).effect is Effect.CAVEAT
    assert compare_units(unit("percent"), unit("euro")).effect is Effect.BLOCKING


def test_definitions_valid_in_different_years_share_no_year() -> None:
    old = Scope("urn:a", "a", valid_from=2010, valid_to=2021)
    new = Scope("urn:b", "b", valid_from=2022)
    period = by_dimension(compare_scopes(old, new))["referencePeriod"]
    assert period.relation is Relation.DISJOINT
    assert period.dimension == DIMENSION.referencePeriod


def test_effects_map_to_grades_in_order() -> None:
    grades = [effect.grade for effect in sorted(Effect)]
    assert grades == [
        GRADE.identical,
        GRADE.equivalent,
        GRADE.comparableWithCaveats,
        GRADE.partiallyComparable,
        GRADE.notComparable,
    ]
