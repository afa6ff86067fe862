"""Data Cube well-formedness: the integrity constraints of the W3C RDF Data Cube vocabulary.

The constraints (IC-1 to IC-21) are SPARQL ASK queries, each answering true when the
cube breaks the rule. They are read from a folder (``integrity-*.sparql``, with the
normalisation updates ``closure.ru`` and ``flatten.ru``), such as the specification
files of the source-data folder (``spec_rdf_data_cube/integrity_sparql``): Commensura
does not ship them.

``violations(graph, constraints)`` copies the graph, normalises the copy (type closure,
then attachments flattened down to the observations, as the specification's
normalisation algorithm says), and runs every constraint. IC-20 and IC-21 are
templates in the specification: a property path cannot have a variable, so they are
run once for each parent-child property of a hierarchical code list in the graph
(the property itself for IC-20, the property whose inverse is given for IC-21), with
the code list restricted to the lists that use it; without hierarchical code lists
they do not apply.

``store_violations(store, graph, constraints, vocabularies=...)`` runs the same check on
one named graph of a store, at a scale rdflib cannot reach (an imported dataset of
millions of triples): the graph, the ontology graph and the vocabulary files are copied
into a scratch embedded store, normalised there, and every constraint runs in the
store's engine. IC-12 (no duplicate observations), written pairwise in the
specification, runs there in a grouped form (see :func:`_duplicates`).
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rdflib import Graph, URIRef

from registry import graphs
from registry.config import Settings
from registry.errors import ConfigurationError, InputError, NotFoundError
from registry.sparql import blanked
from registry.store import RdfFormat, Store, open_store

log = logging.getLogger(__name__)

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
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


def _safe_iris(values: Iterable[object]) -> list[str]:
    """The IRIs among ``values`` that can be written into a query, sorted, without repeats."""
    return sorted({str(v) for v in values if isinstance(v, URIRef) and _SAFE_IRI.match(str(v))})


Select = Callable[[str], Iterable[object]]
"""Runs a SELECT query (without prefixes) and gives the first value of each row."""


def _graph_select(graph: Graph) -> Select:
    def select(sparql: str) -> list[object]:
        return [row[0] for row in graph.query(PREFIXES + sparql)]  # type: ignore[index]

    return select


def _is_blank(variable: str, genid: str | None) -> str:
    """A test that ``variable`` is a blank node (or, with ``genid``, a skolem IRI for one)."""
    if genid is None:
        return f"isBlank({variable})"
    return f'(isBlank({variable}) || STRSTARTS(STR({variable}), "{genid}"))'


def _hierarchy_properties(select: Select, genid: str | None) -> tuple[list[str], list[str]]:
    """The parent-child properties of hierarchical code lists: given directly (IRIs), and
    given as the inverse of a property (a blank node ``[ owl:inverseOf p ]``)."""
    direct = (
        "SELECT ?p WHERE { ?h a qb:HierarchicalCodeList ; qb:parentChildProperty ?p . "
        f"FILTER(isIRI(?p) && !{_is_blank('?p', genid)}) }}"
    )
    inverse = (
        "SELECT ?p WHERE { ?h a qb:HierarchicalCodeList ; qb:parentChildProperty ?pcp . "
        f"FILTER({_is_blank('?pcp', genid)}) ?pcp owl:inverseOf ?p }}"
    )
    return _safe_iris(select(direct)), _safe_iris(select(inverse))


def _instances(name: str, text: str, select: Select, genid: str | None = None) -> Iterable[str]:
    """The runnable forms of one constraint (several for the templates IC-20 and IC-21)."""
    if name == "20":
        for p in _hierarchy_properties(select, genid)[0]:
            restricted = f"{_HIERARCHY_LIST} ?list qb:parentChildProperty <{p}> ."
            yield text.replace("eg:child", f"<{p}>").replace(_HIERARCHY_LIST, restricted)
    elif name == "21":
        for p in _hierarchy_properties(select, genid)[1]:
            restricted = (
                f"{_HIERARCHY_LIST} ?list qb:parentChildProperty ?pcp . ?pcp owl:inverseOf <{p}> ."
            )
            yield text.replace("eg:parent", f"<{p}>").replace(_HIERARCHY_LIST, restricted)
    else:
        yield text


def violations(graph: Graph, constraints: Constraints) -> list[str]:
    """The names of the constraints ``graph`` breaks (``"12"``, ``"19a"``...), in order.

    For small graphs (rdflib evaluates IC-12 pair by pair); see :func:`store_violations`
    for imported datasets.
    """
    cube = normalised(graph, constraints)
    select = _graph_select(cube)
    broken = []
    for name, text in constraints.queries.items():
        for query in _instances(name, text, select):
            if cube.query(PREFIXES + query).askAnswer:
                broken.append(name)
                break
    return broken


# -- the store path: one imported dataset, checked in a scratch store ------------------

GENID = "urn:x-commensura:datacube-check:genid:"
"""Start of the IRIs that stand for blank nodes in the scratch copy (skolem IRIs).

