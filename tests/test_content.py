"""The curated knowledge base: what `commensura build` ships, checked as content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef

from registry import graphs
from registry.kb import CONTENT_DIR, build
from registry.namespaces import CM
from registry.resources import shape_files
from registry.store import Store, open_store
from registry.vocabularies import THEME
from tests.conftest import StoreSettings

PREFIXES = """
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
ZARAGOZA = URIRef("https://w3id.org/commensura/id/indicator-set/zaragoza-core")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("kb") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
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


# -- reference definitions -------------------------------------------------------

DEF = "https://w3id.org/commensura/id/definition/"
SELECTION = """
SELECT ?dataset ?dimension ?code WHERE {
  ?definition cm:reproducedBy ?selection .
  ?selection cm:datasetCode ?dataset ;
             cm:filter [ cm:dimensionCode ?dimension ; cm:codeValue ?code ] .
}
"""


def test_every_indicator_has_one_reference_definition_of_itself(kb: Store) -> None:
    rows = kb.select(
        PREFIXES
        + """SELECT ?indicator (COUNT(DISTINCT ?definition) AS ?n) WHERE {
            ?indicator a cm:Indicator .
            OPTIONAL { ?indicator cm:referenceDefinition ?definition .
                       ?definition a cm:IndicatorDefinition ; cm:indicator ?indicator }
        } GROUP BY ?indicator"""
    )
    counts = {str(r["indicator"]): int(r["n"]) for r in rows.dicts()}
    assert len(counts) >= 25
    assert {k: n for k, n in counts.items() if n != 1} == {}


def test_eurostat_employment_rate_is_reproduced_by_lfsa_ergacob_non_eu_born_20_64(
    kb: Store,
) -> None:
    rows = kb.select(
        PREFIXES + SELECTION, bindings={"definition": URIRef(DEF + "eurostat-employment-rate")}
    )
    assert {(str(r["dataset"]), str(r["dimension"]), str(r["code"])) for r in rows.dicts()} == {
        ("lfsa_ergacob", "c_birth", "NEU27_2020_FOR"),
        ("lfsa_ergacob", "sex", "T"),
        ("lfsa_ergacob", "age", "Y20-64"),
        ("lfsa_ergacob", "unit", "PC"),
    }


def test_oecd_employment_rate_differs_by_its_age_band(kb: Store) -> None:
    rows = kb.select(
        PREFIXES
        + """SELECT ?publisher ?min ?max WHERE {
            ?definition cm:indicator <https://w3id.org/commensura/id/indicator/employment-rate> ;
                <http://purl.org/dc/terms/publisher> ?publisher ;
                cm:ageBand [ cm:minAge ?min ; cm:maxAge ?max ] }""",
    )
    bands = {
        (str(r["publisher"]).rsplit("/", 1)[1], int(r["min"]), int(r["max"])) for r in rows.dicts()
    }
    assert ("eurostat", 20, 64) in bands
    assert ("oecd", 15, 64) in bands


def test_every_series_selection_names_a_dataset_and_its_filters(kb: Store) -> None:
    incomplete = kb.select(
        PREFIXES
        + """SELECT ?definition WHERE {
            ?definition cm:reproducedBy ?selection .
            FILTER NOT EXISTS { ?selection cm:datasetCode ?d }
            FILTER NOT EXISTS { ?selection cm:filter ?f }
        }"""
    )
    assert list(incomplete) == []


# -- the working-group cities ------------------------------------------------------

WG_CITIES = [
    # (2017 code, 2020-scheme code, LAU, NUTS-2, Wikidata, English name, local name)
    ("AT001C1", "AT001C", "90001", "AT13", "Q1741", "Vienna", ("Wien", "de")),
    ("NL002C1", None, "GM0363", "NL32", "Q727", "Amsterdam", ("Amsterdam", "nl")),
    ("FI001C2", "FI001C", "091", "FI1B", "Q1757", "Helsinki", ("Helsinki", "fi")),
    ("BE003C1", "BE003C", "44021", "BE23", "Q1296", "Ghent", ("Gent", "nl")),
    ("EL001C1", "EL001C", "45010000", "EL30", "Q1524", "Athens", ("Αθήνα", "el")),
]


