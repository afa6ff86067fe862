"""The DCAT-AP 3 catalogue of the datasets Commensura knows (docs/catalogue.md).

A dataset is known when a graph of the store types it ``dcat:Dataset``: an importer
describes the dataset it imported in its ``data/<slug>`` graph (``describe_dataset``
in ``registry.importers.base`` writes ``dataset_triples``), a partner describes its
own in its ``partner/<org>`` graph. The coverage summaries the registry computes
(``id/dataset/coverage``, a ``qb:DataSet`` in the derived graph) are listed too: they
are a dataset the registry publishes, and the catalogue adds the DCAT-AP properties
the coverage graph does not carry (publisher, rights, themes...).

* ``dataset_triples(desc)`` is the DCAT-AP 3 description of one dataset, with
  StatDCAT-AP's dimensions, attributes, units and number of series. Nested nodes
  (distributions, checksums, the period, the rights and provenance statements) are
  IRIs minted under the dataset's IRI, so that writing a description again writes
  the same triples.
* ``catalogue_graph(store)`` is the whole catalogue: one ``dcat:Catalog`` listing every
  dataset, the datasets' descriptions, and what the DCAT-AP 3.0.1 shapes need about
  the nodes they refer to (agents with ``foaf:name``, licences, places as
  ``dct:Location``, periods, media types...). Classes the DCAT-AP ranges imply are
  stated (a licence is a ``dct:LicenseDocument``, a place a ``dct:Location``), since
  harvesters do not infer them.
* ``datasets(store, ...)`` is one page of datasets as JSON-friendly dicts, filtered by
  publisher, definition measured, indicator, place or text.

Everything is read with SPARQL through the ``Store`` interface; caller values are
bound as typed terms, never written into query text. The Python work on rdflib
graphs below is on the catalogue's own few hundred triples.
"""

from __future__ import annotations

import mimetypes
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, cast

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from registry import graphs, ids
from registry.discovery import check_page
from registry.errors import NotFoundError
from registry.ids import ID_BASE
from registry.namespaces import (
    CM,
    DCAT,
    DCAT3,
    DCTERMS,
    DQV,
    FOAF,
    PROV,
    QB,
    RDF,
    RDFS,
    SKOS,
    XSD,
)
from registry.store import Store, Term

__all__ = [
    "CATALOGUE",
    "CATALOGUE_PUBLISHER",
    "COVERAGE",
    "DatasetDescription",
    "Distribution",
    "catalogue_graph",
    "dataset_triples",
    "datasets",
    "media_type_for",
]

STAT = Namespace("http://data.europa.eu/m8g/")
"""StatDCAT-AP: ``stat:dimension``, ``stat:attribute``, ``stat:statUnitMeasure``, ``numSeries``."""
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DATA_THEME = f"{EU_AUTHORITY}data-theme/"
FREQUENCY = f"{EU_AUTHORITY}frequency/"
FILE_TYPE = f"{EU_AUTHORITY}file-type/"

CATALOGUE = URIRef(f"{ID_BASE}catalogue")
"""The catalogue itself."""
CATALOGUE_PUBLISHER = ids.org("commensura")
"""Who publishes the catalogue (and the coverage dataset): the Commensura project."""
CATALOGUE_PUBLISHER_NAME = "The Commensura project"
COVERAGE = ids.dataset("coverage")
"""The coverage summaries (``registry.coverage.DATASET``), listed in the catalogue too."""

SHA256 = SPDX.checksumAlgorithm_sha256


# -- descriptions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """One published form of a dataset: a file, or the page that offers it."""

    file_name: str
    """The file as published or uploaded, e.g. ``urb_cpop1_page_linear_2_0.csv``."""
    media_type: str
    """Its IANA media type: ``text/csv``, ``text/tab-separated-values``, ``application/json``."""
    access_url: str
    """Where the publisher offers it (the landing page when there is no direct link)."""
    download_url: str | None = None
    byte_size: int | None = None
    sha256: str | None = None
    description: str = ""
    """E.g. "SDMX-CSV 2.0, linear, with codes and labels" (English)."""
    conforms_to: str | None = None
    """The IRI of the format's specification, when there is one."""

    def __post_init__(self) -> None:
        if not self.file_name.strip():
            raise ValueError("a distribution needs the name of its file")
        if not _MEDIA_TYPE.fullmatch(self.media_type):
            msg = f"{self.media_type!r} is not a media type such as text/csv"
            raise ValueError(msg)
        _iri(self.access_url)
        for value in (self.download_url, self.conforms_to):
            if value is not None:
                _iri(value)
        if self.byte_size is not None and self.byte_size < 0:
            raise ValueError("a byte size cannot be negative")
        if self.sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", self.sha256):
            msg = f"{self.sha256!r} is not a SHA-256 digest (64 hexadecimal digits)"
            raise ValueError(msg)


