"""Linking datasets: mapped imports of the real datasets, their figures, the CLI and the API.

The first half builds the whole knowledge base from the shared source data (places, then
every dataset) once, and checks figures the sources publish. The second half imports a
small made-up table through the CLI and the HTTP API into a store built without source
data.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef

from api.app import create_app
from registry import graphs, ids
from registry.config import Settings
from registry.errors import MappingError, SourceDataError
from registry.importers import run_import
from registry.importers.base import TripleSink
from registry.importers.mapping import (
    MappingImporter,
    builtin_importers,
    load_mapping,
    parse_mapping,
)
from registry.kb import build
from registry.kb.build import BuildReport
from registry.observations import observations
from registry.orgs import Organisations
from registry.store import Store, open_store
from tests.conftest import StoreSettings
from tests.live import serve
from tests.test_cli import commensura

FIXTURES = Path(__file__).parent / "data" / "mapping"
UA = f"{ids.ID_BASE}place/urban-audit/"
DEF = f"{ids.ID_BASE}definition/"
POP = f"{ids.ID_BASE}population/"
TOTAL = "https://w3id.org/commensura/vocab/population-group/total"
COUNT = "https://w3id.org/commensura/vocab/statistic/count"
VALUE = "https://w3id.org/commensura/vocab/statistic/value"

FIGURE = """
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
SELECT ?value WHERE {
  ?o cm:indicatorDefinition ?definition ; sdmx-dimension:refArea ?place ;
     sdmx-dimension:refPeriod ?period ; cm:populationGroup ?group ; cm:statistic ?statistic ;
     sdmx-dimension:sex <http://purl.org/linked-data/sdmx/2009/code#sex-T> ;
     sdmx-dimension:age ?age ;
     sdmx-measure:obsValue ?value .
  FILTER(STR(?period) = ?year)
}
"""


def figure(
    store: Store,
    definition: str,
    place: str,
    year: str,
    group: str,
    statistic: str,
    age: str = "allAges",
) -> float:
    rows = store.select(
        FIGURE,
        bindings={
            "age": URIRef(f"https://w3id.org/commensura/vocab/age-band/{age}"),
            "definition": URIRef(DEF + definition),
            "place": URIRef(place),
            "year": Literal(year),
            "group": URIRef(group),
            "statistic": URIRef(statistic),
        },
    )
    values = [float(str(v)) for (v,) in rows]
    assert len(values) == 1, f"{definition} {place} {year}: {values}"
    return values[0]


@pytest.fixture(scope="module")
def built(knowledge_base: tuple[Store, BuildReport]) -> tuple[Store, BuildReport]:
    return knowledge_base


def test_every_shipped_mapping_is_imported_without_rejections(
    built: tuple[Store, BuildReport],
) -> None:
    store, report = built
    imported = {r.slug: r for r in report.imports}
    for importer in builtin_importers():
        result = imported[importer.slug]
        assert result.rows_read > 0 and result.observations > 0, importer.slug
        assert result.rows_rejected == 0, (importer.slug, result.rejections)
        assert store.count(graphs.data(importer.slug)) == result.triples
    assert imported["helsinki-districts"].rows_read == 139


def test_helsinki_foreign_born_2024_from_the_eurostat_city_files(
    built: tuple[Store, BuildReport],
) -> None:
    store, _ = built
    helsinki = UA + "FI001C2"  # coded FI001C (2020 scheme) in the files
    born = figure(
        store, "eurostat-foreign-born-share-urban-audit", helsinki, "2024",
        POP + "eurostat-foreign-born", COUNT,
    )  # fmt: skip
    residents = figure(store, "eurostat-population-urban-audit", helsinki, "2024", TOTAL, COUNT)
    share = figure(
        store, "eurostat-foreign-born-share-urban-audit", helsinki, "2024",
        POP + "eurostat-foreign-born", VALUE,
    )  # fmt: skip
    assert (born, residents) == (118_128, 674_500)
    assert round(share, 1) == 17.5
    gent = figure(
        store, "eurostat-foreign-born-share-urban-audit", UA + "BE003C1", "2024",
        POP + "eurostat-foreign-born", VALUE,
    )  # fmt: skip
    assert round(gent, 1) == 25.0


def test_vienna_2022_population_and_foreign_origin(built: tuple[Store, BuildReport]) -> None:
    store, _ = built
    vienna = UA + "AT001C1"
    total = figure(store, "vienna-foreign-origin-share", vienna, "2022", TOTAL, COUNT)
    share = figure(
        store, "vienna-foreign-origin-share", vienna, "2022", POP + "vienna-foreign-origin", VALUE
    )
    austrian = figure(
        store, "vienna-foreign-origin-share", vienna, "2022", POP + "vienna-austrian-origin", COUNT
    )
    assert total == 1_931_593
    assert austrian == 1_109_193
    assert round(share, 1) == 42.6


def test_amsterdam_bbga_2018(built: tuple[Store, BuildReport]) -> None:
    store, _ = built
    amsterdam = UA + "NL002C1"
    slug = "amsterdam-bbga-migration-background"
    moroccan = str(ids.dataset(slug)) + "/codes/group/BEVMAROK"
    non_western = str(ids.dataset(slug)) + "/codes/group/BEVNW"
    definition = "amsterdam-migration-background-share"
    assert figure(store, definition, amsterdam, "2018", TOTAL, COUNT) == 854_316
    assert figure(store, definition, amsterdam, "2018", TOTAL, COUNT) == 854_316
    assert figure(store, definition, amsterdam, "2005", TOTAL, COUNT) == 742_951
    assert figure(store, definition, amsterdam, "2018", moroccan, COUNT) == 76_104
    assert figure(store, definition, amsterdam, "2018", non_western, VALUE) == 35.4


def test_regional_and_national_figures(built: tuple[Store, BuildReport]) -> None:
    store, _ = built
    wien = f"{ids.ID_BASE}place/nuts-2024/AT13"
    share = figure(
        store, "eurostat-foreign-born-share-nuts2", wien, "2025",
        POP + "eurostat-foreign-born", VALUE, age="y15to64",
    )  # fmt: skip
    assert share == 47.3
    found = observations(
        store,
        place=URIRef(f"{ids.ID_BASE}place/country/AT"),
        definition=URIRef(DEF + "eurostat-educational-attainment-by-citizenship"),
        period="2014",
    )
    values = {(item["value"], tuple(item["flags"])) for item in found["items"]}
    assert (29.6, ("https://w3id.org/commensura/vocab/observation-status/breakInSeries",)) in values


def test_demo_poppcctb_gives_the_share_of_women_in_each_group(
    built: tuple[Store, BuildReport],
) -> None:
    """Each percentage of demo_poppcctb is of its own group of country of birth (the sex
    total is 100): the table is read as the women's share, never as a foreign-born share."""
    store, _ = built
    greece = URIRef(f"{ids.ID_BASE}place/country/EL")
    found = observations(
        store, place=greece, definition=URIRef(DEF + "eurostat-women-share-by-country-of-birth")
    )["items"]
    eu_born = [
        item["value"]
        for item in found
        if item["period"] == "2022" and item["group"] == POP + "eurostat-eu27-2020-born"
    ]
    assert eu_born == [60.7]
    assert all(item["value"] != 100.0 for item in found)
    national = observations(
        store, place=greece, definition=URIRef(DEF + "eurostat-foreign-born-share")
    )
    assert national["items"] == []


