"""The discovery queries Commensura asks, in SPARQL 1.1, with their bound values.

Each query is one text run unchanged on both backends. Values are never pasted
into the text: they are bound, through ``Store.query(..., bindings=...)`` on
our store and ``Graph.query(..., initBindings=...)`` on rdflib. Every bound
variable is also projected (and grouped by, in aggregate queries), so that the
two binding mechanisms certainly mean the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rdflib import URIRef

from benchmarks.generate import CITY_LEVEL, EXAMPLE_DEFINITION, EXAMPLE_INDICATOR

PREFIXES = """\
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX sdmx-code: <http://purl.org/linked-data/sdmx/2009/code#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
"""


@dataclass(frozen=True)
class DiscoveryQuery:
    """One benchmarked query: its text, its bound values and what it answers."""

    key: str
    title: str
    question: str
    sparql: str
    bindings: Mapping[str, URIRef]
    form: Literal["select", "construct"]


DECLARED_CITIES = DiscoveryQuery(
    key="a",
    title="cities measuring X (declared)",
    question="Which cities measure indicator X, by the places its definitions are declared for?",
    sparql=PREFIXES
    + f"""
SELECT DISTINCT ?indicator ?city ?label WHERE {{
  ?definition cm:indicator ?indicator ;
              dct:spatial ?city .
  ?city cm:geographyLevel <{CITY_LEVEL}> ;
        rdfs:label ?label .
}}
""",
    bindings={"indicator": URIRef(EXAMPLE_INDICATOR)},
    form="select",
)

OBSERVED_CITIES = DiscoveryQuery(
    key="b",
    title="cities measuring X (observed)",
    question="Which cities measure indicator X, by the observations held for them?",
    sparql=PREFIXES
    + f"""
SELECT DISTINCT ?indicator ?city ?label WHERE {{
  ?definition cm:indicator ?indicator .
  ?observation cm:indicatorDefinition ?definition ;
               sdmx-dimension:refArea ?city .
  ?city cm:geographyLevel <{CITY_LEVEL}> ;
        rdfs:label ?label .
}}
""",
    bindings={"indicator": URIRef(EXAMPLE_INDICATOR)},
    form="select",
)

COVERAGE_MATRIX = DiscoveryQuery(
    key="c",
    title="coverage matrix (scan)",
    question=(
        "For every indicator and city: how many observations, and the first and last period, "
        "computed by scanning all observations."
    ),
    sparql=PREFIXES
    + """
SELECT ?indicator ?city (COUNT(?observation) AS ?observations)
       (MIN(?period) AS ?first) (MAX(?period) AS ?last)
WHERE {
  ?observation a qb:Observation ;
               cm:indicatorDefinition ?definition ;
               sdmx-dimension:refArea ?city ;
               sdmx-dimension:refPeriod ?period .
  ?definition cm:indicator ?indicator .
}
GROUP BY ?indicator ?city
""",
    bindings={},
    form="select",
)

AVERAGE_BY_COUNTRY = DiscoveryQuery(
    key="d",
    title="average of X by country",
    question=(
        "The average value of indicator X for the definitions' target groups (both sexes), "
        "by country."
    ),
    sparql=PREFIXES
    + """
SELECT ?indicator ?country (AVG(?value) AS ?average) (COUNT(?observation) AS ?observations)
WHERE {
  ?definition cm:indicator ?indicator ;
              cm:targetGroup ?group .
  ?observation cm:indicatorDefinition ?definition ;
               cm:populationGroup ?group ;
               sdmx-dimension:sex sdmx-code:sex-T ;
               sdmx-dimension:refArea ?city ;
               sdmx-measure:obsValue ?value .
  ?city schema:containedInPlace ?country .
}
GROUP BY ?indicator ?country
""",
    bindings={"indicator": URIRef(EXAMPLE_INDICATOR)},
    form="select",
)

DEFINITION_GRAPH = DiscoveryQuery(
    key="e",
    title="CONSTRUCT one definition",
    question="One indicator definition with its target group and the group's criteria.",
    sparql=PREFIXES
    + """
CONSTRUCT {
  ?definition ?p ?o .
  ?group ?gp ?go .
  ?condition ?cp ?co .
} WHERE {
  { ?definition ?p ?o }
  UNION
  { ?definition cm:targetGroup ?group . ?group ?gp ?go }
  UNION
  { ?definition cm:targetGroup ?group . ?group cm:condition ?condition . ?condition ?cp ?co }
}
""",
    bindings={"definition": URIRef(EXAMPLE_DEFINITION)},
    form="construct",
)

QUERIES: tuple[DiscoveryQuery, ...] = (
    DECLARED_CITIES,
    OBSERVED_CITIES,
    COVERAGE_MATRIX,
    AVERAGE_BY_COUNTRY,
    DEFINITION_GRAPH,
)


def with_values_clause(query: DiscoveryQuery) -> str:
    """The query with its bound values written into the text as a ``VALUES`` block.

    A diagnostic only, to see what binding costs: Commensura never builds query
    text from values. The values here are the benchmark's own IRIs, written in
    their N-Triples form, at the start of the outer ``WHERE`` group.
    """
    if not query.bindings:
        return query.sparql
    names = " ".join(f"?{name}" for name in query.bindings)
    terms = " ".join(term.n3() for term in query.bindings.values())
    marker = "WHERE {"
    head, found, tail = query.sparql.partition(marker)
    if not found:
        msg = f"query {query.key} has no {marker!r} to put a VALUES block after"
        raise ValueError(msg)
    return f"{head}{marker}\n  VALUES ({names}) {{ ({terms}) }}{tail}"