@dataclass(frozen=True)
class DatasetDescription:
    """What the catalogue says about one dataset (DCAT-AP 3 with StatDCAT-AP)."""

    iri: URIRef
    title: str
    """English."""
    description: str
    """English."""
    publisher: URIRef
    """An organisation IRI (``ids.org(...)``); its ``foaf:name`` is in the registry graph."""
    identifier: str
    """E.g. the Eurostat code ``urb_cpop1``, or our slug."""
    landing_page: str | None = None
    license: str | None = None
    """A licence IRI; None when the source states none (``rights`` must then say so)."""
    rights: str = ""
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    """EU data-theme IRIs, e.g. ``.../authority/data-theme/SOCI``."""
    temporal: tuple[str | None, str | None] | None = None
    """ISO dates or years (start, end) of the data, computed from the observations."""
    spatial: tuple[URIRef, ...] = ()
    """The places covered (our place IRIs, or country IRIs)."""
    accrual_periodicity: str | None = None
    """An EU frequency IRI, e.g. ``.../authority/frequency/ANNUAL``."""
    version: str | None = None
    previous_version: URIRef | None = None
    issued: str | None = None
    """An ISO date or date-time."""
    modified: str | None = None
    """An ISO date or date-time."""
    measures: tuple[URIRef, ...] = ()
    """The indicator definitions the dataset holds values for (``cm:measures``)."""
    dimensions: tuple[URIRef, ...] = ()
    """``qb:DimensionProperty`` IRIs (StatDCAT-AP ``stat:dimension``)."""
    attributes: tuple[URIRef, ...] = ()
    """``qb:AttributeProperty`` IRIs (``stat:attribute``)."""
    stat_unit_measures: tuple[URIRef, ...] = ()
    """Units of measure (``stat:statUnitMeasure``)."""
    num_series: int | None = None
    provenance: str = ""
    """How the copy we hold was made: an excerpt, filtered, transcribed by hand... (English)."""
    source_dataset: str | None = None
    """The IRI or URL of the original the copy derives from (``prov:wasDerivedFrom``)."""
    distributions: tuple[Distribution, ...] = ()

    def __post_init__(self) -> None:
        if not self.title.strip() or not self.description.strip():
            raise ValueError(f"dataset {self.iri} needs a title and a description (DCAT-AP)")
        if not self.identifier.strip():
            raise ValueError(f"dataset {self.iri} needs an identifier")
        if self.license is None and not self.rights.strip():
            msg = (
                f"dataset {self.iri} states no licence: say in rights what the source "
                "states about re-use"
            )
            raise ValueError(msg)
        for value in (self.iri, self.publisher, self.landing_page, self.license):
            if value is not None:
                _iri(value)
        for value in (*self.themes, *self.spatial, *self.measures, *self.dimensions):
            _iri(value)
        for value in (*self.attributes, *self.stat_unit_measures):
            _iri(value)
        for value in (self.accrual_periodicity, self.previous_version, self.source_dataset):
            if value is not None:
                _iri(value)
        if self.temporal is not None:
            for value in self.temporal:
                if value is not None:
                    _period_literal(value)
        for value in (self.issued, self.modified):
            if value is not None:
                _date_literal(value)
        if self.num_series is not None and self.num_series < 0:
            raise ValueError("a number of series cannot be negative")


CatalogueTriple = tuple[URIRef | BNode, URIRef, URIRef | Literal | BNode]

_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_NOT_IN_IRI = re.compile(r'[\s<>"{}|\\^`]')


def _iri(value: str) -> URIRef:
    """``value`` as an IRI, refused when N-Triples could not carry it."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _NOT_IN_IRI.search(value):
        msg = f"{value!r} is not an absolute IRI"
        raise ValueError(msg)
    return URIRef(value)


def _date_literal(text: str) -> Literal:
    """An ISO date (``xsd:date``) or date-time (``xsd:dateTime``), as DCAT-AP asks."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        datatype = XSD.date
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?", text):
        datatype = XSD.dateTime
    else:
        msg = f"{text!r} is not an ISO date (2024-01-31) or date-time"
        raise ValueError(msg)
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"{text!r} is not a valid date: {exc}"
        raise ValueError(msg) from exc
    return Literal(text, datatype=datatype)


def _period_literal(text: str) -> Literal:
    """The start or end of a period: a year, a year and month, a date or a date-time."""
    if re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return Literal(text, datatype=XSD.gYearMonth)
    return _date_literal(text)


def media_type_for(file_name: str) -> str:
    """The IANA media type of a file, from its suffix (``.csv`` is ``text/csv``)."""
    path = PurePosixPath(file_name.lower())
    suffixes = path.suffixes
    for length in (2, 1):
        key = "".join(suffixes[-length:])
        if key in _SUFFIX_MEDIA_TYPES:
            return _SUFFIX_MEDIA_TYPES[key]
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    return guessed or "application/octet-stream"


_SUFFIX_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".rdf": "application/rdf+xml",
    ".xml": "application/xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tsv.gz": "application/gzip",
    ".csv.gz": "application/gzip",
    ".pdf": "application/pdf",
}

_FILE_TYPES = {
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/json": "JSON",
    "application/ld+json": "JSON_LD",
    "text/turtle": "RDF_TURTLE",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/n-quads": "RDF_N_QUADS",
    "application/trig": "RDF_TRIG",
    "application/rdf+xml": "RDF_XML",
    "application/xml": "XML",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/zip": "ZIP",
    "application/gzip": "GZIP",
    "application/pdf": "PDF",
}
"""IANA media type -> code of the EU file-type table (``dct:format``)."""


