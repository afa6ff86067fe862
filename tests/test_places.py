"""Place registries imported from Eurostat's code lists, and the build that runs them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS

from registry import graphs, ids
from registry.crosswalk import normalise_name
from registry.errors import ConfigurationError, SourceDataError
from registry.importers import PLACE_IMPORTERS, run_import
from registry.importers.places import (
    Lau2018Importer,
    Nuts2024Importer,
    UrbanAudit2017Importer,
    lau_code,
)
from registry.kb import NO_SOURCE_DATA, build
from registry.namespaces import CM
from registry.store import Store, open_store
from tests.conftest import StoreSettings

FIXTURES = Path(__file__).parent / "data" / "source-data"
PREFIXES = """
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX geo: <https://w3id.org/commensura/vocab/geography-level/>
"""


DATA_GRAPHS = [
    graphs.data(slug)
    for slug in ("nuts-2016", "nuts-2021", "nuts-2024", "lau-2018", "urban-audit-2017")
]


@pytest.fixture(scope="module")
def places(
    tmp_path_factory: pytest.TempPathFactory, source_data: Path, store_settings: StoreSettings
) -> Iterator[Store]:
    """The whole knowledge base: curated content and the place registries from real data."""
    folder = tmp_path_factory.mktemp("places") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store, source_data=source_data, importers=PLACE_IMPORTERS)
        yield store


def graph_content(store: Store, graph: URIRef) -> Graph:
    return store.construct("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[graph])


def test_names_fold_accents_case_and_punctuation() -> None:
    assert normalise_name("Mülheim a.d.Ruhr") == "mulheim a d ruhr"
    assert normalise_name("Helsinki / Helsingfors") == normalise_name("helsinki/HELSINGFORS")


def test_lau_codes_get_back_their_leading_zeros_only_where_the_width_is_fixed() -> None:
    assert lau_code("FI", "91") == "091"
    assert lau_code("DE", "9162000") == "09162000"
    assert lau_code("AT", "90001") == "90001"
    assert lau_code("NL", "GM0363") == "GM0363"


@pytest.mark.needs_source_data
def test_at_least_900_urban_audit_cities_are_places(places: Store) -> None:
    cities = places.select(
        PREFIXES
        + """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
            ?c a cm:Place ; cm:geographyLevel geo:city ; skos:notation ?code .
            FILTER(DATATYPE(?code) = cm:UrbanAudit2017Code) }"""
    )
    n = cities.column("n")[0]
    assert isinstance(n, Literal)
    assert n.toPython() >= 900


@pytest.mark.needs_source_data
def test_wien_is_at001c1_in_nuts_2_at13_through_its_lau(places: Store) -> None:
    # Derived from the code lists alone (the curated graph left out): city -> LAU 90001
    # -> NUTS 2016 AT130 -> AT13, and AT13 of 2016 is AT13 of 2021.
    rows = places.select(
        PREFIXES
        + """SELECT ?lau ?nuts2 WHERE {
            ?city skos:notation "AT001C1"^^cm:UrbanAudit2017Code ;
                  cm:administrativeUnit ?lau ; schema:containedInPlace ?nuts3 .
            ?nuts3 schema:containedInPlace ?nuts2 .
            ?nuts2 cm:geographyLevel geo:nuts2 ; dct:isReplacedBy ?nuts2021 .
            ?nuts2021 skos:notation "AT13"^^cm:NUTS2021Code }""",
        default_graphs=DATA_GRAPHS,
    )
    assert [(r["lau"], r["nuts2"]) for r in rows.dicts()] == [
        (ids.lau("AT", "90001"), ids.nuts(2016, "AT13"))
    ]


@pytest.mark.needs_source_data
def test_groot_amsterdam_nl329_is_replaced_by_nl32b_in_nuts_2024(places: Store) -> None:
    assert places.ask(
        PREFIXES + "ASK { ?old dct:isReplacedBy ?new . ?new dct:replaces ?old }",
        bindings={"old": ids.nuts(2021, "NL329"), "new": ids.nuts(2024, "NL32B")},
    )
    successors = places.select(
        "SELECT DISTINCT ?new WHERE { ?old <http://purl.org/dc/terms/isReplacedBy> ?new }",
        bindings={"old": ids.nuts(2021, "NL329")},
    )
    assert successors.column("new") == [ids.nuts(2024, "NL32B")]
    # A region whose code did not change is carried over as itself.
    assert places.ask(
        "ASK { ?old <http://purl.org/dc/terms/isReplacedBy> ?new }",
        bindings={"old": ids.nuts(2021, "AT13"), "new": ids.nuts(2024, "AT13")},
    )


@pytest.mark.needs_source_data
def test_helsinki_lau_keeps_statistics_finlands_three_digit_code(places: Store) -> None:
    rows = places.select(
        PREFIXES
        + """SELECT DISTINCT ?code ?lau WHERE {
            ?city skos:notation "FI001C2"^^cm:UrbanAudit2017Code ; cm:administrativeUnit ?lau .
            ?lau skos:notation ?code }"""
    )
    assert [(r["code"], r["lau"]) for r in rows.dicts()] == [
        (Literal("091", datatype=CM.LAU2018Code), ids.lau("FI", "091"))
    ]


@pytest.mark.needs_source_data
def test_2020_codes_are_matched_by_name_not_by_stripping_the_digit(places: Store) -> None:
    def notations(place: URIRef) -> set[str]:
        rows = places.select(
            "SELECT ?n WHERE { ?p <http://www.w3.org/2004/02/skos/core#notation> ?n }",
            bindings={"p": place},
            default_graphs=[graphs.data("urban-audit-2017"), graphs.data("urban-audit-2020")],
        )
        return {str(n) for n in rows.column("n")}

    # The same city in both schemes: one place, two notations.
    assert notations(ids.urban_audit("FI001C2")) == {"FI001C2", "FI001C"}
    assert notations(ids.urban_audit("BE003C1")) == {"BE003C1", "BE003C"}
    # NL002C is Alkmaar in the 2020 scheme: it is not given to Amsterdam (NL002C1) ...
    assert notations(ids.urban_audit("NL002C1")) == {"NL002C1"}
    # ... Amsterdam is NL001C "(greater city)", which replaces the 2017 greater city NL002K1.
    replaced = places.select(
        "SELECT DISTINCT ?old WHERE { ?new <http://purl.org/dc/terms/replaces> ?old }",
        bindings={"new": ids.urban_audit("NL001C")},
    )
    assert replaced.column("old") == [ids.urban_audit("NL002K1")]
    # German cities were renumbered: DE017C is Halle, which was DE018C1 (DE017C1 was Bielefeld).
    halle = places.select(
        "SELECT ?old WHERE { ?new <http://purl.org/dc/terms/replaces> ?old }",
        bindings={"new": ids.urban_audit("DE017C")},
    )
    assert halle.column("old") == [ids.urban_audit("DE018C1")]


@pytest.mark.needs_source_data
def test_each_import_is_described_with_dcat_and_prov(places: Store) -> None:
    for slug in ("nuts-2016", "nuts-2021", "nuts-2024", "lau-2018", "urban-audit-2017"):
        graph = graphs.data(slug)
        assert places.ask(
            "ASK { ?d a ?dataset ; ?title ?t ; ?publisher ?p }",
            bindings={
                "d": ids.dataset(slug),
                "dataset": DCAT.Dataset,
                "title": DCTERMS.title,
                "publisher": DCTERMS.publisher,
            },
            default_graphs=[graph],
        ), slug
        rows = places.select(
            """SELECT ?rows ?triples ?file WHERE {
                ?a <https://w3id.org/commensura/ontology#targetGraph> ?g ;
                   <https://w3id.org/commensura/ontology#rowsRead> ?rows ;
                   <https://w3id.org/commensura/ontology#tripleCount> ?triples ;
                   <http://www.w3.org/ns/prov#used> ?f ;
                   <http://www.w3.org/ns/prov#startedAtTime> ?start ;
                   <http://www.w3.org/ns/prov#endedAtTime> ?end .
                ?f <http://purl.org/dc/terms/identifier> ?file }""",
            bindings={"g": graph},
            default_graphs=[graphs.PROVENANCE],
        )
        assert rows, slug
        triples = rows.dicts()[0]["triples"]
        assert isinstance(triples, Literal)
        assert triples.toPython() == places.count(graph)


