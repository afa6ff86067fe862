"""The pages of definitions and datasets at their IRIs, and the SPARQL page's cookbook examples,
read over HTTP and in a real browser against the whole knowledge base."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Browser
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from api.portal.pages import combination, compare_link, duration, kind_of
from api.sparql.page import COOKBOOK, EXAMPLES, read_cookbook
from registry.discovery import Condition
from registry.namespaces import CM, DCAT, QB
from tests.browser import PHONE, open_page, serious_violations
from tests.test_cookbook import cookbook

pytestmark = [pytest.mark.slow, pytest.mark.needs_source_data]

ID = "https://w3id.org/commensura/id/"
AMSTERDAM = "/id/definition/amsterdam-migration-background-share"
REVISION = "/id/definition/amsterdam-origin-share-2022"
WIEN = "/id/dataset/wien-population-by-origin"
NUTS2 = "/id/dataset/eurostat-nuts2-migrant-indicators"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(portal_url: str, path: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(portal_url + path, headers=headers, timeout=120)


def page_text(response: httpx.Response) -> str:
    """The page's text without tags (inline ones joined to their text), entities decoded,
    spaces collapsed."""
    text = re.sub(r"</?(?:a|strong|span|code|em|abbr)\b[^>]*>", "", response.text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


# -- pure helpers -------------------------------------------------------------------------


def test_the_page_examples_are_the_cookbook_read_from_its_file() -> None:
    assert tuple(cookbook()) == EXAMPLES
    assert len(COOKBOOK) >= 10
    first = COOKBOOK[0]
    assert first.description.startswith("Every definition of the employment rate")
    assert first.answer.startswith("Answer:")


def test_read_cookbook_takes_headings_paragraphs_and_answers() -> None:
    text = (
        "# Title\n\nIntro.\n\n## First question?\n\nWhat it finds,\nover two lines.\n\n"
        "```sparql\nASK {}\n```\n\nAnswer: yes.\n\n## Second?\n\n- a list item\n\n"
        "```sparql\nSELECT * {}\n```\n"
    )
    first, second = read_cookbook(text)
    assert (first.title, first.query) == ("First question?", "ASK {}\n")
    assert first.description == "What it finds, over two lines."
    assert first.answer == "Answer: yes."
    assert (second.title, second.description, second.answer) == ("Second?", "", "")


def test_durations_and_combinations_read_as_words() -> None:
    assert duration(Condition("criterion", max_years=5.0)) == "fewer than 5 years of residence"
    assert duration(Condition("criterion", min_years=10)) == "at least 10 years of residence"
    assert (
        duration(Condition("criterion", min_years=1.5, max_years=5))
        == "at least 1.5 and fewer than 5 years of residence"
    )
    assert duration(Condition("criterion")) == ""
    assert combination("anyOf") == "Any of these holds"
    assert combination("not") == "None of these holds"
    assert compare_link(f"{ID}definition/a", f"{ID}definition/b") == "/compare?a=a&b=b"


def test_which_resources_have_a_page() -> None:
    assert kind_of([CM.IndicatorDefinition]) == "definition"
    assert kind_of([DCAT.Dataset, QB.DataSet]) == "dataset"
    assert kind_of([QB.DataSet]) == "dataset"
    assert kind_of([CM.Indicator]) is None
    assert kind_of([]) is None


# -- definitions --------------------------------------------------------------------------


def test_definition_page_shows_criteria_versions_and_comparisons(portal_url: str) -> None:
    response = get(portal_url, AMSTERDAM, BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept"
    assert f'<{AMSTERDAM}.ttl>; rel="alternate"; type="text/turtle"' in response.headers["link"]
    page = response.text
    text = page_text(response)
    assert "<h1>Share of Amsterdam residents by migration background (BBGA)</h1>" in page
    assert '<span lang="nl">Amsterdammers naar migratieachtergrond (%)</span>' in page
    assert '<a href="/indicators/foreign-born-share">' in page
    # the target and reference groups as readable criteria
    assert "Target group" in text and "Reference group" in text
    assert (
        "Parents' country of birth (At least one parent): Foreign (not the reporting country)"
        in text
    )
    assert "Parents' country of birth (Both parents): Reporting country" in text
    assert "Origin assignment Own, then mother's, then father's" in text
    # the version chain: its 2022 revision
    assert f'<a href="{REVISION}">' in page
    assert "Next version Share of Amsterdam residents by origin (CBS classification" in text
    assert '<a href="/cities/urban-audit/NL002C1">Amsterdam</a>' in page
    # what it can be compared with, graded, with the way to compare them side by side
    pair = "a=amsterdam-migration-background-share&amp;b=amsterdam-origin-share-2022"
    assert f'<a href="/compare?{pair}">' in page
    assert 'class="grade grade-partial"' in page and "break in series" in text
    # its data and the other formats of the same IRI
    assert '<a href="/id/dataset/amsterdam-bbga-migration-background">' in page
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{AMSTERDAM}.{ext}"' in page
    assert "<script" not in page.lower()
    assert get(portal_url, f"{AMSTERDAM}.html").text == page


def test_nested_conditions_and_previous_versions(portal_url: str) -> None:
    revision = page_text(get(portal_url, f"{REVISION}.html"))
    assert "Any of these holds: Own country of birth: Foreign (not the reporting country)" in (
        revision
    )
    assert "Previous version Share of Amsterdam residents by migration background (BBGA)" in (
        revision
    )
    microcensus = page_text(
        get(portal_url, "/id/definition/vienna-migration-background-share-microcensus.html")
    )
    assert "None of these holds: Parents' country of birth (Both parents): Foreign" in microcensus
    series = get(portal_url, "/id/definition/eurostat-employment-rate.html").text
    assert "<code>lfsa_ergacob</code>" in series and "<code>c_birth=NEU27_2020_FOR</code>" in series


def test_the_rdf_of_a_definition_is_unchanged(portal_url: str) -> None:
    turtle = get(portal_url, AMSTERDAM, "text/turtle")
    assert turtle.status_code == 200
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    iri = URIRef(f"{ID}definition/amsterdam-migration-background-share")
    assert len(graph) > 10
    assert (iri, RDF.type, CM.IndicatorDefinition) in graph
    assert (iri, CM.targetGroup, URIRef(f"{ID}population/cbs-migration-background-2021")) in graph
    triples = Graph().parse(data=get(portal_url, f"{AMSTERDAM}.nt").text, format="nt")
    assert isomorphic(graph, triples)
    document = get(portal_url, AMSTERDAM, "application/ld+json")
    assert document.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(Graph().parse(data=document.text, format="json-ld"), graph)


def test_other_resources_keep_the_generic_page(portal_url: str) -> None:
    indicator = get(portal_url, "/id/indicator/employment-rate", "text/html").text
    assert 'href="/graph/registry"' in indicator and "<h3>Statements</h3>" in indicator
    structure = get(portal_url, f"{WIEN}/structure.html").text
    assert "<h3>Statements</h3>" in structure
    assert "pages.css" not in structure


def test_unknown_definitions_and_datasets_are_404(portal_url: str) -> None:
    for path in ("/id/definition/no-such-definition", "/id/dataset/no-such-dataset"):
        for accept in (BROWSER_ACCEPT, "text/turtle"):
            response = get(portal_url, path, accept)
            assert response.status_code == 404, (path, accept)
            assert response.json()["error"]["code"] == "not_found"
        assert get(portal_url, f"{path}.html").status_code == 404


# -- datasets -----------------------------------------------------------------------------


def test_dataset_page_shows_its_catalogue_entry_and_observations(portal_url: str) -> None:
    response = get(portal_url, WIEN, BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    text = page_text(response)
    assert "Population by sex, 5-year age groups and origin since 2002 - districts of Vienna" in (
        text
    )
    assert "Publisher City of Vienna, MA 23" in text
    # no licence stated: the rights statement says what the source allows
    assert "Licence no licence stated" in text and "CC BY 4.0" in text
    assert "Temporal coverage 2002-01-01–2022-12-31" in text
    assert "Themes Population and society" in text
    assert "Observations 69,216" in text
    assert "857,835 bytes" in text and "b88404d065ed3db7ba7ddfa3f35d4aecfe22baec" in text
    assert "copied unchanged from a public repository" in text  # provenance
    for component in ("Place", "Period", "Sex", "Age", "Value", "Unit"):
        assert f">{component}</a></li>" in page, component
    assert '<a href="/id/definition/vienna-foreign-origin-share">' in page
    sample = page.split('<table class="sample">')[1].split("</table>")[0]
    assert "<caption>A sample: 20 of its observations</caption>" in sample
    assert sample.count("<tr>") == 21  # a header and 20 observations
    assert '<th scope="col" class="num">Value</th>' in sample
    assert re.search(r'<td class="num">[\d,]+</td>', sample)
    for ext in ("ttl", "jsonld"):
        assert f'href="{WIEN}.{ext}"' in page
    rdf = Graph().parse(data=get(portal_url, f"{WIEN}.ttl").text, format="turtle")
    assert (URIRef(f"{ID}dataset/wien-population-by-origin"), RDF.type, DCAT.Dataset) in rdf


def test_dataset_with_a_licence_and_an_excerpt(portal_url: str) -> None:
    text = page_text(get(portal_url, f"{NUTS2}.html"))
    assert "Licence Creative Commons Attribution 4.0 International" in text
    assert "A hand-transcribed excerpt" in text
    assert "Derived from: https://ec.europa.eu/eurostat/databrowser/view/lfst_r_lfsd2pwc" in text
    registry = page_text(get(portal_url, "/id/dataset/nuts-2021.html"))
    assert "not a statistical table" in registry and "Observations 0" in registry


# -- the SPARQL page ----------------------------------------------------------------------


def test_sparql_page_lists_the_cookbook(portal_url: str) -> None:
    page = get(portal_url, "/sparql", BROWSER_ACCEPT).text
    assert "Examples from the query cookbook" in page
    for example in COOKBOOK:
        link = html.escape(f"/sparql?{urlencode({'query': example.query})}")
        assert f'<a href="{link}">{html.escape(example.title)}</a>' in page, example.title
    assert "<script" not in page.lower() and "<link" not in page.lower()


def test_every_cookbook_example_answers_on_the_page(portal_url: str) -> None:
    for example in COOKBOOK:
        response = httpx.get(
            f"{portal_url}/sparql",
            params={"query": example.query},
            headers={"Accept": BROWSER_ACCEPT},
            timeout=120,
        )
        assert response.status_code == 200, example.title
        assert f"{html.escape(example.query)}</textarea>" in response.text, example.title
        assert f"<strong>Example:</strong> {html.escape(example.title)}" in response.text
        assert 'aria-current="true"' in response.text


# -- in a browser -------------------------------------------------------------------------


def test_definition_page_in_a_browser(portal_url: str, browser: Browser) -> None:
    # the first page of a fresh server builds the label index (seconds): not in the browser
    assert get(portal_url, f"{AMSTERDAM}.html").status_code == 200
    with open_page(browser, portal_url + AMSTERDAM + ".html") as visit:
        page = visit.page
        assert page.get_by_role("heading", level=1).inner_text().startswith("Share of Amsterdam")
        assert page.get_by_role("heading", name="Target group").is_visible()
        page.get_by_role("link", name="Share of Amsterdam residents by origin").first.click()
        page.wait_for_load_state()
        assert page.url.endswith(REVISION)
        page.go_back()
        page.wait_for_load_state()
        assert serious_violations(page) == []
        visit.finish("definition-amsterdam")
    with open_page(browser, portal_url + AMSTERDAM, viewport=PHONE) as visit:
        assert serious_violations(visit.page) == []
        visit.finish("definition-amsterdam-phone")


def test_dataset_page_in_a_browser(portal_url: str, browser: Browser) -> None:
    assert get(portal_url, WIEN, BROWSER_ACCEPT).status_code == 200
    with open_page(browser, portal_url + WIEN) as visit:
        page = visit.page
        assert page.get_by_role("table", name="A sample: 20 of its observations").is_visible()
        assert serious_violations(page) == []
        visit.finish("dataset-wien-population-by-origin")
    with open_page(browser, portal_url + WIEN, viewport=PHONE) as visit:
        assert serious_violations(visit.page) == []
        visit.finish("dataset-wien-population-by-origin-phone")


def test_choosing_an_example_fills_the_form_and_answers(portal_url: str, browser: Browser) -> None:
    example = next(e for e in COOKBOOK if e.title.startswith("Which cities measure the foreign"))
    with open_page(browser, portal_url + "/sparql") as visit:
        page = visit.page
        assert page.locator("textarea#query").input_value() == ""
        page.get_by_role("link", name=example.title).click()
        page.wait_for_load_state()
        assert page.locator("textarea#query").input_value() == example.query
        table = page.locator("#answer table")
        assert table.is_visible()
        assert table.locator("tbody tr").count() >= 5
        assert "vienna-foreign-origin-share" in table.inner_text()
        # run it again from the form (POST)
        page.get_by_role("button", name="Run query").click()
        page.wait_for_load_state()
        assert page.locator("#answer table tbody tr").count() >= 5
        assert example.title in page.locator(".chosen").inner_text()  # also after a POST
        assert serious_violations(page) == []
        visit.finish("sparql")


def test_sparql_examples_work_without_javascript(portal_url: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(portal_url + "/sparql")
        example = COOKBOOK[2]
        page.get_by_role("link", name=example.title).click()
        page.wait_for_load_state()
        assert page.locator("textarea#query").input_value() == example.query
        assert page.locator("#answer table tbody tr").count() >= 1
    finally:
        context.close()