def dataset_triples(desc: DatasetDescription) -> list[CatalogueTriple]:
    """The DCAT-AP 3 description of one dataset (no catalogue), in a stable order.

    Nested nodes are IRIs under the dataset's: ``<iri>/distribution/<n>`` (from 1, in
    the order given), ``<iri>/distribution/<n>/checksum``, ``<iri>/temporal``,
    ``<iri>/rights`` and ``<iri>/provenance``. Each distribution carries the
    dataset's licence and rights statement.
    """
    d = _iri(desc.iri)
    out: list[CatalogueTriple] = [
        (d, RDF.type, DCAT.Dataset),
        (d, DCTERMS.title, Literal(desc.title, lang="en")),
        (d, DCTERMS.description, Literal(desc.description, lang="en")),
        (d, DCTERMS.publisher, _iri(desc.publisher)),
        (d, DCTERMS.identifier, Literal(desc.identifier)),
    ]
    if desc.landing_page is not None:
        out.append((d, DCAT.landingPage, _iri(desc.landing_page)))
    licence = _iri(desc.license) if desc.license is not None else None
    if licence is not None:
        out.append((d, DCTERMS.license, licence))
    rights = URIRef(f"{d}/rights") if desc.rights.strip() else None
    if rights is not None:
        out += [
            (d, DCTERMS.rights, rights),
            (rights, RDF.type, DCTERMS.RightsStatement),
            (rights, RDFS.label, Literal(desc.rights, lang="en")),
        ]
    out += [(d, DCAT.keyword, Literal(k, lang="en")) for k in desc.keywords]
    out += [(d, DCAT.theme, _iri(t)) for t in desc.themes]
    if desc.temporal is not None and any(v is not None for v in desc.temporal):
        period = URIRef(f"{d}/temporal")
        start, end = desc.temporal
        out += [(d, DCTERMS.temporal, period), (period, RDF.type, DCTERMS.PeriodOfTime)]
        if start is not None:
            out.append((period, DCAT.startDate, _period_literal(start)))
        if end is not None:
            out.append((period, DCAT.endDate, _period_literal(end)))
    out += [(d, DCTERMS.spatial, _iri(place)) for place in desc.spatial]
    if desc.accrual_periodicity is not None:
        out.append((d, DCTERMS.accrualPeriodicity, _iri(desc.accrual_periodicity)))
    if desc.version is not None:
        out.append((d, DCAT3.version, Literal(desc.version)))
    if desc.previous_version is not None:
        out.append((d, DCAT3.previousVersion, _iri(desc.previous_version)))
    if desc.issued is not None:
        out.append((d, DCTERMS.issued, _date_literal(desc.issued)))
    if desc.modified is not None:
        out.append((d, DCTERMS.modified, _date_literal(desc.modified)))
    out += [(d, CM.measures, _iri(m)) for m in desc.measures]
    out += [(d, STAT.dimension, _iri(c)) for c in desc.dimensions]
    out += [(d, STAT.attribute, _iri(c)) for c in desc.attributes]
    out += [(d, STAT.statUnitMeasure, _iri(u)) for u in desc.stat_unit_measures]
    if desc.num_series is not None:
        out.append((d, STAT.numSeries, Literal(desc.num_series, datatype=XSD.integer)))
    if desc.provenance.strip():
        statement = URIRef(f"{d}/provenance")
        out += [
            (d, DCTERMS.provenance, statement),
            (statement, RDF.type, DCTERMS.ProvenanceStatement),
            (statement, RDFS.label, Literal(desc.provenance, lang="en")),
        ]
    if desc.source_dataset is not None:
        out.append((d, PROV.wasDerivedFrom, _iri(desc.source_dataset)))
    for number, dist in enumerate(desc.distributions, start=1):
        out += _distribution_triples(d, number, dist, licence, rights)
    return out


def _distribution_triples(
    dataset: URIRef,
    number: int,
    dist: Distribution,
    licence: URIRef | None,
    rights: URIRef | None,
) -> list[CatalogueTriple]:
    node = URIRef(f"{dataset}/distribution/{number}")
    out: list[CatalogueTriple] = [
        (dataset, DCAT.distribution, node),
        (node, RDF.type, DCAT.Distribution),
        (node, DCTERMS.title, Literal(dist.file_name)),
        (node, DCAT.accessURL, _iri(dist.access_url)),
        (node, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + dist.media_type)),
    ]
    if dist.media_type in _FILE_TYPES:
        out.append((node, DCTERMS.format, URIRef(FILE_TYPE + _FILE_TYPES[dist.media_type])))
    if dist.download_url is not None:
        out.append((node, DCAT.downloadURL, _iri(dist.download_url)))
    if dist.description.strip():
        out.append((node, DCTERMS.description, Literal(dist.description, lang="en")))
    if dist.conforms_to is not None:
        out.append((node, DCTERMS.conformsTo, _iri(dist.conforms_to)))
    if licence is not None:
        out.append((node, DCTERMS.license, licence))
    if rights is not None:
        out.append((node, DCTERMS.rights, rights))
    if dist.byte_size is not None:
        size = Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)
        out.append((node, DCAT.byteSize, size))
    if dist.sha256 is not None:
        checksum = URIRef(f"{node}/checksum")
        out += [
            (node, SPDX.checksum, checksum),
            (checksum, RDF.type, SPDX.Checksum),
            (checksum, SPDX.algorithm, SHA256),
            (checksum, SPDX.checksumValue, Literal(dist.sha256.lower(), datatype=XSD.hexBinary)),
        ]
    return out


# -- what the catalogue knows about the things it refers to -------------------------------

