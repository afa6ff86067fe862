"""The DCAT-AP 3 catalogue: descriptions, the whole catalogue, the official shapes, paging.

The official DCAT-AP 3.0.1 shapes are read at test time from the source-data folder
(they are SEMIC's, CC BY 4.0, and not copied into the repository); see
docs/catalogue.md for which files run and why the controlled-vocabulary shapes do not.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from registry import graphs, ids
from registry.catalogue import (
    CATALOGUE,
    CATALOGUE_PUBLISHER,
    COVERAGE,
    DatasetDescription,
    Distribution,
    catalogue_graph,
    dataset_triples,
    datasets,
    media_type_for,
)
from registry.config import Settings
from registry.errors import InputError
from registry.importers.places import NUTS_2021_FILE
from registry.kb import build
from registry.kb.build import BuildReport
from registry.namespaces import CM, SDMX_DIMENSION
from registry.orgs import Organisations
from registry.store import RdfFormat, Store, open_store
from registry.submissions.parse import SubmissionFormat, parse_submission
from registry.submissions.service import submit
from registry.validation.engines import Engine, run
from tests.conftest import StoreSettings

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "source-data"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
LANDING = "https://ec.europa.eu/eurostat/databrowser/view/urb_cpop1/default/table"
PARTNER_DATASET = URIRef(
    "https://w3id.org/commensura/id/partner/amsterdam-os/dataset/bbga-migration-background"
)
AMSTERDAM = ids.urban_audit("NL002C1")
AMSTERDAM_DEFINITION = URIRef(
    "https://w3id.org/commensura/id/definition/amsterdam-migration-background-share"
)
FOREIGN_BORN_SHARE = URIRef("https://w3id.org/commensura/id/indicator/foreign-born-share")

SHAPE_FILES = (
    "shacl_dcat-ap-SHACL.ttl",
    "shacl_ranges.ttl",
    "html_shacl_shapes.ttl",
    "html_shacl_range.ttl",
    "html_shacl_shapes_recommended.ttl",
    "html_shacl_deprecateduris.ttl",
)
"""The DCAT-AP 3.0.1 shape files that run: both packagings of the mandatory and range
shapes, the recommended shapes (warnings) and the deprecated-term shapes (warnings).
Left out: html_shacl_mdr-vocabularies.shape.ttl, whose shapes need the EU vocabularies
(skos:inScheme of every theme, frequency, file type, corporate body, country...),
which are not available offline, and the two owl:imports helper files."""

UNDEFINED_PROPERTY_SHAPES = 5
"""Property shapes that shacl_ranges.ttl names (sh:property) but no file defines."""

EXPECTED_WARNINGS = {
    # Recommended properties some importers do not declare (the place registries have
    # no keywords, themes, spatial or temporal coverage).
    str(DCAT.keyword),
    str(DCAT.theme),
    str(DCTERMS.spatial),
    str(DCTERMS.temporal),
    # No distribution states how long it stays available (dcatap:availability).
    "http://data.europa.eu/r5r/availability",
    # The coverage dataset has no file and no contact address; some sources state no
    # licence (their distributions have none), nor has the catalogue one.
    str(DCAT.distribution),
    str(DCAT.contactPoint),
    str(DCTERMS.license),
    # Publishers have no dct:type (ADMS publisher type); the catalogue no home page.
    str(DCTERMS.type),
    str(FOAF.homepage),
    # Places have no geometry: no dcat:bbox, no dcat:centroid.
    str(DCAT.bbox),
    str(DCAT.centroid),
}


# -- descriptions --------------------------------------------------------------------------


def full_description() -> DatasetDescription:
    """Every field set; tests/data/catalogue/full-description.ttl is its graph, by hand."""
    return DatasetDescription(
        iri=ids.dataset("test-foreign-born"),
        title="Foreign-born residents of five cities (test extract)",
        description="A description with every field set, to check the DCAT-AP 3 triples.",
        publisher=ids.org("eurostat"),
        identifier="urb_cpop1",
        landing_page=LANDING,
        license="http://creativecommons.org/licenses/by/4.0/",
        rights="Eurostat's copyright notice and re-use policy apply.",
        keywords=("population", "country of birth"),
        themes=(f"{THEME}SOCI", f"{THEME}REGI"),
        temporal=("2015", "2023-12-31"),
        spatial=(ids.urban_audit("AT001C1"), ids.country("NL")),
        accrual_periodicity="http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        version="2.0",
        previous_version=ids.dataset("test-foreign-born-1"),
        issued="2024-03-01",
        modified="2025-01-15T10:30:00Z",
        measures=(
            URIRef(
                "https://w3id.org/commensura/id/definition/eurostat-foreign-born-share-urban-audit"
            ),
        ),
        dimensions=(SDMX_DIMENSION.refArea, SDMX_DIMENSION.refPeriod),
        attributes=(CM.observationStatus,),
        stat_unit_measures=(URIRef("https://w3id.org/commensura/vocab/unit/percent"),),
        num_series=12,
        provenance="An excerpt: the rows of the five working-group cities only.",
        source_dataset=LANDING,
        distributions=(
            Distribution(
                file_name="urb_cpop1_page_linear_2_0.csv",
                media_type="text/csv",
                access_url=LANDING,
                download_url=(
                    "https://ec.europa.eu/eurostat/api/dissemination/sdmx/3.0/data/dataflow/"
                    "ESTAT/urb_cpop1/1.0?format=csvdata&formatVersion=2.0"
                ),
                byte_size=123456,
                sha256=hashlib.sha256(b"test").hexdigest(),
                description="SDMX-CSV 2.0, linear, with codes and labels",
                conforms_to="https://github.com/sdmx-twg/sdmx-csv",
            ),
            Distribution(
                file_name="urb_cpop1.json", media_type="application/json", access_url=LANDING
            ),
        ),
    )


def as_graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_a_description_with_every_field_gives_the_triples_written_by_hand() -> None:
    made = as_graph(dataset_triples(full_description()))
    expected = Graph().parse(DATA / "catalogue" / "full-description.ttl", format="turtle")
    missing, extra = expected - made, made - expected
    assert isomorphic(made, expected), (
        f"missing: {sorted(map(str, missing))}\nextra: {sorted(map(str, extra))}"
    )


def test_the_same_description_gives_the_same_triples_without_blank_nodes() -> None:
    first, second = dataset_triples(full_description()), dataset_triples(full_description())
    assert first == second
    assert all(isinstance(t, URIRef | Literal) for triple in first for t in triple)


def test_a_description_round_trips_through_the_store(store: Store) -> None:
    desc = full_description()
    with store.transaction() as tx:
        tx.add(dataset_triples(desc), graph=graphs.data("test-foreign-born"))
    catalogue = catalogue_graph(store)
    for triple in dataset_triples(desc):
        assert triple in catalogue, triple
    assert (CATALOGUE, DCAT.dataset, desc.iri) in catalogue
    # The store may keep a byte size as xsd:integer; the catalogue gives it its type back.
    size = catalogue.value(URIRef(f"{desc.iri}/distribution/1"), DCAT.byteSize)
    assert size == Literal(123456, datatype=XSD.nonNegativeInteger)
    assert size.datatype == XSD.nonNegativeInteger  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"license": None, "rights": ""}, "states no licence"),
        ({"title": " "}, "needs a title"),
        ({"landing_page": "not an iri"}, "not an absolute IRI"),
        ({"landing_page": "https://example.org/a b"}, "not an absolute IRI"),
        ({"issued": "2024"}, "not an ISO date"),
        ({"modified": "2024-02-30"}, "not a valid date"),
        ({"temporal": ("2015", "last year")}, "not an ISO date"),
        ({"spatial": ("https://example.org/>",)}, "not an absolute IRI"),
    ],
)
def test_a_description_that_dcat_ap_cannot_carry_is_refused(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(full_description(), **change)


def test_a_licence_stated_nowhere_is_said_in_the_rights() -> None:
    desc = DatasetDescription(
        iri=ids.dataset("no-licence"),
        title="t",
        description="d",
        publisher=ids.org("eurostat"),
        identifier="x",
        rights="The source states no licence; re-use terms are unknown.",
    )
    triples = as_graph(dataset_triples(desc))
    assert triples.value(desc.iri, DCTERMS.license) is None
    assert triples.value(desc.iri, DCTERMS.rights) == URIRef(f"{desc.iri}/rights")


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("eurostat/urb_cpop1_page_linear_2_0.csv", "text/csv"),
        ("lau_2018_nuts_2016/lau-2018.tsv", "text/tab-separated-values"),
        ("x/data.JSON", "application/json"),
        ("estat_urb_cpop1.tsv.gz", "application/gzip"),
        (
            "NUTS2021-NUTS2024.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("notes.unknownsuffix", "application/octet-stream"),
    ],
)
def test_media_types_come_from_the_file_suffix(name: str, media_type: str) -> None:
    assert media_type_for(name) == media_type


def test_bad_distributions_are_refused() -> None:
    with pytest.raises(ValueError, match="media type"):
        Distribution(file_name="a.csv", media_type="csv", access_url=LANDING)
    with pytest.raises(ValueError, match="SHA-256"):
        Distribution(file_name="a.csv", media_type="text/csv", access_url=LANDING, sha256="ab")
    with pytest.raises(ValueError, match="absolute IRI"):
        Distribution(file_name="a.csv", media_type="text/csv", access_url="a.csv")


# -- a registry with imports, curated content and a partner's dataset -----------------------


def with_partner_dataset(store: Store, settings: Settings) -> None:
    org = Organisations(settings.auth_path).add(
        "amsterdam-os", "City of Amsterdam, Onderzoek en Statistiek"
    )
    body = (DATA / "catalogue" / "partner-dataset.ttl").read_bytes()
    parsed = parse_submission(
        store, body, SubmissionFormat.TURTLE, graph=org.graph, base=org.namespace
    )
    submit(store, org, parsed.graph, fmt=SubmissionFormat.TURTLE, body=body)


@pytest.fixture(scope="module")
def small(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Store]:
    """Curated content, the place registries of the test fixtures, and a partner's dataset."""
    folder = tmp_path_factory.mktemp("catalogue-small") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store, source_data=FIXTURES)
        with_partner_dataset(store, settings)
        yield store


