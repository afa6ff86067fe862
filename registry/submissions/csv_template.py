"""A spreadsheet template for indicator definitions, and its conversion to RDF.

A city statistician fills in one row per indicator definition, with the dimensions
of the definition as codes from Commensura's concept schemes and the target and
reference groups as criteria written in a small, readable syntax
(``ownCountryOfBirth=foreign OR currentCitizenship=foreign``). :func:`csv_to_graph`
turns the file into an rdflib graph shaped like the curated content
(``registry/kb/content``), ready for validation. docs/csv-template.md documents the
columns, the criteria syntax and the errors for the people who fill in the file.

Every problem is a :class:`CsvTemplateError` (an :class:`~registry.errors.InputError`)
with a stable code, a message naming the row (1-based, the header is row 1) and the
column, and ``details`` for programs. Problems in the rows are collected, so one
upload reports all of them (``details["errors"]``), the first one in the message.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

from rdflib import BNode, Graph
from rdflib import Literal as RdfLiteral
from rdflib.term import URIRef

from registry.errors import InputError
from registry.ids import ID_BASE
from registry.namespaces import (
    CM,
    DCAT,
    DCAT3,
    DCTERMS,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SDMX_CODE,
    SKOS,
    XSD,
)
from registry.resources import ontology_files
from registry.vocabularies import CRITERION, SCHEMES

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class CsvTemplateError(InputError):
    """A definitions CSV cannot be converted; the base of every error of this module."""

    code: ClassVar[str] = "csv.invalid"


class CsvEmptyError(CsvTemplateError):
    """The file has no header row."""

    code: ClassVar[str] = "csv.empty"


class CsvEncodingError(CsvTemplateError):
    """The bytes are not UTF-8 text."""

    code: ClassVar[str] = "csv.encoding"


class CsvSyntaxError(CsvTemplateError):
    """The text is not well-formed CSV (an unclosed quote, a row longer than the header)."""

    code: ClassVar[str] = "csv.syntax"


class MissingColumnsError(CsvTemplateError):
    """The header lacks columns the template requires."""

    code: ClassVar[str] = "csv.missing_columns"


class UnknownColumnsError(CsvTemplateError):
    """The header has columns the template does not define."""

    code: ClassVar[str] = "csv.unknown_columns"


class DuplicateColumnsError(CsvTemplateError):
    """The header names a column twice."""

    code: ClassVar[str] = "csv.duplicate_columns"


class MissingValueError(CsvTemplateError):
    """A cell that must be filled in is empty."""

    code: ClassVar[str] = "csv.missing_value"


class DuplicateIdError(CsvTemplateError):
    """Two rows have the same ``id``."""

    code: ClassVar[str] = "csv.duplicate_id"


class UnknownCodeError(CsvTemplateError):
    """A code is not in the concept scheme (or list) of its column."""

    code: ClassVar[str] = "csv.unknown_code"


class CriteriaSyntaxError(CsvTemplateError):
    """A target or reference group's criteria cannot be read."""

    code: ClassVar[str] = "csv.criteria"


class InvalidDateError(CsvTemplateError):
    """A date is not a year or an ISO date (YYYY-MM-DD), or the dates are out of order."""

    code: ClassVar[str] = "csv.date"


class InvalidValueError(CsvTemplateError):
    """A cell's value has the wrong form: an id, an IRI, a language tag, a reference."""

    code: ClassVar[str] = "csv.invalid_value"