RANGES: Mapping[URIRef, URIRef] = {
    DCTERMS.publisher: FOAF.Agent,
    DCTERMS.creator: FOAF.Agent,
    DCTERMS.license: DCTERMS.LicenseDocument,
    DCTERMS.rights: DCTERMS.RightsStatement,
    DCTERMS.accessRights: DCTERMS.RightsStatement,
    DCTERMS.provenance: DCTERMS.ProvenanceStatement,
    DCTERMS.spatial: DCTERMS.Location,
    DCTERMS.temporal: DCTERMS.PeriodOfTime,
    DCTERMS.accrualPeriodicity: DCTERMS.Frequency,
    DCTERMS.language: DCTERMS.LinguisticSystem,
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCTERMS.format: DCTERMS.MediaTypeOrExtent,
    DCTERMS.type: SKOS.Concept,
    DCAT.mediaType: DCTERMS.MediaType,
    DCAT.compressFormat: DCTERMS.MediaType,
    DCAT.packageFormat: DCTERMS.MediaType,
    DCAT.landingPage: FOAF.Document,
    FOAF.page: FOAF.Document,
    DCAT.distribution: DCAT.Distribution,
    ADMS.sample: DCAT.Distribution,
    DCAT.theme: SKOS.Concept,
    DCAT.themeTaxonomy: SKOS.ConceptScheme,
    DCAT.contactPoint: VCARD.Kind,
    DCATAP.availability: SKOS.Concept,
    PROV.wasGeneratedBy: PROV.Activity,
    SPDX.checksum: SPDX.Checksum,
    SPDX.algorithm: SPDX.ChecksumAlgorithm,
}
"""The DCAT-AP 3.0.1 range of each property: the class its values are stated to have."""

_THEMES = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
    "OP_DATPRO": "Provisional data",
}
_FREQUENCIES = {
    "ANNUAL": "annual",
    "ANNUAL_2": "semiannual",
    "ANNUAL_3": "three times a year",
    "BIENNIAL": "biennial",
    "TRIENNIAL": "triennial",
    "QUADRENNIAL": "quadrennial",
    "QUINQUENNIAL": "quinquennial",
    "DECENNIAL": "decennial",
    "QUARTERLY": "quarterly",
    "MONTHLY": "monthly",
    "WEEKLY": "weekly",
    "DAILY": "daily",
    "CONT": "continuous",
    "UPDATE_CONT": "continuously updated",
    "IRREG": "irregular",
    "NEVER": "never",
    "UNKNOWN": "unknown",
    "OTHER": "other",
}
_LICENCE_TYPES = "http://purl.org/adms/licencetype/"
_PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"
_PUBLISHER_TYPE_LABELS = {
    "Academia-ScientificOrganisation": "Academia/Scientific organisation",
    "Company": "Company",
    "IndustryConsortium": "Industry consortium",
    "LocalAuthority": "Local authority",
    "NationalAuthority": "National authority",
    "NonGovernmentalOrganisation": "Non-governmental organisation",
    "NonProfitOrganisation": "Non-profit organisation",
    "PrivateIndividual(s)": "Private individual(s)",
    "RegionalAuthority": "Regional authority",
    "StandardisationBody": "Standardisation body",
    "SupraNationalAuthority": "Supra-national authority",
}
"""ADMS publisher types, the values DCAT-AP recommends for an agent's ``dct:type``."""
_LICENCES: Mapping[str, tuple[str, str]] = {
    iri: (title, _LICENCE_TYPES + kind)
    for iris, title, kind in (
        (
            (
                "http://creativecommons.org/licenses/by/4.0/",
                "https://creativecommons.org/licenses/by/4.0/",
                f"{EU_AUTHORITY}licence/CC_BY_4_0",
            ),
            "Creative Commons Attribution 4.0 International",
            "Attribution",
        ),
        (
            (
                "http://creativecommons.org/publicdomain/zero/1.0/",
                "https://creativecommons.org/publicdomain/zero/1.0/",
                f"{EU_AUTHORITY}licence/CC0",
            ),
            "Creative Commons CC0 1.0 Universal",
            "PublicDomain",
        ),
        (
            (
                "http://creativecommons.org/licenses/by-sa/4.0/",
                "https://creativecommons.org/licenses/by-sa/4.0/",
                f"{EU_AUTHORITY}licence/CC_BYSA_4_0",
            ),
            "Creative Commons Attribution-ShareAlike 4.0 International",
            "ShareAlike",
        ),
    )
    for iri in iris
}
"""Licences whose name and ADMS licence type the catalogue states (``dct:type``)."""

_CONCEPTS: Mapping[str, tuple[str, str]] = {
    **{f"{DATA_THEME}{code}": (label, DATA_THEME.rstrip("/")) for code, label in _THEMES.items()},
    **{
        f"{FREQUENCY}{code}": (label, FREQUENCY.rstrip("/")) for code, label in _FREQUENCIES.items()
    },
    **{
        f"{FILE_TYPE}{code}": (code.replace("_", " "), FILE_TYPE.rstrip("/"))
        for code in _FILE_TYPES.values()
    },
    f"{_LICENCE_TYPES}Attribution": ("Attribution", f"{_LICENCE_TYPES}1.0"),
    f"{_LICENCE_TYPES}PublicDomain": ("Public domain", f"{_LICENCE_TYPES}1.0"),
    f"{_LICENCE_TYPES}ShareAlike": ("Share alike", f"{_LICENCE_TYPES}1.0"),
    **{
        f"{_PUBLISHER_TYPES}{code}": (label, f"{_PUBLISHER_TYPES}1.0")
        for code, label in _PUBLISHER_TYPE_LABELS.items()
    },
    f"{EU_AUTHORITY}language/ENG": ("English", f"{EU_AUTHORITY}language"),
    f"{EU_AUTHORITY}continent/EUROPE": ("Europe", f"{EU_AUTHORITY}continent"),
}
"""Terms of the EU and ADMS vocabularies the catalogue uses: English label and scheme.

The vocabularies themselves are not in the store; these labels are what the DCAT-AP
shapes need (a ``skos:Concept`` has a ``skos:prefLabel``) and what a reader needs."""

