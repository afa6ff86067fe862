"""The curated knowledge base: what `commensura build` ships, checked as content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef

from registry import graphs
from registry.config import Settings
from registry.kb import CONTENT_DIR, build
from registry.namespaces import CM
from registry.resources import shape_files
from registry.store import Store, open_store
from registry.vocabularies import THEME

PREFIXES = """
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
ZARAGOZA = URIRef("https://w3id.org/commensura/id/indicator-set/zaragoza-core")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    settings = Settings(store=tmp_path_factory.mktemp("kb") / "store")
    with open_store(settings) as store:
        build(store)
        yield store


def test_content_files_are_turtle_in_the_package() -> None:
    files = sorted(CONTENT_DIR.rglob("*"))
    assert files
    assert {p.suffix for p in files if p.is_file()} == {".ttl"}
    assert Path(CONTENT_DIR).is_relative_to(Path(__file__).resolve().parent.parent / "registry")


def test_at_least_25_indicators_each_in_one_theme(kb: Store) -> None:
    rows = kb.select(
        PREFIXES
        + """
        SELECT ?indicator (COUNT(DISTINCT ?theme) AS ?themes) (SAMPLE(?theme) AS ?one) WHERE {
          ?indicator a cm:Indicator .
          OPTIONAL { ?indicator cm:theme ?theme }
        } GROUP BY ?indicator
        """,
        default_graphs=[graphs.REGISTRY],
    )
    assert len(rows) >= 25
    themes = {
        str(t)
        for t in (
            THEME.employment,
            THEME.education,
            THEME.socialInclusion,
            THEME.activeCitizenship,
            THEME.health,
            THEME.housing,
            THEME.populationComposition,
        )
    }
    for indicator, count, theme in rows:
        assert int(count) == 1, indicator  # type: ignore[arg-type]
        assert str(theme) in themes, (indicator, theme)


def test_zaragoza_core_covers_its_four_areas(kb: Store) -> None:
    rows = kb.select(
        PREFIXES + "SELECT DISTINCT ?theme WHERE { ?i skos:inScheme ?set ; cm:theme ?theme }",
        bindings={"set": ZARAGOZA},
    )
    found = set(rows.column("theme"))
    assert {
        THEME.employment,
        THEME.education,
        THEME.socialInclusion,
        THEME.activeCitizenship,
    } <= found


@pytest.mark.parametrize(
    ("label", "lang", "expected"),
    [
        ("werkzaamheidsgraad", "nl-BE", "employment-rate"),
        ("työllisyysaste", "fi", "employment-rate"),
        ("Erwerbstätigenquote", "de", "employment-rate"),
        ("sysselsättningsgrad", "sv", "employment-rate"),
        ("ποσοστό ανεργίας", "el", "unemployment-rate"),
        ("Armutsgefährdungsquote", "de", "at-risk-of-poverty-rate"),
    ],
)
def test_local_language_labels_find_the_indicator(
    kb: Store, label: str, lang: str, expected: str
) -> None:
    rows = kb.select(
        PREFIXES
        + "SELECT ?indicator ?label WHERE { ?indicator a cm:Indicator ; skos:prefLabel ?label }",
        bindings={"label": Literal(label, lang=lang)},
    )
    assert [str(i).rsplit("/", 1)[1] for i in rows.column("indicator")] == [expected]


def test_curated_content_meets_the_label_and_definition_shapes(kb: Store) -> None:
    data = kb.construct("CONSTRUCT WHERE { ?s ?p ?o }")
    shapes = Graph().parse(next(p for p in shape_files() if p.name == "ontology.ttl"))
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_curated_content_uses_only_declared_ontology_terms(kb: Store) -> None:
    ours = {"ns": Literal(str(CM._NS))}
    used = kb.select(
        "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } "
        "FILTER(STRSTARTS(STR(?term), ?ns)) }",
        bindings=ours,
        default_graphs=[graphs.REGISTRY],
    )
    declared = kb.select(
        "SELECT DISTINCT ?t WHERE { ?t ?p ?o FILTER(STRSTARTS(STR(?t), ?ns)) }",
        bindings=ours,
        default_graphs=[graphs.ONTOLOGY],
    )
    assert len(used) > 0
    assert set(used.column("term")) <= set(declared.column("t"))


POP = "https://w3id.org/commensura/id/population/"
ORG = "https://w3id.org/commensura/id/org/"
SECTION_5_PUBLISHERS = [
    "eurostat",
    "oecd",
    "cbs",
    "statistics-finland",
    "helsinki-urban-research",
    "statistik-austria",
    "vienna-ma23",
    "statbel",
    "statistiek-vlaanderen",
    "elstat",
]