@pytest.fixture(scope="module")
def registry(
    tmp_path_factory: pytest.TempPathFactory, knowledge_base: tuple[Store, BuildReport]
) -> Store:
    """The whole knowledge base from the real source data (shared by the session), and a
    partner's dataset (its organisation's tokens kept apart, in a folder of this module)."""
    store, _ = knowledge_base
    settings = Settings(store=tmp_path_factory.mktemp("catalogue") / "store")
    with_partner_dataset(store, settings)
    return store


def known_datasets(store: Store) -> set[URIRef]:
    rows = store.select("SELECT DISTINCT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }")
    return {d for d in rows.column("d") if isinstance(d, URIRef)}


def official_shapes(source_data: Path) -> tuple[Graph, int]:
    """The DCAT-AP 3.0.1 shapes that run, and how many dangling references were dropped.

    shacl_ranges.ttl lists, under the Dataset, Distribution and Relationship shapes, five
    property shapes that neither it nor the full shapes file defines: they constrain
    nothing, but pySHACL refuses to evaluate a shape that names an undefined property
    shape, so the references are dropped here.
    """
    folder = source_data / "spec_dcat_ap" / "3.0.1"
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(folder / name, format="turtle")
    dropped = 0
    for shape, ref in list(shapes.subject_objects(SH.property)):
        if shapes.value(ref, SH.path) is None:
            shapes.remove((shape, SH.property, ref))
            dropped += 1
    return shapes, dropped