_SCHEMES = {DATA_THEME.rstrip("/"): "Data theme"}
"""Concept schemes the catalogue names as its theme taxonomy, with their titles."""

ENGLISH = URIRef(f"{EU_AUTHORITY}language/ENG")
EUROPE = URIRef(f"{EU_AUTHORITY}continent/EUROPE")
THEME_TAXONOMY = URIRef(DATA_THEME.rstrip("/"))

COVERAGE_RIGHTS = (
    "No licence has been stated for the coverage summaries. They are computed from the "
    "registry's curated content, partners' submissions and imported datasets, each under "
    "its own terms."
)
COVERAGE_PROVENANCE = (
    "Computed by Commensura after every import, submission and build, from the indicator "
    "definitions it holds and the observations of the imported and submitted datasets."
)


# -- queries -----------------------------------------------------------------------------

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX dqv: <http://www.w3.org/ns/dqv#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX stat: <http://data.europa.eu/m8g/>
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX sdmxd: <http://purl.org/linked-data/sdmx/2009/dimension#>
"""

_MEMBERS = f"""  {{ ?d a dcat:Dataset }} UNION {{ ?d a qb:DataSet . FILTER(?d = <{COVERAGE}>) }}
  FILTER(isIRI(?d))
"""
"""The datasets of the catalogue, as ``?d``: every ``dcat:Dataset``, and the coverage."""

_Q_OWN = _PREFIXES + "CONSTRUCT { ?d ?p ?o } WHERE {\n" + _MEMBERS + "  ?d ?p ?o\n}\n"

_Q_PARTS = (
    _PREFIXES
    + "CONSTRUCT { ?n ?p ?o } WHERE {\n"
    + _MEMBERS
    + """  { ?d dcat:distribution|adms:sample|dct:temporal|dct:rights|dct:accessRights
          |dct:provenance|dcat:contactPoint|adms:identifier|dcat:qualifiedRelation
          |prov:qualifiedAttribution|dqv:hasQualityAnnotation ?n }
  UNION
  { ?d (dcat:distribution|adms:sample)/(spdx:checksum|dct:rights|odrl:hasPolicy) ?n }
  ?n ?p ?o
}
"""
)
"""The nodes that are part of a description: distributions, periods, statements..."""

_Q_LABELS = (
    _PREFIXES
    + "CONSTRUCT { ?x ?lp ?l } WHERE {\n"
    + _MEMBERS
    + """  ?d dct:spatial|cm:measures|stat:dimension|stat:attribute|stat:statUnitMeasure
     |dcat:theme|dct:accrualPeriodicity|dct:license|dct:language|dct:type|dct:conformsTo
     |(dct:publisher|dct:creator|dct:license)/dct:type
     |qb:structure/qb:component/(qb:dimension|qb:attribute|qb:measure)
     |(dcat:distribution|adms:sample)/(dct:license|dct:format|dcat:mediaType|dct:conformsTo)
     ?x .
  ?x ?lp ?l .
  FILTER(?lp IN (skos:prefLabel, rdfs:label, dct:title) && isLiteral(?l))
}
"""
)
"""The labels of what descriptions refer to: places, definitions, components, terms."""

_AGENT_FACTS = (
    "FILTER(?p IN (rdf:type, foaf:name, foaf:homepage, foaf:mbox, dct:type, "
    "skos:prefLabel, rdfs:label))"
)
_Q_AGENTS = (
    _PREFIXES
    + "CONSTRUCT { ?a ?p ?o } WHERE {\n"
    + _MEMBERS
    + f"""  ?d dct:publisher|dct:creator|(dcat:distribution/dct:publisher) ?a .
  ?a ?p ?o .
  {_AGENT_FACTS}
}}
"""
)
_Q_AGENT = _PREFIXES + f"CONSTRUCT {{ ?a ?p ?o }} WHERE {{\n  ?a ?p ?o .\n  {_AGENT_FACTS}\n}}\n"

_Q_ACTIVITIES = (
    _PREFIXES
    + """CONSTRUCT { ?act a prov:Activity ; prov:startedAtTime ?s ; prov:endedAtTime ?e }
WHERE {
"""
    + _MEMBERS
    + """  ?d prov:wasGeneratedBy ?act .
  FILTER(isIRI(?act))
  OPTIONAL { ?act prov:startedAtTime ?s }
  OPTIONAL { ?act prov:endedAtTime ?e }
}
"""
)

_Q_COMPONENTS = (
    _PREFIXES
    + "SELECT DISTINCT ?d ?kind ?c WHERE {\n"
    + _MEMBERS
    + """  ?d qb:structure/qb:component ?spec .
  ?spec ?kind ?c .
  FILTER(?kind IN (qb:dimension, qb:attribute) && isIRI(?c))
}
"""
)
"""The components of a ``qb:DataSet``'s structure: its StatDCAT-AP dimensions and attributes."""

_Q_COVERAGE = (
    _PREFIXES
    + """SELECT ?title ?description WHERE {
  ?d a qb:DataSet .
  OPTIONAL { ?d dct:title ?title }
  OPTIONAL { ?d dct:description ?description }
}
"""
)

