"""Coverage summaries: computed at write time into the derived graph, read by the API.

The summaries are checked against the curated content (Vienna, Helsinki, Eurostat's
country-level definitions), kept up to date by submissions, imports and observations,
and served as JSON and CSV by a live server; bad filters answer 400, never 5xx.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from api.app import create_app
from registry import coverage, graphs
from registry.config import Settings
from registry.errors import InputError
from registry.importers import Importer, run_import
from registry.importers.base import ImportContext
from registry.kb import build
from registry.namespaces import CM, QB, RDF, SDMX_DIMENSION, SDMX_MEASURE
from registry.orgs import Organisation, Organisations
from registry.store import RdfFormat, Store, open_store
from registry.submissions.parse import SubmissionFormat, parse_submission
from registry.submissions.service import submit
from tests.conftest import StoreSettings
from tests.live import serve

ID = "https://w3id.org/commensura/id/"
IND = f"{ID}indicator/"
DEF = f"{ID}definition/"
UA = f"{ID}place/urban-audit/"
ORG = f"{ID}org/"
SRC = f"{ID}source/"
GEO = "https://w3id.org/commensura/vocab/geography-level/"
VIENNA, HELSINKI, AMSTERDAM = UA + "AT001C1", UA + "FI001C2", UA + "NL002C1"
WORKING_GROUP = {UA + c for c in ("AT001C1", "NL002C1", "FI001C2", "BE003C1", "EL001C1")}
FOREIGN_BORN = IND + "foreign-born-share"

AMS = f"{ID}partner/amsterdam-os/"
PARTNER_DEFINITION = AMS + "definition/naturalisation-rate"
PARTNER_TURTLE = f"""
@prefix cm:    <https://w3id.org/commensura/ontology#> .
@prefix dct:   <http://purl.org/dc/terms/> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .

<{PARTNER_DEFINITION}> a cm:IndicatorDefinition ;
    skos:prefLabel "Naturalisations per 100 foreign residents (Amsterdam)"@en ;
    skos:definition "Acquisitions of Dutch citizenship per 100 foreign residents."@en ;
    cm:indicator <{IND}naturalisation-rate> ;
    dct:publisher <{ORG}amsterdam-os> ;
    cm:dataSource <{SRC}amsterdam-population-register> ;
    cm:measureType <https://w3id.org/commensura/vocab/measure-type/ratio> ;
    cm:geographyLevel <{GEO}city> ;
    schema:validFrom "2016-01-01"^^xsd:date ;
    dct:spatial <{AMSTERDAM}> .
