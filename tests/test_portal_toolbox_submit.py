"""The portal's toolbox and submit pages, over HTTP and in a real browser.

The toolbox and the checks run against the whole knowledge base (``portal_url``). Storing
a submission needs an organisation and its token: those tests run an application of their
own over a fresh store with the curated content (``registry.kb.build`` without source
data), and compare the whole store before and after every refused request.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser

from api.app import create_app
from registry.kb import build
from registry.orgs import Organisations
from registry.store import RdfFormat, Store, open_store
from registry.submissions.csv_template import EXAMPLE_ROW, TEMPLATE_COLUMNS, template_csv
from tests.browser import PHONE, open_page, serious_violations
from tests.conftest import StoreSettings
from tests.live import serve

pytestmark = [pytest.mark.slow, pytest.mark.needs_source_data]

VALID_TURTLE = """\
@prefix cm:    <https://w3id.org/commensura/ontology#> .
@prefix dct:   <http://purl.org/dc/terms/> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix sdmxc: <http://purl.org/linked-data/sdmx/2009/code#> .

<definition/employment-rate-born-abroad-test>
    a cm:IndicatorDefinition ;
    skos:prefLabel "Employment rate of residents born abroad, 15-64 (portal test)"@en ;
    skos:definition "Employed residents born abroad, in percent of all residents born abroad."@en ;
    cm:indicator <https://w3id.org/commensura/id/indicator/employment-rate> ;
    dct:publisher <https://w3id.org/commensura/id/org/amsterdam-os> ;
    cm:measureType <https://w3id.org/commensura/vocab/measure-type/rate> ;
    cm:numerator <https://w3id.org/commensura/vocab/quantity/employedPersons> ;
    cm:denominator <https://w3id.org/commensura/vocab/quantity/population> ;
    cm:unit <https://w3id.org/commensura/vocab/unit/percent> ;
    cm:ageBand <https://w3id.org/commensura/vocab/age-band/y15to64> ;
    cm:sex sdmxc:sex-T ;
    cm:universe <https://w3id.org/commensura/vocab/universe/registeredPopulation> ;
    cm:geographyLevel <https://w3id.org/commensura/vocab/geography-level/city> ;
    cm:referenceTime <https://w3id.org/commensura/vocab/reference-time/startOfYear> ;
    cm:dataSource <https://w3id.org/commensura/id/source/amsterdam-population-register> ;
    cm:targetGroup <population/born-abroad-test> ;
    cm:referenceGroup <population/born-in-nl-test> ;
    dct:spatial <https://w3id.org/commensura/id/place/urban-audit/NL002C1> ;
    dct:source <https://onderzoek.amsterdam.nl> .