def test_observations_are_found_from_other_code_schemes(
    built: tuple[Store, BuildReport],
) -> None:
    store, _ = built
    lau = URIRef(f"{ids.ID_BASE}place/lau-2018/FI/091")
    found = observations(store, place=lau, period="2024", limit=5000)
    assert str(UA + "FI001C2") in found["places"]
    assert any(item["value"] == 118_128 for item in found["items"])
    # A NUTS 2021 code finds what the excerpt coded in NUTS 2024 (AT13 kept its code).
    nuts = observations(store, place=URIRef(f"{ids.ID_BASE}place/nuts-2021/AT13"), period="2025")
    assert any(item["value"] == 47.3 for item in nuts["items"])


def test_coverage_counts_observations_as_evidence(built: tuple[Store, BuildReport]) -> None:
    store, _ = built
    rows = store.select(
        """
        PREFIX cm: <https://w3id.org/commensura/ontology#>
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?count ?start ?end WHERE {
          ?cell cm:coveredIndicator ?indicator ; sdmx-dimension:refArea ?place ;
                cm:observationCount ?count ; cm:evidencedDefinition ?definition ;
                cm:evidencedPeriod [ dcat:startDate ?start ; dcat:endDate ?end ] .
        }""",
        bindings={
            "indicator": URIRef(f"{ids.ID_BASE}indicator/foreign-born-share"),
            "place": URIRef(UA + "AT001C1"),
            "definition": URIRef(DEF + "vienna-foreign-origin-share"),
        },
    )
    (count, start, end), *_ = list(rows)
    assert int(str(count)) > 0
    assert (str(start)[:4], str(end)[:4]) == ("2002", "2022")