"""


# -- helpers --------------------------------------------------------------------------


def cells_by_place(page: coverage.CoveragePage) -> dict[str, coverage.Cell]:
    return {cell.place.iri: cell for cell in page.cells}


def only_cell(store: Store, **filters: Any) -> coverage.Cell:
    page = coverage.matrix(store, **filters)
    assert len(page.cells) == 1, [(c.indicator.iri, c.place.iri) for c in page.cells]
    return page.cells[0]


def observations(graph_slug: str, rows: list[tuple[str, str, str, Any]]) -> str:
    """N-Triples of qb:Observations: (id, definition, place, period term as Turtle)."""
    lines = []
    for ident, definition, place, period in rows:
        obs = f"<{ID}observation/{graph_slug}/{ident}>"
        lines += [
            f"{obs} <{RDF.type}> <{QB.Observation}> .",
            f"{obs} <{QB.dataSet}> <{ID}dataset/{graph_slug}> .",
            f"{obs} <{CM.indicatorDefinition}> <{definition}> .",
            f"{obs} <{SDMX_DIMENSION.refArea}> <{place}> .",
            f"{obs} <{SDMX_DIMENSION.refPeriod}> {period} .",
            f'{obs} <{SDMX_MEASURE.obsValue}> "41.5"^^<{XSD.decimal}> .',
        ]
    return "\n".join(lines) + "\n"


def year(value: int) -> str:
    return f'"{value}"^^<{XSD.gYear}>'


def derived_lines(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.export(out, RdfFormat.NQUADS, graphs=[graphs.DERIVED])
    return sorted(out.getvalue().splitlines())


def add_organisation(settings: Settings) -> Organisation:
    return Organisations(settings.auth_path).add(
        "amsterdam-os", "City of Amsterdam, Onderzoek en Statistiek"
    )


def submit_turtle(store: Store, org: Organisation, text: str) -> None:
    body = text.encode("utf-8")
    parsed = parse_submission(
        store, body, SubmissionFormat.TURTLE, graph=org.graph, base=org.namespace
    )
    submit(store, org, parsed.graph, fmt=SubmissionFormat.TURTLE, body=body)


@pytest.fixture
def built(store: Store) -> Store:
    report = build(store)
    assert report.coverage is not None and report.coverage.cells > 0
    return store


# -- the summaries of the curated content --------------------------------------------------


def test_vienna_and_the_foreign_born_share(built: Store) -> None:
    cell = only_cell(built, indicator="foreign-born-share", place="AT001C1")
    assert cell.indicator.label == "Share of foreign-born residents"
    assert cell.place.label == "Vienna"
    assert {(d.iri, d.declared, d.evidenced) for d in cell.definitions} == {
        (DEF + "vienna-foreign-origin-share", True, False),
        (DEF + "vienna-foreign-origin-share-by-district", True, False),
    }
    assert all(d.label for d in cell.definitions)
    assert [p.iri for p in cell.publishers] == [ORG + "vienna-ma23"]
    assert [s.iri for s in cell.sources] == [SRC + "vienna-population-register"]
    assert {g.iri for g in cell.geography_levels} == {GEO + "city", GEO + "cityDistrict"}
    assert [c.iri for c in cell.countries] == [f"{ID}place/country/AT"]
    assert [t.iri for t in cell.themes] == [
        "https://w3id.org/commensura/vocab/theme/populationComposition"
    ]
    # The open-data series declares its start (2002) and no end: it is ongoing.
    assert cell.declared_period == coverage.Period("2002-01-01", None)
    assert cell.evidenced_period is None
    assert cell.observations == 0


def test_helsinki_lists_its_three_definitions_and_two_publishers(built: Store) -> None:
    cell = only_cell(built, indicator=FOREIGN_BORN, place=HELSINKI)
    assert {d.iri.rsplit("/", 1)[1] for d in cell.definitions} == {
        "helsinki-foreign-language-share",
        "helsinki-foreign-language-share-by-district",
        "helsinki-foreign-language-share-by-postal-area",
    }
    assert {p.iri for p in cell.publishers} == {
        ORG + "helsinki-urban-research",
        ORG + "statistics-finland",
    }
    assert cell.declared_period is None


def test_every_curated_city_definition_is_in_a_cell_and_nothing_else_is(built: Store) -> None:
    page = coverage.matrix(built, limit=1000)
    assert page.next_offset is None
    listed = {d.iri for cell in page.cells for d in cell.definitions}
    declared = built.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        SELECT DISTINCT ?d WHERE { ?d cm:indicator ?i ; <http://purl.org/dc/terms/spatial> ?p }"""
    ).column("d")
    assert listed == {str(d) for d in declared}
    assert len(listed) == 15
    # The working-group cities, and the NUTS-2 region of Statistik Austria's microcensus.
    assert {c.place.iri for c in page.cells} == WORKING_GROUP | {f"{ID}place/nuts-2021/AT13"}


def test_eurostat_country_level_definitions_are_not_city_cells(built: Store) -> None:
    # Eurostat's reference definitions are declared for no place: they make no cell.
    page = coverage.matrix(built, limit=1000)
    assert not any("eurostat" in d.iri for c in page.cells for d in c.definitions)
    assert not coverage.matrix(built, geography_level="country").cells
    assert not coverage.matrix(built, indicator="employment-rate").cells
    # Statistik Austria's NUTS-2 figure is a cell of its own, not a city cell.
    at13 = only_cell(built, place=f"{ID}place/nuts-2021/AT13")
    assert [g.iri for g in at13.geography_levels] == [GEO + "nuts2"]
    city = coverage.matrix(built, geography_level="city", country="AT")
    assert [c.place.iri for c in city.cells] == [VIENNA]


