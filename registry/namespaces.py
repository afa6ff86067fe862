"""Namespaces: our closed ontology namespace and the standard vocabularies we use.

``CM`` is a closed ``DefinedNamespace``: ``CM.Indcator`` (a typo) raises instead
of minting a new IRI. A test checks that its members are exactly the terms the
ontology declares.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)
from rdflib.term import URIRef

ONTOLOGY_IRI = URIRef("https://w3id.org/commensura/ontology")
BASE = "https://w3id.org/commensura/"

DCAT3 = Namespace("http://www.w3.org/ns/dcat#")
"""DCAT 3 terms rdflib's closed DCAT namespace lacks (dcat:version, dcat:previousVersion)."""
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
VANN = Namespace("http://purl.org/vocab/vann/")


class CM(DefinedNamespace):
    """Commensura ontology terms: ``https://w3id.org/commensura/ontology#``."""

    _NS = Namespace("https://w3id.org/commensura/ontology#")
    _fail = True

    # Classes
    AgeBand: URIRef
    AllOf: URIRef
    AnyOf: URIRef
    ComparabilityAssessment: URIRef
    Condition: URIRef
    Criterion: URIRef
    DataSource: URIRef
    DimensionComparison: URIRef
    DimensionFilter: URIRef
    Edition: URIRef
    Import: URIRef
    Indicator: URIRef
    IndicatorDefinition: URIRef
    Not: URIRef
    Place: URIRef
    PopulationDefinition: URIRef
    Practice: URIRef
    SeriesSelection: URIRef
    Submission: URIRef

    # Datatypes of place notations
    EurostatCountryCode: URIRef
    LAU2018Code: URIRef
    NUTS2016Code: URIRef
    NUTS2021Code: URIRef
    NUTS2024Code: URIRef
    UrbanAudit2017Code: URIRef
    UrbanAudit2020Code: URIRef

    # Properties
    administrativeUnit: URIRef
    ageBand: URIRef
    basis: URIRef
    codeValue: URIRef
    condition: URIRef
    country: URIRef
    coveredIndicator: URIRef
    dataSource: URIRef
    datasetCode: URIRef
    declaredDefinition: URIRef
    declaredPeriod: URIRef
    definitionPublisher: URIRef
    denominator: URIRef
    dimension: URIRef
    dimensionCode: URIRef
    dimensionComparison: URIRef
    edition: URIRef
    editionNumber: URIRef
    evidencedDefinition: URIRef
    evidencedPeriod: URIRef
    filter: URIRef
    formula: URIRef
    fromDataset: URIRef
    generation: URIRef
    geographyLevel: URIRef
    grade: URIRef
    harmonisationHint: URIRef
    hasReferenceGroup: URIRef
    indicator: URIRef
    indicatorDefinition: URIRef
    leftDefinition: URIRef
    maxAge: URIRef
    maxYears: URIRef
    measureType: URIRef
    measures: URIRef
    minAge: URIRef
    minYears: URIRef
    numerator: URIRef
    observationCount: URIRef
    observationStatus: URIRef
    observationsWritten: URIRef
    operand: URIRef
    operator: URIRef
    originAssignment: URIRef
    parentRule: URIRef
    partner: URIRef
    populationGroup: URIRef
    practiceKind: URIRef
    rank: URIRef
    reason: URIRef
    records: URIRef
    referenceDefinition: URIRef
    referenceGroup: URIRef
    referenceTime: URIRef
    relation: URIRef
    reproducedBy: URIRef
    rightDefinition: URIRef
    rowsRead: URIRef
    rowsRejected: URIRef
    sampleSize: URIRef
    sex: URIRef
    sourceType: URIRef
    statistic: URIRef
    statisticalAuthorityFor: URIRef
    subgroupOf: URIRef
    targetGraph: URIRef
    targetGroup: URIRef
    theme: URIRef
    tripleCount: URIRef
    unit: URIRef
    universe: URIRef
    usesDefinition: URIRef
    validationReport: URIRef
    value: URIRef
    verificationStatus: URIRef


__all__ = [
    "BASE",
    "CM",
    "DCAT",
    "DCAT3",
    "DCTERMS",
    "DQV",
    "FOAF",
    "OA",
    "ONTOLOGY_IRI",
    "OWL",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SDMX_ATTRIBUTE",
    "SDMX_CODE",
    "SDMX_DIMENSION",
    "SDMX_MEASURE",
    "SH",
    "SKOS",
    "VANN",
    "XSD",
]