@pytest.mark.needs_source_data
def test_rerunning_an_import_replaces_its_graph_and_logs_one_more_activity(
    store: Store, source_data: Path
) -> None:
    importer = Nuts2024Importer()
    first = run_import(store, importer, source_data)
    before = graph_content(store, importer.graph)
    second = run_import(store, importer, source_data)
    after = graph_content(store, importer.graph)
    # The graph is the same; the provenance graph names the latest import as the one the
    # dataset was generated by, and says the second found nothing to write.
    assert isomorphic(before, after)
    assert any("unchanged since the last import" in note for note in second.notes)
    generated_by = store.select(
        "SELECT ?a WHERE { ?d <http://www.w3.org/ns/prov#wasGeneratedBy> ?a }",
        bindings={"d": importer.dataset},
    )
    assert [a for (a,) in generated_by] == [second.activity]
    assert first.triples == second.triples
    activities = store.select(
        "SELECT ?a WHERE { ?a <https://w3id.org/commensura/ontology#targetGraph> ?g }",
        bindings={"g": importer.graph},
        default_graphs=[graphs.PROVENANCE],
    )
    assert set(activities.column("a")) == {first.activity, second.activity}


def test_build_from_a_partial_folder_imports_what_is_there_and_says_what_it_skipped(
    store: Store, tmp_path: Path
) -> None:
    report = build(store, content_dir=tmp_path / "none", source_data=FIXTURES)
    assert {r.slug for r in report.imports} == {"nuts-2021", "nuts-2024", "urban-audit-2017"}
    skipped = {s.what: s.why for s in report.skipped}
    assert "lau_2018_nuts_2016/lau-2018.tsv not found" in skipped["Local administrative units 2018"]
    assert "nuts-2016.tsv not found" in skipped["NUTS 2016 regions"]
    assert store.ask(
        "ASK { ?old <http://purl.org/dc/terms/isReplacedBy> ?new }",
        bindings={"old": ids.nuts(2021, "NL329"), "new": ids.nuts(2024, "NL32B")},
    )
    ua = next(r for r in report.imports if r.slug == "urban-audit-2017")
    assert ua.rows_rejected == 1
    assert "'XX9' is not an Urban Audit 2017 code" in ua.rejections[0]
    assert any("not linked to LAUs" in note or "cities not linked" in note for note in ua.notes)