def criteria_of(kb: Store, population: str) -> list[dict[str, str]]:
    """The atomic criteria of a population definition, wherever they sit in its conditions."""
    rows = kb.select(
        PREFIXES
        + """
        SELECT ?basis ?value ?rule WHERE {
          ?population cm:condition/cm:operand* ?criterion .
          ?criterion a cm:Criterion ; cm:basis ?basis ; cm:value ?value .
          OPTIONAL { ?criterion cm:parentRule ?rule }
        }
        """,
        bindings={"population": URIRef(POP + population)},
    )
    return [{k: str(v).rsplit("/", 1)[1] for k, v in row.items()} for row in rows.dicts()]


@pytest.mark.parametrize("publisher", SECTION_5_PUBLISHERS)
def test_every_section_5_publisher_has_its_definitions(kb: Store, publisher: str) -> None:
    rows = kb.select(
        PREFIXES + "SELECT ?population WHERE { ?population a cm:PopulationDefinition ; "
        "<http://purl.org/dc/terms/publisher> ?publisher }",
        bindings={"publisher": URIRef(ORG + publisher)},
    )
    assert len(rows) >= 1


def test_every_population_definition_is_a_well_formed_criteria_set(kb: Store) -> None:
    problems = kb.select(
        PREFIXES
        + """
        SELECT ?population ?problem WHERE {
          ?population a cm:PopulationDefinition .
          {
            FILTER NOT EXISTS { ?population <http://purl.org/dc/terms/publisher> ?p }
            BIND("no publisher" AS ?problem)
          } UNION {
            FILTER NOT EXISTS { ?population cm:condition ?c }
            BIND("no condition" AS ?problem)
          } UNION {
            ?population cm:condition/cm:operand* ?criterion .
            ?criterion a cm:Criterion .
            FILTER NOT EXISTS { ?criterion cm:basis ?b ; cm:value ?v }
            BIND("criterion without basis or value" AS ?problem)
          } UNION {
            ?population cm:condition/cm:operand* ?criterion .
            ?criterion cm:parentRule ?rule ; cm:basis ?basis .
            FILTER(?basis NOT IN (<https://w3id.org/commensura/vocab/criterion/parentsCountryOfBirth>,
                                  <https://w3id.org/commensura/vocab/criterion/parentsFirstCitizenship>))
            BIND("parent rule on a criterion about the person" AS ?problem)
          }
        }
        """
    )
    assert not problems.rows, problems.dicts()


def test_cbs_2022_definition_is_a_revision_of_2021(kb: Store) -> None:
    assert kb.ask(
        "ASK { ?new <http://www.w3.org/ns/prov#wasRevisionOf> ?old ; "
        "<http://www.w3.org/ns/dcat#previousVersion> ?old }",
        bindings={
            "new": URIRef(POP + "cbs-origin-2022"),
            "old": URIRef(POP + "cbs-migration-background-2021"),
        },
    )
    old = criteria_of(kb, "cbs-migration-background-2021")
    new = criteria_of(kb, "cbs-origin-2022")
    assert old == [{"basis": "parentsCountryOfBirth", "value": "foreign", "rule": "atLeastOne"}]
    assert {"basis": "ownCountryOfBirth", "value": "foreign"} in new


def test_statistik_austria_requires_both_parents_born_abroad(kb: Store) -> None:
    assert criteria_of(kb, "statistik-austria-migration-background") == [
        {"basis": "parentsCountryOfBirth", "value": "foreign", "rule": "both"}
    ]


def test_helsinki_foreign_language_speakers_are_defined_by_mother_tongue(kb: Store) -> None:
    assert criteria_of(kb, "helsinki-foreign-language-speakers") == [
        {"basis": "motherTongue", "value": "foreignLanguage"}
    ]


def test_same_label_different_rule_and_different_label_same_rule(kb: Store) -> None:
    statfin = criteria_of(kb, "statfin-foreign-background")
    helsinki_2013 = criteria_of(kb, "helsinki-foreign-background-2013")
    assert statfin != helsinki_2013
    vienna = criteria_of(kb, "vienna-foreign-origin")
    assert sorted(map(str, helsinki_2013)) == sorted(map(str, vienna))


def test_every_population_is_measured_from_a_described_source(kb: Store) -> None:
    missing = kb.select(
        PREFIXES
        + """
        SELECT ?population WHERE {
          ?population a cm:PopulationDefinition .
          FILTER NOT EXISTS { ?population cm:dataSource/cm:sourceType ?type }
          FILTER NOT EXISTS { ?population <http://www.w3.org/ns/dcat#hasVersion> ?v }
        }
        """
    )
    assert not missing.rows, missing.dicts()