_Q_SPAN = (
    _PREFIXES
    + """SELECT (MIN(?s) AS ?first) (MAX(?e) AS ?last) WHERE {
  ?a a prov:Activity ; prov:startedAtTime ?s ; prov:endedAtTime ?e .
}
"""
)

_Q_OBSERVATIONS = _PREFIXES + "SELECT (COUNT(?o) AS ?n) WHERE { ?o qb:dataSet ?d }\n"
"""Only observations link to a data set with qb:dataSet (its domain); asking for their type
too makes the count ten times slower on a large dataset."""


# -- the catalogue -----------------------------------------------------------------------


def catalogue_graph(store: Store) -> Graph:
    """The whole catalogue: one ``dcat:Catalog`` with every dataset and what it refers to."""
    g = _descriptions(store)
    members = sorted(s for s in g.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef))
    cat = CATALOGUE
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal("Commensura: the catalogue of datasets", lang="en")))
    g.add(
        (
            cat,
            DCTERMS.description,
            Literal(
                "The datasets the Commensura registry of migrant-integration indicators "
                "knows: code lists and statistics imported from their publishers, datasets "
                "partner organisations describe, and the coverage summaries the registry "
                "computes.",
                lang="en",
            ),
        )
    )
    g.add((cat, DCTERMS.publisher, CATALOGUE_PUBLISHER))
    g.add((cat, DCTERMS.language, ENGLISH))
    g.add((cat, DCTERMS.spatial, EUROPE))
    g.add((cat, DCAT.themeTaxonomy, THEME_TAXONOMY))
    for member in members:
        g.add((cat, DCAT.dataset, member))
    span = store.select(_Q_SPAN, default_graphs=[graphs.PROVENANCE]).dicts()
    if span:
        first, last = span[0].get("first"), span[0].get("last")
        if isinstance(first, Literal):
            g.add((cat, DCTERMS.issued, first))
        if isinstance(last, Literal):
            g.add((cat, DCTERMS.modified, last))
    _add_catalogue_publisher(store, g)
    _complete(g)
    for prefix, namespace in _BINDINGS.items():
        g.bind(prefix, namespace, override=True)
    return g


_BINDINGS = {
    "dcat": DCAT3,
    "dct": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "qb": QB,
    "skos": SKOS,
    "adms": ADMS,
    "spdx": SPDX,
    "stat": STAT,
    "vcard": VCARD,
    "dcatap": DCATAP,
    "dqv": DQV,
    "cm": CM._NS,
}


def _descriptions(store: Store, dataset: URIRef | None = None) -> Graph:
    """The descriptions of all datasets, or of one, completed for DCAT-AP."""
    bindings: dict[str, Term] | None = {"d": dataset} if dataset is not None else None
    g = Graph()
    for query in (_Q_OWN, _Q_PARTS, _Q_LABELS, _Q_AGENTS, _Q_ACTIVITIES):
        g += store.construct(query, bindings=bindings)
    for row in store.select(_Q_COMPONENTS, bindings=bindings).dicts():
        d, kind, component = row["d"], row["kind"], row["c"]
        if isinstance(d, URIRef) and isinstance(component, URIRef):
            prop = STAT.dimension if kind == QB.dimension else STAT.attribute
            g.add((d, prop, component))
    if dataset is None or dataset == COVERAGE:
        coverage = _coverage_description(store)
        if coverage is not None:
            for triple in dataset_triples(coverage):
                g.add(triple)
            g.add((COVERAGE, CM.targetGraph, graphs.DERIVED))
            _add_catalogue_publisher(store, g)
    _complete(g)
    return g


def _coverage_description(store: Store) -> DatasetDescription | None:
    """What the catalogue adds to the coverage dataset, or None when it is not built."""
    rows = store.select(_Q_COVERAGE, bindings={"d": COVERAGE}).dicts()
    if not rows:
        return None
    title = _pick(r.get("title") for r in rows) or "Coverage of integration indicators by place"
    description = _pick(r.get("description") for r in rows) or COVERAGE_PROVENANCE
    return DatasetDescription(
        iri=COVERAGE,
        title=title,
        description=description,
        publisher=CATALOGUE_PUBLISHER,
        identifier="coverage",
        rights=COVERAGE_RIGHTS,
        keywords=("coverage", "integration indicators", "cities"),
        themes=(f"{DATA_THEME}SOCI", f"{DATA_THEME}REGI"),
        accrual_periodicity=f"{FREQUENCY}UPDATE_CONT",
        provenance=COVERAGE_PROVENANCE,
    )


def _add_catalogue_publisher(store: Store, g: Graph) -> None:
    """What the store says about the catalogue's publisher, and a name when it says none."""
    g += store.construct(_Q_AGENT, bindings={"a": CATALOGUE_PUBLISHER})
    g.add((CATALOGUE_PUBLISHER, RDF.type, FOAF.Organization))
    if g.value(CATALOGUE_PUBLISHER, FOAF.name) is None:
        g.add((CATALOGUE_PUBLISHER, FOAF.name, Literal(CATALOGUE_PUBLISHER_NAME, lang="en")))