def test_filters(built: Store) -> None:
    assert {c.place.iri for c in coverage.matrix(built, country="EL").cells} == {UA + "EL001C1"}
    greek = coverage.matrix(built, place="EL001C1")
    assert {c.indicator.iri for c in greek.cells} == {FOREIGN_BORN, IND + "foreign-citizen-share"}
    theme = coverage.matrix(built, theme="populationComposition", limit=1000)
    assert len(theme.cells) == len(coverage.matrix(built, limit=1000).cells) == 10
    assert not coverage.matrix(built, theme="employment").cells

    # Only Vienna's cells have a known period, all ongoing: the foreign-born share declared
    # from 2002, the population from 1869 (census years) and the migration flows from 2007.
    def cells(**filters: Any) -> list[tuple[str, str]]:
        return [(c.indicator.iri, c.place.iri) for c in coverage.matrix(built, **filters).cells]

    assert set(cells(since="2024-05")) == {
        (FOREIGN_BORN, VIENNA),
        (IND + "population", VIENNA),
        (IND + "net-migration-rate", VIENNA),
    }
    assert sorted(cells(until="2002")) == [(FOREIGN_BORN, VIENNA), (IND + "population", VIENNA)]
    assert cells(until="2001-12-31") == [(IND + "population", VIENNA)]
    assert cells(until="1869-12-31") == [(IND + "population", VIENNA)]
    # Nothing before the population series' first census day.
    assert not cells(until="1869-12-30")
    first = coverage.matrix(built, limit=3)
    second = coverage.matrix(built, limit=3, offset=first.next_offset)
    third = coverage.matrix(built, limit=3, offset=second.next_offset)
    rest = coverage.matrix(built, limit=3, offset=third.next_offset)
    assert (first.next_offset, second.next_offset, third.next_offset, rest.next_offset) == (
        3,
        6,
        9,
        None,
    )
    paged = [c.iri for page in (first, second, third, rest) for c in page.cells]
    assert sorted(paged) == sorted(c.iri for c in coverage.matrix(built, limit=100).cells)


