"""Declarative mappings: any table to Data Cube observations, without code.

A mapping file (YAML, or the same structure as JSON) says, for one dataset, where
its rows come from and how each becomes an observation: which column is the place
and in which code scheme, which the period and the value, which indicator
definition, population group, sex, age, statistic and unit apply (a constant, or a
column with a table of codes), which rows to keep, which wide columns to turn into
rows, and which totals and shares to derive from the counts read. docs/mapping.md
is the reference; ``registry/importers/mappings/`` holds the mappings of the
datasets the registry imports itself.

The engine works column-wise on pandas frames: a file of a million cells costs a few
vectorised passes, and only rejected rows are looked at one by one, to report them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from collections.abc import Mapping as AbcMapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from registry import ids
from registry.crosswalk import NOTATION_TYPES, SCHEMES, PlaceResolver
from registry.errors import MappingError, SourceDataError
from registry.importers import cube
from registry.importers.base import ImportContext, Importer
from registry.namespaces import CM, SCHEMA, SDMX_ATTRIBUTE
from registry.store import Store
from registry.vocabularies import AGE_BAND, GEOGRAPHY_LEVEL, STATISTIC, UNIT

DEFINITION_BASE = f"{ids.ID_BASE}definition/"
TOTAL_CODE = "_T"
TOTAL_LABEL = "All (total)"
"""The code of an extra dimension for observations that do not break it down."""
POPULATION_BASE = f"{ids.ID_BASE}population/"
MISSING = frozenset({"", ":", "-", ".", "..", "NA", "n/a"})
"""Cells that mean 'no value' rather than a bad number."""

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_YEAR = re.compile(r"^\d{4}$")
_ISO_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?$")
_WEB_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


# ---------------------------------------------------------------------------
# The mapping file
# ---------------------------------------------------------------------------


def _text_keys(table: Any) -> Any:
    """YAML reads 1: M as an integer key; codes are text."""
    if isinstance(table, dict):
        return {str(k): v for k, v in table.items()}
    return table


def _text_table(table: Any) -> Any:
    if isinstance(table, dict):
        return {str(k): str(v) for k, v in table.items()}
    return table


TextTable = Annotated[dict[str, str], BeforeValidator(_text_table)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Model):
    """A code of the publisher's own list, kept in the dataset's graph."""

    code: str
    label: str = ""
    within: str | None = None
    """For a population group: the group it is part of (``pop:<slug>`` or ``total``)."""


CodeTarget = str | Code


class Column(_Model):
    """A value of the observation: a constant, or a column with an optional table of codes."""

    column: str | None = None
    value: str | None = None
    codes: Annotated[dict[str, CodeTarget], BeforeValidator(_text_keys)] | None = None
    others: Literal["reject", "skip"] = "reject"
    """What to do with a cell whose code the table lacks: reject the row, or skip it."""


def _field(value: Any) -> Any:
    return {"value": str(value)} if isinstance(value, str | int | float) else value


class PlaceField(_Model):
    column: str | None = None
    value: str | None = None
    scheme: str
    country: str | None = None
    nuts_vintage: Literal[2016, 2021, 2024] = 2024
    prefer_city: bool = False
    codes: TextTable | None = None
    """Codes of the file translated to codes of the scheme before they are looked up."""
    others: Literal["reject", "skip"] = "reject"


class PeriodField(_Model):
    column: str | None = None
    value: str | None = None
    format: Literal["year", "iso", "yyyymmdd"] = "year"


class ValueField(_Model):
    column: str = "value"
    scale: float = 1.0
    decimal_comma: bool = False


class Unpivot(_Model):
    columns: list[str] | dict[str, str]
    """Wide columns whose cells become rows; a table renames them to codes."""
    into: str
    """The name of the column that receives the column names (codes)."""


class Dimension(_Model):
    """A breakdown with no counterpart in the registry: a dimension of this dataset only."""

    name: str
    label: str
    column: str | None = None
    value: str | None = None
    codes: TextTable | None = None
    """Code -> label; cells with other codes are rejected."""

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        if not _SLUG.fullmatch(name) or name in cube.COLUMNS:
            msg = f"{name!r} cannot name a dimension: use lower-case letters, digits, hyphens"
            raise ValueError(msg)
        return name


class Source(_Model):
    """One file and how its rows become observations."""

    file: str
    format: Literal["csv", "eurostat", "json-object"] = "csv"
    separator: str = ","
    encoding: str = "utf-8"
    skip_lines: int = Field(default=0, ge=0)
    names: list[str] | None = None
    """Column names for a file without a header line."""
    keep: dict[str, str | list[str]] = {}
    """Rows to keep: column -> value or values; other rows are left out (not rejected)."""
    unpivot: Unpivot | None = None
    place: PlaceField
    period: PeriodField
    value: ValueField = ValueField()
    flags: str | None = None
    definition: Column
    statistic: Column = Column(value="value")
    unit: Column
    group: Column = Column(value="total")
    sex: Column = Column(value="T")
    age: Column = Column(value="allAges")
    dimensions: list[Dimension] = []
    media_type: str | None = None
    description: str = ""

    @field_validator("definition", "statistic", "unit", "group", "sex", "age", mode="before")
    @classmethod
    def _constant(cls, value: Any) -> Any:
        return _field(value)

    @field_validator("period", mode="before")
    @classmethod
    def _constant_period(cls, value: Any) -> Any:
        return _field(value)

    @field_validator("keep", mode="before")
    @classmethod
    def _keep_text(cls, keep: Any) -> Any:
        if isinstance(keep, dict):
            return {
                str(k): [str(x) for x in v] if isinstance(v, list) else str(v)
                for k, v in keep.items()
            }
        return keep


class PlaceSet(_Model):
    """Places of the publisher's own division (districts, postal areas) the data use."""

    scheme: str
    label: str
    level: str
    within: str | None = None
    within_by_prefix: dict[str, str] = {}
    names: TextTable = {}

    @field_validator("scheme")
    @classmethod
    def _slug(cls, scheme: str) -> str:
        if not _SLUG.fullmatch(scheme) or scheme in SCHEMES:
            msg = f"{scheme!r} cannot name a place set: use a new lower-case slug"
            raise ValueError(msg)
        return scheme