def _complete(g: Graph) -> None:
    """State what DCAT-AP needs about the nodes the descriptions refer to."""
    for licence in set(g.objects(None, DCTERMS.license)):
        known = _LICENCES.get(str(licence))
        if known is None:
            continue
        title, kind = known
        if g.value(licence, DCTERMS.title) is None:
            g.add((licence, DCTERMS.title, Literal(title, lang="en")))
        if g.value(licence, DCTERMS.type) is None:
            g.add((licence, DCTERMS.type, URIRef(kind)))
    _add_contact_points(g)
    _statements_as_nodes(g)
    for _, p, o in list(g):
        cls = RANGES.get(cast("URIRef", p))
        if cls is not None and isinstance(o, URIRef | BNode):
            g.add((o, RDF.type, cls))
    for node in {o for o in g.objects() if isinstance(o, URIRef)}:
        key = str(node)
        if key in _CONCEPTS and g.value(node, SKOS.prefLabel) is None:
            label, scheme = _CONCEPTS[key]
            g.add((node, SKOS.prefLabel, Literal(label, lang="en")))
            g.add((node, SKOS.inScheme, URIRef(scheme)))
        if key in _SCHEMES and g.value(node, DCTERMS.title) is None:
            g.add((node, DCTERMS.title, Literal(_SCHEMES[key], lang="en")))
    for agent in set(g.subjects(RDF.type, FOAF.Agent)):
        if g.value(agent, FOAF.name) is None:
            for name in [*g.objects(agent, SKOS.prefLabel), *g.objects(agent, RDFS.label)]:
                g.add((agent, FOAF.name, name))
    for s, p, o in list(g.triples((None, DCAT.byteSize, None))):
        # Some stores keep a non-negative integer as xsd:integer: DCAT-AP wants the type.
        if isinstance(o, Literal) and o.datatype != XSD.nonNegativeInteger:
            value = o.toPython()
            if isinstance(value, int) and value >= 0:
                g.remove((s, p, o))
                g.add((s, p, Literal(value, datatype=XSD.nonNegativeInteger)))


def _statements_as_nodes(g: Graph) -> None:
    """Rights and provenance given as text become the statements DCAT-AP asks for."""
    for prop, cls in (
        (DCTERMS.rights, DCTERMS.RightsStatement),
        (DCTERMS.accessRights, DCTERMS.RightsStatement),
        (DCTERMS.provenance, DCTERMS.ProvenanceStatement),
    ):
        for subject, text in list(g.subject_objects(prop)):
            if isinstance(text, Literal):
                node = BNode()
                g.remove((subject, prop, text))
                g.add((subject, prop, node))
                g.add((node, RDF.type, cls))
                g.add((node, RDFS.label, text))


def _add_contact_points(g: Graph) -> None:
    """A contact point for each dataset that has none: its publisher, by its home page."""
    contacts: dict[Node, BNode] = {}
    for dataset in set(g.subjects(RDF.type, DCAT.Dataset)):
        if g.value(dataset, DCAT.contactPoint) is not None:
            continue
        publisher = g.value(dataset, DCTERMS.publisher)
        if publisher is None:
            continue
        urls = sorted(o for o in g.objects(publisher, FOAF.homepage) if isinstance(o, URIRef))
        mails = sorted(o for o in g.objects(publisher, FOAF.mbox) if isinstance(o, URIRef))
        if not urls and not mails:
            continue
        if publisher not in contacts:
            node = BNode()
            contacts[publisher] = node
            g.add((node, RDF.type, VCARD.Organization))
            for name in g.objects(publisher, FOAF.name):
                g.add((node, VCARD.fn, name))
            for url in urls:
                g.add((node, VCARD.hasURL, url))
            for mail in mails:
                g.add((node, VCARD.hasEmail, mail))
        g.add((dataset, DCAT.contactPoint, contacts[publisher]))


# -- the datasets list -------------------------------------------------------------------

MAX_LIMIT = 500

_FILTERS = {
    "publisher": f"""  FILTER(EXISTS {{ ?d dct:publisher ?publisher }}
         || (?d = <{COVERAGE}> && ?publisher = <{CATALOGUE_PUBLISHER}>))""",
    "measures": "  FILTER EXISTS { ?d cm:measures ?measures }",
    "indicator": """  FILTER EXISTS {
    ?d cm:measures ?definition . ?definition cm:indicator ?indicator
  }""",
    "place": """  FILTER(EXISTS { ?d dct:spatial ?place }
         || EXISTS { ?obs sdmxd:refArea ?place ; qb:dataSet ?d })""",
    "text": """  FILTER EXISTS {
    ?d dct:title|dct:description|dcat:keyword|dct:identifier ?words .
    FILTER(CONTAINS(LCASE(STR(?words)), LCASE(STR(?text))))
  }""",
}
"""Filter lines, switched on by the arguments given; the values are bound, never written."""