def test_an_unchanged_import_writes_nothing(
    built: tuple[Store, BuildReport], source_data: Path
) -> None:
    store, _ = built
    importer = MappingImporter(
        load_mapping(
            Path("registry/importers/mappings/eurostat-nuts2-migrant-indicators.yaml").resolve()
        )
    )
    before = store.count(importer.graph)
    report = run_import(store, importer, source_data, refresh_coverage=False)
    assert store.count(importer.graph) == before
    assert any("unchanged" in note or "removed" in note for note in report.notes)


# -- a made-up table, through the mapping engine, the CLI and the HTTP API --------------


@pytest.fixture(scope="module")
def small(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Settings]:
    with store_settings(tmp_path_factory.mktemp("small") / "store") as settings:
        with open_store(settings) as store:
            build(store)
        yield settings


def test_rows_are_rejected_with_line_and_reason(small: Settings) -> None:
    with open_store(small) as store:
        importer = MappingImporter(load_mapping(FIXTURES / "district-shares.yaml"))
        report = run_import(store, importer, FIXTURES, refresh_coverage=False)
        assert (report.rows_read, report.observations, report.rows_rejected) == (8, 3, 4)
        reasons = "\n".join(report.rejections)
        assert "line 5: value abc is not a number" in reasons
        assert "line 6: sex = X is not in the mapping's codes" in reasons
        assert "line 7: period 20x1 is not a year period" in reasons
        assert "line 9: value 28,5 is not a number" in reasons
        assert any("1 cells without a value" in n for n in report.notes)
        place = URIRef(f"{ids.ID_BASE}place/test-district/D02")
        found = observations(store, place=place)
        assert [i["value"] for i in found["items"]] == [40.25]


def test_a_mapping_that_names_unknown_things_is_refused_before_writing(
    small: Settings, tmp_path: Path
) -> None:
    text = (FIXTURES / "district-shares.yaml").read_text(encoding="utf-8")
    with open_store(small) as store:
        before = store.count()
        bad = parse_mapping(
            text.replace("vienna-foreign-origin-share-by-district", "no-such-thing")
        )
        with pytest.raises(MappingError, match="no-such-thing"):
            run_import(store, MappingImporter(bad), FIXTURES, refresh_coverage=False)
        assert store.count() == before
    with pytest.raises(MappingError, match=r"sources\.0\.place"):
        parse_mapping(text.replace("place: {column: district, scheme: test-district}", ""))
    with pytest.raises(MappingError, match="not a sex code"):
        bad = parse_mapping(text.replace('codes: {"1": M, "2": F}', 'codes: {"1": Q}'))
        with open_store(small) as store:
            run_import(store, MappingImporter(bad), FIXTURES, refresh_coverage=False)
    empty = tmp_path / "district-shares.csv"
    empty.write_text("district;year;sex;share_pct\nD01;2023;9;x\n", encoding="utf-8")
    with open_store(small) as store, pytest.raises(SourceDataError, match="none of the 1 rows"):
        run_import(
            store, MappingImporter(load_mapping(FIXTURES / "district-shares.yaml")), tmp_path,
            refresh_coverage=False,
        )  # fmt: skip


def test_iris_are_checked_where_they_are_written(small: Settings) -> None:
    """The store loads importer files without validating terms again, so what an importer
    writes is checked first: a malformed IRI is refused with its reason, nothing stored."""
    text = (FIXTURES / "district-shares.yaml").read_text(encoding="utf-8")
    with pytest.raises(MappingError, match=r"not an http.*population group"):
        bad = parse_mapping(
            text.replace("group: pop:vienna-foreign-origin", 'group: "https://example.org/a b"')
        )
        with open_store(small) as store:
            run_import(store, MappingImporter(bad), FIXTURES, refresh_coverage=False)
    sink = TripleSink(io.BytesIO())
    for iri in ("relative/path", "https://example.org/a b", "https://example.org/<x>"):
        with pytest.raises(SourceDataError, match="cannot be written as an IRI"):
            sink.add(URIRef(iri), URIRef("https://example.org/p"), Literal("x"))
        with pytest.raises(SourceDataError, match="cannot be written as an IRI"):
            sink.add(URIRef("https://example.org/s"), URIRef("https://example.org/p"), URIRef(iri))
    sink.add(URIRef("urn:x:1"), URIRef("https://example.org/p"), URIRef("https://example.org/ö"))
    assert sink.count == 1


