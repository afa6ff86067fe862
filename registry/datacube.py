"""Data Cube well-formedness: the integrity constraints of the W3C RDF Data Cube vocabulary.

The constraints (IC-1 to IC-21) are SPARQL ASK queries, each answering true when the
cube breaks the rule. They are read from a folder (``integrity-*.sparql``, with the
normalisation updates ``closure.ru`` and ``flatten.ru``), such as the specification
files of the source-data folder (``spec_rdf_data_cube/integrity_sparql``): Commensura
does not ship them.

``check(graph, constraints)`` copies the graph, normalises the copy (type closure,
then attachments flattened down to the observations, as the specification's
normalisation algorithm says), and runs every constraint. IC-20 and IC-21 are
templates in the specification: a property path cannot have a variable, so they are
run once for each parent-child property of a hierarchical code list in the graph
(the property itself for IC-20, the property whose inverse is given for IC-21), with
the code list restricted to the lists that use it; without hierarchical code lists
they do not apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from registry.errors import ConfigurationError

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""
_NAME = re.compile(r"^integrity-(\d+[ab]?)\.sparql$")
_SAFE_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_HIERARCHY_LIST = "?list a qb:HierarchicalCodeList ."


@dataclass(frozen=True)
class Constraints:
    """The integrity constraints and the normalisation updates, as read from a folder."""

    queries: dict[str, str]
    closure: str
    flatten: str


def _order(name: str) -> tuple[int, str]:
    digits = name.rstrip("ab")
    return (int(digits), name[len(digits) :])


def load_constraints(folder: Path) -> Constraints:
    """Read ``integrity-*.sparql``, ``closure.ru`` and ``flatten.ru`` from ``folder``."""
    files = {m.group(1): p for p in folder.glob("integrity-*.sparql") if (m := _NAME.match(p.name))}
    missing = [n for n in ("closure.ru", "flatten.ru") if not (folder / n).is_file()]
    if not files or missing:
        msg = (
            f"{folder} does not hold the Data Cube integrity constraints "
            f"(integrity-1.sparql ... integrity-21.sparql, closure.ru, flatten.ru)"
        )
        raise ConfigurationError(msg, details={"folder": str(folder), "missing": missing})
    queries = {name: files[name].read_text(encoding="utf-8") for name in sorted(files, key=_order)}
    return Constraints(
        queries,
        (folder / "closure.ru").read_text(encoding="utf-8"),
        (folder / "flatten.ru").read_text(encoding="utf-8"),
    )


def normalised(graph: Graph, constraints: Constraints) -> Graph:
    """A copy of ``graph`` put in the normal form the constraints are written for."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    copy.update(constraints.closure)
    copy.update(constraints.flatten)
    return copy


def _iris(graph: Graph, sparql: str) -> list[str]:
    found = []
    for row in graph.query(PREFIXES + sparql):
        value = row[0]  # type: ignore[index]
        if isinstance(value, URIRef) and _SAFE_IRI.match(str(value)):
            found.append(str(value))
    return sorted(set(found))


_DIRECT = (
    "SELECT ?p WHERE { ?h a qb:HierarchicalCodeList ; qb:parentChildProperty ?p . "
    "FILTER(isIRI(?p)) }"
)
_INVERSE = (
    "SELECT ?p WHERE { ?h a qb:HierarchicalCodeList ; qb:parentChildProperty ?pcp . "
    "FILTER(isBlank(?pcp)) ?pcp owl:inverseOf ?p }"
)


def _instances(name: str, text: str, graph: Graph) -> Iterable[str]:
    """The runnable forms of one constraint (several for the templates IC-20 and IC-21)."""
    if name == "20":
        for p in _iris(graph, _DIRECT):
            restricted = f"{_HIERARCHY_LIST} ?list qb:parentChildProperty <{p}> ."
            yield text.replace("eg:child", f"<{p}>").replace(_HIERARCHY_LIST, restricted)
    elif name == "21":
        for p in _iris(graph, _INVERSE):
            restricted = (
                f"{_HIERARCHY_LIST} ?list qb:parentChildProperty ?pcp . ?pcp owl:inverseOf <{p}> ."
            )
            yield text.replace("eg:parent", f"<{p}>").replace(_HIERARCHY_LIST, restricted)
    else:
        yield text


def violations(graph: Graph, constraints: Constraints) -> list[str]:
    """The names of the constraints ``graph`` breaks (``"12"``, ``"19a"``...), in order."""
    cube = normalised(graph, constraints)
    broken = []
    for name, text in constraints.queries.items():
        for query in _instances(name, text, cube):
            if cube.query(PREFIXES + query).askAnswer:
                broken.append(name)
                break
    return broken