def datasets(
    store: Store,
    *,
    publisher: URIRef | None = None,
    measures: URIRef | None = None,
    indicator: URIRef | None = None,
    place: URIRef | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the catalogue's datasets, ordered by title, and how many match in all.

    ``publisher``: published by that organisation; ``measures``: holds values for that
    indicator definition; ``indicator``: for a definition of that indicator; ``place``:
    covers it (``dct:spatial``) or has observations there; ``text``: in the title,
    description, a keyword or the identifier (case-insensitive). Raises ``InputError``
    for a limit outside 1-500 or a negative offset.
    """
    check_page(limit, offset, MAX_LIMIT)
    bindings: dict[str, Term] = {}
    for name, value in (
        ("publisher", publisher),
        ("measures", measures),
        ("indicator", indicator),
        ("place", place),
    ):
        if value is not None:
            bindings[name] = URIRef(str(value))
    if text is not None and text.strip():
        bindings["text"] = Literal(text.strip())
    lines = [_FILTERS[name] for name in _FILTERS if name in bindings]
    sparql = (
        _PREFIXES
        + "SELECT DISTINCT ?d ?title WHERE {\n"
        + _MEMBERS
        + "\n".join(lines)
        + "\n  OPTIONAL { ?d dct:title ?title }\n}\n"
    )
    titles: dict[URIRef, list[Term | None]] = defaultdict(list)
    for row in store.select(sparql, bindings=bindings or None).rows:
        d, title = row
        if isinstance(d, URIRef):
            titles[d].append(title)
    order = sorted(titles, key=lambda d: ((_pick(titles[d]) or "").casefold(), str(d)))
    page = order[offset : offset + limit]
    return [_item(store, d) for d in page], len(order)


_Q_MEMBER = _PREFIXES + "ASK {\n" + _MEMBERS + "}\n"


def dataset(store: Store, iri: URIRef) -> tuple[dict[str, Any], Graph]:
    """The catalogue's entry of one dataset, as :func:`datasets` lists it, and its
    description as the catalogue gives it (that dataset's part of :func:`catalogue_graph`).
    Raises ``NotFoundError`` when the catalogue holds no dataset of that IRI."""
    d = URIRef(str(iri))
    if not store.ask(_Q_MEMBER, bindings={"d": d}):
        msg = f"the catalogue holds no dataset <{iri}>; GET /api/datasets lists them"
        raise NotFoundError(msg, details={"dataset": str(iri)})
    g = _descriptions(store, d)
    return _item(store, d, g), g


def _item(store: Store, d: URIRef, g: Graph | None = None) -> dict[str, Any]:
    if g is None:
        g = _descriptions(store, d)
    publisher = g.value(d, DCTERMS.publisher)
    period = g.value(d, DCTERMS.temporal)
    temporal = None
    if period is not None:
        start = g.value(period, DCAT.startDate)
        end = g.value(period, DCAT.endDate)
        temporal = {"start": _text(start), "end": _text(end)}
    counted = store.select(_Q_OBSERVATIONS, bindings={"d": d}).column("n")
    observations = counted[0].toPython() if counted and isinstance(counted[0], Literal) else 0
    return {
        "iri": str(d),
        "title": _pick(g.objects(d, DCTERMS.title)),
        "description": _pick(g.objects(d, DCTERMS.description)),
        "publisher": (
            {"iri": str(publisher), "label": _pick(g.objects(publisher, FOAF.name))}
            if publisher is not None
            else None
        ),
        "license": _text(g.value(d, DCTERMS.license)),
        "landing_page": _text(g.value(d, DCAT.landingPage)),
        "temporal": temporal,
        "spatial": sorted(str(p) for p in g.objects(d, DCTERMS.spatial)),
        "measures": sorted(
            (
                {"iri": str(m), "label": _label(g, m)}
                for m in g.objects(d, CM.measures)
                if isinstance(m, URIRef)
            ),
            key=lambda m: ((m["label"] or "").casefold(), m["iri"]),
        ),
        "distributions": [
            _distribution(g, node)
            for node in sorted(g.objects(d, DCAT.distribution), key=_natural_key)
        ],
        "graph": _text(g.value(d, CM.targetGraph)),
        "observations": int(observations),
        "modified": _text(g.value(d, DCTERMS.modified)),
    }


def _distribution(g: Graph, node: Node) -> dict[str, Any]:
    media_type = _text(g.value(node, DCAT.mediaType))
    if media_type is not None:
        media_type = media_type.removeprefix(IANA_MEDIA_TYPES)
    size = g.value(node, DCAT.byteSize)
    checksum = g.value(node, SPDX.checksum)
    digest = None
    if checksum is not None and g.value(checksum, SPDX.algorithm) == SHA256:
        digest = _text(g.value(checksum, SPDX.checksumValue))
    return {
        "iri": str(node),
        "title": _pick(g.objects(node, DCTERMS.title)),
        "description": _pick(g.objects(node, DCTERMS.description)),
        "access_url": _text(g.value(node, DCAT.accessURL)),
        "download_url": _text(g.value(node, DCAT.downloadURL)),
        "media_type": media_type,
        "format": _text(g.value(node, DCTERMS.format)),
        "byte_size": size.toPython() if isinstance(size, Literal) else None,
        "sha256": digest,
        "conforms_to": _text(g.value(node, DCTERMS.conformsTo)),
        "license": _text(g.value(node, DCTERMS.license)),
    }


# -- helpers -----------------------------------------------------------------------------


def _pick(values: Iterable[Node | None]) -> str | None:
    """One text among literals: the English one, else one without a language, else any."""
    literals = sorted((v for v in values if isinstance(v, Literal)), key=str)
    for wanted in ("en", None):
        for value in literals:
            if value.language == wanted:
                return str(value)
    return str(literals[0]) if literals else None


def _label(g: Graph, node: Node) -> str | None:
    for prop in (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name):
        found = _pick(g.objects(node, prop))
        if found is not None:
            return found
    return None


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _natural_key(node: Node) -> tuple[str, int, str]:
    """Order ``.../distribution/2`` before ``.../distribution/10``."""
    text = str(node)
    match = re.search(r"^(.*?)(\d+)$", text)
    if match is None:
        return (text, -1, text)
    return (match.group(1), int(match.group(2)), text)
