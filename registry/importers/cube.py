"""Data Cube observations from a table: one data structure for every import.

An imported dataset is a ``qb:DataSet`` whose observations all have the same
dimensions, in this order:

==========================  ===============================================================
``cm:indicatorDefinition``  the indicator definition the value belongs to
``sdmx-dimension:refArea``  the place (one of the registry's place IRIs)
``sdmx-dimension:refPeriod`` the reference period (``xsd:gYear``, ``xsd:gYearMonth`` or
                            ``xsd:date``)
``cm:populationGroup``      a population definition, ``pgroup:total``, or a code of the
                            publisher's list narrower than one of those
``sdmx-dimension:sex``      ``sdmx-code:sex-T`` / ``sex-F`` / ``sex-M``
``sdmx-dimension:age``      an age band concept (``age:allAges`` when there is no breakdown)
``cm:statistic``            ``stat:value`` (what the definition computes) or ``stat:count``
==========================  ===============================================================

plus the dimensions a mapping adds (a publisher's breakdown with no registry
counterpart, such as the ISCED level or the kind of migration flow), each with its
code list in the dataset's graph. The measure is ``sdmx-measure:obsValue``
(``xsd:decimal``); the attributes are ``sdmx-attribute:unitMeasure`` (required) and
``cm:observationStatus`` (one per Eurostat flag letter).

Observation IRIs are a digest of the dataset and the dimension values, so an import
run twice writes the same observations. The triples are produced column-wise from a
pandas frame (see :func:`write_observations`), not one rdflib term at a time: an
import of millions of observations must not be bound by Python object overhead.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rdflib import Literal, URIRef
from rdflib.namespace import QB, RDF, RDFS, SKOS, XSD

from registry.importers.base import ImportContext
from registry.namespaces import CM, SDMX_ATTRIBUTE, SDMX_CODE, SDMX_DIMENSION, SDMX_MEASURE
from registry.vocabularies import AGE_BAND, OBS_STATUS, POPULATION_GROUP, STATISTIC

COLUMNS = ("definition", "place", "period", "group", "sex", "age", "statistic")
"""The frame columns that hold the fixed dimensions, in the structure's order."""

DIMENSIONS: tuple[tuple[str, URIRef], ...] = (
    ("definition", CM.indicatorDefinition),
    ("place", SDMX_DIMENSION.refArea),
    ("period", SDMX_DIMENSION.refPeriod),
    ("group", CM.populationGroup),
    ("sex", SDMX_DIMENSION.sex),
    ("age", SDMX_DIMENSION.age),
    ("statistic", CM.statistic),
)

SEX = {"T": SDMX_CODE["sex-T"], "F": SDMX_CODE["sex-F"], "M": SDMX_CODE["sex-M"]}
TOTAL = POPULATION_GROUP.total
ALL_AGES = AGE_BAND.allAges
VALUE = STATISTIC.value
COUNT = STATISTIC.count

FLAGS: dict[str, URIRef] = {
    "b": OBS_STATUS.breakInSeries,
    "u": OBS_STATUS.lowReliability,
    "e": OBS_STATUS.estimated,
    "p": OBS_STATUS.provisional,
    "d": OBS_STATUS.definitionDiffers,
    "c": OBS_STATUS.confidential,
}
"""Eurostat flag letters and the observation statuses they stand for."""


@dataclass(frozen=True)
class ExtraDimension:
    """A dimension a mapping adds, with the codes its observations use."""

    name: str
    label: str
    codes: dict[str, str]
    """Code -> label, for every code used."""


def dimension_property(dataset: URIRef, name: str) -> URIRef:
    return URIRef(f"{dataset}/dimension/{name}")


def code_list(dataset: URIRef, name: str) -> URIRef:
    return URIRef(f"{dataset}/codes/{name}")


def code(dataset: URIRef, name: str, value: str) -> URIRef:
    """A code of a publisher's list, kept in the dataset's graph."""
    return URIRef(f"{dataset}/codes/{name}/{safe(value)}")


def safe(value: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in value.strip())
    return out or "_"


def structure(dataset: URIRef) -> URIRef:
    return URIRef(f"{dataset}/structure")


def write_structure(ctx: ImportContext, dataset: URIRef, extras: Sequence[ExtraDimension]) -> None:
    """The dataset's data structure definition, and the code lists of its extra dimensions."""
    dsd = structure(dataset)
    ctx.add(dataset, RDF.type, QB.DataSet)
    ctx.add(dataset, QB.structure, dsd)
    ctx.add(dsd, RDF.type, QB.DataStructureDefinition)
    components: list[tuple[str, URIRef, URIRef]] = [
        (name, QB.dimension, prop) for name, prop in DIMENSIONS
    ]
    components += [(e.name, QB.dimension, dimension_property(dataset, e.name)) for e in extras]
    components += [
        ("value", QB.measure, SDMX_MEASURE.obsValue),
        ("unit", QB.attribute, SDMX_ATTRIBUTE.unitMeasure),
        ("status", QB.attribute, CM.observationStatus),
    ]
    for order, (name, kind, prop) in enumerate(components, start=1):
        spec = URIRef(f"{dsd}/{name}")
        ctx.add(dsd, QB.component, spec)
        ctx.add(spec, RDF.type, QB.ComponentSpecification)
        ctx.add(spec, kind, prop)
        if kind == QB.dimension:
            ctx.add(spec, QB.order, Literal(order))
        if name == "unit":
            ctx.add(spec, QB.componentRequired, Literal(True))
    for extra in extras:
        prop = dimension_property(dataset, extra.name)
        scheme = code_list(dataset, extra.name)
        ctx.add(prop, RDF.type, QB.DimensionProperty)
        ctx.add(prop, RDF.type, QB.CodedProperty)
        ctx.add(prop, RDFS.label, Literal(extra.label, lang="en"))
        ctx.add(prop, RDFS.range, SKOS.Concept)
        ctx.add(prop, QB.codeList, scheme)
        ctx.add(scheme, RDF.type, SKOS.ConceptScheme)
        ctx.add(scheme, SKOS.prefLabel, Literal(extra.label, lang="en"))
        for value, label in sorted(extra.codes.items()):
            concept = code(dataset, extra.name, value)
            ctx.add(concept, RDF.type, SKOS.Concept)
            ctx.add(concept, SKOS.inScheme, scheme)
            ctx.add_text(concept, SKOS.notation, value)
            ctx.add(concept, SKOS.prefLabel, Literal(label or value))