The normalisation adds triples about existing nodes (``closure.ru`` gives every blank
component specification its ``qb:componentProperty``), and a store cannot be told to
add a triple about a blank node it already holds: loading or inserting data always
makes blank nodes fresh. The copy therefore names every blank node with an IRI of its
own. No constraint looks at whether a node is blank; the queries that find the
hierarchies of IC-20 and IC-21 do, and treat these IRIs as blank nodes.
"""

CUBE_GRAPH = URIRef(graphs.GRAPH_BASE + "datacube-check/cube")
"""The graph of the scratch store that holds the copy being checked."""
_VOCABULARY_GRAPH = URIRef(graphs.GRAPH_BASE + "datacube-check/vocabulary")

_NTRIPLES = RdfFormat.NTRIPLES.media_type
_BLANK = b"_:"
_BULK = 10_000
"""From how many triples the copy, or an answer of the normalisation, is bulk-loaded (a
bulk load costs a fraction of a second however small; a transaction grows with its size)."""


def store_violations(
    store: Store,
    graph: URIRef,
    constraints: Constraints,
    *,
    vocabularies: Sequence[Path] = (),
    context: Sequence[URIRef] = (graphs.ONTOLOGY,),
    workdir: Path | None = None,
) -> list[str]:
    """The names of the constraints the dataset in ``graph`` of ``store`` breaks, in order.

    ``graph`` is copied, with the ``context`` graphs of the store (the ontology, which
    declares Commensura's dimension properties; graphs the store lacks are skipped) and
    the ``vocabularies`` files (the Data Cube and SDMX vocabularies, which declare the
    ranges and code lists of the SDMX dimensions), into one graph of a scratch embedded
    store in a temporary folder (under ``workdir`` when given), with blank nodes
    skolemised (:data:`GENID`). The copy is normalised there: each ``INSERT { T } WHERE
    { P }`` of ``closure.ru`` and ``flatten.ru`` runs, in order, as ``CONSTRUCT { T }
    WHERE { P FILTER NOT EXISTS { T } }`` whose answer is added to the copy (the filter
    only leaves out solutions whose triples are all there already, so the result is the
    same; it keeps the answers small). Then every constraint runs as an ASK query in the
    store's engine, IC-12 in its grouped form (:func:`_duplicates`).

    The answer is the one :func:`violations` gives for the same triples (the tests check
    it on the specification's test cubes); ``store`` is only read. ``NotFoundError`` when
    the store has no graph ``graph``.
    """
    if graph not in store.graphs():
        msg = f"the store has no graph <{graph}> to check"
        raise NotFoundError(msg, details={"graph": str(graph)})
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="commensura-datacube-", dir=workdir) as tmp,
        open_store(
            Settings(store=Path(tmp) / "store", backend="embedded"), read_only=False
        ) as scratch,
    ):
        copy = Path(tmp) / "copy.nt"
        with copy.open("wb") as out:
            triples = _copy(store, [graph, *context], out, Path(tmp))
            for path in vocabularies:
                scratch.load(path, RdfFormat.from_path(path), graph=_VOCABULARY_GRAPH)
            triples += _copy(scratch, [_VOCABULARY_GRAPH], out, Path(tmp))
        scratch.drop_graph(_VOCABULARY_GRAPH)
        if triples < _BULK:
            scratch.load(copy, RdfFormat.NTRIPLES, graph=CUBE_GRAPH)
        else:
            scratch.bulk_load(copy, RdfFormat.NTRIPLES, graph=CUBE_GRAPH)
        copied = time.perf_counter()
        added = _normalise(scratch, constraints)
        normalised_at = time.perf_counter()
        broken = []
        for name, text in constraints.queries.items():
            if name == "12":
                if _duplicates(scratch, CUBE_GRAPH):
                    broken.append(name)
                continue
            for query in _instances(name, text, _store_select(scratch), GENID):
                if scratch.ask(PREFIXES + query, default_graphs=[CUBE_GRAPH]):
                    broken.append(name)
                    break
    log.info(
        "Data Cube check of %s: %d triples copied in %.1f s, %d added by the normalisation "
        "in %.1f s, constraints run in %.1f s; broken: %s",
        graph,
        triples,
        copied - started,
        added,
        normalised_at - copied,
        time.perf_counter() - normalised_at,
        ", ".join(broken) or "none",
    )
    return broken


def _store_select(store: Store) -> Select:
    def select(sparql: str) -> list[object]:
        return [row[0] for row in store.select(PREFIXES + sparql, default_graphs=[CUBE_GRAPH])]

    return select


def _copy(source: Store, names: Sequence[URIRef], out: IO[bytes], work: Path) -> int:
    """Write the triples of the named graphs of ``source`` to ``out`` as N-Triples lines,
    blank nodes skolemised; returns how many. Graphs ``source`` lacks are skipped.

    Each graph is exported as N-Quads, one quad a line ending in the graph's name, and
    that ending is cut off (in blocks of lines: a line has a newline only at its end).
    """
    present = set(source.graphs())
    dump = work / "export.nq"
    written = 0
    for name in names:
        if name not in present:
            continue
        source.export(dump, RdfFormat.NQUADS, graphs=[name])
        suffix = f" <{name}> .\n".encode()
        rest = b""
        with dump.open("rb") as quads:
            while block := quads.read(_BLOCK):
                block = rest + block
                cut = block.rfind(b"\n") + 1
                written += _triples(block[:cut], suffix, name, out)
                rest = block[cut:]
        if rest:
            written += _triples(rest, suffix, name, out)
        dump.unlink()
    return written


_BLOCK = 1 << 24


def _triples(block: bytes, suffix: bytes, name: URIRef, out: IO[bytes]) -> int:
    """Write a block of N-Quads lines of graph ``name`` as N-Triples; returns the lines."""
    lines = block.count(b"\n")
    if block.count(suffix) != lines or not block.endswith(b"\n"):
        msg = f"the export of <{name}> has a line that is not a quad of that graph"
        raise InputError(msg, details={"graph": str(name)})
    if _BLANK not in block:
        out.write(block.replace(suffix, b" .\n"))
    else:
        end = len(suffix) - 1
        out.writelines(_skolemised(line[:-end]) for line in block.split(b"\n")[:-1])
    return lines


def _skolemised(triple: bytes) -> bytes:
    """An N-Triples statement (without its final `` .``) as a line, its blank nodes
    (``_:label`` as subject or object) named with :data:`GENID` IRIs."""
    if _BLANK not in triple:
        return triple + b" .\n"
    subject, predicate, obj = triple.split(b" ", 2)
    if subject.startswith(_BLANK):
        subject = b"<" + GENID.encode() + subject[2:] + b">"
    if obj.startswith(_BLANK):
        obj = b"<" + GENID.encode() + obj[2:] + b">"
    return b" ".join((subject, predicate, obj)) + b" .\n"


def _normalise(store: Store, constraints: Constraints) -> int:
    """Apply the normalisation updates to :data:`CUBE_GRAPH`; returns the triples added."""
    added = 0
    for query in (*_constructs(constraints.closure), *_constructs(constraints.flatten)):
        body = store.query_serialized(query, media_type=_NTRIPLES, default_graphs=[CUBE_GRAPH])
        if body.count:
            lines = b"".join(_skolemised(_statement(line)) for line in body.body.splitlines())
            if body.count < _BULK:
                store.load(lines, RdfFormat.NTRIPLES, graph=CUBE_GRAPH)
            else:
                store.bulk_load(lines, RdfFormat.NTRIPLES, graph=CUBE_GRAPH)
            added += body.count
    return added


def _statement(line: bytes) -> bytes:
    """An N-Triples line without its final `` .``."""
    line = line.rstrip(b"\r")
    if not line.endswith(b" ."):
        msg = f"the store wrote an N-Triples line this check cannot read: {line[:200]!r}"
        raise InputError(msg)
    return line[:-2]


_INSERT = re.compile(r"(?P<prologue>.*?)\bINSERT\s*", re.IGNORECASE | re.DOTALL)
_PROLOGUE = re.compile(r"(?:\s*(?:PREFIX\s+[^\s:]*:|BASE)\s*)*\s*", re.IGNORECASE)


def _constructs(update: str) -> list[str]:
    """The ``INSERT { T } WHERE { P }`` operations of a SPARQL update, as CONSTRUCT queries.

    Prefix declarations carry over to the operations that follow, as in an update
    request. Other forms of operation are refused (``ConfigurationError``).
    """
    code = blanked(update)
    queries = []
    prologue = PREFIXES
    depth = start = opened = 0
    groups: list[tuple[int, int]] = []
    for at, char in enumerate(code + ";"):
        if char == "{":
            depth += 1
            if depth == 1:
                opened = at
        elif char == "}":
            depth -= 1
            if depth == 0:
                groups.append((opened, at))
            elif depth < 0:
                msg = f"the normalisation update has an unmatched '}}' at offset {at}"
                raise ConfigurationError(msg)
        elif char == ";" and depth == 0:
            if code[start:at].strip():
                own, construct = _construct(update, code, start, at, groups)
                prologue += own
                queries.append(prologue + construct)
            start, groups = at + 1, []
    if depth:
        msg = "the normalisation update has an unclosed '{'"
        raise ConfigurationError(msg)
    return queries


def _construct(
    update: str, code: str, start: int, end: int, groups: list[tuple[int, int]]
) -> tuple[str, str]:
    """One operation (``update[start:end]``) as its own prologue and a CONSTRUCT query."""
    form = _INSERT.fullmatch(code, start, groups[0][0]) if len(groups) == 2 else None
    if (
        form is None
        or not _PROLOGUE.fullmatch(form.group("prologue"))
        or code[groups[0][1] + 1 : groups[1][0]].strip().upper() != "WHERE"
        or code[groups[1][1] + 1 : end].strip()
    ):
        msg = (
            "the normalisation updates may only hold INSERT { template } WHERE { pattern } "
            f"operations (with prefix declarations): cannot run {update[start:end].strip()!r}"
        )
        raise ConfigurationError(msg)
    (template_open, template_close), (where_open, where_close) = groups
    template = update[template_open + 1 : template_close]
    where = update[where_open + 1 : where_close]
    blank_template = "[" in code[template_open:template_close] or "_:" in template
    guard = "" if blank_template else f"\n  FILTER NOT EXISTS {{{template}\n  }}"
    prologue = update[start : start + len(form.group("prologue"))]
    return prologue, f"\nCONSTRUCT {{{template}\n}} WHERE {{{where}{guard}\n}}\n"


def _duplicates(store: Store, graph: URIRef) -> bool:
    """IC-12, no two observations of a data set with the same value for every dimension,
    answered in time linear in the observations.

    The specification writes IC-12 pair by pair: for every two observations of a data
    set, the minimum over the dimensions of the data set's structure, and over the values
    each has for it, of ``value1 = value2``. Here, for each data set, the observations
    that have exactly one value for each of its dimensions are grouped by those values
    (``GROUP BY ?v1 ... ?vn HAVING (COUNT(DISTINCT ?obs) > 1)``): two such observations
    are duplicates pair by pair exactly when they fall in the same group, since each pair
    then compares one value with one value per dimension. Every imported observation is
    of that kind (IC-11 asks for a value per dimension; the importer writes one).

    An observation that lacks a value for a dimension (IC-11 fires), or has two, is
    compared pair by pair with the other observations of its data set, by the
    specification's query restricted to it as first observation: the answer stays the
    specification's (the bad test cube with an observation missing a dimension value
    breaks IC-12 both ways), at a cost that grows with the number of such observations
    times the size of the data set.

    Two differences remain, neither possible for imported data: a group holds
    observations with the same terms, while ``=`` compares literals by value (two
    observations whose values differ only in the lexical form of equal literals, 1 and
    01 as integers, are duplicates for the specification, not here); and the data sets
    are taken one by one, where the specification pairs observations that share any
    data set (an observation in two data sets breaks IC-1 anyway).
    """
    dimensions: dict[str, set[str]] = {}
    for found, dimension in store.select(PREFIXES + _DATASET_DIMENSIONS, default_graphs=[graph]):
        if isinstance(found, URIRef):  # a literal data set has no structure
            dimensions.setdefault(_checked_iri(found), set()).add(_checked_iri(dimension))
    for dataset, dims in sorted(dimensions.items()):
        ask = _DuplicateQueries(dataset, sorted(dims))
        observations = store.select(PREFIXES + ask.observations, default_graphs=[graph])
        counts = {int(str(n)) for n in observations.rows[0]}
        irregular = len(counts) > 1  # some observation with no combination, or several
        if store.ask(PREFIXES + ask.grouped(exclude_irregular=irregular), default_graphs=[graph]):
            return True
        if irregular and store.ask(PREFIXES + ask.pairwise, default_graphs=[graph]):
            return True
    return False


_DATASET_DIMENSIONS = """SELECT DISTINCT ?dataset ?dim WHERE {
  ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
  ?dim a qb:DimensionProperty .
  FILTER EXISTS { ?obs qb:dataSet ?dataset }
}"""


def _checked_iri(term: object) -> str:
    if not isinstance(term, URIRef) or not _SAFE_IRI.match(str(term)):
        msg = f"{str(term)[:200]!r} cannot be written into a query as an IRI"
        raise InputError(msg, details={"term": str(term)[:200]})
    return str(term)


@dataclass(frozen=True)
class _DuplicateQueries:
    """The ASK queries of IC-12 for one data set (see :func:`_duplicates`)."""

    dataset: str
    dimensions: list[str]

    def _irregular(self, obs: str, dim: str) -> str:
        """``obs`` lacks a value for a dimension, or has two (``dim`` a fresh variable)."""
        values = " ".join(f"<{d}>" for d in self.dimensions)
        return (
            f"VALUES {dim} {{ {values} }}\n"
            f"  FILTER (NOT EXISTS {{ {obs} {dim} ?any }}\n"
            f"    || EXISTS {{ {obs} {dim} ?a, ?b FILTER (!sameTerm(?a, ?b)) }})"
        )

    @property
    def observations(self) -> str:
        """The observations of the data set; the combinations of their dimension values;
        the observations with at least one. The three are equal when, and only when,
        every observation has exactly one value for each dimension."""
        pattern = " ;\n      ".join(f"<{d}> ?v{i}" for i, d in enumerate(self.dimensions))
        members = f"?obs qb:dataSet <{self.dataset}>"
        return (
            "SELECT ?observations ?combinations ?complete WHERE {\n"
            f"  {{ SELECT (COUNT(*) AS ?observations) WHERE {{ {members} }} }}\n"
            "  { SELECT (COUNT(*) AS ?combinations) (COUNT(DISTINCT ?obs) AS ?complete) WHERE {\n"
            f"      {members} ;\n      {pattern} .\n  }} }}\n}}"
        )

    def grouped(self, *, exclude_irregular: bool) -> str:
        """True when two observations with one value per dimension have the same values."""
        values = [f"?v{i}" for i in range(len(self.dimensions))]
        pairs = list(zip(self.dimensions, values, strict=True))
        pattern = " ;\n    ".join(f"<{d}> {v}" for d, v in pairs)
        single = ""
        if exclude_irregular:  # observations with two values for a dimension
            single = "".join(
                f"\n    FILTER NOT EXISTS {{ ?obs <{d}> ?w{i} FILTER (!sameTerm(?w{i}, {v})) }}"
                for i, (d, v) in enumerate(pairs)
            )
        return (
            f"ASK {{\n  {{\n    SELECT {' '.join(values)} WHERE {{\n"
            f"    ?obs qb:dataSet <{self.dataset}> ;\n    {pattern} .{single}\n"
            f"    }} GROUP BY {' '.join(values)} HAVING (COUNT(DISTINCT ?obs) > 1)\n  }}\n}}"
        )

    @property
    def pairwise(self) -> str:
        """The specification's IC-12 for this data set, the first observation restricted to
        those with other than one value for a dimension (found first, in a subquery: the
        engine would otherwise pair every two observations before filtering)."""
        values = " ".join(f"<{d}>" for d in self.dimensions)
        return f"""ASK {{
  FILTER( ?allEqual )
  {{
    SELECT (MIN(?equal) AS ?allEqual) WHERE {{
        {{
          SELECT DISTINCT ?obs1 WHERE {{
            ?obs1 qb:dataSet <{self.dataset}> .
            {self._irregular("?obs1", "?d")}
          }}
        }}
        ?obs2 qb:dataSet <{self.dataset}> .
        FILTER (?obs1 != ?obs2)
        VALUES ?dim {{ {values} }}
        ?obs1 ?dim ?value1 .
        ?obs2 ?dim ?value2 .
        BIND( ?value1 = ?value2 AS ?equal)
    }} GROUP BY ?obs1 ?obs2
  }}
}}"""