<population/born-abroad-test>
    a cm:PopulationDefinition ;
    skos:prefLabel "Born abroad (portal test)"@en ;
    skos:definition "Residents whose own country of birth is not the Netherlands."@en ;
    dct:publisher <https://w3id.org/commensura/id/org/amsterdam-os> ;
    cm:dataSource <https://w3id.org/commensura/id/source/amsterdam-population-register> ;
    cm:hasReferenceGroup <population/born-in-nl-test> ;
    cm:condition [ a cm:Criterion ;
        cm:basis <https://w3id.org/commensura/vocab/criterion/ownCountryOfBirth> ;
        cm:value <https://w3id.org/commensura/vocab/criterion-value/foreign> ] ;
    dct:source <https://onderzoek.amsterdam.nl> .

<population/born-in-nl-test>
    a cm:PopulationDefinition ;
    skos:prefLabel "Born in the Netherlands (portal test)"@en ;
    skos:definition "Residents whose own country of birth is the Netherlands."@en ;
    dct:publisher <https://w3id.org/commensura/id/org/amsterdam-os> ;
    cm:dataSource <https://w3id.org/commensura/id/source/amsterdam-population-register> ;
    cm:condition [ a cm:Criterion ;
        cm:basis <https://w3id.org/commensura/vocab/criterion/ownCountryOfBirth> ;
        cm:value <https://w3id.org/commensura/vocab/criterion-value/national> ] ;
    dct:source <https://onderzoek.amsterdam.nl> .
"""
"""A definition with its two groups that meets every shape (relative IRIs: they land in the
namespace of whoever submits it)."""


def csv_file(*rows: dict[str, str]) -> str:
    """A filled-in CSV template: the header, then the rows (cells not given are empty)."""
    out = io.StringIO()
    out.write(",".join(TEMPLATE_COLUMNS) + "\r\n")
    for row in rows:
        cells = [row.get(name, "") for name in TEMPLATE_COLUMNS]
        out.write(",".join(f'"{c}"' if ("," in c or '"' in c) else c for c in cells) + "\r\n")
    return out.getvalue()


NOT_A_TOKEN = "cmt_not-a-token"  # noqa: S105 - a token nobody was ever given
GOOD_ROW = dict(EXAMPLE_ROW)
BROKEN_ROW = {**EXAMPLE_ROW, "id": "broken-row", "label": "", "unit": "PCT"}
"""Row 3 of the broken file: its label is missing and its unit is not a code."""


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=120)


def post_file(
    url: str,
    name: str,
    content: bytes | str,
    *,
    action: str = "check",
    token: str | None = None,
    fmt: str = "auto",
) -> httpx.Response:
    body = content.encode("utf-8") if isinstance(content, str) else content
    data = {"action": action, "format": fmt}
    if token is not None:
        data["token"] = token
    return httpx.post(
        url + "/submit",
        files={"file": (name, body, "application/octet-stream")},
        data=data,
        timeout=120,
    )


def main_text(response: httpx.Response) -> str:
    """The page's <main>, tags dropped and spaces collapsed."""
    main = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace(" .", ".")
    return html.unescape(text)


# -- the toolbox -----------------------------------------------------------------------------


def test_the_toolbox_lists_every_practice_with_its_facts(portal_url: str) -> None:
    response = get(portal_url + "/toolbox")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    body = response.text
    for kind in ("Monitoring system", "Survey model", "Collaboration model", "Audience"):
        assert re.search(rf'<h2 id="kind-\w+">{kind} <span', body), kind
    assert "Communication format" in body
    assert ">Vienna Integration and Diversity Monitor</a></h3>" in body
    # the filters are filled from the registry: kinds, themes, the places that have practices
    assert '<option value="monitoringSystem">Monitoring system (' in body
    assert '<option value="employment">Employment (' in body
    assert '<option value="urban-audit/AT001C1">Vienna (' in body
    assert '<option value="urban-audit/EL001C1">Athens (' in body
    text = main_text(response)
    assert "To be verified." in text
    assert "sixth edition (2023)" in text  # the Vienna monitor's edition
    assert "Since 2007" in text
    assert '<span lang="de">Wiener Integrations- und Diversitätsmonitor</span>' in body
    assert '<a href="/id/definition/vienna-foreign-origin-share">' in body
    assert '<a href="https://www.wien.gv.at">' in body


def test_the_toolbox_filters_by_kind_city_and_theme(portal_url: str) -> None:
    surveys = get(portal_url + "/toolbox?kind=surveyModel")
    assert surveys.status_code == 200
    assert "Register origin and survey migration background in Vienna" in surveys.text
    assert "Vienna Integration and Diversity Monitor" not in surveys.text
    assert '<option value="surveyModel" selected>' in surveys.text
    assert 'href="/toolbox">Clear the filters</a>' in surveys.text

    for city in ("urban-audit/NL002C1", "NL002C1"):
        amsterdam = get(portal_url + f"/toolbox?city={city}")
        assert amsterdam.status_code == 200
        assert "Amsterdam refugee monitor" in amsterdam.text
        assert "Vienna Integration and Diversity Monitor" not in amsterdam.text
        assert '<option value="urban-audit/NL002C1" selected>' in amsterdam.text

    employment = main_text(get(portal_url + "/toolbox?theme=employment"))
    assert "Amsterdam refugee monitor" in employment
    assert "Helsinki" not in employment.split("Clear the filters", 1)[1]

    both = main_text(get(portal_url + "/toolbox?city=urban-audit/AT001C1&kind=monitoringSystem"))
    assert re.search(r"\d+ of \d+ practices: kind Monitoring system; city Vienna\.", both)
    assert "Vienna Integration and Diversity Monitor" in both
    assert "Amsterdam" not in both.split("Clear the filters")[1]


def test_filters_that_match_nothing_say_so_and_lead_back(portal_url: str) -> None:
    response = get(portal_url + "/toolbox?city=urban-audit/AT001C1&theme=housing")
    assert response.status_code == 200
    assert "No practices match these filters." in response.text
    assert '<a href="/toolbox">clear the filters and see every practice</a>' in response.text
    # a city Commensura knows, without any practice
    graz = get(portal_url + "/toolbox?city=AT002C1")
    assert graz.status_code == 200
    assert "No practices match" in graz.text


@pytest.mark.parametrize(
    ("query", "named"),
    [("kind=dashboard", "dashboard"), ("theme=weather", "weather"), ("city=Atlantis", "Atlantis")],
)
def test_unknown_filter_values_get_a_400_page(portal_url: str, query: str, named: str) -> None:
    response = get(portal_url + "/toolbox?" + query)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert named in response.text
    assert "error code" in response.text


def test_a_practice_has_a_page_of_its_own(portal_url: str) -> None:
    response = get(portal_url + "/toolbox/athens-accmr-coordination")
    assert response.status_code == 200
    assert "<h1>Athens Coordination Center for Migrant and Refugee issues (ACCMR)</h1>" in (
        response.text
    )
    assert "Since 2017" in main_text(response)
    missing = get(portal_url + "/toolbox/no-such-practice")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")


# -- the submit page --------------------------------------------------------------------------


def test_the_submit_page_has_the_form_and_the_template(portal_url: str) -> None:
    response = get(portal_url + "/submit")
    assert response.status_code == 200
    body = response.text
    assert 'method="post" enctype="multipart/form-data"' in body
    assert '<input id="file" name="file" type="file" required' in body
    assert '<select id="format" name="format"' in body
    assert 'name="token" type="password"' in body
    assert '<button type="submit" name="action" value="check">Check only</button>' in body
    assert "Check and submit</button>" in body
    assert 'href="/submit/template.csv"' in body
    template = get(portal_url + "/submit/template.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert "attachment" in template.headers["content-disposition"]
    assert template.text == template_csv()
    assert get(portal_url + "/submit/example.csv").text.startswith("id,label,")


def test_a_broken_csv_row_is_reported_by_row_and_column(portal_url: str) -> None:
    response = post_file(portal_url, "definitions.csv", csv_file(GOOD_ROW, BROKEN_ROW))
    assert response.status_code == 200
    text = main_text(response)
    assert "Conforms: no." in text
    assert "2 problems to fix" in text
    assert "Row 3 label empty is empty; fill it in" in text
    assert re.search(r"Row 3 unit PCT 'PCT' is not a code of the unit scheme", text), text


def test_a_shape_violation_in_a_csv_row_names_the_row(portal_url: str) -> None:
    row = {**EXAMPLE_ROW, "publisher": "no-such-office"}
    response = post_file(portal_url, "definitions.csv", csv_file(row))
    assert response.status_code == 200
    text = main_text(response)
    assert "Conforms: no." in text
    assert "Row 2: Anteil der Bevölkerung ausländischer Herkunft" in text
    assert "violation publisher dct:publisher · column publisher" in text
    assert "in target group" in text


def test_results_about_blank_nodes_are_shown_in_their_resource(portal_url: str) -> None:
    turtle = (
        "@prefix cm: <https://w3id.org/commensura/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<definition/half-done> a cm:IndicatorDefinition ; skos:prefLabel "Half done"@en ;\n'
        "    cm:targetGroup [ a cm:PopulationDefinition ; cm:condition [ a cm:Criterion ] ] .\n"
    )
    response = post_file(portal_url, "half-done.ttl", turtle)
    assert response.status_code == 200
    text = main_text(response)
    assert "Results by resource Half done" in text
    assert "· in target group ›" in text
    assert text.count("Half done") == 1  # one resource, its parts inside it


def test_a_valid_file_conforms(portal_url: str) -> None:
    response = post_file(portal_url, "definition.ttl", VALID_TURTLE)
    assert response.status_code == 200
    text = main_text(response)
    assert "Conforms: yes." in text
    assert "Violations 0" in text
    # the CSV example is accepted with recommendations
    example = main_text(post_file(portal_url, "example.csv", csv_file(GOOD_ROW)))
    assert "Conforms: no violations" in example
    assert "Would be stored yes" in example


@pytest.mark.parametrize(
    ("name", "content", "fmt", "status", "says"),
    [
        ("empty.ttl", b"", "auto", 400, "is empty"),
        ("latin1.csv", csv_file(GOOD_ROW).encode("latin-1"), "auto", 400, "not UTF-8"),
        ("broken.ttl", b"<a> <b> .\n", "auto", 400, "line 1"),
        ("notes.docx", b"PK\x03\x04", "auto", 415, "cannot tell the format"),
        ("definition.ttl", VALID_TURTLE.encode(), "spreadsheet", 400, "not one of the formats"),
        ("header-only.csv", template_csv().encode(), "auto", 400, "nothing to check"),
    ],
)  # fmt: skip
def test_unusable_uploads_get_a_clear_4xx_page(
    portal_url: str, name: str, content: bytes, fmt: str, status: int, says: str
) -> None:
    response = post_file(portal_url, name, content, fmt=fmt)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert says in main_text(response)
    assert 'enctype="multipart/form-data"' in response.text  # the form, to try again


def test_a_form_without_a_file_is_refused(portal_url: str) -> None:
    response = httpx.post(portal_url + "/submit", data={"action": "check"}, timeout=60)
    assert response.status_code == 400
    assert "multipart/form-data" in main_text(response)
    empty = httpx.post(
        portal_url + "/submit",
        files={"file": ("", b"", "application/octet-stream")},
        data={"action": "check"},
        timeout=60,
    )
    assert empty.status_code == 400
    assert "no file was chosen" in main_text(empty)


def test_a_wrong_token_gets_a_401_page(portal_url: str) -> None:
    response = post_file(
        portal_url, "definition.ttl", VALID_TURTLE, action="submit", token=NOT_A_TOKEN
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    text = main_text(response)
    assert "Not stored: the token is not valid" in text
    missing = post_file(portal_url, "definition.ttl", VALID_TURTLE, action="submit")
    assert missing.status_code == 401
    assert "needs your organisation's token" in main_text(missing)


# -- storing, on an application of its own -------------------------------------------------------

CAP = 64 * 1024


@dataclass
class Live:
    url: str
    app: FastAPI
    token: str

    @property
    def store(self) -> Store:
        store: Store = self.app.state.store
        return store

    def snapshot(self) -> list[bytes]:
        out = io.BytesIO()
        self.store.export(out, RdfFormat.NQUADS)
        return sorted(out.getvalue().splitlines())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("portal-submit")
    with store_settings(folder / "store", max_body_bytes=CAP) as settings:
        with open_store(settings) as store:
            build(store)
        orgs = Organisations(settings.auth_path)
        orgs.add("portal-test-office", "Portal test office")
        token = orgs.create_token("portal-test-office")[1]
        app = create_app(settings)
        with serve(app) as url:
            yield Live(url, app, token)


def test_check_and_submit_stores_the_file_and_links_its_record(live: Live) -> None:
    response = post_file(
        live.url, "definition.ttl", VALID_TURTLE, action="submit", token=live.token
    )
    assert response.status_code == 201, main_text(response)
    text = main_text(response)
    found = re.search(r"Stored\. The file was stored as submission (\d{8}T\d{6}-[0-9a-f]{8})", text)
    assert found, text
    submission = found.group(1)
    assert f'<a href="/api/submissions/{submission}">' in response.text
    assert "/id/partner/portal-test-office/definition/employment-rate-born-abroad-test" in (
        response.text
    )
    record = httpx.get(f"{live.url}/api/submissions/{submission}", timeout=60)
    assert record.status_code == 200
    assert record.json()["organisation"] == "portal-test-office"


def test_refused_submissions_store_nothing(live: Live) -> None:
    before = live.snapshot()
    wrong = post_file(live.url, "definition.ttl", VALID_TURTLE, action="submit", token=NOT_A_TOKEN)
    assert wrong.status_code == 401
    assert "the token is not valid" in main_text(wrong)
    broken = post_file(
        live.url, "definitions.csv", csv_file(BROKEN_ROW), action="submit", token=live.token
    )
    assert broken.status_code == 422
    assert "Nothing was stored." in main_text(broken)
    invalid = VALID_TURTLE.replace(
        "cm:indicator <https://w3id.org/commensura/id/indicator/employment-rate> ;", ""
    )
    refused = post_file(live.url, "definition.ttl", invalid, action="submit", token=live.token)
    assert refused.status_code == 422
    assert "Stored no" in main_text(refused)
    assert "violation indicator cm:indicator" in main_text(refused)
    theirs = (
        "<https://w3id.org/commensura/id/indicator/employment-rate> "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "Ours now"@en .\n'
    )
    forbidden = post_file(live.url, "theirs.nt", theirs, action="submit", token=live.token)
    assert forbidden.status_code == 403
    assert "may describe only its own resources" in main_text(forbidden)
    assert live.snapshot() == before, "a refused submission changed the store"


def test_files_over_the_cap_get_a_413_page(live: Live) -> None:
    before = live.snapshot()
    # over the cap and the form's allowance: refused by its declared length
    huge = post_file(live.url, "big.ttl", b"#" * (3 * CAP))
    assert huge.status_code == 413
    assert f"larger than {CAP:,} bytes" in main_text(huge)
    # over the cap, within the allowance: refused while reading the file
    big = post_file(live.url, "big.ttl", b"#" * (CAP + 10))
    assert big.status_code == 413
    assert live.snapshot() == before


# -- in the browser ---------------------------------------------------------------------------


def test_the_toolbox_in_the_browser(portal_url: str, browser: Browser) -> None:
    with open_page(browser, portal_url + "/toolbox") as visit:
        page = visit.page
        assert serious_violations(page) == []
        visit.finish("toolbox")
        page.get_by_label("Kind").select_option("surveyModel")
        page.get_by_label("City or region").select_option("urban-audit/AT001C1")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(
            re.compile(r"/toolbox\?city=urban-audit%2FAT001C1&theme=&kind=surveyModel")
        )
        survey = re.compile(r"^Register origin and survey migration background in Vienna")
        assert page.get_by_role("link", name=survey).is_visible()
        assert serious_violations(page) == []
        page.get_by_role("link", name="Clear the filters").click()
        page.wait_for_url(re.compile(r"/toolbox$"))
    with open_page(browser, portal_url + "/toolbox?kind=monitoringSystem", viewport=PHONE) as visit:
        assert serious_violations(visit.page) == []
        visit.finish("toolbox-phone")


def test_checking_files_in_the_browser(portal_url: str, browser: Browser, tmp_path: Path) -> None:
    broken = tmp_path / "definitions.csv"
    broken.write_text(csv_file(GOOD_ROW, BROKEN_ROW), encoding="utf-8")
    valid = tmp_path / "definition.ttl"
    valid.write_text(VALID_TURTLE, encoding="utf-8")
    with open_page(browser, portal_url + "/submit") as visit:
        page = visit.page
        assert serious_violations(page) == []
        visit.finish("submit")
        page.set_input_files("input#file", str(broken))
        page.get_by_role("button", name="Check only").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("heading", name="Report on definitions.csv").is_visible()
        row = page.get_by_role("row", name=re.compile(r"^Row 3 unit"))
        assert "'PCT' is not a code of the unit scheme" in row.inner_text()
        assert (
            "is empty; fill it in"
            in page.get_by_role("row", name=re.compile(r"^Row 3 label")).inner_text()
        )
        assert serious_violations(page) == []
        visit.finish("submit-report")
        page.set_input_files("input#file", str(valid))
        page.get_by_role("button", name="Check only").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("Conforms: yes.").is_visible()
        visit.finish("submit-report-valid")
    with open_page(browser, portal_url + "/submit", viewport=PHONE) as visit:
        page = visit.page
        page.set_input_files("input#file", str(broken))
        page.get_by_role("button", name="Check only").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("Conforms: no.").is_visible()
        assert serious_violations(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the report is {width}px wide on a phone"
        visit.finish("submit-report-phone")