def city_facts(kb: Store, code: str) -> dict[str, set[str]]:
    rows = kb.select(
        PREFIXES
        + """PREFIX schema: <https://schema.org/>
        PREFIX geo: <https://w3id.org/commensura/vocab/geography-level/>
        SELECT DISTINCT ?key ?value WHERE {
          ?city skos:notation ?code2017 .
          { ?city skos:notation ?value . BIND("notation" AS ?key) }
          UNION { ?city cm:administrativeUnit/skos:notation ?value . BIND("lau" AS ?key) }
          UNION { ?city schema:containedInPlace/skos:notation ?value . BIND("in" AS ?key) }
          UNION { ?city <http://www.w3.org/2002/07/owl#sameAs> ?value . BIND("same" AS ?key) }
          UNION { ?city skos:prefLabel ?label . BIND("name" AS ?key)
                  BIND(CONCAT(STR(?label), "@", LANG(?label)) AS ?value) }
          UNION { ?office cm:statisticalAuthorityFor ?city .
                  BIND(?office AS ?value) BIND("office" AS ?key) }
          UNION { ?office cm:statisticalAuthorityFor ?country .
                  ?city schema:containedInPlace ?country . ?country cm:geographyLevel geo:country .
                  BIND(?office AS ?value) BIND("national" AS ?key) }
          UNION { ?definition a cm:IndicatorDefinition ; <http://purl.org/dc/terms/spatial> ?city ;
                    cm:targetGroup ?group . BIND(?definition AS ?value) BIND("definition" AS ?key) }
          UNION { ?practice a cm:Practice ; <http://purl.org/dc/terms/spatial> ?city .
                  BIND(?practice AS ?value) BIND("practice" AS ?key) }
        }""",
        bindings={"code2017": Literal(code, datatype=CM.UrbanAudit2017Code)},
    )
    facts: dict[str, set[str]] = {}
    for row in rows.dicts():
        facts.setdefault(str(row["key"]), set()).add(str(row["value"]))
    return facts


@pytest.mark.parametrize(
    ("code", "code2020", "lau", "nuts2", "wikidata", "english", "local"), WG_CITIES
)
def test_working_group_city_has_its_codes_names_offices_definitions_and_practices(
    kb: Store,
    code: str,
    code2020: str | None,
    lau: str,
    nuts2: str,
    wikidata: str,
    english: str,
    local: tuple[str, str],
) -> None:
    facts = city_facts(kb, code)
    assert code in facts["notation"]
    if code2020 is not None:
        assert code2020 in facts["notation"]
    assert facts["lau"] == {lau}
    assert nuts2 in facts["in"]  # NUTS 2021 and NUTS 2024 (same code for the five)
    assert f"http://www.wikidata.org/entity/{wikidata}" in facts["same"]
    assert f"{english}@en" in facts["name"]
    assert f"{local[0]}@{local[1]}" in facts["name"]
    if code != "EL001C1":  # Athens' ACCMR coordinates services; it is not a statistics office
        assert facts.get("office"), "a city statistics office"
    assert facts.get("national"), "a national statistical office"
    assert facts.get("definition"), "at least one indicator definition with its target group"
    assert facts.get("practice"), "at least one toolbox practice"


def test_working_group_cities_sit_in_nuts_2_regions_of_both_versions(kb: Store) -> None:
    for code, _, _, _, nuts2, *_ in ((c[0], *c) for c in WG_CITIES):
        rows = kb.select(
            PREFIXES
            + """PREFIX schema: <https://schema.org/>
            SELECT DISTINCT (DATATYPE(?n) AS ?list) WHERE {
              ?city skos:notation ?code ; schema:containedInPlace ?region .
              ?region skos:notation ?n . FILTER(STR(?n) = ?nuts2) }""",
            bindings={
                "code": Literal(code, datatype=CM.UrbanAudit2017Code),
                "nuts2": Literal(nuts2),
            },
        )
        assert set(rows.column("list")) == {CM.NUTS2021Code, CM.NUTS2024Code}, code