def test_build_without_source_data_says_the_place_registries_were_skipped(
    store: Store, tmp_path: Path
) -> None:
    report = build(store, content_dir=tmp_path / "none")
    assert [(s.what, s.why) for s in report.skipped] == [
        ("place registries and datasets", NO_SOURCE_DATA)
    ]
    assert report.imports == []


def test_a_source_data_folder_that_does_not_exist_is_refused_before_writing(
    store: Store, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        build(store, content_dir=tmp_path / "none", source_data=tmp_path / "nowhere")
    assert caught.value.code == "config.invalid"
    assert store.count() == 0


def test_a_malformed_source_file_fails_and_leaves_the_graph_as_it_was(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "src"
    shutil.copytree(FIXTURES, folder)
    importer = UrbanAudit2017Importer()
    run_import(store, importer, folder)
    before = graph_content(store, importer.graph)
    (folder / "urban_audit_codes_2017" / "regions.csv").write_text(
        '"CODE","LABEL"\n"AT001C1","Wien"\n', encoding="utf-8"
    )
    with pytest.raises(SourceDataError) as caught:
        run_import(store, importer, folder)
    assert caught.value.code == "source.invalid"
    assert "lacks the column(s) UA_CODE_2017, NAME" in caught.value.message
    assert isomorphic(graph_content(store, importer.graph), before)


def test_a_file_where_no_row_is_usable_is_refused(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "src" / "lau_2018_nuts_2016"
    folder.mkdir(parents=True)
    (folder / "lau-2018.tsv").write_text(
        "lau-2018\tnuts-2016\tname\tname-latin\n1\t#N/A\tX\t\n", encoding="utf-8"
    )
    with pytest.raises(SourceDataError, match="none of the 1 rows"):
        run_import(store, Lau2018Importer(), tmp_path / "src")
    assert graphs.data("lau-2018") not in store.graphs()


@pytest.mark.needs_source_data
def test_every_place_the_curated_content_names_is_in_the_code_lists(places: Store) -> None:
    # The curated content and the importers mint the same IRIs: a curated Urban Audit,
    # NUTS, LAU or country place that no code list holds is a typo or a wrong code.
    strays = places.select(
        """SELECT DISTINCT ?place WHERE {
            GRAPH ?registry { ?place a <https://w3id.org/commensura/ontology#Place> }
            FILTER NOT EXISTS {
              GRAPH ?data { ?place a <https://w3id.org/commensura/ontology#Place> }
              FILTER(?data != ?registry) }
        }""",
        bindings={"registry": graphs.REGISTRY},
    )
    assert list(strays) == []


@pytest.mark.needs_source_data
def test_curated_and_imported_names_of_a_code_agree(places: Store) -> None:
    rows = places.select(
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?place ?code ?other WHERE {
            GRAPH ?registry { ?place skos:notation ?code }
            GRAPH ?data { ?other skos:notation ?code }
            FILTER(?data != ?registry && ?other != ?place)
            # LAU codes are unique only within a country (BE 44021 is Gent, FR 44021 is not).
            FILTER(DATATYPE(?code) != <https://w3id.org/commensura/ontology#LAU2018Code>)
        }""",
        bindings={"registry": graphs.REGISTRY},
    )
    # No curated code may name another imported place.
    assert list(rows) == []