def results(report: Graph) -> Counter[tuple[str, str]]:
    """(severity, path or constraint) of each result of a report."""
    found: Counter[tuple[str, str]] = Counter()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = report.value(result, SH.resultPath)
        where = str(path) if path is not None else str(report.value(result, SH.sourceShape))
        found[(severity, where)] += 1
    return found


@pytest.mark.needs_source_data
def test_one_catalogue_lists_every_dataset_of_every_graph(registry: Store) -> None:
    catalogue = catalogue_graph(registry)
    assert list(catalogue.subjects(RDF.type, DCAT.Catalog)) == [CATALOGUE]
    listed = set(catalogue.objects(CATALOGUE, DCAT.dataset))
    assert listed == known_datasets(registry) | {COVERAGE}
    for slug in ("nuts-2016", "nuts-2021", "nuts-2024", "lau-2018", "urban-audit-2017"):
        assert ids.dataset(slug) in listed, slug
    assert PARTNER_DATASET in listed
    assert (CATALOGUE, DCTERMS.publisher, CATALOGUE_PUBLISHER) in catalogue
    for dataset in listed:
        assert catalogue.value(dataset, DCTERMS.title) is not None, dataset
        assert catalogue.value(dataset, DCTERMS.description) is not None, dataset
        publisher = catalogue.value(dataset, DCTERMS.publisher)
        assert publisher is not None, dataset
        assert catalogue.value(publisher, FOAF.name) is not None


