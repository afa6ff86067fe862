"""The portal's home page, search and lists, read over HTTP and in a real browser."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser import PHONE, open_page, serious_violations

pytestmark = [pytest.mark.slow, pytest.mark.needs_source_data]


def get(portal_url: str, path: str) -> httpx.Response:
    return httpx.get(portal_url + path, timeout=60)


def test_home_lists_the_areas_and_the_working_group_cities(portal_url: str) -> None:
    response = get(portal_url, "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    for area in ("Employment", "Education", "Social inclusion", "Active citizenship", "Health"):
        assert f"<h3>{area}</h3>" in text
    for city in ("Amsterdam", "Athens", "Ghent", "Helsinki", "Vienna"):
        assert re.search(rf'<a href="/cities/urban-audit/[A-Z0-9]+">{city}</a>', text), city
    assert 'href="/static/portal/portal.css"' in text
    assert "http://" not in re.sub(r'href="http[^"]*"', "", text).split("<footer")[0]


def test_search_finds_labels_in_any_language(portal_url: str) -> None:
    text = get(portal_url, "/search?q=Arbeitslosenquote").text
    assert '<a href="/indicators/unemployment-rate">Unemployment rate</a>' in text
    assert '<span lang="de">“Arbeitslosenquote”</span>' in text
    english = get(portal_url, "/search?q=employment+rate&kind=indicator").text
    assert '<a href="/indicators/employment-rate">Employment rate</a>' in english
    nothing = get(portal_url, "/search?q=zzzqqq").text
    assert "0 results" in nothing


def test_bad_input_gets_a_page_with_the_reason(portal_url: str) -> None:
    response = get(portal_url, "/cities?country=ZZ")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "ZZ" in response.text
    assert "error code" in response.text
    assert get(portal_url, "/cities?offset=-3").status_code == 422
    assert get(portal_url, "/search?q=" + "x" * 300).status_code == 422


def test_cities_filter_by_name_and_country(portal_url: str) -> None:
    text = get(portal_url, "/cities?q=wien").text
    assert ">Vienna</a>" in text
    austria = get(portal_url, "/cities?country=AT").text
    assert ">Graz</a>" in austria
    assert ">Amsterdam</a>" not in austria.split("<table")[1]


def test_home_and_search_in_the_browser(portal_url: str, browser: Browser) -> None:
    with open_page(browser, portal_url + "/") as visit:
        page = visit.page
        assert not serious_violations(page)
        visit.finish("home")
        page.get_by_label("Search indicators").fill("Arbeitslosenquote")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=Arbeitslosenquote"))
        assert page.get_by_role("link", name="Unemployment rate").is_visible()
        assert not serious_violations(page)
        visit.finish("search")
    with open_page(browser, portal_url + "/", viewport=PHONE) as visit:
        page = visit.page
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to the content")
        assert skip.evaluate("el => el === document.activeElement")
        visit.finish("home-phone")


PAGES = (
    "/",
    "/indicators",
    "/cities/urban-audit/NL002C1",
    "/indicators/foreign-born-share",
    "/compare?a=vienna-foreign-origin-share&b=eurostat-foreign-born-share-urban-audit",
    "/toolbox",
    "/submit",
    "/id/definition/amsterdam-migration-background-share",
    "/id/dataset/wien-population-by-origin",
)


def test_every_link_of_the_main_pages_leads_somewhere(portal_url: str) -> None:
    """Pages link to each other through one rule (``href``): follow every link on this site
    from the main pages; none may be broken."""
    links: set[str] = set()
    for path in PAGES:
        response = get(portal_url, path)
        assert response.status_code == 200, path
        for target in re.findall(r'href="(/[^"#]*)', response.text):
            links.add(html.unescape(target))
    assert len(links) > 100
    broken = []
    for target in sorted(links):
        if target.endswith(".nq.gz"):
            continue  # the dumps are large; test_linked_data reads them
        status = httpx.get(portal_url + target, timeout=120, follow_redirects=True).status_code
        if status >= 400:
            broken.append((target, status))
    assert broken == []
