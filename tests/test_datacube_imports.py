"""The Data Cube integrity constraints at scale: the store path of ``registry.datacube``.

``store_violations`` checks one named graph of a store in a scratch embedded store, where
rdflib's engine cannot go (the largest imported dataset has millions of triples). It must
answer as ``violations`` (the rdflib path) does: both run over every test cube of the
specification. Then every imported dataset of a build from the real source data is
checked, and broken copies of a small one show that IC-11 and IC-12 fire through the store
path.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import QB

from registry import graphs
from registry.datacube import (
    Constraints,
    _constructs,
    load_constraints,
    store_violations,
    violations,
)
from registry.errors import ConfigurationError, NotFoundError
from registry.kb.build import BuildReport
from registry.namespaces import SDMX_DIMENSION
from registry.store import RdfFormat, Store
from registry.store.base import Triple
from tests.test_datacube import BAD, GOOD, cube

CUBE = URIRef("https://example.org/test-cube")
VOCABULARIES = (
    "cube.ttl",
    "sdmx-dimension.ttl",
    "sdmx-measure.ttl",
    "sdmx-attribute.ttl",
    "sdmx-code.ttl",
)
"""The vocabularies an imported dataset uses: the Data Cube vocabulary, and the SDMX
dimensions, measure, attribute and code lists (``sdmx-code:sex``)."""
DATA = graphs.GRAPH_BASE + "data/"


@pytest.fixture(scope="module")
def spec(source_data: Path) -> Path:
    return source_data / "spec_rdf_data_cube"


@pytest.fixture(scope="module")
def constraints(spec: Path) -> Constraints:
    return load_constraints(spec / "integrity_sparql")


# -- the two paths agree --------------------------------------------------------------


@pytest.mark.parametrize("name", [*GOOD, *sorted(BAD)])
def test_the_store_path_agrees_with_rdflib(
    spec: Path, constraints: Constraints, store: Store, name: str
) -> None:
    """Each test cube (its fragment merged with its base cube) in a graph of a store, the
    Data Cube vocabulary as a file: the same constraints fire both ways, and a bad cube
    breaks the constraint its name is about."""
    folder = spec / "test_cubes"
    if name not in ("abbrv-cube.ttl", "mt-cube.ttl"):
        base = "mt-cube.ttl" if name.startswith("mt-") else "abbrv-cube.ttl"
        store.load(folder / base, RdfFormat.TURTLE, graph=CUBE)
    store.load(folder / name, RdfFormat.TURTLE, graph=CUBE)
    found = store_violations(store, CUBE, constraints, vocabularies=[spec / "vocab" / "cube.ttl"])
    assert found == violations(cube(spec, name), constraints)
    assert found == [] if name in GOOD else BAD[name] in found


TWO_VALUES = """@prefix eg: <http://example.com/abbrv-cube/> .
eg:y1x1 eg:dim1 eg:x2 .
"""


def test_an_observation_with_two_values_for_a_dimension_is_compared_pair_by_pair(
    spec: Path, constraints: Constraints, store: Store
) -> None:
    """``eg:y1x1`` with the values of ``eg:y1x2`` added: grouped by its values it would
    share a group with ``eg:y1x2``, but pair by pair the two differ (x1 is not x2); both
    paths say no IC-12."""
    folder = spec / "test_cubes"
    store.load(folder / "abbrv-cube.ttl", RdfFormat.TURTLE, graph=CUBE)
    store.load(TWO_VALUES.encode(), RdfFormat.TURTLE, graph=CUBE)
    graph = cube(spec, "abbrv-cube.ttl")
    graph.parse(data=TWO_VALUES, format="turtle")
    found = store_violations(store, CUBE, constraints, vocabularies=[spec / "vocab" / "cube.ttl"])
    assert found == violations(graph, constraints)
    assert "12" not in found


def test_the_normalisation_runs_as_construct_queries(constraints: Constraints) -> None:
    """Each INSERT of closure.ru and flatten.ru becomes a CONSTRUCT with the file's prefixes
    (flatten.ru's commented-out fourth INSERT is left out)."""
    closure, flatten = _constructs(constraints.closure), _constructs(constraints.flatten)
    assert (len(closure), len(flatten)) == (7, 3)
    assert all("CONSTRUCT" in q and "INSERT" not in q for q in closure + flatten)
    assert all("PREFIX qb:" in q and "FILTER NOT EXISTS" in q for q in closure + flatten)


@pytest.mark.parametrize(
    "update",
    [
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "WITH <http://example.org/g> INSERT { ?s a ?o } WHERE { ?s a ?o }",
        "INSERT { ?s a ?o } WHERE { ?s a ?o } ; CLEAR ALL",
        "INSERT { ?s a ?o } WHERE { ?s a ?o ",
        "INSERT { ?s a ?o } WHERE { ?s a ?o } }",
    ],
)
def test_other_update_operations_are_refused(update: str) -> None:
    with pytest.raises(ConfigurationError):
        _constructs(update)


def test_a_graph_the_store_lacks_is_refused(constraints: Constraints, store: Store) -> None:
    with pytest.raises(NotFoundError):
        store_violations(store, CUBE, constraints)


# -- the imported datasets --------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(knowledge_base: tuple[Store, BuildReport]) -> Store:
    """The whole knowledge base built from the real source data (shared by the session;
    only read here)."""
    return knowledge_base[0]


@pytest.fixture(scope="module")
def datasets(kb: Store) -> dict[URIRef, int]:
    """The data graphs that hold observations, with how many each holds."""
    found = {}
    for graph in kb.graphs():
        if str(graph).startswith(DATA):
            rows = kb.select(
                "SELECT (COUNT(?o) AS ?n) WHERE { ?o a ?type }",
                bindings={"type": QB.Observation},
                default_graphs=[graph],
            )
            count = int(rows.rows[0][0] or 0)
            if count:
                found[graph] = count
    return found


def vocabularies(spec: Path) -> list[Path]:
    return [spec / "vocab" / name for name in VOCABULARIES]


@pytest.mark.needs_source_data
@pytest.mark.timeout(1800)
def test_every_imported_dataset_is_well_formed(
    kb: Store, datasets: dict[URIRef, int], spec: Path, constraints: Constraints
) -> None:
    assert len(datasets) >= 5
    broken = {
        graph: found
        for graph in datasets
        if (found := store_violations(kb, graph, constraints, vocabularies=vocabularies(spec)))
    }
    assert broken == {}


@pytest.fixture
def small_copy(kb: Store, datasets: dict[URIRef, int], store: Store) -> tuple[URIRef, URIRef]:
    """The smallest imported dataset and the ontology, copied into a fresh store; returns
    the dataset's graph and one of its observations."""
    graph = min(datasets, key=lambda g: (datasets[g], str(g)))
    dump = io.BytesIO()
    kb.export(dump, RdfFormat.NQUADS, graphs=[graph, graphs.ONTOLOGY])
    store.load_dataset(dump.getvalue(), RdfFormat.NQUADS)
    rows = store.select(
        "SELECT ?o WHERE { ?o a ?type } ORDER BY ?o LIMIT 1",
        bindings={"type": QB.Observation},
        default_graphs=[graph],
    )
    observation = rows.rows[0][0]
    assert isinstance(observation, URIRef)
    return graph, observation


def about(store: Store, graph: URIRef, subject: URIRef) -> list[Triple]:
    found: Graph = store.triples_about([subject], graphs=[graph])
    return [(s, p, o) for s, p, o in found]  # type: ignore[misc]


@pytest.mark.needs_source_data
def test_an_observation_missing_a_dimension_value_breaks_ic11(
    store: Store, small_copy: tuple[URIRef, URIRef], spec: Path, constraints: Constraints
) -> None:
    """The copy without one observation's reference period breaks IC-11. A twin of that
    observation (its triples under another IRI) then breaks IC-12 as well: the two are
    compared pair by pair, as the specification does for observations lacking a value."""
    graph, observation = small_copy
    before = store_violations(store, graph, constraints, vocabularies=vocabularies(spec))
    missing = [t for t in about(store, graph, observation) if t[1] == SDMX_DIMENSION.refPeriod]
    assert len(missing) == 1
    with store.transaction() as tx:
        tx.remove(missing, graph=graph)
    after = store_violations(store, graph, constraints, vocabularies=vocabularies(spec))
    # IC-12 may fire too: an observation of the same series in another period then has no
    # dimension value that differs from it, which the specification's pairwise test counts
    # as a duplicate.
    assert set(after) - set(before) in ({"11"}, {"11", "12"})
    twin = URIRef(f"{observation}-twin")
    with store.transaction() as tx:
        tx.add([(twin, p, o) for _, p, o in about(store, graph, observation)], graph=graph)
    twins = store_violations(store, graph, constraints, vocabularies=vocabularies(spec))
    assert set(twins) - set(before) == {"11", "12"}


@pytest.mark.needs_source_data
def test_two_observations_with_the_same_dimension_values_break_ic12(
    store: Store, small_copy: tuple[URIRef, URIRef], spec: Path, constraints: Constraints
) -> None:
    """A second observation with every triple of the first (another IRI) breaks IC-12 and
    nothing else, through its grouped form (each observation has one value per dimension)."""
    graph, observation = small_copy
    before = store_violations(store, graph, constraints, vocabularies=vocabularies(spec))
    twin = URIRef(f"{observation}-twin")
    with store.transaction() as tx:
        tx.add([(twin, p, o) for _, p, o in about(store, graph, observation)], graph=graph)
    after = store_violations(store, graph, constraints, vocabularies=vocabularies(spec))
    assert set(after) - set(before) == {"12"}
    assert set(before) <= set(after)