class Sum(_Model):
    select: dict[str, str | list[str]] = {}
    over: list[str]
    set: dict[str, str] = {}


class Ratio(_Model):
    numerator: dict[str, str]
    denominator: dict[str, str]
    set: dict[str, str] = {}
    scale: float = 100.0
    decimals: int | None = None


class Derive(_Model):
    sum: Sum | None = None
    ratio: Ratio | None = None


class DatasetInfo(_Model):
    """The dataset's DCAT description (docs/catalogue.md)."""

    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    publisher: str
    identifier: str = Field(min_length=1)
    landing_page: str | None = None
    license: str | None = None
    rights: str = ""
    keywords: list[str] = []
    themes: list[str] = []
    accrual_periodicity: str | None = None
    provenance: str = ""
    source_dataset: str | None = None

    @field_validator("landing_page", "license", "accrual_periodicity", "source_dataset")
    @classmethod
    def _web_iri(cls, value: str | None) -> str | None:
        if value is not None and not _WEB_IRI.fullmatch(value):
            msg = f"{value!r} is not an http(s) IRI"
            raise ValueError(msg)
        return value

    @field_validator("themes")
    @classmethod
    def _web_iris(cls, values: list[str]) -> list[str]:
        for value in values:
            cls._web_iri(value)
        return values

    @field_validator("publisher")
    @classmethod
    def _publisher(cls, slug: str) -> str:
        if not _SLUG.fullmatch(slug):
            msg = f"{slug!r} is not an organisation's slug (lower-case letters, digits, hyphens)"
            raise ValueError(msg)
        return slug

    @model_validator(mode="after")
    def _terms_of_use(self) -> DatasetInfo:
        if self.license is None and not self.rights.strip():
            msg = "give the licence (an IRI), or say in rights what the terms of use are"
            raise ValueError(msg)
        return self


class Mapping(_Model):
    """A whole mapping file."""

    slug: str
    dataset: DatasetInfo
    places: list[PlaceSet] = []
    sources: list[Source]
    derive: list[Derive] = []

    @field_validator("slug")
    @classmethod
    def _slug(cls, slug: str) -> str:
        if not _SLUG.fullmatch(slug) or "--" in slug:
            msg = (
                f"{slug!r} cannot name a dataset: use lower-case letters, digits and single hyphens"
            )
            raise ValueError(msg)
        return slug


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file (YAML or JSON), with errors that name the faulty entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"the mapping file {path} cannot be read: {exc}"
        raise MappingError(msg, details={"file": str(path)}) from exc
    return parse_mapping(text, name=path.name)


def parse_mapping(text: str, *, name: str = "mapping") -> Mapping:
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        msg = f"{name} is neither valid YAML nor valid JSON: {exc}"
        raise MappingError(msg, details={"file": name}) from exc
    if not isinstance(data, dict):
        kind = type(data).__name__
        msg = f"{name} must hold a mapping (keys slug, dataset, sources...), not a {kind}"
        raise MappingError(msg, details={"file": name})
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:10]
        ]
        msg = f"{name} is not a valid mapping: " + "; ".join(problems)
        raise MappingError(msg, details={"file": name, "problems": problems}) from exc


# ---------------------------------------------------------------------------
# Terms: what the mapping's words stand for
# ---------------------------------------------------------------------------


