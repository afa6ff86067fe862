"""The endpoint's SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from api.conneg import JSONLD, NTRIPLES, RDFXML, TURTLE

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

RESULT_FORMATS = (
    FORMATS.SPARQL_Results_JSON,
    FORMATS.SPARQL_Results_XML,
    FORMATS.SPARQL_Results_CSV,
    FORMATS.SPARQL_Results_TSV,
    FORMATS.Turtle,
    FORMATS["N-Triples"],
    FORMATS["JSON-LD"],
    FORMATS.RDF_XML,
)

RDFLIB_FORMATS = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}
"""rdflib's writer for each media type the description is offered in."""


def service_description(
    endpoint: str,
    graphs: Mapping[URIRef, int],
    *,
    result_limit: int,
    time_cap: float,
) -> Graph:
    """The description of the endpoint at ``endpoint``, with its named graphs and their sizes."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    graph.bind("void", VOID)
    graph.bind("dct", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for fmt in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, fmt))
    graph.add((service, DCTERMS.title, Literal("Commensura SPARQL endpoint", lang="en")))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 Query over the Commensura registry of migrant-integration "
                "indicators. SPARQL Update, LOAD and SERVICE are refused. Answers hold at most "
                f"{result_limit:,} rows or triples (a longer one is cut and says so in the "
                f"X-Commensura-Truncated header); a query may run {time_cap:g} seconds. The "
                "default graph is the union of the named graphs.",
                lang="en",
            ),
        )
    )
    graph.add((service, RDFS.seeAlso, URIRef(endpoint.rstrip("/") + "?format=html")))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name, triples in sorted(graphs.items()):
        named = BNode()
        described = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(triples, datatype=XSD.integer)))
    return graph
