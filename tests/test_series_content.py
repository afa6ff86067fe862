"""The definitions of imported series (registry/kb/content/series.ttl), checked as content.

The store is built from the curated content only (no source-data folder): the new
definitions must pass the submission shapes without a violation, say what they measure,
who publishes them and for whom, and get sensible grades from the comparability engine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from registry import graphs
from registry.comparability.service import compare
from registry.kb import build
from registry.resources import shapes_dir
from registry.store import Store, open_store
from tests.conftest import StoreSettings

ID = "https://w3id.org/commensura/id/"
DEF = ID + "definition/"
IND = ID + "indicator/"
POP = ID + "population/"
ORG = ID + "org/"
EU_MIGRANT_INTEGRATION = URIRef(ID + "indicator-set/eu-migrant-integration")
ZARAGOZA = URIRef(ID + "indicator-set/zaragoza-core")
POPULATION_COMPOSITION = URIRef("https://w3id.org/commensura/vocab/theme/populationComposition")
SHAPE_FILES = ("core.ttl", "ranges.ttl", "vocabularies.ttl", "recommended.ttl")
GROUP_WARNINGS = {
    "IndicatorDefinitionShape-targetGroup-recommended",
    "IndicatorDefinitionShape-referenceGroup-recommended",
}

# definition slug: (indicator, publisher, target group, reference group); None = none given.
DEFINITIONS: dict[str, tuple[str, str, str | None, str | None]] = {
    "eurostat-population-urban-audit": ("population", "eurostat", None, None),
    "eurostat-women-share-by-country-of-birth": ("women-share", "eurostat", None, None),
    "eurostat-educational-attainment-by-citizenship": (
        "educational-attainment",
        "eurostat",
        "eurostat-foreign-citizens",
        "eurostat-nationals",
    ),
    "eurostat-employed-persons-by-citizenship": (
        "employment-rate",
        "eurostat",
        "eurostat-foreign-citizens",
        "eurostat-nationals",
    ),
    "eurostat-median-net-income-by-citizenship": (
        "median-net-income",
        "eurostat",
        "eurostat-foreign-citizens",
        "eurostat-nationals",
    ),
    "eurostat-foreign-born-share-nuts2": (
        "foreign-born-share",
        "eurostat",
        "eurostat-foreign-born",
        None,
    ),
    "eurostat-foreign-citizen-share-nuts2": (
        "foreign-citizen-share",
        "eurostat",
        "eurostat-foreign-citizens",
        None,
    ),
    "eurostat-employment-rate-nuts2": (
        "employment-rate",
        "eurostat",
        "eurostat-foreign-born",
        "eurostat-native-born",
    ),
    "eurostat-unemployment-rate-nuts2": (
        "unemployment-rate",
        "eurostat",
        "eurostat-foreign-born",
        "eurostat-native-born",
    ),
    "eurostat-net-migration-rate-nuts2": ("net-migration-rate", "eurostat", None, None),
    "vienna-population-by-district": ("population", "vienna-ma23", None, None),
    "vienna-migration-flows-by-nationality": (
        "net-migration-rate",
        "vienna-ma23",
        "vienna-foreign-nationals",
        "vienna-austrian-nationals",
    ),
    "statfin-population-municipal": ("population", "statistics-finland", None, None),
    "statfin-foreign-citizen-share-municipal": (
        "foreign-citizen-share",
        "statistics-finland",
        "statfin-foreign-citizens",
        None,
    ),
    "statfin-foreign-language-share-municipal": (
        "foreign-born-share",
        "statistics-finland",
        "helsinki-foreign-language-speakers",
        "helsinki-national-language-speakers",
    ),
}
NEW_INDICATORS = {
    "population": "eurostat-population-urban-audit",
    "net-migration-rate": "eurostat-net-migration-rate-nuts2",
    "women-share": "eurostat-women-share-by-country-of-birth",
}
# population slug: (publisher, citizenship value, reference group)
NEW_POPULATIONS = {
    "vienna-foreign-nationals": ("vienna-ma23", "foreign", "vienna-austrian-nationals"),
    "vienna-austrian-nationals": ("vienna-ma23", "national", None),
    "statfin-foreign-citizens": ("statistics-finland", "foreign", None),
}
NEW_RESOURCES = (
    {URIRef(DEF + d) for d in DEFINITIONS}
    | {URIRef(IND + i) for i in NEW_INDICATORS}
    | {URIRef(POP + p) for p in NEW_POPULATIONS}
)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("series") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store)
        yield store


@pytest.fixture(scope="module")
def report(kb: Store) -> tuple[Graph, Graph]:
    """The ontology and curated content as one graph, and its SHACL validation report."""
    data = kb.construct(
        "CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[graphs.ONTOLOGY, graphs.REGISTRY]
    )
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(shapes_dir() / name, format="turtle")
    _, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False)
    assert isinstance(results, Graph)
    return data, results


def owner(graph: Graph, node: Node | None) -> Node | None:
    """The IRI a blank node (a series selection, a filter, a criterion) hangs from."""
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(graph.subjects(None, node), None)
        if parent is None:
            return None
        node = parent
    return node


def results_about_new_resources(data: Graph, results: Graph) -> list[tuple[str, str, str]]:
    """(resource, shape, severity) of every result about a resource of series.ttl."""
    found = []
    for result in results.objects(None, SH.result):
        resource = owner(data, results.value(result, SH.focusNode))
        if resource in NEW_RESOURCES:
            shape = str(results.value(result, SH.sourceShape)).rsplit("#", 1)[1]
            severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
            found.append((str(resource).rsplit("/", 1)[1], shape, severity))
    return found


# -- shapes ------------------------------------------------------------------------


def test_every_new_resource_is_in_the_registry(kb: Store) -> None:
    rows = kb.select(
        "SELECT DISTINCT ?s WHERE { ?s a ?type }", default_graphs=[graphs.REGISTRY]
    ).column("s")
    assert sorted(NEW_RESOURCES - set(rows)) == []


def test_new_definitions_have_no_violation(report: tuple[Graph, Graph]) -> None:
    found = results_about_new_resources(*report)
    violations = [r for r in found if r[2] != "Warning"]
    assert violations == []


def test_new_definitions_warn_only_about_groups_they_have_none_of(
    report: tuple[Graph, Graph],
) -> None:
    warnings = {(resource, shape) for resource, shape, _ in results_about_new_resources(*report)}
    expected = set()
    for slug, (_, _, target, reference) in DEFINITIONS.items():
        if target is None:
            expected.add((slug, "IndicatorDefinitionShape-targetGroup-recommended"))
        if reference is None:
            expected.add((slug, "IndicatorDefinitionShape-referenceGroup-recommended"))
    assert {shape for _, shape in warnings} <= GROUP_WARNINGS
    assert warnings == expected


# -- what each definition says ---------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(DEFINITIONS))
def test_definition_has_its_indicator_publisher_and_groups(kb: Store, slug: str) -> None:
    indicator, publisher, target, reference = DEFINITIONS[slug]
    rows = kb.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        SELECT ?indicator ?publisher ?target ?reference WHERE {
          ?definition a cm:IndicatorDefinition ; cm:indicator ?indicator ;
                      <http://purl.org/dc/terms/publisher> ?publisher .
          OPTIONAL { ?definition cm:targetGroup ?target }
          OPTIONAL { ?definition cm:referenceGroup ?reference }
        }""",
        bindings={"definition": URIRef(DEF + slug)},
    ).dicts()
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["indicator"] == URIRef(IND + indicator)
    assert row["publisher"] == URIRef(ORG + publisher)
    assert row.get("target") == (None if target is None else URIRef(POP + target))
    assert row.get("reference") == (None if reference is None else URIRef(POP + reference))