def _vocab_term(namespace: Any, name: str, kind: str) -> URIRef:
    try:
        return URIRef(getattr(namespace, name))
    except AttributeError:
        msg = f"{name!r} is not a {kind} Commensura knows"
        raise MappingError(msg, details={"kind": kind, "term": name}) from None


def _web_term(text: str, kind: str) -> URIRef:
    if not _WEB_IRI.fullmatch(text):
        msg = f"{text!r} is not an http(s) IRI, so it cannot name a {kind}"
        raise MappingError(msg, details={"kind": kind, "term": text})
    return URIRef(text)


def definition_iri(text: str) -> URIRef:
    if text.startswith(("http://", "https://")):
        return _web_term(text, "definition")
    return URIRef(DEFINITION_BASE + _slugged(text.removeprefix("def:"), "definition"))


def group_iri(text: str) -> URIRef:
    if text == "total":
        return cube.TOTAL
    if text.startswith(("http://", "https://")):
        return _web_term(text, "population group")
    if text.startswith("pop:"):
        return URIRef(POPULATION_BASE + _slugged(text.removeprefix("pop:"), "population"))
    msg = f"{text!r} is not a population group: write total, pop:<slug> or an IRI"
    raise MappingError(msg, details={"term": text})


def _slugged(slug: str, kind: str) -> str:
    if not _SLUG.fullmatch(slug):
        msg = f"{slug!r} cannot name a {kind}: use lower-case letters, digits and hyphens"
        raise MappingError(msg, details={"kind": kind, "slug": slug})
    return slug


def sex_iri(text: str) -> URIRef:
    found = cube.SEX.get(text)
    if found is None:
        msg = f"{text!r} is not a sex code: use T, F or M"
        raise MappingError(msg, details={"term": text})
    return found


def age_iri(text: str) -> URIRef:
    return _vocab_term(AGE_BAND, text.removeprefix("age:"), "age band")


def unit_iri(text: str) -> URIRef:
    return _vocab_term(UNIT, text.removeprefix("unit:"), "unit")


def statistic_iri(text: str) -> URIRef:
    return _vocab_term(STATISTIC, text, "statistic")


TERMS: dict[str, Callable[[str], URIRef]] = {
    "definition": definition_iri,
    "group": group_iri,
    "sex": sex_iri,
    "age": age_iri,
    "unit": unit_iri,
    "statistic": statistic_iri,
}


# ---------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------


