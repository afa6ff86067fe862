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