def decimal_text(value: float) -> str:
    """An ``xsd:decimal`` lexical form: no exponent, no trailing zeros (118128, 17.5)."""
    if not math.isfinite(value):
        msg = f"{value!r} is not a number an observation can hold"
        raise ValueError(msg)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


_PERIOD_TYPES = ((4, XSD.gYear), (7, XSD.gYearMonth), (10, XSD.date))


def period_datatype(period: str) -> URIRef:
    for length, datatype in _PERIOD_TYPES:
        if len(period) == length:
            return datatype
    msg = f"{period!r} is not a year, a year-month or a date"
    raise ValueError(msg)


def _keys(frame: pd.DataFrame, extras: Sequence[str]) -> list[str]:
    """The dimension values of each row joined in one string (the observation's identity)."""
    columns = [frame[c].astype(str).tolist() for c in (*COLUMNS, *extras)]
    return ["|".join(values) for values in zip(*columns, strict=True)]


def observation_iris(dataset: URIRef, keys: Sequence[str]) -> list[str]:
    """One IRI per observation: the dataset and a digest of its dimension values."""
    base = f"{dataset}/obs/"
    blake = hashlib.blake2b
    return [base + blake(k.encode(), digest_size=12).hexdigest() for k in keys]


def write_observations(
    ctx: ImportContext, dataset: URIRef, frame: pd.DataFrame, extras: Sequence[str] = ()
) -> int:
    """Write one observation per row of ``frame``; returns how many were written.

    ``frame`` holds IRIs (as text) in the columns of :data:`COLUMNS` and in one column
    per extra dimension, ``unit`` (an IRI), ``value`` (a finite float) and ``flags``
    (Eurostat flag letters, possibly empty). Rows must be unique by their dimensions:
    the caller removes duplicates first (see :func:`duplicates`). The lines are built
    row by row from plain lists with one format string: several times faster than
    column-wise string operations on pandas' string arrays.
    """
    if frame.empty:
        return 0
    iris = observation_iris(dataset, _keys(frame, extras))
    props = [f"<{prop}>" for name, prop in DIMENSIONS if name != "period"]
    props += [f"<{dimension_property(dataset, name)}>" for name in extras]
    props.append(f"<{SDMX_ATTRIBUTE.unitMeasure}>")
    columns = [n for n, _ in DIMENSIONS if n != "period"] + list(extras) + ["unit"]
    objects = [frame[c].astype(str).tolist() for c in columns]
    head = f" <{RDF.type}> <{QB.Observation}> .\n"
    in_dataset = f" <{QB.dataSet}> <{dataset}> .\n"
    period_p = f" <{SDMX_DIMENSION.refPeriod}> "
    value_p = f" <{SDMX_MEASURE.obsValue}> "
    decimal = f"^^<{XSD.decimal}> .\n"
    datatypes = {n: f"^^<{dt}> .\n" for n, dt in _PERIOD_TYPES}
    periods = frame["period"].astype(str).tolist()
    values = frame["value"].tolist()
    pairs = list(zip(props, objects, strict=True))
    lines: list[str] = []
    append = lines.append
    for row, iri in enumerate(iris):
        s = f"<{iri}>"
        period = periods[row]
        append(s + head + s + in_dataset)
        append("".join(f"{s} {p} <{o[row]}> .\n" for p, o in pairs))
        append(f'{s}{period_p}"{period}"{datatypes[len(period)]}')
        append(f'{s}{value_p}"{decimal_text(values[row])}"{decimal}')
    ctx.sink.write_text("".join(lines), len(iris) * (4 + len(pairs)))
    flags = frame["flags"].astype(str).tolist()
    status = f"<{CM.observationStatus}>"
    flag_lines = [
        f"<{iri}> {status} <{FLAGS[letter]}> .\n"
        for iri, text in zip(iris, flags, strict=True)
        if text
        for letter in dict.fromkeys(text)
        if letter in FLAGS
    ]
    if flag_lines:
        ctx.sink.write_lines(flag_lines)
    return len(iris)


def unknown_flags(flags: Iterable[str]) -> set[str]:
    """Flag letters the observation statuses do not know (reported, not written)."""
    return {letter for text in flags for letter in text if letter not in FLAGS}


def duplicates(frame: pd.DataFrame, extras: Sequence[str] = ()) -> np.ndarray:
    """A mask of the rows whose dimensions repeat an earlier row's."""
    return pd.Series(_keys(frame, extras)).duplicated().to_numpy()