@pytest.mark.embedded_only("runs the command without COMMENSURA_* settings on a store folder")
def test_the_import_command(small: Settings, tmp_path: Path) -> None:
    table = tmp_path / "upload.csv"
    shutil.copy(FIXTURES / "district-shares.csv", table)
    result = commensura(
        "import", str(FIXTURES / "district-shares.yaml"), str(table), "--format", "json",
        store=small.store,
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["observations"], report["rows_rejected"]) == (8, 3, 4)
    assert report["graph"] == str(graphs.data("district-shares"))
    wrong = commensura(
        "import", str(FIXTURES / "district-shares.yaml"), str(table), str(table),
        store=small.store, check=False,
    )  # fmt: skip
    assert wrong.returncode != 0
    assert "has 1 source(s)" in " ".join(wrong.stderr.split())


def test_the_datasets_api(small: Settings) -> None:
    orgs = Organisations(small.auth_path)
    orgs.add("vienna-ma23", "City of Vienna, MA 23")
    token = orgs.create_token("vienna-ma23")[1]
    mapping = (FIXTURES / "district-shares.yaml").read_bytes()
    table = (FIXTURES / "district-shares.csv").read_bytes()
    with serve(create_app(small)) as url:
        files = {"mapping": ("m.yaml", mapping), "file": ("t.csv", table)}
        anonymous = httpx.post(f"{url}/api/datasets", files=files, timeout=60)
        assert anonymous.status_code == 401
        posted = httpx.post(
            f"{url}/api/datasets", files=files, timeout=60,
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        body = posted.json()
        assert body["dataset"] == str(ids.dataset("vienna-ma23--district-shares"))
        assert (body["observations"], body["rows_rejected"]) == (3, 4)
        listed = httpx.get(f"{url}/api/datasets", params={"q": "district shares"}, timeout=60)
        assert listed.status_code == 200
        iris = [item["iri"] for item in listed.json()["items"]]
        assert str(ids.dataset("vienna-ma23--district-shares")) in iris
        broken = httpx.post(
            f"{url}/api/datasets", timeout=60,
            files={"mapping": ("m.yaml", b"slug: [unclosed"), "file": ("t.csv", table)},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert broken.status_code == 400
        assert broken.json()["error"]["code"] == "mapping.invalid"
        missing = httpx.post(
            f"{url}/api/datasets", timeout=60, files={"mapping": ("m.yaml", mapping)},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert missing.status_code == 400
        found = httpx.get(
            f"{url}/api/observations", params={"place": "test-district/D01"}, timeout=60
        )
        assert found.status_code == 200
        mine = str(ids.dataset("vienna-ma23--district-shares"))
        values = [i["value"] for i in found.json()["items"] if i["dataset"] == mine]
        assert sorted(values) == [31.5, 33.0]


def test_a_mapping_is_checked_before_any_file_is_read() -> None:
    text = (FIXTURES / "district-shares.yaml").read_text(encoding="utf-8")
    rights = "  rights: Made up for the tests.\n"
    with pytest.raises(MappingError, match=r"landing_page.*not an http"):
        parse_mapping(text.replace(rights, rights + "  landing_page: somewhere\n"))
    with pytest.raises(MappingError, match="licence"):
        parse_mapping(text.replace(rights, ""))
    with pytest.raises(MappingError, match="nuts_vintage"):
        parse_mapping(
            text.replace("scheme: test-district}", "scheme: test-district, nuts_vintage: 2019}")
        )
    with pytest.raises(MappingError, match="single hyphens"):
        parse_mapping(text.replace("slug: district-shares", "slug: district--shares"))


def test_numbers_and_periods_are_read_strictly(small: Settings, tmp_path: Path) -> None:
    (tmp_path / "district-shares.csv").write_text(
        "district;year;sex;share_pct\n"
        "D01;2023-02-28;1;12,5\n"
        "D01;2023-02-30;2;13,5\n"
        "D02;2023-02-28;1;1.234,5\n"
        "D02;2023-02-28;2;12.5\n",
        encoding="utf-8",
    )
    text = (FIXTURES / "district-shares.yaml").read_text(encoding="utf-8")
    text = text.replace("period: {column: year}", "period: {column: year, format: iso}")
    text = text.replace(
        "value: {column: share_pct}", "value: {column: share_pct, decimal_comma: true}"
    )
    text = text.replace("slug: district-shares", "slug: district-shares-strict")
    with open_store(small) as store:
        report = run_import(
            store, MappingImporter(parse_mapping(text)), tmp_path, refresh_coverage=False
        )
        assert (report.observations, report.rows_rejected) == (3, 1)
        assert "line 3: period 2023-02-30 is not a iso period" in report.rejections[0]
        values = set()
        for code in ("D01", "D02"):
            found = observations(store, place=URIRef(f"{ids.ID_BASE}place/test-district/{code}"))
            values |= {
                i["value"] for i in found["items"]
                if i["dataset"] == str(ids.dataset("district-shares-strict"))
            }  # fmt: skip
        assert values == {12.5, 1234.5}