class _Rejects:
    """Rejected rows of one source, by line, with the first reason given for each."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[int, str] = {}

    def add(self, lines: pd.Series, reasons: pd.Series | str) -> None:
        texts = reasons if isinstance(reasons, pd.Series) else pd.Series(reasons, index=lines.index)
        for line, why in zip(lines.tolist(), texts.tolist(), strict=True):
            self.lines.setdefault(int(line), str(why))


class MappingRun:
    """One run of a mapping over its files, producing the observation frame."""

    def __init__(
        self,
        mapping: Mapping,
        store: Store,
        files: AbcMapping[int, Path],
        ctx: ImportContext,
    ) -> None:
        self.mapping = mapping
        self.dataset = ids.dataset(mapping.slug)
        self.ctx = ctx
        self.files = files
        self.resolver = PlaceResolver(store)
        self.store = store
        self.extra_codes: dict[str, dict[str, str]] = {}
        self.extra_labels: dict[str, str] = {}
        self.local_codes: dict[str, Code] = {}
        self.places_used: dict[str, set[str]] = {}
        self.missing = 0
        self.left_out = 0
        self.counted: set[str] = set()
        self.rejected: set[tuple[str, int]] = set()

    # -- terms -------------------------------------------------------------------

    def term(self, column: str, text: str) -> str:
        """The IRI (as text) a mapping word stands for in a column of the frame."""
        if column == "place":
            return str(self.place_term(text))
        local = str(cube.code(self.dataset, column, text))
        if local in self.local_codes:
            return local
        if column in self.extra_labels:
            self.extra_codes.setdefault(column, {}).setdefault(
                text, TOTAL_LABEL if text == TOTAL_CODE else text
            )
            return local
        if column in TERMS:
            return str(TERMS[column](text))
        if column == "period":
            return text
        msg = f"{column!r} is not a dimension of this mapping"
        raise MappingError(msg, details={"column": column})

    def code_target(self, column: str, target: CodeTarget) -> str:
        if isinstance(target, Code):
            iri = cube.code(self.dataset, column, target.code)
            self.local_codes[str(iri)] = target
            return str(iri)
        return self.term(column, target)

    @cached_property
    def place_sets(self) -> dict[str, PlaceSet]:
        return {p.scheme: p for p in self.mapping.places}

    def place_term(self, text: str) -> URIRef:
        scheme, _, code = text.partition(":")
        if scheme in self.place_sets:
            return local_place(scheme, code)
        if scheme in NOTATION_TYPES or scheme in SCHEMES:
            country = code.split("/", 1)[0] if scheme == "lau-2018" else None
            found = self.resolver.resolve(scheme, [code.split("/", 1)[-1]], country=country)
            if found:
                return next(iter(found.values()))
            msg = f"the place {text!r} is not in the registry's place registries"
            raise MappingError(msg, details={"place": text})
        if text.startswith(("http://", "https://")):
            return URIRef(text)
        msg = f"{text!r} is not a place: write <scheme>:<code>, such as urban-audit-2017:AT001C1"
        raise MappingError(msg, details={"place": text})

    # -- reading -----------------------------------------------------------------

    def read_source(self, index: int, source: Source) -> pd.DataFrame:
        path = self.files[index]
        if source.format == "eurostat":
            from registry.importers import eurostat

            table = eurostat.to_codes(eurostat.read_eurostat(path))
            frame = table.frame.copy()
            frame["value"] = frame["value"].map(lambda v: "" if pd.isna(v) else repr(float(v)))
            for line, why in table.rejected:
                self.ctx.reject(f"{source.file} line {line}", why)
            return frame
        if source.format == "json-object":
            try:
                data = json.loads(path.read_text(encoding=source.encoding))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                msg = f"{source.file} cannot be read as JSON: {exc}"
                raise SourceDataError(msg, details={"file": source.file}) from exc
            if not isinstance(data, dict):
                msg = f"{source.file} must hold one JSON object of key -> value"
                raise SourceDataError(msg, details={"file": source.file})
            frame = pd.DataFrame(
                {"key": [str(k) for k in data], "value": [str(v) for v in data.values()]}
            )
            frame["line"] = np.arange(1, len(frame) + 1)
            return frame
        try:
            frame = pd.read_csv(
                path,
                sep=source.separator,
                dtype=str,
                keep_default_na=False,
                encoding=source.encoding,
                skiprows=source.skip_lines,
                header=None if source.names else "infer",
                names=source.names,
                on_bad_lines="error",
                engine="c" if len(source.separator) == 1 else "python",
            )
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            msg = f"{source.file} cannot be read as a {source.separator!r}-separated table: {exc}"
            raise SourceDataError(msg, details={"file": source.file}) from exc
        frame.columns = [str(c).strip().strip('"') for c in frame.columns]
        first = source.skip_lines + (1 if source.names else 2)
        frame["line"] = np.arange(first, first + len(frame))
        return frame

    def _need(self, frame: pd.DataFrame, source: Source, *columns: str | None) -> None:
        absent = [c for c in columns if c is not None and c not in frame.columns]
        if absent:
            msg = (
                f"{source.file} lacks the column(s) {', '.join(absent)} the mapping names; "
                f"it has {', '.join(map(str, list(frame.columns)[:20]))}"
            )
            raise SourceDataError(msg, details={"file": source.file, "missing": absent})

    def observations(self, index: int, source: Source) -> pd.DataFrame:
        """The rows of one source as observations (IRIs as text), rejects reported."""
        raw = self.read_source(index, source)
        if source.file not in self.counted:
            # A file that several sources read is counted once.
            self.counted.add(source.file)
            self.ctx.rows_read += len(raw)
        rejects = _Rejects(source.file)
        self._need(raw, source, *source.keep)
        if source.keep:
            mask = np.ones(len(raw), dtype=bool)
            for column, wanted in source.keep.items():
                values = [wanted] if isinstance(wanted, str) else wanted
                mask &= raw[column].str.strip().isin(values).to_numpy()
            self.left_out += int((~mask).sum())
            raw = raw[mask]
        if source.unpivot is not None:
            spec = source.unpivot
            columns = spec.columns if isinstance(spec.columns, list) else list(spec.columns)
            self._need(raw, source, *columns)
            raw = raw.melt(
                id_vars=[c for c in raw.columns if c not in columns],
                value_vars=columns,
                var_name=spec.into,
                value_name="value",
            )
            if isinstance(spec.columns, dict):
                raw[spec.into] = raw[spec.into].map(spec.columns)
        frame = pd.DataFrame(index=raw.index)
        frame["line"] = raw["line"]
        fields: list[tuple[str, Column]] = [
            ("definition", source.definition),
            ("group", source.group),
            ("sex", source.sex),
            ("age", source.age),
            ("statistic", source.statistic),
            ("unit", source.unit),
        ]
        keep = pd.Series(True, index=raw.index)
        for name, spec_field in fields:
            self._need(raw, source, spec_field.column)
            frame[name] = self._field(raw, name, spec_field, rejects, keep)
        for dim in source.dimensions:
            self._need(raw, source, dim.column)
            frame[dim.name] = self._dimension(raw, dim, rejects)
        self._need(raw, source, source.place.column, source.period.column, source.flags)
        frame["place"] = self._place(raw, source.place, rejects, keep)
        frame["period"] = self._period(raw, source.period, rejects)
        self._need(raw, source, source.value.column)
        frame["value"], missing = self._value(raw, source.value, rejects)
        frame["flags"] = (
            raw[source.flags].astype(str).str.lower().str.replace(r"[^a-z]", "", regex=True)
            if source.flags
            else ""
        )
        skipped = ~keep
        self.left_out += int(skipped.sum())
        bad = frame["line"].isin(list(rejects.lines))
        self.missing += int((missing & ~bad & keep).sum())
        for line, why in sorted(rejects.lines.items()):
            if (source.file, line) not in self.rejected:
                # A line that several sources read is rejected once.
                self.rejected.add((source.file, line))
                self.ctx.reject(f"{source.file} line {line}", why)
        kept = frame[keep & ~bad & ~missing]
        if source.place.scheme in self.place_sets:
            # The places of the publisher's own division that kept rows use (not a typo
            # of a rejected row).
            prefix = str(local_place(source.place.scheme, "x"))[:-1]
            used = kept["place"][kept["place"].str.startswith(prefix)]
            codes = self.places_used.setdefault(source.place.scheme, set())
            codes.update(used.str.removeprefix(prefix).unique())
        return kept

    def _field(
        self,
        raw: pd.DataFrame,
        name: str,
        spec: Column,
        rejects: _Rejects,
        keep: pd.Series,
    ) -> pd.Series:
        if spec.column is None:
            if spec.value is None:
                msg = f"{name}: give a value or a column"
                raise MappingError(msg, details={"field": name})
            return pd.Series(self.term(name, spec.value), index=raw.index)
        cells = raw[spec.column].astype(str).str.strip()
        if spec.codes is None:
            # The cells are the mapping's own words (slugs, vocabulary names).
            table = {}
            for cell in cells.unique():
                try:
                    table[cell] = self.term(name, cell)
                except MappingError:
                    continue  # rejected below, as a code the mapping does not know
        else:
            table = {k: self.code_target(name, v) for k, v in spec.codes.items()}
        mapped = cells.map(table)
        unknown = mapped.isna()
        if unknown.any():
            if spec.others == "skip":
                keep &= ~unknown
            else:
                rejects.add(
                    raw.loc[unknown, "line"],
                    f"{spec.column} = " + cells[unknown] + " is not in the mapping's codes",
                )
        return mapped.fillna("")

    def _dimension(self, raw: pd.DataFrame, dim: Dimension, rejects: _Rejects) -> pd.Series:
        self.extra_labels[dim.name] = dim.label
        codes = self.extra_codes.setdefault(dim.name, {})
        if dim.column is None:
            if dim.value is None:
                msg = f"dimension {dim.name}: give a value or a column"
                raise MappingError(msg, details={"dimension": dim.name})
            cells = pd.Series(dim.value, index=raw.index)
        else:
            cells = raw[dim.column].astype(str).str.strip()
        if dim.codes is not None:
            unknown = ~cells.isin(list(dim.codes))
            if unknown.any():
                rejects.add(
                    raw.loc[unknown, "line"],
                    f"{dim.column} = " + cells[unknown] + " is not in the mapping's codes",
                )
        for value in cells.unique():
            if dim.codes is None or value in dim.codes:
                codes[value] = (dim.codes or {}).get(value, value)
        base = str(cube.code_list(self.dataset, dim.name)) + "/"
        return cells.map({v: base + cube.safe(v) for v in cells.unique()})

    def _place(
        self, raw: pd.DataFrame, spec: PlaceField, rejects: _Rejects, keep: pd.Series
    ) -> pd.Series:
        if spec.column is None:
            if spec.value is None:
                msg = "place: give a value or a column"
                raise MappingError(msg, details={"field": "place"})
            return pd.Series(str(self.place_term(spec.value)), index=raw.index)
        cells = raw[spec.column].astype(str).str.strip()
        fixed: dict[str, str] = {}
        if spec.codes is not None:
            # A code may be translated to a place of another scheme ("STAD" -> the city).
            fixed = {k: str(self.place_term(v)) for k, v in spec.codes.items() if ":" in v}
            plain = {k: v for k, v in spec.codes.items() if ":" not in v}
            cells = cells.map(lambda c: plain.get(c, c))
        if spec.scheme in self.place_sets:
            local = ~cells.isin(list(fixed))
            prefix = str(local_place(spec.scheme, "x"))[:-1]
            return (prefix + cells.map(cube.safe)).where(local, cells.map(fixed))
        if spec.scheme not in SCHEMES:
            msg = (
                f"place scheme {spec.scheme!r} is neither a registry scheme {SCHEMES} "
                "nor one of the mapping's place sets"
            )
            raise MappingError(msg, details={"scheme": spec.scheme})
        found = self.resolver.resolve(
            spec.scheme,
            cells.unique(),
            country=spec.country,
            nuts_vintage=spec.nuts_vintage,
            prefer_city=spec.prefer_city,
        )
        mapped = cells.map({**{k: str(v) for k, v in found.items()}, **fixed})
        unknown = mapped.isna()
        if unknown.any():
            if spec.others == "skip":
                keep &= ~unknown
            else:
                rejects.add(
                    raw.loc[unknown, "line"],
                    "place code " + cells[unknown] + f" is not in the scheme {spec.scheme}",
                )
        return mapped.fillna("")

    def _period(self, raw: pd.DataFrame, spec: PeriodField, rejects: _Rejects) -> pd.Series:
        if spec.column is None:
            cells = pd.Series(spec.value or "", index=raw.index)
        else:
            cells = raw[spec.column].astype(str).str.strip()
        if spec.format == "yyyymmdd":
            ok = cells.str.fullmatch(r"\d{8}")
            out = cells.str[:4] + "-" + cells.str[4:6] + "-" + cells.str[6:8]
        elif spec.format == "year":
            ok = cells.str.fullmatch(r"\d{4}")
            out = cells
        else:
            ok = cells.str.fullmatch(_ISO_PERIOD.pattern)
            out = cells
        bad = ~ok.fillna(False).astype(bool)
        dates = ~bad & (out.str.len() == 10)
        if dates.any():
            # A well-formed date that is no day of the calendar (2024-02-30) is no period.
            parsed = pd.to_datetime(out[dates], format="%Y-%m-%d", errors="coerce")
            bad |= pd.Series(False, index=out.index).where(~dates, parsed.isna()).astype(bool)
        if bad.any():
            rejects.add(
                raw.loc[bad, "line"],
                "period " + cells[bad] + f" is not a {spec.format} period",
            )
        return out.where(~bad, "")

    def _value(
        self, raw: pd.DataFrame, spec: ValueField, rejects: _Rejects
    ) -> tuple[pd.Series, pd.Series]:
        cells = raw[spec.column].astype(str).str.strip()
        if spec.decimal_comma:
            # "1.234,5" and "12,5" are decimal-comma numbers; "12.5" stays as it is.
            comma = cells.str.contains(",", regex=False)
            fixed = cells.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            cells = fixed.where(comma, cells)
        missing = cells.isin(MISSING)
        numbers = pd.to_numeric(cells.where(~missing), errors="coerce")
        bad = numbers.isna() & ~missing
        bad |= ~np.isfinite(numbers.fillna(0.0))
        if bad.any():
            rejects.add(raw.loc[bad, "line"], "value " + cells[bad] + " is not a number")
        return numbers.fillna(0.0) * spec.scale, missing

    # -- deriving ----------------------------------------------------------------

    def _select(self, frame: pd.DataFrame, select: AbcMapping[str, str | list[str]]) -> np.ndarray:
        mask = np.ones(len(frame), dtype=bool)
        for column, wanted in select.items():
            if column not in frame.columns:
                msg = f"derive: {column!r} is not a column of the observations"
                raise MappingError(msg, details={"column": column})
            values = [wanted] if isinstance(wanted, str) else wanted
            mask &= frame[column].isin([self.term(column, v) for v in values]).to_numpy()
        return mask

    def _dims(self, frame: pd.DataFrame) -> list[str]:
        return [*cube.COLUMNS, *self.extra_labels]

    def derive_sum(self, frame: pd.DataFrame, spec: Sum) -> pd.DataFrame:
        part = frame[self._select(frame, spec.select)]
        if part.empty:
            return part
        keys = [c for c in (*self._dims(frame), "unit") if c not in spec.over and c not in spec.set]
        summed = (
            part.groupby(keys, sort=False, dropna=False)
            .agg(value=("value", "sum"), flags=("flags", _union))
            .reset_index()
        )
        defaults = {"sex": "T", "age": "allAges", "group": "total"}
        defaults.update(dict.fromkeys(self.extra_labels, TOTAL_CODE))
        for column in spec.over:
            if column in spec.set:
                continue
            if column not in defaults:
                msg = f"derive sum over {column!r}: say in 'set' what the total is"
                raise MappingError(msg, details={"column": column})
            summed[column] = self.term(column, defaults[column])
        for column, text in spec.set.items():
            summed[column] = self.term(column, text)
        summed["line"] = 0
        return summed

    def derive_ratio(self, frame: pd.DataFrame, spec: Ratio) -> pd.DataFrame:
        num = frame[self._select(frame, spec.numerator)]
        den = frame[self._select(frame, spec.denominator)]
        selectors = set(spec.numerator) | set(spec.denominator) | {"unit"}
        match = [c for c in self._dims(frame) if c not in selectors]
        joined = num.merge(
            den[[*match, "value", "flags"]], on=match, suffixes=("", "_den"), how="inner"
        )
        joined = joined[joined["value_den"] != 0]
        out = joined.copy()
        out["value"] = joined["value"] / joined["value_den"] * spec.scale
        if spec.decimals is not None:
            out["value"] = out["value"].round(spec.decimals)
        out["flags"] = (joined["flags"] + joined["flags_den"]).map(_union_text)
        settings = {"statistic": "value", "unit": "percent", **spec.set}
        for column, text in settings.items():
            out[column] = self.term(column, text)
        out["line"] = 0
        return out.drop(columns=["value_den", "flags_den"])

    # -- the whole run -----------------------------------------------------------

    def run(self) -> pd.DataFrame:
        parts = [self.observations(i, s) for i, s in enumerate(self.mapping.sources)]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        for extra in self.extra_labels:
            # A source without the dimension, or a sum over it: the code _T (all).
            total = str(cube.code(self.dataset, extra, TOTAL_CODE))
            frame[extra] = frame[extra].fillna(total) if extra in frame.columns else total
            if (frame[extra] == total).any():
                self.extra_codes.setdefault(extra, {})[TOTAL_CODE] = TOTAL_LABEL
        for step in self.mapping.derive:
            if step.sum is not None:
                frame = pd.concat([frame, self.derive_sum(frame, step.sum)], ignore_index=True)
            if step.ratio is not None:
                frame = pd.concat([frame, self.derive_ratio(frame, step.ratio)], ignore_index=True)
        return frame


def _union(flags: pd.Series) -> str:
    return _union_text("".join(flags.astype(str)))


def _union_text(text: str) -> str:
    return "".join(sorted(set(text)))


def local_place(scheme: str, code: str) -> URIRef:
    """A place of a publisher's own division: ``id/place/<scheme>/<code>``."""
    return URIRef(f"{ids.ID_BASE}place/{scheme}/{cube.safe(code)}")