def test_uncertain_definitions_say_why(kb: Store) -> None:
    rows = kb.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?definition WHERE {
          ?definition cm:verificationStatus
              <https://w3id.org/commensura/vocab/verification-status/toBeVerified> .
          FILTER NOT EXISTS { ?definition skos:scopeNote ?why }
        }"""
    )
    assert set(rows.column("definition")) & NEW_RESOURCES == set()


def test_educational_attainment_by_citizenship_has_one_series_per_isced_group(
    kb: Store,
) -> None:
    rows = kb.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        SELECT ?dataset ?level WHERE {
          ?definition cm:reproducedBy ?selection .
          ?selection cm:datasetCode ?dataset ;
                     cm:filter [ cm:dimensionCode "isced11" ; cm:codeValue ?level ] .
        }""",
        bindings={"definition": URIRef(DEF + "eurostat-educational-attainment-by-citizenship")},
    )
    assert sorted((str(r["dataset"]), str(r["level"])) for r in rows.dicts()) == [
        ("edat_lfs_9911", "ED0-2"),
        ("edat_lfs_9911", "ED3_4"),
        ("edat_lfs_9911", "ED5-8"),
    ]


def test_vienna_migration_is_counted_by_census_district_of_vienna(kb: Store) -> None:
    assert kb.ask(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        ASK { ?definition cm:geographyLevel
                  <https://w3id.org/commensura/vocab/geography-level/subDistrict> ;
              cm:measureType <https://w3id.org/commensura/vocab/measure-type/count> ;
              <http://purl.org/dc/terms/spatial>
                  <https://w3id.org/commensura/id/place/urban-audit/AT001C1> }""",
        bindings={"definition": URIRef(DEF + "vienna-migration-flows-by-nationality")},
    )


# -- indicators and population definitions ---------------------------------------------


@pytest.mark.parametrize("slug", sorted(NEW_INDICATORS))
def test_new_context_indicator(kb: Store, slug: str) -> None:
    indicator = URIRef(IND + slug)
    rows = kb.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?theme ?set ?reference WHERE {
          ?indicator a cm:Indicator ; cm:theme ?theme ; skos:inScheme ?set ;
                     cm:referenceDefinition ?reference .
          ?reference cm:indicator ?indicator .
        }""",
        bindings={"indicator": indicator},
    ).dicts()
    assert {r["theme"] for r in rows} == {POPULATION_COMPOSITION}
    assert {r["set"] for r in rows} == {EU_MIGRANT_INTEGRATION}
    assert {r["reference"] for r in rows} == {URIRef(DEF + NEW_INDICATORS[slug])}
    assert not kb.ask(
        "ASK { ?indicator <http://www.w3.org/2004/02/skos/core#inScheme> ?set }",
        bindings={"indicator": indicator, "set": ZARAGOZA},
    )


@pytest.mark.parametrize("slug", sorted(NEW_POPULATIONS))
def test_new_population_is_defined_by_current_citizenship(kb: Store, slug: str) -> None:
    publisher, value, reference = NEW_POPULATIONS[slug]
    rows = kb.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        SELECT ?publisher ?basis ?value ?reference WHERE {
          ?population a cm:PopulationDefinition ;
                      <http://purl.org/dc/terms/publisher> ?publisher ;
                      cm:condition ?criterion .
          ?criterion a cm:Criterion ; cm:basis ?basis ; cm:value ?value .
          OPTIONAL { ?population cm:hasReferenceGroup ?reference }
        }""",
        bindings={"population": URIRef(POP + slug)},
    ).dicts()
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["publisher"] == URIRef(ORG + publisher)
    assert str(row["basis"]).endswith("/criterion/currentCitizenship")
    assert str(row["value"]).endswith("/criterion-value/" + value)
    assert row.get("reference") == (None if reference is None else URIRef(POP + reference))