@pytest.mark.needs_source_data
def test_the_official_dcat_ap_3_shapes_find_no_violation(
    registry: Store, source_data: Path
) -> None:
    shapes, dropped = official_shapes(source_data)
    assert dropped == UNDEFINED_PROPERTY_SHAPES
    catalogue = catalogue_graph(registry)
    found = results(run(Engine.PYSHACL, catalogue, shapes))
    violations = {k: n for k, n in found.items() if k[0] != "Warning"}
    assert violations == {}
    warnings = {path for severity, path in found if severity == "Warning"}
    assert warnings <= EXPECTED_WARNINGS, warnings - EXPECTED_WARNINGS


@pytest.mark.needs_source_data
def test_an_imported_file_is_a_distribution_with_its_size_and_digest(
    registry: Store, source_data: Path
) -> None:
    items, _ = datasets(registry, text="NUTS 2021 regions and countries")
    assert [i["iri"] for i in items] == [str(ids.dataset("nuts-2021"))]
    (dist,) = items[0]["distributions"]
    path = source_data / NUTS_2021_FILE
    assert dist["title"] == path.name
    assert dist["byte_size"] == path.stat().st_size
    assert dist["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert dist["media_type"] == "text/csv"
    assert dist["access_url"] == "https://ec.europa.eu/eurostat/web/nuts"
    assert items[0]["graph"] == str(graphs.data("nuts-2021"))
    assert items[0]["license"] == "http://creativecommons.org/licenses/by/4.0/"


# -- the datasets list ------------------------------------------------------------------------


def iris(page: tuple[list[dict[str, object]], int]) -> list[str]:
    return [str(item["iri"]) for item in page[0]]


def test_the_list_holds_what_the_catalogue_holds(small: Store) -> None:
    items, total = datasets(small, limit=500)
    listed = set(catalogue_graph(small).objects(CATALOGUE, DCAT.dataset))
    assert total == len(items) == len(listed)
    assert {URIRef(i["iri"]) for i in items} == listed
    titles = [str(i["title"]).casefold() for i in items]
    assert titles == sorted(titles)


def test_a_partners_dataset_is_listed_with_its_description(small: Store) -> None:
    items, total = datasets(small, publisher=ids.org("amsterdam-os"))
    assert total == 1
    (item,) = items
    assert item["iri"] == str(PARTNER_DATASET)
    assert item["title"] == "Residents by migration background, Amsterdam (BBGA)"
    assert item["publisher"] == {
        "iri": str(ids.org("amsterdam-os")),
        "label": "City of Amsterdam, Research and Statistics",
    }
    assert item["temporal"] == {"start": "2015", "end": "2023"}
    assert item["spatial"] == [str(AMSTERDAM)]
    assert item["measures"] == [
        {
            "iri": str(AMSTERDAM_DEFINITION),
            "label": "Share of Amsterdam residents by migration background (BBGA)",
        }
    ]
    assert item["license"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert item["landing_page"] == "https://onderzoek.amsterdam.nl"
    assert item["graph"] is None
    assert item["observations"] == 0
    (dist,) = item["distributions"]
    assert dist["title"] == "bbga_latest_and_greatest.csv"
    assert dist["media_type"] == "text/csv"


def test_filters_by_publisher_definition_indicator_place_and_text(small: Store) -> None:
    eurostat = iris(datasets(small, publisher=ids.org("eurostat")))
    assert eurostat
    assert all("/id/dataset/" in i for i in eurostat)
    assert str(COVERAGE) not in eurostat
    assert iris(datasets(small, publisher=CATALOGUE_PUBLISHER)) == [str(COVERAGE)]
    assert iris(datasets(small, measures=AMSTERDAM_DEFINITION)) == [str(PARTNER_DATASET)]
    assert iris(datasets(small, indicator=FOREIGN_BORN_SHARE)) == [str(PARTNER_DATASET)]
    assert iris(datasets(small, indicator=FOREIGN_BORN_SHARE, publisher=ids.org("eurostat"))) == []
    at_amsterdam = iris(datasets(small, place=AMSTERDAM))
    assert set(at_amsterdam) == {str(PARTNER_DATASET), str(COVERAGE)}
    assert iris(datasets(small, text="nuts 2024")) == [str(ids.dataset("nuts-2024"))]
    assert iris(datasets(small, text="MIGRATIEACHTERGROND")) == [str(PARTNER_DATASET)]
    assert datasets(small, place=ids.country("XX")) == ([], 0)


def test_pages_follow_each_other_without_gaps_or_repeats(small: Store) -> None:
    everything, total = datasets(small)
    assert total >= 4
    pages: list[str] = []
    for offset in range(0, total + 2, 2):
        items, page_total = datasets(small, limit=2, offset=offset)
        assert page_total == total
        assert len(items) == min(2, max(total - offset, 0))
        pages += [str(i["iri"]) for i in items]
    assert pages == [str(i["iri"]) for i in everything]


@pytest.mark.parametrize(
    "text",
    [
        '" } UNION { ?d ?p ?o } #',
        "') } ; DROP ALL ; #",
        "\\u0022 \\\\ \" ' <x> ?d",
        'SELECT * WHERE { ?s ?p ?o } LIMIT 1 }}}"""',
    ],
)
def test_text_with_quotes_or_sparql_is_only_text(small: Store, text: str) -> None:
    before = small.count()
    assert datasets(small, text=text) == ([], 0)
    assert small.count() == before


def test_a_page_outside_the_limits_is_refused(small: Store) -> None:
    with pytest.raises(InputError, match="limit"):
        datasets(small, limit=0)
    with pytest.raises(InputError, match="limit"):
        datasets(small, limit=501)
    with pytest.raises(InputError, match="offset"):
        datasets(small, offset=-1)


def test_the_catalogue_is_turtle_a_harvester_can_read(small: Store) -> None:
    text = catalogue_graph(small).serialize(format="turtle")
    again = Graph().parse(data=text, format="turtle")
    assert (CATALOGUE, RDF.type, DCAT.Catalog) in again
    assert len(again) == len(catalogue_graph(small))


OLD_STYLE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org:  <https://w3id.org/commensura/id/org/> .

<https://w3id.org/commensura/id/dataset/old-style> a dcat:Dataset ;
    dct:title "A dataset described before the catalogue existed"@en ;
    dct:description "Rights and provenance given as text, a publisher with a type."@en ;
    dct:publisher org:statbel ;
    dct:rights "Statbel's terms of use apply."@en ;
    dct:provenance "Copied by hand from a table."@en .

org:statbel a foaf:Organization ; foaf:name "Statbel"@en ;
    dct:type <http://purl.org/adms/publishertype/NationalAuthority> .
"""


def old_style(store: Store) -> Graph:
    store.load(OLD_STYLE, RdfFormat.TURTLE, graph=graphs.data("old-style"))
    return catalogue_graph(store)


def test_text_rights_become_statements_and_publisher_types_get_labels(store: Store) -> None:
    catalogue = old_style(store)
    dataset = ids.dataset("old-style")
    rights = catalogue.value(dataset, DCTERMS.rights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in catalogue
    assert catalogue.value(rights, RDFS.label) == Literal(
        "Statbel's terms of use apply.", lang="en"
    )
    statement = catalogue.value(dataset, DCTERMS.provenance)
    assert (statement, RDF.type, DCTERMS.ProvenanceStatement) in catalogue
    kind = URIRef("http://purl.org/adms/publishertype/NationalAuthority")
    assert (kind, RDF.type, SKOS.Concept) in catalogue
    assert catalogue.value(kind, SKOS.prefLabel) == Literal("National authority", lang="en")


@pytest.mark.needs_source_data
def test_a_description_written_before_the_catalogue_passes_the_shapes(
    store: Store, source_data: Path
) -> None:
    shapes, _ = official_shapes(source_data)
    found = results(run(Engine.PYSHACL, old_style(store), shapes))
    assert {k: n for k, n in found.items() if k[0] != "Warning"} == {}
