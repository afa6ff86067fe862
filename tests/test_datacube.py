"""The Data Cube integrity constraints, run over the specification's good and bad test cubes.

Each bad cube is a fragment merged with a base cube (``mt-cube.ttl`` for ``mt-*``, else
``abbrv-cube.ttl``), together with the Data Cube vocabulary (it declares the range of
``qb:measureType``, a dimension of the ``mt`` cubes). The expected constraint is the one the
file name is about, judged by the specification; constraints a defect sets off as a
consequence are allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from registry.datacube import Constraints, load_constraints, violations
from registry.errors import ConfigurationError
from registry.store import Store

GOOD = [
    "abbrv-cube.ttl",
    "mt-cube.ttl",
    "mt-cube-3-measures.ttl",
    "mt-cube-with-missing-points.ttl",
    "codelist-complete.ttl",
    "collection-complete.ttl",
    "hierarchy-good.ttl",
    "hierarchy-good-inverse.ttl",
    "hierarchy-good-multiroot.ttl",
]
BAD = {
    "missing-ds.ttl": "1",
    "extra-ds.ttl": "1",
    "missing-dsd.ttl": "2",
    "extra-dsd.ttl": "2",
    "missing-measure.ttl": "3",
    "missing-range.ttl": "4",
    "missing-codelist.ttl": "5",
    "bad-component-required.ttl": "6",
    "bad-slicekey.ttl": "7",
    "bad-slicekey2.ttl": "8",
    "missing-slicekey.ttl": "9",
    "duplicate-slicekey.ttl": "9",
    "missing-slicedim.ttl": "10",
    "missing-obs-dim-value.ttl": "11",
    "duplicate-observation.ttl": "12",
    "missing-required-attr.ttl": "13",
    "missing-measure-on-obs.ttl": "14",
    "mt-missing-measure.ttl": "15",
    "mt-extra-measure.ttl": "16",
    "observation-bad-dataset.ttl": "18",
    "codelist-partial.ttl": "19a",
    "collection-partial.ttl": "19b",
    "hierarchy-bad.ttl": "20",
    "hierarchy-bad-inverse.ttl": "21",
}


@pytest.fixture(scope="module")
def spec(source_data: Path) -> Path:
    return source_data / "spec_rdf_data_cube"


@pytest.fixture(scope="module")
def constraints(spec: Path) -> Constraints:
    return load_constraints(spec / "integrity_sparql")


def cube(spec: Path, name: str) -> Graph:
    folder = spec / "test_cubes"
    graph = Graph()
    graph.parse(spec / "vocab" / "cube.ttl")
    if name not in ("abbrv-cube.ttl", "mt-cube.ttl"):
        graph.parse(folder / ("mt-cube.ttl" if name.startswith("mt-") else "abbrv-cube.ttl"))
    graph.parse(folder / name)
    return graph


def test_every_constraint_is_read(constraints: Constraints) -> None:
    assert len(constraints.queries) == 22  # IC-1 to IC-21, with 19a and 19b
    assert list(constraints.queries)[:3] == ["1", "2", "3"]
    assert list(constraints.queries)[-4:] == ["19a", "19b", "20", "21"]


def test_every_test_cube_is_named(spec: Path) -> None:
    names = {p.name for p in (spec / "test_cubes").glob("*.ttl")}
    assert set(GOOD) | set(BAD) == names


@pytest.mark.parametrize("name", GOOD)
def test_good_cubes_break_no_constraint(spec: Path, constraints: Constraints, name: str) -> None:
    assert violations(cube(spec, name), constraints) == []


@pytest.mark.parametrize(("name", "constraint"), sorted(BAD.items()))
def test_each_bad_cube_breaks_its_constraint(
    spec: Path, constraints: Constraints, name: str, constraint: str
) -> None:
    assert constraint in violations(cube(spec, name), constraints)


def test_the_hierarchy_templates_are_run_per_parent_child_property(
    spec: Path, constraints: Constraints
) -> None:
    """IC-20 and IC-21 take the hierarchy's property: a good hierarchy breaks neither, a bad
    one only the constraint of its direction."""
    assert violations(cube(spec, "hierarchy-bad.ttl"), constraints) == ["20"]
    assert violations(cube(spec, "hierarchy-bad-inverse.ttl"), constraints) == ["21"]


def test_a_folder_without_the_constraints_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_constraints(tmp_path)
    assert raised.value.code == "config.invalid"


def test_the_coverage_cube_is_well_formed(
    spec: Path, constraints: Constraints, store: Store
) -> None:
    """The coverage summaries of a build are a Data Cube (``id/dataset/coverage``) that breaks
    no constraint, checked with the vocabularies it uses (Data Cube, SDMX dimensions)."""
    from registry import graphs
    from registry.kb import build

    graph = Graph()
    report = build(store)
    assert report.coverage is not None and report.coverage.cells > 0
    for name in (graphs.DERIVED, graphs.ONTOLOGY):
        graph += store.construct("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[name])
    for vocabulary in ("cube.ttl", "sdmx-dimension.ttl", "sdmx-measure.ttl", "sdmx-attribute.ttl"):
        graph.parse(spec / "vocab" / vocabulary)
    qb = "http://purl.org/linked-data/cube#"
    coverage = URIRef("https://w3id.org/commensura/id/dataset/coverage")
    observations = set(graph.subjects(URIRef(qb + "dataSet"), coverage))
    assert len(observations) == report.coverage.cells
    assert violations(graph, constraints) == []