# -- comparability --------------------------------------------------------------------

# (A, B, kind, grade, {dimension: (relation, effect)})
PAIRS = [
    pytest.param(
        "eurostat-employment-rate-nuts2",
        "eurostat-employment-rate",
        "definitional",
        "partially comparable",
        {
            "targetGroup": ("superset", "partial"),
            "referenceGroup": ("equal", "none"),
            "ageBand": ("equal", "none"),
            "geographyLevel": ("disjoint", "caveat"),
        },
        id="NUTS 2 foreign-born vs national non-EU-born employment rate",
    ),
    pytest.param(
        "statfin-population-municipal",
        "eurostat-population-urban-audit",
        "definitional",
        "comparable with caveats",
        {
            "referencePeriod": ("equal", "equivalent"),
            "universe": ("overlap", "caveat"),
            "geographyLevel": ("disjoint", "caveat"),
            "measureType": ("equal", "none"),
        },
        id="Statistics Finland municipal population vs Urban Audit DE1001V",
    ),
    pytest.param(
        "statfin-foreign-language-share-municipal",
        "helsinki-foreign-language-share",
        "transversal",
        "comparable with caveats",
        {
            "targetGroup": ("equal", "none"),
            "referenceGroup": ("equal", "none"),
            "geographyLevel": ("disjoint", "caveat"),
        },
        id="Foreign-language speakers: municipalities vs Helsinki",
    ),
    pytest.param(
        "eurostat-median-net-income-by-citizenship",
        "eurostat-median-net-income",
        "definitional",
        "partially comparable",
        {
            "targetGroup": ("overlap", "partial"),
            "referenceGroup": ("overlap", "caveat"),
            "measureType": ("equal", "none"),
        },
        id="Median income of foreign citizens vs persons born outside the EU",
    ),
    pytest.param(
        "vienna-migration-flows-by-nationality",
        "eurostat-net-migration-rate-nuts2",
        "definitional",
        "not comparable",
        {"measureType": ("disjoint", "blocking"), "unit": ("disjoint", "blocking")},
        id="Vienna net moves (count) vs Eurostat net migration per 1,000",
    ),
]


@pytest.mark.parametrize(("a", "b", "kind", "grade", "expected"), PAIRS)
def test_comparability_of_new_definitions(
    kb: Store,
    a: str,
    b: str,
    kind: str,
    grade: str,
    expected: dict[str, tuple[str, str]],
) -> None:
    verdict = compare(kb, a, b)
    assert verdict["kind"] == kind
    assert verdict["grade"]["label"] == grade, verdict["summary"]
    dimensions = {
        d["dimension"]["iri"].rsplit("/", 1)[1]: (d["relation"], d["effect"])
        for d in verdict["dimensions"]
    }
    for name, found in expected.items():
        assert dimensions[name] == found, name
    mirror = compare(kb, b, a)
    assert mirror["grade"] == verdict["grade"]