# ---------------------------------------------------------------------------
# The importer
# ---------------------------------------------------------------------------

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".txt": "text/plain",
}


class MappingImporter(Importer):
    """An importer made from a mapping file: its files, its graph ``data/<slug>``."""

    files: tuple[str, ...]  # type: ignore[misc]
    slug: str  # type: ignore[misc]
    title: str  # type: ignore[misc]
    description: str  # type: ignore[misc]

    def __init__(self, mapping: Mapping, *, files: AbcMapping[int, Path] | None = None) -> None:
        self.mapping = mapping
        self.slug = mapping.slug
        self.title = mapping.dataset.title
        self.description = mapping.dataset.description
        info = mapping.dataset
        self.publisher = ids.org(info.publisher)  # type: ignore[misc]
        self.landing_page = URIRef(info.landing_page or ids.dataset(mapping.slug))  # type: ignore[misc]
        self.license = URIRef(info.license) if info.license else None  # type: ignore[misc]
        self.rights = info.rights  # type: ignore[misc]
        self.identifier = info.identifier
        self.overrides = dict(files or {})
        self.files = tuple(
            dict.fromkeys(s.file for i, s in enumerate(mapping.sources) if i not in self.overrides)
        )

    def missing(self, source: Path) -> list[str]:
        absent = super().missing(source)
        absent += [str(p) for p in self.overrides.values() if not p.is_file()]
        return absent

    def paths(self, source: Path) -> dict[int, Path]:
        return {
            i: self.overrides.get(i, source / s.file) for i, s in enumerate(self.mapping.sources)
        }

    def read(self, ctx: ImportContext) -> None:
        if ctx.store is None:
            msg = "a mapped import needs the store, to find its places and definitions"
            raise SourceDataError(msg)
        run = MappingRun(self.mapping, ctx.store, self.paths(ctx.source), ctx)
        frame = run.run()
        extras = list(run.extra_labels)
        check_terms(ctx.store, frame)
        dupes = cube.duplicates(frame, extras)
        if dupes.any():
            for line in frame.loc[dupes, "line"].tolist()[:1000]:
                ctx.reject(f"line {line}", "repeats an observation already read (same dimensions)")
            frame = frame[~dupes]
        write_places(ctx, run)
        write_codes(ctx, run)
        cube.write_structure(
            ctx,
            run.dataset,
            [
                cube.ExtraDimension(name, run.extra_labels[name], run.extra_codes.get(name, {}))
                for name in extras
            ],
        )
        unknown = cube.unknown_flags(frame["flags"])
        if unknown:
            ctx.note(f"flags not written, unknown to the observation statuses: {sorted(unknown)}")
        total = len(frame)
        step = 200_000
        for start in range(0, max(total, 1), step):
            part = frame.iloc[start : start + step]
            ctx.observations += cube.write_observations(ctx, run.dataset, part, extras)
            ctx.tick(min(start + step, total), total)
        self._describe(frame, run, extras)
        if run.missing:
            ctx.note(f"{run.missing:,} cells without a value (':' or empty) left out")
        if run.left_out:
            ctx.note(f"{run.left_out:,} rows left out by the mapping (keep, or codes skipped)")
        ctx.note(f"{ctx.observations:,} observations written")

    def _describe(self, frame: pd.DataFrame, run: MappingRun, extras: list[str]) -> None:
        """What the DCAT-AP description says beyond the mapping's ``dataset`` part:
        the definitions measured, the dimensions, the periods and (when few) the places."""
        info = self.mapping.dataset
        self.keywords = tuple(info.keywords)
        self.themes = tuple(info.themes)
        self.accrual_periodicity = info.accrual_periodicity
        self.provenance = info.provenance or None
        self.source_dataset = info.source_dataset
        self.measures = tuple(URIRef(d) for d in sorted(set(frame["definition"])))
        self.dimensions = tuple(
            [prop for _, prop in cube.DIMENSIONS]
            + [cube.dimension_property(run.dataset, name) for name in extras]
        )
        self.attributes = (SDMX_ATTRIBUTE.unitMeasure, CM.observationStatus)
        self.stat_unit_measures = tuple(URIRef(u) for u in sorted(set(frame["unit"])))
        periods = sorted(set(frame["period"]))
        if periods:
            self.temporal = (_start_of(periods[0]), _end_of(periods[-1]))
        places = sorted(set(frame["place"]))
        if len(places) <= SPATIAL_MAX:
            self.spatial = tuple(URIRef(p) for p in places)