class _Problem(Exception):  # noqa: N818 - internal signal, turned into a CsvTemplateError
    """A problem with one cell, before the row and column are known."""

    def __init__(self, kind: type[CsvTemplateError], message: str, **details: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the template: its name, whether it must be present, what it means."""

    name: str
    required: bool
    meaning: str
    codes: str = ""
    """Where the allowed values come from (a concept scheme, a list), if coded."""


COLUMN_SPECS: tuple[TemplateColumn, ...] = (
    TemplateColumn(
        "id",
        True,
        "Short name of the definition, lower-case letters, digits and "
        "hyphens; with the base IRI it names the definition.",
    ),
    TemplateColumn("label", True, "Name of the definition, in the publisher's language."),
    TemplateColumn(
        "label_lang",
        False,
        "Language tag of label, definition, group labels and "
        "scope_note (en, nl, de, fi, ...); en when empty.",
    ),
    TemplateColumn("definition", False, "What the figure counts, in one or two sentences."),
    TemplateColumn(
        "indicator",
        True,
        "The indicator the definition operationalises: the slug "
        "of one of Commensura's indicators or a full IRI.",
        "registry/kb/content/indicators.ttl",
    ),
    TemplateColumn(
        "publisher",
        False,
        "The organisation that publishes the figure: a slug "
        "under https://w3id.org/commensura/id/org/ or a full IRI.",
    ),
    TemplateColumn("measure_type", True, "Rate, share, median, ...", "measure-type"),
    TemplateColumn("numerator", False, "What the numerator counts.", "quantity"),
    TemplateColumn("denominator", False, "What the denominator counts.", "quantity"),
    TemplateColumn("unit", False, "Unit of the published values.", "unit"),
    TemplateColumn("age_band", False, "Ages covered.", "age-band"),
    TemplateColumn("sex", False, "T (total), M or F.", "T, M, F"),
    TemplateColumn("universe", False, "The population counted.", "universe"),
    TemplateColumn(
        "geography_level", False, "Level of the places the figures are for.", "geography-level"
    ),
    TemplateColumn("reference_time", False, "When the population is counted.", "reference-time"),
    TemplateColumn("place", False, "The city: an Urban Audit code (NL002C1) or a full IRI."),
    TemplateColumn(
        "data_source",
        False,
        "The data source: a slug under https://w3id.org/commensura/id/source/ or a full IRI.",
    ),
    TemplateColumn(
        "target_group",
        True,
        "Who the figure is about, as criteria.",
        "criterion, criterion-value, parent-rule",
    ),
    TemplateColumn("target_group_label", True, "The publisher's name for the target group."),
    TemplateColumn(
        "origin_assignment",
        False,
        "How the target group's members get a country of origin.",
        "origin-assignment",
    ),
    TemplateColumn(
        "reference_group",
        False,
        "The group the target group is compared with, as criteria.",
        "criterion, criterion-value, parent-rule",
    ),
    TemplateColumn(
        "reference_group_label",
        False,
        "The publisher's name for the reference group; needed when reference_group is filled in.",
    ),
    TemplateColumn(
        "valid_from",
        False,
        "First day the definition applies: YYYY-MM-DD, or a year for 1 January.",
    ),
    TemplateColumn(
        "valid_through",
        False,
        "Last day the definition applies: YYYY-MM-DD, or a year for 31 December.",
    ),
    TemplateColumn(
        "previous_version",
        False,
        "The definition this one replaces: the id of another row of the file, or a full IRI.",
    ),
    TemplateColumn("source_url", False, "A web page that documents the definition."),
    TemplateColumn("scope_note", False, "Anything a reader must know to use the figure."),
)
"""Every column of the template, in template order."""

TEMPLATE_COLUMNS: tuple[str, ...] = tuple(column.name for column in COLUMN_SPECS)
"""The header of the template, in order."""

REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMN_SPECS if c.required)
"""Columns the header must have, and whose cells must be filled in on every row."""

_HEADER_ROW = 1

# ---------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------

_MAX_LISTED = 15


@dataclass(frozen=True)
class _Codes:
    """The codes one column accepts, resolved case-insensitively."""

    what: str
    where: str
    lookup: Mapping[str, URIRef]
    listing: tuple[str, ...]
    """One entry a concept for error messages: ``local name (NOTATIONS)``."""

    def resolve(self, code: str) -> URIRef:
        found = self.lookup.get(code.casefold())
        if found is not None:
            return found
        raise _Problem(
            UnknownCodeError,
            f"{code!r} is not a {self.what}; allowed: {self.allowed(code)}",
            code=code,
            allowed=list(self.listing),
        )

    def allowed(self, near: str) -> str:
        keys = {key: entry for entry in self.listing for key in _entry_keys(entry)}
        close = difflib.get_close_matches(near.casefold(), list(keys), n=5, cutoff=0.6)
        first = list(dict.fromkeys(keys[key] for key in close))
        rest = [entry for entry in self.listing if entry not in first]
        shown = (first + rest)[:_MAX_LISTED]
        more = len(self.listing) - len(shown)
        text = ", ".join(shown)
        if more > 0:
            text += f" and {more} more (see {self.where})"
        return text


def _entry_keys(entry: str) -> list[str]:
    return [part.casefold() for part in re.split(r"[\s(),]+", entry) if part]


def _local_name(iri: URIRef) -> str:
    return re.split(r"[/#]", str(iri))[-1]


_CODE_NAMES: Mapping[str, str] = {
    "criterion": "criterion basis",
    "criterion-value": "criterion value",
    "parent-rule": "parent rule",
}


@functools.cache
def _vocabularies() -> dict[str, _Codes]:
    """The concept schemes of ``ontology/vocabularies``, read once."""
    graph = Graph()
    for path in ontology_files():
        if path.parent.name == "vocabularies":
            graph.parse(path, format="turtle")
    schemes: dict[str, _Codes] = {}
    for segment, scheme in SCHEMES.items():
        concepts = sorted(
            (c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)),
            key=lambda c: _local_name(c).casefold(),
        )
        lookup: dict[str, URIRef] = {}
        ambiguous: set[str] = set()
        listing: list[str] = []
        for concept in concepts:
            notations = sorted(str(n) for n in graph.objects(concept, SKOS.notation))
            name = _local_name(concept)
            listing.append(f"{name} ({', '.join(notations)})" if notations else name)
            for key in {name.casefold(), *(n.casefold() for n in notations)}:
                if lookup.setdefault(key, concept) != concept:
                    ambiguous.add(key)
        for key in ambiguous:
            del lookup[key]
        schemes[segment] = _Codes(
            what=_CODE_NAMES.get(segment, f"code of the {segment.replace('-', ' ')} scheme"),
            where=f"ontology/vocabularies/{segment}.ttl",
            lookup=lookup,
            listing=tuple(listing),
        )
    return schemes


def _scheme(segment: str) -> _Codes:
    return _vocabularies()[segment]


INDICATOR_BASE = f"{ID_BASE}indicator/"
_INDICATORS_FILE = Path(__file__).resolve().parent.parent / "kb" / "content" / "indicators.ttl"
"""The curated indicators (``registry.kb.CONTENT_DIR``, without importing the builder)."""


@functools.cache
def _indicators() -> _Codes:
    """The indicators of the curated content, by slug."""
    graph = Graph().parse(_INDICATORS_FILE, format="turtle")
    slugs = sorted(
        str(i)[len(INDICATOR_BASE) :]
        for i in graph.subjects(RDF.type, CM.Indicator)
        if str(i).startswith(INDICATOR_BASE)
    )
    return _Codes(
        what="Commensura indicator",
        where="registry/kb/content/indicators.ttl",
        lookup={slug: URIRef(INDICATOR_BASE + slug) for slug in slugs},
        listing=tuple(slugs),
    )


_SEX = _Codes(
    what="sex code",
    where="the SDMX code list sex",
    lookup={code.casefold(): SDMX_CODE[f"sex-{code}"] for code in ("T", "M", "F")},
    listing=("T", "M", "F"),
)

# ---------------------------------------------------------------------------
# Criteria: parsing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """An atomic criterion (``cm:Criterion``)."""

    basis: URIRef
    values: tuple[URIRef, ...] = ()
    parent_rule: URIRef | None = None
    min_years: Decimal | None = None
    max_years: Decimal | None = None


@dataclass(frozen=True)
class AllOf:
    """Every operand holds (``cm:AllOf``)."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one operand holds (``cm:AnyOf``)."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The operand does not hold (``cm:Not``)."""

    operand: Condition


Condition = Criterion | AllOf | AnyOf | Not
"""A condition of a population definition."""

PARENT_BASES: frozenset[URIRef] = frozenset(
    {CRITERION.parentsCountryOfBirth, CRITERION.parentsFirstCitizenship}
)
"""Criterion bases on the parents' characteristics: they need a parent rule."""

DURATION_BASES: frozenset[URIRef] = frozenset({CRITERION.durationOfStay})
"""Criterion bases measured in years: bounds instead of values."""

CRITERIA_FORM = (
    "write basis=value (ownCountryOfBirth=foreign), several values as "
    "currentCitizenship=nonEu27_2020|stateless, a parents' basis with its rule as "
    "parentsCountryOfBirth[atLeastOne]=foreign, a duration as durationOfStay<5, "
    "durationOfStay>=10 or 5<=durationOfStay<10; combine with AND, OR, NOT and parentheses"
)
"""The expected form of a criteria cell, quoted in error messages."""

_TOKEN_SPLIT = re.compile(r"(\(|\)|\b(?:AND|OR|NOT)\b)", re.IGNORECASE)
_ATOM = re.compile(
    r"(?P<basis>[A-Za-z][A-Za-z0-9_-]*)(?:\[(?P<rule>[^\]]*)\])?(?P<op><=|>=|!=|=|<|>)(?P<rhs>.*)"
)
_RANGE = re.compile(
    r"(?P<low>[^<>=]*)<=(?P<basis>[A-Za-z][A-Za-z0-9_-]*)(?:\[(?P<rule>[^\]]*)\])?<(?P<high>.*)"
)
_Keyword = Literal["(", ")", "AND", "OR", "NOT"]


@dataclass(frozen=True)
class _Atom:
    text: str


_Token = _Keyword | _Atom


def _criteria_problem(message: str, **details: object) -> _Problem:
    return _Problem(CriteriaSyntaxError, f"{message}; {CRITERIA_FORM}", **details)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for piece in _TOKEN_SPLIT.split(text):
        piece = piece.strip()
        if not piece:
            continue
        upper = piece.upper()
        if upper in ("(", ")", "AND", "OR", "NOT"):
            tokens.append(upper)  # type: ignore[arg-type]
        else:
            tokens.append(_Atom(piece))
    return tokens


class _Parser:
    """Recursive descent over the tokens of one cell; AND and OR never mix unbracketed."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def parse(self) -> tuple[Condition, ...]:
        if not self.tokens:
            raise _criteria_problem("the criteria are empty")
        condition = self._expression()
        if self.pos < len(self.tokens):
            extra = self.tokens[self.pos]
            if extra == ")":
                raise _criteria_problem("a ')' has no matching '('")
            raise _criteria_problem(
                f"{_show(extra)} follows a complete criterion: join criteria with AND or OR"
            )
        if isinstance(condition, AllOf):
            return condition.operands
        return (condition,)

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _expression(self) -> Condition:
        operands = [self._unary()]
        joiner: str | None = None
        while (token := self._peek()) in ("AND", "OR"):
            assert isinstance(token, str)  # noqa: S101 - narrowing for mypy
            if joiner is not None and token != joiner:
                raise _criteria_problem(
                    "AND and OR are mixed without parentheses: write (a AND b) OR c, "
                    "or a AND (b OR c)"
                )
            joiner = token
            self.pos += 1
            operands.append(self._unary())
        if joiner is None:
            return operands[0]
        flat: list[Condition] = []
        kind = AllOf if joiner == "AND" else AnyOf
        for operand in operands:
            flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
        return kind(tuple(flat))

    def _unary(self) -> Condition:
        item = self._peek()
        if item is None:
            raise _criteria_problem("the criteria end where a criterion is expected")
        self.pos += 1
        if item == "NOT":
            return Not(self._unary())
        if item == "(":
            inner = self._expression()
            if self._peek() != ")":
                raise _criteria_problem("a '(' is not closed")
            self.pos += 1
            return inner
        if isinstance(item, _Atom):
            return _criterion(item.text)
        raise _criteria_problem(f"{_show(item)} stands where a criterion is expected")


def _show(token: _Token) -> str:
    return repr(token.text) if isinstance(token, _Atom) else repr(token)


def _years(text: str, atom: str) -> Decimal:
    try:
        years = Decimal(text.replace(",", "."))
    except InvalidOperation:
        years = Decimal(-1)
    if not years.is_finite() or years < 0:
        raise _criteria_problem(f"{text!r} in {atom!r} is not a number of years")
    return years


def _basis_and_rule(
    basis_code: str, rule_code: str | None, atom: str
) -> tuple[URIRef, URIRef | None]:
    basis = _scheme("criterion").resolve(basis_code)
    if rule_code is None:
        if basis in PARENT_BASES:
            raise _criteria_problem(
                f"{atom!r} does not say whose values count: write "
                f"{basis_code}[atLeastOne]=..., or another parent rule "
                f"({', '.join(_scheme('parent-rule').listing)})"
            )
        return basis, None
    if basis not in PARENT_BASES:
        raise _criteria_problem(
            f"{atom!r} has a parent rule, but {basis_code} is not about the parents"
        )
    return basis, _scheme("parent-rule").resolve(rule_code.strip())


def _criterion(text: str) -> Criterion:
    atom = re.sub(r"\s+", "", text)
    if match := _RANGE.fullmatch(atom):
        basis, rule = _basis_and_rule(match["basis"], match["rule"], text)
        if basis not in DURATION_BASES:
            raise _criteria_problem(f"{text!r}: only durationOfStay takes a number of years")
        low, high = _years(match["low"], text), _years(match["high"], text)
        if low >= high:
            raise _criteria_problem(f"{text!r} is an empty range of years")
        return Criterion(basis, parent_rule=rule, min_years=low, max_years=high)
    if len(re.findall(r"<=|>=|!=|=|<|>", atom)) > 1:
        raise _criteria_problem(f"{text!r} holds more than one criterion: join them with AND or OR")
    match = _ATOM.fullmatch(atom)
    if match is None:
        raise _criteria_problem(f"{text!r} is not a criterion")
    basis, rule = _basis_and_rule(match["basis"], match["rule"], text)
    op, rhs = match["op"], match["rhs"]
    if op == "!=":
        raise _criteria_problem(f"{text!r}: write NOT {match['basis']}={rhs} instead of !=")
    if op in ("<=", ">"):
        raise _criteria_problem(
            f"{text!r}: a duration is written with < (less than, as in durationOfStay<5) "
            "or >= (at least, as in durationOfStay>=10)"
        )
    if basis in DURATION_BASES:
        if op == "=":
            raise _criteria_problem(
                f"{text!r}: give the duration of stay as bounds in years, "
                "such as durationOfStay<5 or durationOfStay>=10"
            )
        years = _years(rhs, text)
        if op == "<":
            return Criterion(basis, parent_rule=rule, max_years=years)
        return Criterion(basis, parent_rule=rule, min_years=years)
    if op != "=":
        raise _criteria_problem(f"{text!r}: only durationOfStay takes a number of years")
    codes = rhs.split("|")
    if any(not code for code in codes):
        raise _criteria_problem(f"{text!r} has an empty value")
    values = tuple(dict.fromkeys(_scheme("criterion-value").resolve(c) for c in codes))
    return Criterion(basis, values=values, parent_rule=rule)


def parse_criteria(text: str) -> tuple[Condition, ...]:
    """Read one criteria cell into the conditions of a population definition.

    Criteria joined by AND at the top level become separate conditions (all of a
    population definition's conditions must hold), as the curated content writes
    them; OR gives one :class:`AnyOf`, NOT a :class:`Not`, and brackets nest.
    Raises :class:`CriteriaSyntaxError` or :class:`UnknownCodeError`.
    """
    try:
        return _Parser(text).parse()
    except _Problem as problem:
        raise problem.kind(problem.message, details={"value": text, **problem.details}) from None


# ---------------------------------------------------------------------------
# Criteria: RDF
# ---------------------------------------------------------------------------


def _decimal(value: Decimal) -> RdfLiteral:
    """An ``xsd:decimal`` in canonical form (``5.0``, ``2.5``)."""
    if value == value.to_integral_value():
        lexical = f"{int(value)}.0"
    else:
        lexical = format(value, "f").rstrip("0")
    return RdfLiteral(lexical, datatype=XSD.decimal)


def _add_condition(graph: Graph, condition: Condition) -> BNode:
    node = BNode()
    if isinstance(condition, Criterion):
        graph.add((node, RDF.type, CM.Criterion))
        graph.add((node, CM.basis, condition.basis))
        for value in condition.values:
            graph.add((node, CM.value, value))
        if condition.parent_rule is not None:
            graph.add((node, CM.parentRule, condition.parent_rule))
        if condition.min_years is not None:
            graph.add((node, CM.minYears, _decimal(condition.min_years)))
        if condition.max_years is not None:
            graph.add((node, CM.maxYears, _decimal(condition.max_years)))
    elif isinstance(condition, Not):
        graph.add((node, RDF.type, CM.Not))
        graph.add((node, CM.operand, _add_condition(graph, condition.operand)))
    else:
        graph.add((node, RDF.type, CM.AllOf if isinstance(condition, AllOf) else CM.AnyOf))
        for operand in condition.operands:
            graph.add((node, CM.operand, _add_condition(graph, operand)))
    return node


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_LANG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*")
_URBAN_AUDIT = re.compile(r"[A-Z]{2}[0-9]{3}[A-Z][0-9]?")
_YEAR = re.compile(r"[0-9]{4}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_iri(text: str) -> bool:
    return _IRI.fullmatch(text) is not None


def _slug(text: str, what: str) -> str:
    if _SLUG.fullmatch(text) is None:
        raise _Problem(
            InvalidValueError,
            f"{text!r} cannot be the {what}: use lower-case letters, digits and hyphens, "
            "such as 'vienna-foreign-origin-share'",
        )
    return text


def _slug_or_iri(text: str, base: str, what: str) -> URIRef:
    if _is_iri(text):
        return URIRef(text)
    if _SLUG.fullmatch(text) is None:
        raise _Problem(
            InvalidValueError,
            f"{text!r} is neither a full IRI (https://...) nor a slug of a {what} "
            f"under {base} (lower-case letters, digits and hyphens)",
        )
    return URIRef(base + text)


def _indicator(text: str) -> URIRef:
    if _is_iri(text):
        return URIRef(text)
    return _indicators().resolve(text)


def _place(text: str) -> URIRef:
    if _is_iri(text):
        return URIRef(text)
    code = text.upper()
    if _URBAN_AUDIT.fullmatch(code) is None:
        raise _Problem(
            InvalidValueError,
            f"{text!r} is neither an Urban Audit code (such as NL002C1 for Amsterdam, "
            "AT001C1 for Vienna) nor a full IRI (https://...)",
        )
    return URIRef(f"{ID_BASE}place/urban-audit/{code}")


def _date(text: str, *, end: bool) -> date:
    try:
        if _YEAR.fullmatch(text):
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise _Problem(
        InvalidDateError,
        f"{text!r} is not a date: write YYYY-MM-DD (2022-01-01) or a year (2022); "
        "format the cell as text so that the spreadsheet does not rewrite it",
    )


def _url(text: str) -> URIRef:
    if not _is_iri(text):
        raise _Problem(InvalidValueError, f"{text!r} is not a web address (https://...)")
    return URIRef(text)


def _language(text: str) -> str:
    if _LANG.fullmatch(text) is None:
        raise _Problem(
            InvalidValueError, f"{text!r} is not a language tag: use en, nl, de, fi, sv, el, fr"
        )
    return text.lower()


# ---------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------


def _decode(text: str | bytes) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            msg = (
                f"the file is not UTF-8 text (byte {error.start}): save it from the "
                "spreadsheet as 'CSV UTF-8'"
            )
            raise CsvEncodingError(msg, details={"byte": error.start}) from None
    return text.removeprefix("\ufeff")


def _delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: whichever the header row uses most (a comma on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _normalise_header(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip()).lower()


def _read_rows(text: str) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header's row number, the header, and the other non-blank rows with their numbers.

    Rows are numbered as the spreadsheet numbers them: one a record, from 1, so the
    header is row 1 unless blank rows come before it.
    """
    # The header is the first line with a name in it: blank rows may come first.
    header_line = next((line for line in text.splitlines() if line.strip(',;\t "')), "")
    if not header_line:
        raise CsvEmptyError(
            "the file is empty: it needs at least the header row of the template",
            details={"row": _HEADER_ROW},
        )
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(header_line), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as error:
        row = len(records) + 1
        msg = f"Row {row}: the file is not well-formed CSV ({error}); check the quotes in this row"
        raise CsvSyntaxError(msg, details={"row": row}) from None
    numbered = [
        (number, record)
        for number, record in enumerate(records, start=1)
        if any(cell.strip() for cell in record)
    ]
    header_row, header = numbered[0]
    return header_row, [_normalise_header(cell) for cell in header], numbered[1:]


def _check_header(header_row: int, header: list[str], rows: list[tuple[int, list[str]]]) -> None:
    counts: dict[str, int] = {}
    for name in header:
        counts[name] = counts.get(name, 0) + 1
    duplicates = sorted(name for name, count in counts.items() if name and count > 1)
    if duplicates:
        names = ", ".join(duplicates)
        msg = f"Row {header_row}: the header names these columns more than once: {names}"
        raise DuplicateColumnsError(msg, details={"row": header_row, "columns": duplicates})
    # A column without a name is harmless while it is empty (spreadsheets export
    # stray delimiters), but its values would be lost.
    unnamed = [
        i + 1
        for i, name in enumerate(header)
        if not name and any(i < len(record) and record[i].strip() for _, record in rows)
    ]
    unknown = [name for name in header if name and name not in TEMPLATE_COLUMNS]
    if unknown or unnamed:
        hints = []
        for name in unknown:
            near = difflib.get_close_matches(name, TEMPLATE_COLUMNS, n=1, cutoff=0.5)
            hints.append(f"{name!r} (did you mean {near[0]!r}?)" if near else repr(name))
        hints += [f"column {i} has values but no name" for i in unnamed]
        msg = (
            f"Row {header_row}: the header has columns the template does not define: "
            f"{', '.join(hints)}; "
            f"the columns are: {', '.join(TEMPLATE_COLUMNS)}"
        )
        raise UnknownColumnsError(
            msg, details={"row": header_row, "columns": unknown, "unnamed": unnamed}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        msg = f"Row {header_row}: the header lacks required columns: {', '.join(missing)}"
        raise MissingColumnsError(msg, details={"row": header_row, "columns": missing})


# ---------------------------------------------------------------------------
# Converting rows
# ---------------------------------------------------------------------------

_CODED: tuple[tuple[str, URIRef, Callable[[], _Codes]], ...] = (
    ("measure_type", CM.measureType, lambda: _scheme("measure-type")),
    ("numerator", CM.numerator, lambda: _scheme("quantity")),
    ("denominator", CM.denominator, lambda: _scheme("quantity")),
    ("unit", CM.unit, lambda: _scheme("unit")),
    ("age_band", CM.ageBand, lambda: _scheme("age-band")),
    ("sex", CM.sex, lambda: _SEX),
    ("universe", CM.universe, lambda: _scheme("universe")),
    ("geography_level", CM.geographyLevel, lambda: _scheme("geography-level")),
    ("reference_time", CM.referenceTime, lambda: _scheme("reference-time")),
)


_T = TypeVar("_T")


class _Row:
    """One data row: reads its cells, collecting the problems it finds."""

    def __init__(self, number: int, cells: Mapping[str, str]) -> None:
        self.number = number
        self.cells = cells
        self.errors: list[CsvTemplateError] = []

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def error(
        self, kind: type[CsvTemplateError], column: str, message: str, **details: object
    ) -> None:
        self.errors.append(
            kind(
                f"Row {self.number}, column '{column}': {message}",
                details={
                    "row": self.number,
                    "column": column,
                    "value": self.get(column),
                    **details,
                },
            )
        )

    def read(self, column: str, convert: Callable[[str], _T]) -> _T | None:
        """The converted cell, or None when it is empty or wrong (the problem is kept)."""
        text = self.get(column)
        if not text:
            return None
        try:
            return convert(text)
        except _Problem as problem:
            self.error(problem.kind, column, problem.message, **problem.details)
            return None

    def require(self, column: str, why: str = "") -> None:
        if not self.get(column):
            self.error(MissingValueError, column, f"is empty{why}; fill it in")


def _population(
    graph: Graph,
    node: URIRef,
    conditions: Iterable[Condition],
    label: str,
    lang: str,
) -> None:
    graph.add((node, RDF.type, CM.PopulationDefinition))
    graph.add((node, SKOS.prefLabel, RdfLiteral(label, lang=lang)))
    for condition in conditions:
        graph.add((node, CM.condition, _add_condition(graph, condition)))


def _convert_row(graph: Graph, row: _Row, base: str, ids: Mapping[str, int]) -> None:
    for column in REQUIRED_COLUMNS:
        row.require(column)
    if row.get("reference_group"):
        row.require("reference_group_label", " while reference_group is filled in")
    elif row.get("reference_group_label"):
        row.error(
            MissingValueError,
            "reference_group",
            "is empty while reference_group_label is filled in: give the group's criteria",
        )

    slug = row.read("id", lambda t: _slug(t, "id of a definition"))
    lang = row.read("label_lang", _language) or "en"
    indicator = row.read("indicator", _indicator)
    publisher = row.read("publisher", lambda t: _slug_or_iri(t, f"{ID_BASE}org/", "publisher"))
    coded = [(p, row.read(column, codes().resolve)) for column, p, codes in _CODED]
    place = row.read("place", _place)
    source = row.read("data_source", lambda t: _slug_or_iri(t, f"{ID_BASE}source/", "source"))
    target = row.read("target_group", _parse_cell)
    origin = row.read("origin_assignment", _scheme("origin-assignment").resolve)
    reference = row.read("reference_group", _parse_cell)
    valid_from = row.read("valid_from", lambda t: _date(t, end=False))
    valid_through = row.read("valid_through", lambda t: _date(t, end=True))
    previous = row.read("previous_version", lambda t: _previous(t, base, ids, slug))
    see_also = row.read("source_url", _url)
    if valid_from and valid_through and valid_through < valid_from:
        row.error(
            InvalidDateError,
            "valid_through",
            f"{valid_through.isoformat()} is before valid_from {valid_from.isoformat()}",
        )
    if row.errors or slug is None or target is None:
        return

    definition = URIRef(base + slug)
    add = graph.add
    add((definition, RDF.type, CM.IndicatorDefinition))
    add((definition, SKOS.prefLabel, RdfLiteral(row.get("label"), lang=lang)))
    if text := row.get("definition"):
        add((definition, SKOS.definition, RdfLiteral(text, lang=lang)))
    if indicator is not None:
        add((definition, CM.indicator, indicator))
    if publisher is not None:
        add((definition, DCTERMS.publisher, publisher))
    for predicate, concept in coded:
        if concept is not None:
            add((definition, predicate, concept))
    if place is not None:
        add((definition, DCTERMS.spatial, place))
    if source is not None:
        add((definition, CM.dataSource, source))

    target_node = URIRef(f"{definition}/target-group")
    add((definition, CM.targetGroup, target_node))
    _population(graph, target_node, target, row.get("target_group_label"), lang)
    if origin is not None:
        add((target_node, CM.originAssignment, origin))
    groups = [target_node]
    if reference is not None:
        reference_node = URIRef(f"{definition}/reference-group")
        add((definition, CM.referenceGroup, reference_node))
        add((target_node, CM.hasReferenceGroup, reference_node))
        _population(graph, reference_node, reference, row.get("reference_group_label"), lang)
        groups.append(reference_node)
    for group in groups:
        if publisher is not None:
            add((group, DCTERMS.publisher, publisher))
        if source is not None:
            add((group, CM.dataSource, source))

    if valid_from is not None:
        add((definition, SCHEMA.validFrom, RdfLiteral(valid_from.isoformat(), datatype=XSD.date)))
    if valid_through is not None:
        add(
            (
                definition,
                SCHEMA.validThrough,
                RdfLiteral(valid_through.isoformat(), datatype=XSD.date),
            )
        )
    if previous is not None:
        add((definition, DCAT3.previousVersion, previous))
        add((definition, PROV.wasRevisionOf, previous))
    if see_also is not None:
        add((definition, RDFS.seeAlso, see_also))
    if text := row.get("scope_note"):
        add((definition, SKOS.scopeNote, RdfLiteral(text, lang=lang)))


def _parse_cell(text: str) -> tuple[Condition, ...]:
    return _Parser(text).parse()


def _previous(text: str, base: str, ids: Mapping[str, int], own: str | None) -> URIRef:
    if _is_iri(text):
        return URIRef(text)
    if text == own:
        raise _Problem(InvalidValueError, "a definition cannot be its own previous version")
    if text not in ids:
        raise _Problem(
            InvalidValueError,
            f"{text!r} is not the id of a row of this file: give the id of another row, "
            "or the full IRI (https://...) of a definition submitted before",
        )
    return URIRef(base + text)


def _base(base: str) -> str:
    if not _is_iri(base):
        msg = f"the base {base!r} is not an absolute IRI (https://...)"
        raise CsvTemplateError(msg, details={"base": base})
    return base if base.endswith(("/", "#")) else base + "/"


_PREFIXES: Mapping[str, str] = {
    "criterion": "crit",
    "criterion-value": "val",
    "parent-rule": "parent",
    "origin-assignment": "origin",
    "measure-type": "mtype",
    "quantity": "qty",
    "unit": "unit",
    "age-band": "age",
    "universe": "univ",
    "geography-level": "geo",
    "reference-time": "rtime",
}
"""The prefixes of the curated content, for readable Turtle."""


def _bind_prefixes(graph: Graph) -> None:
    graph.bind("cm", CM._NS)
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("prov", PROV)
    graph.bind("schema", SCHEMA)
    graph.bind("skos", SKOS)
    graph.bind("sdmxc", SDMX_CODE)
    for segment, prefix in _PREFIXES.items():
        graph.bind(prefix, f"{SCHEMES[segment]}/")


_MAX_REPORTED = 10


def _raise_collected(errors: list[CsvTemplateError]) -> None:
    first = errors[0]
    if len(errors) == 1:
        raise first
    others = [f"- {error.message}" for error in errors[1:_MAX_REPORTED]]
    if len(errors) > _MAX_REPORTED:
        others.append(f"- and {len(errors) - _MAX_REPORTED} more")
    message = f"{first.message}\n{len(errors) - 1} more problem(s):\n" + "\n".join(others)
    details = {**first.details, "errors": [error.to_dict() for error in errors]}
    raise type(first)(message, details=details)


def _row_of(error: CsvTemplateError) -> int:
    row = error.details.get("row")
    return row if isinstance(row, int) else 0


def csv_to_graph(text: str | bytes, *, base: str) -> Graph:
    """Convert a filled-in template to RDF, one ``cm:IndicatorDefinition`` a row.

    ``base`` is the IRI under which the rows' ids are minted, such as
    ``https://w3id.org/commensura/id/partner/amsterdam-os/definition/``. The text may
    start with a byte-order mark and use commas, semicolons or tabs; bytes are read
    as UTF-8. Rows whose cells are all empty are skipped. Raises a
    :class:`CsvTemplateError` subclass naming the row and column of each problem.
    """
    base = _base(base)
    header_row, header, rows = _read_rows(_decode(text))
    _check_header(header_row, header, rows)
    parsed: list[_Row] = []
    errors: list[CsvTemplateError] = []
    for number, record in rows:
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            msg = (
                f"Row {number}: the row has {len(record)} cells but the header has "
                f"{len(header)} columns; check the delimiters and quotes in this row"
            )
            errors.append(CsvSyntaxError(msg, details={"row": number}))
            continue
        cells = {name: cell.strip() for name, cell in zip(header, record, strict=False)}
        parsed.append(_Row(number, cells))
    ids: dict[str, int] = {}
    for row in parsed:
        slug = row.get("id")
        if not slug:
            continue
        if slug in ids:
            row.error(
                DuplicateIdError,
                "id",
                f"{slug!r} is already the id of row {ids[slug]}; every row needs its own id",
                first_row=ids[slug],
            )
        else:
            ids[slug] = row.number
    graph = Graph()
    _bind_prefixes(graph)
    for row in parsed:
        _convert_row(graph, row, base, ids)
        errors.extend(row.errors)
    if errors:
        errors.sort(key=_row_of)
        _raise_collected(errors)
    return graph


# ---------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------

EXAMPLE_ROW: Mapping[str, str] = {
    "id": "vienna-foreign-origin-share",
    "label": "Anteil der Bevölkerung ausländischer Herkunft",
    "label_lang": "de",
    "definition": "Ausländische Staatsangehörige und im Ausland geborene österreichische "
    "Staatsangehörige, in Prozent der Wohnbevölkerung Wiens am 1. Jänner.",
    "indicator": "foreign-born-share",
    "publisher": "vienna-ma23",
    "measure_type": "share",
    "numerator": "population",
    "denominator": "population",
    "unit": "PC",
    "age_band": "TOTAL",
    "sex": "T",
    "universe": "registeredPopulation",
    "geography_level": "city",
    "reference_time": "startOfYear",
    "place": "AT001C1",
    "data_source": "vienna-population-register",
    "target_group": "currentCitizenship=foreign OR ownCountryOfBirth=foreign",
    "target_group_label": "Ausländische Herkunft",
    "origin_assignment": "",
    "reference_group": "currentCitizenship=national AND ownCountryOfBirth=national",
    "reference_group_label": "Österreichische Herkunft",
    "valid_from": "",
    "valid_through": "",
    "previous_version": "",
    "source_url": "https://www.wien.gv.at",
    "scope_note": "",
}
"""One filled-in row: Vienna's share of residents of foreign origin."""


def _write(rows: Iterable[Iterable[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def template_csv() -> str:
    """The empty template: the header row only, comma-separated, no byte-order mark."""
    return _write([TEMPLATE_COLUMNS])


def example_csv() -> str:
    """The template with one example row (:data:`EXAMPLE_ROW`), as in docs/csv-template.md."""
    return _write([TEMPLATE_COLUMNS, [EXAMPLE_ROW[name] for name in TEMPLATE_COLUMNS]])


__all__ = [
    "COLUMN_SPECS",
    "CRITERIA_FORM",
    "DURATION_BASES",
    "EXAMPLE_ROW",
    "PARENT_BASES",
    "REQUIRED_COLUMNS",
    "TEMPLATE_COLUMNS",
    "AllOf",
    "AnyOf",
    "Condition",
    "CriteriaSyntaxError",
    "Criterion",
    "CsvEmptyError",
    "CsvEncodingError",
    "CsvSyntaxError",
    "CsvTemplateError",
    "DuplicateColumnsError",
    "DuplicateIdError",
    "InvalidDateError",
    "InvalidValueError",
    "MissingColumnsError",
    "MissingValueError",
    "Not",
    "TemplateColumn",
    "UnknownCodeError",
    "UnknownColumnsError",
    "csv_to_graph",
    "example_csv",
    "parse_criteria",
    "template_csv",
]