def test_amsterdam_is_nl001c_in_the_2020_scheme_and_never_nl002c(kb: Store) -> None:
    rows = kb.select(
        PREFIXES
        + """SELECT DISTINCT ?old WHERE {
            ?place skos:notation "NL001C"^^cm:UrbanAudit2020Code ;
                   <http://purl.org/dc/terms/replaces> ?old }"""
    )
    assert rows.column("old") == [
        URIRef("https://w3id.org/commensura/id/place/urban-audit/NL002K1")
    ]
    assert not kb.ask(PREFIXES + 'ASK { ?p skos:notation "NL002C"^^cm:UrbanAudit2020Code }')


def test_vienna_monitor_since_2007_sixth_edition_2023(kb: Store) -> None:
    rows = kb.select(
        PREFIXES
        + """PREFIX schema: <https://schema.org/>
        SELECT ?start ?number ?issued ?kind WHERE {
          ?monitor a cm:Practice ; cm:practiceKind ?kind ; schema:startDate ?start ;
                   <http://purl.org/dc/terms/spatial> ?vienna ;
                   cm:edition ?edition .
          ?edition cm:editionNumber ?number ; <http://purl.org/dc/terms/issued> ?issued .
          ?vienna skos:notation "AT001C1"^^cm:UrbanAudit2017Code }"""
    )
    found = {(str(r["start"]), int(r["number"]), str(r["issued"])) for r in rows.dicts()}
    assert (("2007", 6, "2023")) in found


def test_toolbox_has_practices_of_each_kind_the_working_group_named(kb: Store) -> None:
    rows = kb.select(
        PREFIXES
        + """SELECT DISTINCT ?kind WHERE {
            ?practice a cm:Practice ; cm:practiceKind ?kind ; cm:operator ?who }"""
    )
    kinds = {str(k).rsplit("/", 1)[1] for k in rows.column("kind")}
    assert {
        "monitoringSystem",
        "surveyModel",
        "collaborationModel",
        "audience",
        "communicationFormat",
    } <= kinds


def test_every_practice_has_a_place_and_every_monitor_its_definitions(kb: Store) -> None:
    unlinked = kb.select(
        PREFIXES
        + """SELECT ?practice WHERE {
            ?practice a cm:Practice .
            FILTER (NOT EXISTS { ?practice <http://purl.org/dc/terms/spatial> ?place }
                 || NOT EXISTS { ?practice cm:operator ?who })
        }"""
    )
    assert list(unlinked) == []
    monitors = kb.select(
        PREFIXES
        + """PREFIX kind: <https://w3id.org/commensura/vocab/practice-kind/>
        SELECT DISTINCT ?practice WHERE {
            ?practice cm:practiceKind kind:monitoringSystem ; cm:usesDefinition ?definition .
            ?definition cm:targetGroup ?group }"""
    )
    assert len(monitors) >= 4


def test_no_curated_link_points_at_nothing(kb: Store) -> None:
    # Every IRI we mint (id/...) or declare (vocab/...) that the curated content links
    # to is described somewhere in the knowledge base: a typo would be a dangling link.
    dangling = kb.select(
        """SELECT DISTINCT ?target WHERE {
            GRAPH ?registry { ?s ?p ?target }
            FILTER(isIRI(?target))
            FILTER(STRSTARTS(STR(?target), "https://w3id.org/commensura/id/")
                || STRSTARTS(STR(?target), "https://w3id.org/commensura/vocab/"))
            FILTER NOT EXISTS { ?target ?anything ?value }
        }""",
        bindings={"registry": graphs.REGISTRY},
    )
    assert sorted(map(str, dangling.column("target"))) == []