@pytest.mark.parametrize(
    ("filters", "parameter"),
    [
        ({"indicator": "no-such-indicator"}, "indicator"),
        ({"indicator": "employment rate"}, "indicator"),
        ({"indicator": "<https://evil>"}, "indicator"),
        ({"theme": "https://example.org/not known"}, "theme"),
        ({"country": "XX"}, "country"),
        ({"geography_level": "planet"}, "geography_level"),
        ({"place": "AT001C9"}, "place"),
        ({"since": "2015-13"}, "since"),
        ({"since": "last year"}, "since"),
        ({"until": "2015-02-30"}, "until"),
        ({"since": "2020", "until": "2019"}, "until"),
        ({"limit": 0}, "limit"),
        ({"limit": 100_000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_bad_filters_raise_input_errors(
    built: Store, filters: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        coverage.matrix(built, **filters)
    assert caught.value.details["parameter"] == parameter


# -- gaps ----------------------------------------------------------------------------------


def test_gaps_of_the_zaragoza_indicators(built: Store) -> None:
    found = coverage.gaps(built)
    assert found.indicator_set.label == "Zaragoza core indicators of immigrant integration"
    assert {c.iri for c in found.cities} == WORKING_GROUP
    assert len(found.indicators) == 14
    naturalisation = next(
        i for i in found.indicators if i.indicator.iri.endswith("/naturalisation-rate")
    )
    assert naturalisation.indicator.label == "Naturalisation rate"
    assert not naturalisation.city_definition_anywhere
    assert {g.city.iri for g in naturalisation.gaps} == WORKING_GROUP
    assert not any(g.city_definition or g.data for g in naturalisation.gaps)
    # None of the Zaragoza indicators has a city-level definition in the curated content.
    assert len(found.without_city_definition) == 14
    with pytest.raises(InputError):
        coverage.gaps(built, indicator_set="no-such-set")


# -- keeping the summaries up to date ---------------------------------------------------------


def test_a_partner_submission_updates_coverage_at_once(built: Store, settings: Settings) -> None:
    org = add_organisation(settings)
    assert not coverage.matrix(built, indicator="naturalisation-rate").cells
    submit_turtle(built, org, PARTNER_TURTLE)
    cell = only_cell(built, indicator="naturalisation-rate")
    assert cell.place.iri == AMSTERDAM
    assert [(d.iri, d.label, d.declared) for d in cell.definitions] == [
        (PARTNER_DEFINITION, "Naturalisations per 100 foreign residents (Amsterdam)", True)
    ]
    assert [p.iri for p in cell.publishers] == [ORG + "amsterdam-os"]
    assert cell.declared_period == coverage.Period("2016-01-01", None)
    gaps = {g.indicator.iri: g for g in coverage.gaps(built).indicators}
    naturalisation = gaps[IND + "naturalisation-rate"]
    assert naturalisation.city_definition_anywhere
    amsterdam = next(g for g in naturalisation.gaps if g.city.iri == AMSTERDAM)
    assert (amsterdam.city_definition, amsterdam.data) == (True, False)
    # A changed definition: the current one is listed, not the snapshot of the old one.
    submit_turtle(built, org, PARTNER_TURTLE.replace("(Amsterdam)", "(Amsterdam, register)"))
    cell = only_cell(built, indicator="naturalisation-rate")
    assert [d.iri for d in cell.definitions] == [PARTNER_DEFINITION]
    assert (
        cell.definitions[0].label
        == "Naturalisations per 100 foreign residents (Amsterdam, register)"
    )
    # Moved to another indicator: the old cell goes, the new one comes.
    submit_turtle(
        built,
        org,
        PARTNER_TURTLE.replace(
            "indicator/naturalisation-rate>", "indicator/long-term-residence-share>"
        ),
    )
    assert not coverage.matrix(built, indicator="naturalisation-rate").cells
    assert only_cell(built, indicator="long-term-residence-share").place.iri == AMSTERDAM
    # The partial refreshes left exactly what a full refresh computes.
    assert not coverage.refresh(built).changed


def test_a_failed_refresh_does_not_lose_the_submission(
    built: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(store: Store, triples: object) -> coverage.RefreshReport:
        raise RuntimeError("the refresh broke")

    monkeypatch.setattr(coverage, "refresh_after_write", broken)
    submit_turtle(built, add_organisation(settings), PARTNER_TURTLE)
    assert built.ask(
        "ASK { ?d a <https://w3id.org/commensura/ontology#IndicatorDefinition> }",
        bindings={"d": URIRef(PARTNER_DEFINITION)},
    )
    assert not coverage.matrix(built, indicator="naturalisation-rate").cells
    monkeypatch.undo()
    assert coverage.refresh(built).added
    assert only_cell(built, indicator="naturalisation-rate").place.iri == AMSTERDAM


def test_observations_in_a_data_graph_extend_the_evidenced_period(built: Store) -> None:
    vienna_city = DEF + "vienna-foreign-origin-share"
    vienna_districts = DEF + "vienna-foreign-origin-share-by-district"
    data = graphs.data("vienna-test")
    built.load(
        observations(
            "vienna-test",
            [
                ("a", vienna_city, VIENNA, year(2015)),
                ("b", vienna_city, VIENNA, year(2020)),
                ("c", vienna_districts, VIENNA, f'"2018-01-01"^^<{XSD.date}>'),
            ],
        ),
        RdfFormat.NTRIPLES,
        graph=data,
    )
    assert coverage.refresh(built).changed
    cell = only_cell(built, indicator=FOREIGN_BORN, place=VIENNA)
    assert cell.observations == 3
    assert cell.evidenced_period == coverage.Period("2015", "2020")
    assert cell.declared_period == coverage.Period("2002-01-01", None)
    assert all(d.declared and d.evidenced for d in cell.definitions)
    # More observations, in another graph, with a period given as an IRI.
    built.load(
        observations(
            "vienna-more",
            [
                ("d", vienna_city, VIENNA, year(2010)),
                ("e", vienna_city, VIENNA, "<http://reference.data.gov.uk/id/year/2023>"),
                # A definition observed for a place it is not declared for.
                ("f", vienna_city, f"{ID}place/nuts-2021/AT13", year(2021)),
            ],
        ),
        RdfFormat.NTRIPLES,
        graph=graphs.data("vienna-more"),
    )
    coverage.refresh(built)
    cell = only_cell(built, indicator=FOREIGN_BORN, place=VIENNA)
    assert (cell.observations, cell.evidenced_period) == (5, coverage.Period("2010", "2023"))
    at13 = only_cell(built, indicator=FOREIGN_BORN, place=f"{ID}place/nuts-2021/AT13")
    assert {(d.iri, d.declared, d.evidenced) for d in at13.definitions} == {
        (DEF + "vienna-migration-background-share-microcensus", True, False),
        (vienna_city, False, True),
    }
    assert at13.evidenced_period == coverage.Period("2021", "2021")
    # The period filters read the evidence too.
    # Vienna's population cell is declared from 1869; no foreign-born cell reaches back that far.
    assert [(c.indicator.iri, c.place.iri) for c in coverage.matrix(built, until="2001").cells] == [
        (IND + "population", VIENNA)
    ]
    assert {c.place.iri for c in coverage.matrix(built, since="2021-06").cells} == {
        VIENNA,
        f"{ID}place/nuts-2021/AT13",
    }
    # Gaps: Vienna has data, but not for a Zaragoza indicator.
    assert all(
        not g.data for i in coverage.gaps(built).indicators for g in i.gaps if g.city.iri == VIENNA
    )
    # Dropping a data graph and refreshing takes its evidence away again.
    built.drop_graph(graphs.data("vienna-more"))
    coverage.refresh(built)
    cell = only_cell(built, indicator=FOREIGN_BORN, place=VIENNA)
    assert (cell.observations, cell.evidenced_period) == (3, coverage.Period("2015", "2020"))


class _ObservationImporter(Importer):
    """A tiny importer of observations of the Amsterdam share, for the refresh hook."""

    slug: ClassVar[str] = "amsterdam-test"
    title: ClassVar[str] = "Amsterdam test observations"
    description: ClassVar[str] = "Two observations of Amsterdam's share, for a test."
    landing_page: ClassVar[URIRef] = URIRef("https://onderzoek.amsterdam.nl")
    files: ClassVar[tuple[str, ...]] = ("amsterdam.csv",)

    def read(self, ctx: ImportContext) -> None:
        for number, line in enumerate(
            (ctx.source / "amsterdam.csv").read_text(encoding="utf-8").split()[1:], start=1
        ):
            ctx.rows_read += 1
            obs = URIRef(f"{ID}observation/amsterdam-test/{number}")
            ctx.add(obs, RDF.type, QB.Observation)
            ctx.add(
                obs, CM.indicatorDefinition, URIRef(DEF + "amsterdam-migration-background-share")
            )
            ctx.add(obs, SDMX_DIMENSION.refArea, URIRef(AMSTERDAM))
            ctx.add(obs, SDMX_DIMENSION.refPeriod, Literal(line, datatype=XSD.gYear))


def test_run_import_refreshes_the_coverage(built: Store, tmp_path: Path) -> None:
    (tmp_path / "amsterdam.csv").write_text("year\n2017\n2019\n", encoding="utf-8")
    run_import(built, _ObservationImporter(), tmp_path)
    cell = only_cell(built, indicator=FOREIGN_BORN, place="NL002C1")
    assert (cell.observations, cell.evidenced_period) == (2, coverage.Period("2017", "2019"))


def test_stored_summaries_are_what_computing_from_the_observations_gives(built: Store) -> None:
    built.load(
        observations(
            "mixed",
            [
                ("a", DEF + "ghent-foreign-origin-share", UA + "BE003C1", year(2012)),
                ("b", DEF + "athens-born-abroad-share", UA + "EL001C1", year(2011)),
                ("c", DEF + "athens-born-abroad-share", UA + "EL001C1", year(2021)),
                ("d", DEF + "eurostat-employment-rate", f"{ID}place/country/NL", year(2020)),
            ],
        ),
        RdfFormat.NTRIPLES,
        graph=graphs.data("mixed"),
    )
    coverage.refresh(built)
    computed = {
        (
            s.indicator,
            s.place,
            s.declared,
            s.evidenced,
            s.publishers,
            s.sources,
            s.geography_levels,
            s.countries,
            s.declared_period,
            s.evidenced_period,
            s.observations,
        )
        for s in coverage.compute(built)
    }
    stored = {
        (
            c.indicator.iri,
            c.place.iri,
            frozenset(d.iri for d in c.definitions if d.declared),
            frozenset(d.iri for d in c.definitions if d.evidenced),
            frozenset(p.iri for p in c.publishers),
            frozenset(s.iri for s in c.sources),
            frozenset(g.iri for g in c.geography_levels),
            frozenset(x.iri for x in c.countries),
            c.declared_period,
            c.evidenced_period,
            c.observations,
        )
        for c in coverage.matrix(built, limit=5000).cells
    }
    assert stored == computed
    # Eurostat's definition observed for a country: a country cell, evidenced only.
    netherlands = only_cell(built, indicator="employment-rate")
    assert netherlands.place.iri == f"{ID}place/country/NL"
    assert [c.iri for c in netherlands.countries] == [f"{ID}place/country/NL"]
    assert [(d.declared, d.evidenced) for d in netherlands.definitions] == [(False, True)]


def test_refresh_is_idempotent_and_keeps_other_derived_content(built: Store) -> None:
    # Derived content that is neither a coverage summary nor a comparability assessment.
    annotation = (
        URIRef(f"{ID}measurement/example"),
        RDF.type,
        URIRef("http://www.w3.org/ns/dqv#QualityMeasurement"),
    )
    with built.transaction() as tx:
        tx.add([annotation], graph=graphs.DERIVED)
    before = derived_lines(built)
    again = coverage.refresh(built)
    assert (again.added, again.removed) == (0, 0)
    assert derived_lines(built) == before
    # A partial refresh of every indicator and place agrees with the full one.
    indicators = {URIRef(c.indicator.iri) for c in coverage.matrix(built, limit=1000).cells}
    places = {URIRef(c.place.iri) for c in coverage.matrix(built, limit=1000).cells}
    assert not coverage.refresh(built, indicators=indicators, places=places).changed
    # A summary tampered with is put right; what is not coverage stays.
    cell = URIRef(coverage.matrix(built, limit=1).cells[0].iri)
    with built.transaction() as tx:
        tx.remove(
            [(cell, CM.observationCount, Literal(0, datatype=XSD.integer))], graph=graphs.DERIVED
        )
        tx.add(
            [(cell, CM.observationCount, Literal(7, datatype=XSD.integer))], graph=graphs.DERIVED
        )
    assert coverage.refresh(built).changed
    assert derived_lines(built) == before
    assert any(b"measurement/example" in line for line in before)


def test_a_rebuild_leaves_the_same_derived_graph(built: Store) -> None:
    before = derived_lines(built)
    report = build(built)
    assert report.coverage is not None and not report.coverage.changed
    assert derived_lines(built) == before


# -- the HTTP API on a live server ---------------------------------------------------------


@dataclass
class Live:
    url: str
    app: FastAPI

    @property
    def store(self) -> Store:
        store: Store = self.app.state.store
        return store

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=30, **kwargs)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings) -> Iterator[Live]:
    with store_settings(tmp_path_factory.mktemp("coverage") / "store") as settings:
        with open_store(settings) as store:
            build(store)
            store.load(
                observations(
                    "live",
                    [
                        ("a", DEF + "helsinki-foreign-language-share", HELSINKI, year(2019)),
                        ("b", DEF + "helsinki-foreign-language-share", HELSINKI, year(2022)),
                    ],
                ),
                RdfFormat.NTRIPLES,
                graph=graphs.data("live"),
            )
            coverage.refresh(store)
        app = create_app(settings)
        with serve(app) as url:
            yield Live(url, app)


def test_the_api_answers_json_and_csv_that_agree(live: Live) -> None:
    response = live.get("/api/coverage", params={"limit": 100})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["count"] == len(body["cells"]) == 10 and body["next_offset"] is None
    as_csv = live.get("/api/coverage", params={"limit": 100}, headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert live.get("/api/coverage", params={"limit": 100, "format": "csv"}).text == as_csv.text
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["summary"] for r in rows] == [c["iri"] for c in body["cells"]]
    for row, cell in zip(rows, body["cells"], strict=True):
        assert row["indicator"] == cell["indicator"]["iri"]
        assert row["indicator_label"] == cell["indicator"]["label"]
        assert row["place"] == cell["place"]["iri"]
        assert row["place_label"] == cell["place"]["label"]
        assert row["definitions"].split() == [d["iri"] for d in cell["definitions"]]
        assert row["definition_labels"].split(" | ") == [d["label"] for d in cell["definitions"]]
        assert row["declared_definitions"].split() == [
            d["iri"] for d in cell["definitions"] if d["declared"]
        ]
        assert row["sources"].split() == [s["iri"] for s in cell["sources"]]
        assert row["publishers"].split() == [p["iri"] for p in cell["publishers"]]
        assert int(row["observations"]) == cell["observations"]
        for prefix, key in (("declared", "declared_period"), ("evidenced", "evidenced_period")):
            period = cell[key] or {"from": None, "to": None}
            assert row[f"{prefix}_from"] == (period["from"] or "")
            assert row[f"{prefix}_to"] == (period["to"] or "")
    helsinki = next(c for c in body["cells"] if c["place"]["iri"] == HELSINKI)
    assert helsinki["observations"] == 2
    assert helsinki["evidenced_period"] == {"from": "2019", "to": "2022"}
    assert {d["iri"]: d["evidenced"] for d in helsinki["definitions"]}[
        DEF + "helsinki-foreign-language-share"
    ]


def test_the_api_filters_and_pages(live: Live) -> None:
    body = live.get("/api/coverage", params={"country": "FI", "geography_level": "city"}).json()
    assert [c["place"]["label"] for c in body["cells"]] == ["Helsinki"]
    assert body["filters"] == {
        "country": f"{ID}place/country/FI",
        "geography_level": GEO + "city",
    }
    assert live.get("/api/coverage", params={"since": "2022"}).json()["count"] == 4
    first = live.get("/api/coverage", params={"limit": 5})
    assert first.json()["next_offset"] == 5
    assert 'rel="next"' in first.headers["link"] and "offset=5" in first.headers["link"]
    second = live.get("/api/coverage", params={"limit": 5, "offset": 5}).json()
    assert second["next_offset"] is None and second["count"] == 5


def test_the_api_gaps(live: Live) -> None:
    response = live.get("/api/coverage/gaps")
    assert response.status_code == 200
    body = response.json()
    assert len(body["indicators"]) == len(body["without_city_definition"]) == 14
    assert {c["iri"] for c in body["cities"]} == WORKING_GROUP
    assert live.get("/api/coverage/gaps", params={"indicator_set": "zaragoza-core"}).json() == body


@pytest.mark.parametrize(
    ("path", "params", "headers", "status", "code"),
    [
        ("/api/coverage", {"indicator": "nope"}, {}, 400, "input.invalid"),
        ("/api/coverage", {"since": "2015-13-01"}, {}, 400, "input.invalid"),
        ("/api/coverage", {"place": "<script>"}, {}, 400, "input.invalid"),
        ("/api/coverage", {"limit": "0"}, {}, 400, "input.invalid"),
        ("/api/coverage", {"limit": "many"}, {}, 422, "request.invalid"),
        ("/api/coverage", {"indicatr": "employment-rate"}, {}, 400, "input.invalid"),
        ("/api/coverage", {"format": "xml"}, {}, 400, "input.invalid"),
        ("/api/coverage", {}, {"Accept": "application/xml"}, 406, "http.error"),
        ("/api/coverage/gaps", {"indicator_set": "nope"}, {}, 400, "input.invalid"),
        ("/api/coverage/gaps", {"format": "csv"}, {}, 400, "input.invalid"),
        ("/api/coverage/gaps", {"indicator": "x"}, {}, 400, "input.invalid"),
    ],
)
def test_the_api_refuses_bad_requests_clearly(
    live: Live, path: str, params: dict[str, str], headers: dict[str, str], status: int, code: str
) -> None:
    response = live.get(path, params=params, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_the_api_never_answers_with_a_server_error(live: Live) -> None:
    odd = ["", " ", "%", "a" * 5000, "http://", "urn:x", "\u00e9", "'; DROP", "1e9", "-"]
    for name in ("indicator", "theme", "country", "geography_level", "place", "since", "until"):
        for value in odd:
            response = live.get("/api/coverage", params={name: value})
            assert response.status_code < 500, (name, value, response.text)
    for value in ("-1", "99999999999999999999", "1.5"):
        assert live.get("/api/coverage", params={"offset": value}).status_code < 500
    repeated = live.get("/api/coverage?country=AT&country=FI")
    assert repeated.status_code == 400


def test_openapi_documents_the_coverage_routes(live: Live) -> None:
    spec = live.get("/openapi.json").json()
    matrix = spec["paths"]["/api/coverage"]["get"]
    names = {p["name"] for p in matrix["parameters"]}
    assert names == {
        "indicator",
        "theme",
        "country",
        "geography_level",
        "place",
        "since",
        "until",
        "limit",
        "offset",
        "format",
    }
    assert all(p.get("description") for p in matrix["parameters"])
    assert "text/csv" in matrix["responses"]["200"]["content"]
    assert "400" in matrix["responses"]
    assert "/api/coverage/gaps" in spec["paths"]