SPATIAL_MAX = 50
"""A dataset about more places than this is not described place by place (dct:spatial)."""


def _start_of(period: str) -> str:
    return {4: f"{period}-01-01", 7: f"{period}-01"}.get(len(period), period)


def _end_of(period: str) -> str:
    if len(period) == 4:
        return f"{period}-12-31"
    if len(period) == 7:
        year, month = int(period[:4]), int(period[5:])
        days = (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).day
        return f"{period}-{days:02d}"
    return period


def check_terms(store: Store, frame: pd.DataFrame) -> None:
    """Refuse observations of definitions or population groups the registry lacks."""
    from registry.discovery import query_text

    wanted = {
        "definition": (set(frame["definition"]), CM.IndicatorDefinition),
        "group": (
            {g for g in set(frame["group"]) if g.startswith(POPULATION_BASE)},
            CM.PopulationDefinition,
        ),
    }
    for field, (iris, cls) in wanted.items():
        for iri in sorted(iris):
            if not store.ask(
                query_text("exists"), bindings={"resource": URIRef(iri), "class": cls}
            ):
                msg = (
                    f"the mapping names the {field} {iri}, which the registry does not hold: "
                    "submit it first, or correct the mapping"
                )
                raise MappingError(msg, details={field: iri})


def write_places(ctx: ImportContext, run: MappingRun) -> None:
    for scheme, codes in sorted(run.places_used.items()):
        spec = run.place_sets[scheme]
        level = _vocab_term(GEOGRAPHY_LEVEL, spec.level, "geography level")
        within = run.place_term(spec.within) if spec.within else None
        prefixes = {
            prefix: run.place_term(target) for prefix, target in spec.within_by_prefix.items()
        }
        for code in sorted(codes | set(spec.names)):
            iri = local_place(scheme, code)
            ctx.add(iri, RDF.type, CM.Place)
            name = spec.names.get(code)
            ctx.add(
                iri,
                SKOS.prefLabel,
                RdfLiteral(f"{spec.label} {code}" + (f" {name}" if name else "")),
            )
            ctx.add_text(iri, SKOS.notation, code)
            ctx.add(iri, CM.geographyLevel, level)
            parent = next(
                (
                    t
                    for p, t in sorted(prefixes.items(), key=lambda x: -len(x[0]))
                    if code.startswith(p)
                ),
                within,
            )
            if parent is not None:
                ctx.add(iri, SCHEMA.containedInPlace, parent)


def write_codes(ctx: ImportContext, run: MappingRun) -> None:
    """The population groups and age bands of the publisher's own lists."""
    for iri, spec in sorted(run.local_codes.items()):
        concept = URIRef(iri)
        ctx.add(concept, RDF.type, SKOS.Concept)
        ctx.add_text(concept, SKOS.notation, spec.code)
        ctx.add(concept, SKOS.prefLabel, RdfLiteral(spec.label or spec.code))
        if spec.within:
            ctx.add(concept, SKOS.broader, group_iri(spec.within))


MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
"""The mappings of the datasets Commensura imports itself, from the source-data folder."""


def builtin_importers() -> tuple[MappingImporter, ...]:
    """One importer per mapping shipped with Commensura, in file-name order."""
    return tuple(
        MappingImporter(load_mapping(path)) for path in sorted(MAPPINGS_DIR.glob("*.yaml"))
    )
