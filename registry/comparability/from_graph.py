"""Read population definitions and their conditions from an RDF graph.

A ``cm:PopulationDefinition`` has one or more ``cm:condition`` (all must hold),
each a ``cm:Criterion``, ``cm:AllOf``, ``cm:AnyOf`` or ``cm:Not``, usually blank
nodes. A criterion has a ``cm:basis``, ``cm:value``s (any of them), a
``cm:parentRule`` for the parents' bases, ``cm:minYears`` and ``cm:maxYears`` for
the duration of stay. The definition may name a ``cm:generation`` and a
``cm:originAssignment``.

Whatever cannot be read (an unknown basis or value, a condition of no known
kind, a definition without conditions) becomes an uninterpreted condition that
says what it is: the comparison then reports the relation unknown wherever it
matters, instead of guessing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from registry.comparability.model import (
    AllOf,
    AnyOf,
    Basis,
    Condition,
    Country,
    Criterion,
    Generation,
    Group,
    Not,
    OriginAssignment,
    ParentRule,
    Uninterpreted,
    Value,
)
from registry.comparability.population import PopulationDefinition
from registry.comparability.wording import condition_text
from registry.errors import NotFoundError
from registry.ids import ID_BASE
from registry.namespaces import CM
from registry.vocabularies import (
    CRITERION,
    CRITERION_VALUE,
    GENERATION,
    GEOGRAPHY_LEVEL,
    ORIGIN_ASSIGNMENT,
    PARENT_RULE,
)

COUNTRY_BASE = f"{ID_BASE}place/country/"
_KINDS = {CM.Criterion, CM.AllOf, CM.AnyOf, CM.Not}
_MAX_DEPTH = 50
MAX_CONDITIONS = 400
"""Most conditions (criteria and combinations, counted once per use) a definition is read with."""

_E = TypeVar("_E", Basis, Generation, OriginAssignment, ParentRule, Group)


def population_from_graph(graph: Graph, iri: str | URIRef) -> PopulationDefinition:
    """The population definition ``iri`` as the graph states it.

    Raises ``NotFoundError`` when the graph says nothing of a population
    definition with that IRI.
    """
    subject = URIRef(str(iri))
    typed = (subject, RDF.type, CM.PopulationDefinition) in graph
    conditions = sorted(graph.objects(subject, CM.condition), key=_node_order)
    if not typed and not conditions:
        msg = f"the graph holds no population definition <{subject}>"
        raise NotFoundError(msg, details={"iri": str(subject)})
    budget = [MAX_CONDITIONS]
    # Conditions are blank nodes whose names change from one load to the next: order what
    # is read by its wording, so that descriptions and reasons are the same every time.
    read: list[Condition] = sorted(
        (_condition(graph, node, subject, 0, budget) for node in conditions), key=_wording
    )
    generation = _enum(graph.value(subject, CM.generation), GENERATION, Generation)
    if graph.value(subject, CM.generation) is not None and generation is None:
        value = graph.value(subject, CM.generation)
        read.append(Uninterpreted(f"generation:{value}", f"the generation <{value}> is not known"))
    if not read and generation is None:
        read.append(
            Uninterpreted(
                f"no-condition:{subject}",
                "the definition records no condition, so who belongs is not documented",
            )
        )
    condition: Condition | None
    condition = None if not read else (read[0] if len(read) == 1 else AllOf(tuple(read)))
    origin = _enum(graph.value(subject, CM.originAssignment), ORIGIN_ASSIGNMENT, OriginAssignment)
    name = _label(graph, subject, (SKOS.prefLabel, RDFS.label))
    return PopulationDefinition(
        condition,
        name=name,
        publisher=_publisher(graph, subject, name),
        iri=str(subject),
        generation=generation,
        origin_assignment=origin,
    )


def _wording(condition: Condition) -> str:
    return condition_text(condition, nested=True)


def _node_order(node: Node) -> str:
    return str(node)


def _enum(node: Node | None, namespace: object, enum: type[_E]) -> _E | None:
    """The member of a string enum whose value is the local name of ``node`` in ``namespace``."""
    base = str(namespace)
    if not isinstance(node, URIRef) or not str(node).startswith(base):
        return None
    local = str(node)[len(base) :]
    try:
        return enum(local)
    except ValueError:
        return None


def _condition(
    graph: Graph, node: Node, definition: URIRef, depth: int, budget: list[int]
) -> Condition:
    where = f"{definition} {node}"
    if depth > _MAX_DEPTH:
        return Uninterpreted(f"deep:{where}", "conditions nested too deeply to read")
    budget[0] -= 1
    if budget[0] < 0:
        # Operands shared between combinations are read once per use: a small graph can
        # spell an exponential number of conditions. Past the budget, stop reading.
        return Uninterpreted(
            f"large:{definition}", f"more than {MAX_CONDITIONS} conditions: too many to compare"
        )
    kinds = set(graph.objects(node, RDF.type)) & _KINDS
    if not kinds and (node, CM.basis, None) in graph:
        kinds = {CM.Criterion}
    if len(kinds) != 1:
        text = "a condition of no known kind" if not kinds else "a condition of several kinds"
        return Uninterpreted(f"kind:{where}", text)
    kind = kinds.pop()
    if kind == CM.Criterion:
        return _criterion(graph, node, where)
    operands = sorted(graph.objects(node, CM.operand), key=_node_order)
    read = tuple(
        sorted(
            (_condition(graph, o, definition, depth + 1, budget) for o in operands), key=_wording
        )
    )
    if kind == CM.Not:
        if len(read) != 1:
            return Uninterpreted(f"not:{where}", f"a negation of {len(read)} conditions")
        return Not(read[0])
    if not read:
        return Uninterpreted(f"empty:{where}", "a combination of no condition")
    return AllOf(read) if kind == CM.AllOf else AnyOf(read)


def _criterion(graph: Graph, node: Node, where: str) -> Condition:
    bases = list(graph.objects(node, CM.basis))
    raw_values = sorted(graph.objects(node, CM.value), key=_node_order)
    rules = list(graph.objects(node, CM.parentRule))
    key = "criterion:" + "|".join(
        [
            ",".join(sorted(map(str, bases))),
            ",".join(map(str, raw_values)),
            ",".join(map(str, rules)),
        ]
        + [str(graph.value(node, p)) for p in (CM.minYears, CM.maxYears)]
    )
    if len(bases) != 1:
        return Uninterpreted(f"{key}|{where}", f"a criterion with {len(bases)} bases")
    basis = _enum(bases[0], CRITERION, Basis)
    if basis is None:
        return Uninterpreted(key, f"a criterion on the basis <{bases[0]}>, which is not known")
    values: list[Value] = []
    for raw in raw_values:
        value = _value(graph, raw)
        if value is None:
            return Uninterpreted(
                key, f"the value <{raw}> is neither a known criterion value nor a country"
            )
        values.append(value)
    rule: ParentRule | None = None
    if rules:
        rule = _enum(rules[0], PARENT_RULE, ParentRule)
        if len(rules) > 1 or rule is None:
            return Uninterpreted(key, f"the parent rule <{rules[0]}> is not known")
    try:
        low, high = (_years(graph.value(node, p)) for p in (CM.minYears, CM.maxYears))
    except (InvalidOperation, ValueError):
        return Uninterpreted(key, "a number of years that is not a number")
    return Criterion(basis, frozenset(values), rule, low, high)


def _years(node: Node | None) -> Decimal | None:
    if node is None:
        return None
    if not isinstance(node, Literal):
        raise ValueError(node)
    return Decimal(str(node))


def _value(graph: Graph, node: Node) -> Value | None:
    group = _enum(node, CRITERION_VALUE, Group)
    if group is not None:
        return group
    if not isinstance(node, URIRef):
        return None
    text = str(node)
    code: str | None = None
    if text.startswith(COUNTRY_BASE) and "/" not in text[len(COUNTRY_BASE) :]:
        code = text[len(COUNTRY_BASE) :]
    elif (node, CM.geographyLevel, GEOGRAPHY_LEVEL.country) in graph:
        notation = graph.value(node, SKOS.notation)
        code = str(notation) if notation is not None else None
    if not code:
        return None
    return Country(code, label=_label(graph, node, (SKOS.prefLabel, RDFS.label)))


def _label(graph: Graph, node: Node, properties: tuple[URIRef, ...]) -> str:
    """The English label, else one without a language, else the first in a stable order."""
    for prop in properties:
        literals = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]
        if not literals:
            continue
        for wanted in ("en", None):
            chosen = sorted(str(lit) for lit in literals if lit.language == wanted)
            if chosen:
                return chosen[0]
        return sorted(str(lit) for lit in literals)[0]
    return ""


def _publisher(graph: Graph, subject: URIRef, label: str) -> str:
    """A short name of the publisher.

    The name the definition's label already uses if any, else an acronym, else
    the English name up to its first comma.
    """
    publishers = sorted(graph.objects(subject, DCTERMS.publisher), key=_node_order)
    if not publishers:
        return ""
    agent = publishers[0]
    names = sorted(
        str(n)
        for p in (FOAF.name, SKOS.prefLabel, SKOS.altLabel, RDFS.label)
        for n in graph.objects(agent, p)
        if isinstance(n, Literal)
    )
    for name in names:
        if name in label:
            return name
    for name in names:
        if name.isupper() and " " not in name and len(name) <= 8:
            return name
    name = _label(graph, agent, (FOAF.name, SKOS.prefLabel, RDFS.label))
    return name.split(",")[0] if name else ""


__all__ = ["COUNTRY_BASE", "population_from_graph"]
