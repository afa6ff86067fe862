"""Readers for Eurostat's tabular download formats, into one long table.

Three layouts are read, told apart by their header:

``sdmx-csv-2.0``
    ``STRUCTURE,STRUCTURE_ID[,STRUCTURE_NAME][,ACTION],dim...,TIME_PERIOD,OBS_VALUE,attr...``.
    When ``STRUCTURE_NAME`` is there (the data browser's "codes and labels"), every
    column is followed by its label column (``freq,Time frequency,...``): the labels
    of the dimensions are kept as ``{dim}__label`` columns.
``sdmx-csv-1.0``
    ``DATAFLOW[,LAST UPDATE],dim...,TIME_PERIOD,OBS_VALUE,attr...``, with codes in the
    cells (``A``, ``THS_PER``) or, in the data browser's labels download, labels only
    (``Annual``, ``Thousand persons``). ``to_codes`` translates the labels it knows.
``eurostat-tsv``
    The bulk-download TSV: a first column of comma-joined keys headed
    ``dim,...,dim\\coldim``, then one column per value of ``coldim``. Today's files put
    the periods in the columns (``freq,unit,geo\\TIME_PERIOD``); older ones put a
    dimension there and the time in the key (``unit,sex,time\\geo``). Cells hold a value
    and its flags (``48.9 u``); ``:`` is a missing value.

Every reader returns an :class:`EurostatTable` with one row per observation. A file
that cannot be read as a whole (not UTF-8, no header, unknown layout, no
``TIME_PERIOD``/``OBS_VALUE`` column) raises :class:`~registry.errors.SourceDataError`;
a single bad row or cell (a broken number, a wrong number of fields, an empty key, a
duplicate key) is left out and listed in ``rejected`` with its line.

A file whose name ends in ``.gz`` is decompressed first (the bulk downloads are
``estat_<dataset>.tsv.gz``); a UTF-8 byte-order mark is ignored.

Reading is vectorised: the file is parsed once by pandas (every cell as text), the
field count and first line of every record come from one numpy pass over the bytes,
and numbers and flags are split with vectorised string operations on distinct cells.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from registry.errors import SourceDataError

__all__ = [
    "LABEL_CODES",
    "LAYOUT_SDMX_CSV_1",
    "LAYOUT_SDMX_CSV_2",
    "LAYOUT_TSV",
    "EurostatTable",
    "read_eurostat",
    "split_value_flag",
    "to_codes",
    "unknown_labels",
]

LAYOUT_SDMX_CSV_1: Final = "sdmx-csv-1.0"
LAYOUT_SDMX_CSV_2: Final = "sdmx-csv-2.0"
LAYOUT_TSV: Final = "eurostat-tsv"

TIME_PERIOD: Final = "TIME_PERIOD"
OBS_VALUE: Final = "OBS_VALUE"
OBS_FLAG: Final = "OBS_FLAG"
MISSING: Final = ":"

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class EurostatTable:
    """One Eurostat table as read from a file, one row per observation.

    ``dataset`` is the dataset's online code in lower case (``urb_cpopcb``), from
    DATAFLOW / STRUCTURE_ID, or for TSV from the file name unless the caller names it.
    ``layout`` is one of ``LAYOUT_SDMX_CSV_1``, ``LAYOUT_SDMX_CSV_2``, ``LAYOUT_TSV``;
    ``dimensions`` the dimension ids in file order, time left out.

    ``frame`` has a column per dimension (the code, or the label when
    ``labels_only``), ``{dim}__label`` columns when the file gives labels beside the
    codes, then ``time`` (text, e.g. ``"2024"``), ``value`` (float, NaN when missing),
    ``flags`` (the flag letters, ``""`` when none) and ``line`` (1-based line in the
    file where the row starts), in file order with a fresh index. Read the flags as
    ``frame["flags"]``: ``frame.flags`` is pandas' own attribute. ``rejected`` lists
    ``(line, reason)`` for each row or cell left out, by line.
    """

    dataset: str
    layout: str
    dimensions: tuple[str, ...]
    labels_only: bool
    frame: pd.DataFrame
    rejected: tuple[tuple[int, str], ...]


# --- value and flag cells --------------------------------------------------------------

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_CELL = re.compile(rf"\s*(?P<number>:|{_NUMBER})?\s*(?P<flags>[A-Za-z]*)\s*")
_CELL_PATTERN = rf"^\s*(?P<number>:|{_NUMBER})?\s*(?P<flags>[A-Za-z]*)\s*\Z"


def split_value_flag(cell: str) -> tuple[float | None, str]:
    """Split a Eurostat TSV cell into its value and its flags.

    ``"48.9 u"`` gives ``(48.9, "u")``, ``": u"`` gives ``(None, "u")``, ``":"`` and
    ``""`` give ``(None, "")``, ``"0 "`` gives ``(0.0, "")``. Anything else (``"4,5"``,
    ``"n/a"``, flags without a value) raises :class:`ValueError`.
    """
    match = _CELL.fullmatch(cell)
    if match is None or (match["number"] is None and match["flags"]):
        raise ValueError(f"not a Eurostat value with optional flags: {cell!r}")
    number = match["number"]
    value = None if number is None or number == MISSING else float(number)
    return value, match["flags"]


def _split_cells(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised :func:`split_value_flag`: (value, flags, bad) for a column of cells.

    The cells are split once per distinct text, then spread back.
    """
    codes, uniques = pd.factorize(cells, sort=False)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    parts = distinct.str.extract(_CELL_PATTERN)
    number = parts["number"]
    flags = parts["flags"].fillna("")
    matched = parts["flags"].notna()
    bad_distinct = ~matched | (number.isna() & (flags != ""))
    numeric = pd.to_numeric(number.where(number != MISSING), errors="coerce")
    value = numeric.to_numpy(dtype=np.float64, na_value=np.nan)[codes]
    return (
        pd.Series(value, index=cells.index, dtype="float64"),
        pd.Series(flags.to_numpy(dtype=object)[codes], index=cells.index, dtype="str"),
        pd.Series(bad_distinct.to_numpy(dtype=bool)[codes], index=cells.index),
    )


def _clean_flags(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """OBS_FLAG cells without spaces (``" b "`` is ``"b"``), and which are not letters."""
    codes, uniques = pd.factorize(cells, sort=False)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    cleaned = distinct.str.replace(r"[\s,]+", "", regex=True)
    bad = ~cleaned.str.fullmatch(r"[A-Za-z]*")
    return (
        pd.Series(cleaned.to_numpy(dtype=object)[codes], index=cells.index, dtype="str"),
        pd.Series(bad.to_numpy(dtype=bool)[codes], index=cells.index),
    )


def _parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """SDMX-CSV OBS_VALUE cells as floats; empty and ``:`` are missing. Also which are bad.

    Cells are converted as they are; only those that fail are stripped and tried again.
    """
    value = np.array(
        pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
        dtype=np.float64,
    )
    failed = np.flatnonzero(np.isnan(value))
    if len(failed):
        retry = cells.iloc[failed].str.strip()
        missing = ((retry == "") | (retry == MISSING)).to_numpy(dtype=bool)
        again = pd.to_numeric(retry.where(~missing), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        value[failed] = again
        bad = np.zeros(len(value), dtype=bool)
        bad[failed] = np.isnan(again) & ~missing
    else:
        bad = np.zeros(len(value), dtype=bool)
    bad |= np.isinf(value)
    value[bad] = np.nan
    return (
        pd.Series(value, index=cells.index, dtype="float64"),
        pd.Series(bad, index=cells.index),
    )


def _strip(cells: pd.Series) -> tuple[pd.Series, IntArray]:
    """Cells without surrounding white space, stripped once per distinct text; and a
    code per cell (equal codes, equal stripped text) for finding duplicate keys."""
    codes, uniques = pd.factorize(cells, sort=False)
    stripped = pd.Series(np.asarray(uniques, dtype=object), dtype="str").str.strip()
    merged, distinct = pd.factorize(stripped, sort=False)
    texts = np.asarray(distinct, dtype=object)
    cell_codes = np.asarray(merged, dtype=np.int64)[codes]
    return pd.Series(texts[cell_codes], index=cells.index, dtype="str"), cell_codes


# --- labels and codes ------------------------------------------------------------------

_COUNTRIES: Final = {
    "AL": "Albania",
    "AT": "Austria",
    "BA": "Bosnia and Herzegovina",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CH": "Switzerland",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "EL": "Greece",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "HR": "Croatia",
    "HU": "Hungary",
    "IE": "Ireland",
    "IS": "Iceland",
    "IT": "Italy",
    "LI": "Liechtenstein",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "MT": "Malta",
    "NL": "Netherlands",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "RS": "Serbia",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovakia",
    "TR": "Türkiye",
    "UK": "United Kingdom",
    "XK": "Kosovo*",
}

_GEO_LABELS: Final = {
    **{label: code for code, label in _COUNTRIES.items()},
    # labels earlier releases used for the same codes
    "Germany (until 1990 former territory of the FRG)": "DE",
    "Turkey": "TR",
    # aggregates (the labels as Eurostat writes them, double space and en dash included)
    "European Union (EU6-1958, EU9-1973, EU10-1981, EU12-1986, EU15-1995, EU25-2004, "
    "EU27-2007, EU28-2013, EU27-2020)": "EU",
    "European Union - 27 countries (from 2020)": "EU27_2020",
    "European Union - 28 countries (2013-2020)": "EU28",
    "European Union - 27 countries (2007-2013)": "EU27_2007",
    "Euro area (EA11-1999, EA12-2001, EA13-2007, EA15-2008, EA16-2009, EA17-2011, "
    "EA18-2014, EA19-2015, EA20-2023)": "EA",
    "Euro area – 20 countries (from 2023)": "EA20",
    "Euro area - 19 countries  (2015-2022)": "EA19",
    "Euro area - 18 countries (2014)": "EA18",
}

_GROUPS_OF_COUNTRIES: Final = {
    "Total": "TOTAL",
    "Reporting country": "NAT",
    "Foreign country": "FOR",
    "EU27 countries (from 2020) except reporting country": "EU27_2020_FOR",
    "Non-EU27 countries (from 2020) nor reporting country": "NEU27_2020_FOR",
    "EU28 countries (2013-2020) except reporting country": "EU28_FOR",
    "Non-EU28 countries (2013-2020) nor reporting country": "NEU28_FOR",
    "European Free Trade Association except reporting country": "EFTA_FOR",
    "No response": "NRP",
}

LABEL_CODES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        dim: MappingProxyType(labels)
        for dim, labels in {
            "freq": {"Annual": "A", "Quarterly": "Q", "Monthly": "M"},
            "unit": {
                "Thousand persons": "THS_PER",
                "Percentage": "PC",
                "Euro": "EUR",
                "National currency": "NAC",
                "Number": "NR",
            },
            "sex": {"Females": "F", "Males": "M", "Total": "T"},
            "age": {
                "Total": "TOTAL",
                "From 15 to 24 years": "Y15-24",
                "From 15 to 29 years": "Y15-29",
                "From 15 to 64 years": "Y15-64",
                "From 15 to 74 years": "Y15-74",
                "From 18 to 64 years": "Y18-64",
                "From 20 to 64 years": "Y20-64",
                "From 25 to 54 years": "Y25-54",
                "From 55 to 64 years": "Y55-64",
                "Less than 18 years": "Y_LT18",
                "18 years or over": "Y_GE18",
                "65 years or over": "Y_GE65",
            },
            "citizen": {**_GROUPS_OF_COUNTRIES, "Stateless": "STLS"},
            "c_birth": dict(_GROUPS_OF_COUNTRIES),
            "indic_il": {
                "Median equivalised net income": "MED_E",
                "Mean equivalised net income": "MEI_E",
            },
            "isced11": {
                "Less than primary, primary and lower secondary education (levels 0-2)": "ED0-2",
                "Upper secondary and post-secondary non-tertiary education (levels 3 and 4)": (
                    "ED3_4"
                ),
                "Tertiary education (levels 5-8)": "ED5-8",
            },
            "deg_urb": {
                "Total": "TOTAL",
                "Cities": "DEG1",
                "Towns and suburbs": "DEG2",
                "Rural areas": "DEG3",
            },
            "indic_ur": {
                "Population on the 1st of January, total": "DE1001V",
                "Foreign-born": "DE2009V",
            },
            "geo": _GEO_LABELS,
        }.items()
    }
)
"""Per dimension id: Eurostat's English label -> code, for labels-only downloads.

Only labels whose code is certain are here; ``unknown_labels`` lists the others.
Left out on purpose: c_birth "Non-EU27 countries (from 2020) nor EFTA countries" (its
code could not be confirmed from Eurostat's code list)."""


def _label_column(dim: str) -> str:
    return f"{dim}__label"


def to_codes(table: EurostatTable) -> EurostatTable:
    """The table with label cells translated to codes where ``LABEL_CODES`` knows them.

    Only labels-only tables change: each dimension column gets the codes, and the
    labels move to a ``{dim}__label`` column. Labels without a known code stay as they
    are; ``unknown_labels`` lists them, and ``labels_only`` stays true while any are
    left. Translating an already translated table gives the same table.
    """
    if not table.labels_only:
        return table
    frame = table.frame.copy()
    for dim in table.dimensions:
        label_col = _label_column(dim)
        labels = frame[label_col] if label_col in frame.columns else frame[dim]
        known = LABEL_CODES.get(dim, {})
        frame[dim] = labels.map(dict(known)).fillna(labels).astype("str")
        frame[label_col] = labels
    frame = frame[_ordered_columns(table.dimensions, frame.columns)]
    return replace(table, frame=frame, labels_only=bool(unknown_labels(table)))


def unknown_labels(table: EurostatTable) -> dict[str, set[str]]:
    """Per dimension, the labels in a labels-only table that ``LABEL_CODES`` lacks.

    A table of codes (``labels_only`` false) has none.
    """
    if not table.labels_only:
        return {}
    unknown: dict[str, set[str]] = {}
    for dim in table.dimensions:
        label_col = _label_column(dim)
        labels = table.frame[label_col] if label_col in table.frame.columns else table.frame[dim]
        known = LABEL_CODES.get(dim, {})
        missing = {str(label) for label in labels.unique() if label not in known}
        if missing:
            unknown[dim] = missing
    return unknown


def _ordered_columns(dimensions: Iterable[str], columns: Iterable[object]) -> list[str]:
    present = {str(c) for c in columns}
    dims = list(dimensions)
    labels = [_label_column(d) for d in dims if _label_column(d) in present]
    return [*dims, *labels, "time", "value", "flags", "line"]


# --- reading the file ------------------------------------------------------------------

_BOM: Final = b"\xef\xbb\xbf"
_CODE = re.compile(r"[A-Z0-9][A-Z0-9_.+\-]*")
_DATAFLOW = re.compile(r"(?:[A-Za-z0-9_.\-]+:)?([A-Za-z][A-Za-z0-9_\-]*)(?:\$[^()]*)?(?:\(.*\))?")
_TSV_STEM = re.compile(r"(?:estat_)?(.+?)(?:\.tsv)?(?:\.gz)?$", re.IGNORECASE)
_TIME_NAMES: Final = frozenset({"time", "time_period"})


def _fail(path: Path, problem: str, **details: object) -> SourceDataError:
    return SourceDataError(f"{path}: {problem}", details={"path": str(path), **details})


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise _fail(path, f"not a readable gzip file ({exc})") from exc
    raw = raw.removeprefix(_BOM)
    if not raw or raw.isspace():
        raise _fail(path, "the file is empty: download the table again")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _fail(
            path,
            f"not UTF-8 text (byte {raw[exc.start]:#04x} on line {line}): Eurostat files are "
            "UTF-8; download the table again, or re-save it as UTF-8",
            line=line,
        ) from exc
    return raw


def _first_line(raw: bytes) -> str:
    end = raw.find(b"\n")
    return (raw if end < 0 else raw[:end]).decode("utf-8").rstrip("\r")


@dataclass(frozen=True)
class _Records:
    """The data records of a file (header and blank lines left out), in file order."""

    fields: IntArray
    lines: IntArray
    header_fields: int


def _scan_records(raw: bytes, sep: str, quoted: bool) -> _Records | None:
    """Field count and first line of every record, from one pass over the bytes.

    Quotes are taken to open and close quoted fields in pairs (``""`` inside a quoted
    field toggles twice), which holds for well-formed CSV; the caller checks the
    result against what pandas read and falls back to ``csv`` when they differ.
    Returns None when a quote is left open at the end of the file.
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    newline, separator, quote = ord("\n"), ord(sep), ord('"')
    quoted = quoted and raw.find(b'"') >= 0
    marked = (data == newline) | (data == separator)
    if quoted:
        marked |= data == quote
    pos = np.flatnonzero(marked)
    del marked
    kind = data[pos]
    is_newline = kind == newline
    newline_marks = np.flatnonzero(is_newline)
    if quoted:
        is_quote = kind == quote
        inside = np.bitwise_xor.accumulate(is_quote.view(np.uint8)).view(np.bool_)
        if inside[-1:].any():
            return None
        outside = ~(inside | is_quote)
        ending = outside[newline_marks]
        end_marks = newline_marks[ending]
        newlines_through_end = np.flatnonzero(ending).astype(np.int64) + 1
        separators = (kind == separator) & outside
    else:
        end_marks = newline_marks
        newlines_through_end = np.arange(1, len(newline_marks) + 1, dtype=np.int64)
        separators = kind == separator
    ends = pos[end_marks].astype(np.int64)
    separators_before = np.cumsum(separators, dtype=np.int64)
    total = int(separators_before[-1]) if len(separators_before) else 0
    at_ends = separators_before[end_marks]
    fields = 1 + np.diff(np.concatenate(([0], at_ends, [total]))).astype(np.int64)
    starts = np.concatenate(([0], ends + 1)).astype(np.int64)
    stops = np.concatenate((ends, [len(raw)])).astype(np.int64)
    first_line = np.concatenate(([1], newlines_through_end + 1)).astype(np.int64)
    blank = _blank_records(raw, starts, stops, fields, sep)
    keep = ~blank
    keep[0] = False  # the header
    return _Records(fields=fields[keep], lines=first_line[keep], header_fields=int(fields[0]))


def _blank_records(
    raw: bytes, starts: IntArray, stops: IntArray, fields: IntArray, sep: str
) -> BoolArray:
    """Records pandas skips as blank: nothing but spaces, tabs that are not the
    separator, and carriage returns. Only records without separators can be blank, so
    the check runs over those few."""
    whitespace = b" \r" if sep == "\t" else b" \t\r"
    blank = np.zeros(len(starts), dtype=bool)
    for i in np.flatnonzero(fields == 1):
        blank[i] = not raw[int(starts[i]) : int(stops[i])].strip(whitespace)
    return blank


def _scan_records_slowly(text: str, sep: str, quoted: bool) -> _Records:
    """The same as :func:`_scan_records` with the ``csv`` module (quotes in the middle
    of a field are text there, as they are to pandas)."""
    whitespace = " \r" if sep == "\t" else " \t\r"
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=sep,
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
        strict=False,
    )
    fields: list[int] = []
    lines: list[int] = []
    header_fields = 0
    previous_end = 0
    for index, row in enumerate(reader):
        first = previous_end + 1
        previous_end = reader.line_num
        if index == 0:
            header_fields = len(row)
            continue
        if not row or (len(row) == 1 and not row[0].strip(whitespace)):
            continue
        fields.append(len(row))
        lines.append(first)
    return _Records(
        fields=np.asarray(fields, dtype=np.int64),
        lines=np.asarray(lines, dtype=np.int64),
        header_fields=header_fields,
    )


def _read_cells(path: Path, raw: bytes, sep: str, quoted: bool) -> tuple[pd.DataFrame, _Records]:
    """Every data record as text, one column per field position (``0``, ``1``, ...),
    as many columns as the widest record; and where each record is in the file."""
    records = _scan_records(raw, sep, quoted)
    if records is None:
        records = _scan_records_slowly(raw.decode("utf-8"), sep, quoted)
    width = max(records.header_fields, int(records.fields.max(initial=0)))
    try:
        cells = pd.read_csv(
            io.BytesIO(raw),
            sep=sep,
            header=None,
            skiprows=1,
            names=list(range(width)),
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=True,
            quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
            engine="c",
            encoding="utf-8",
            low_memory=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        hint = '; look for a cell whose quote (") is never closed' if quoted else ""
        raise _fail(
            path, f"cannot be parsed as {'CSV' if quoted else 'TSV'} ({exc}){hint}"
        ) from exc
    suspect = quoted and bool((records.fields != records.header_fields).any())
    if len(cells) != len(records.fields) or suspect:
        # the quick scan pairs every quote; a stray quote inside a cell (text to pandas)
        # shows up as a different row count or a row of the wrong width: ask csv
        records = _scan_records_slowly(raw.decode("utf-8"), sep, quoted)
    if len(cells) != len(records.fields) or width < int(records.fields.max(initial=0)):
        raise _fail(
            path,
            'the rows cannot be told apart: look for an unbalanced quote (") in a cell',
        )
    return cells, records


def _always(reason: str) -> Callable[[int], str]:
    """The same reason for every row."""
    return lambda _row: reason


class _Rejects:
    """Rows (or cells) left out, with the first reason found for each."""

    def __init__(self, lines: IntArray) -> None:
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=bool)
        self.items: list[tuple[int, str]] = []

    def add(self, mask: BoolArray | pd.Series, reason: Callable[[int], str]) -> None:
        new = np.asarray(mask, dtype=bool) & ~self.bad
        indices = np.flatnonzero(new)
        self.items.extend((int(self.lines[i]), reason(int(i))) for i in indices)
        self.bad |= new

    def sorted(self) -> tuple[tuple[int, str], ...]:
        return tuple(sorted(self.items, key=lambda item: item[0]))


def _field_counts(rejects: _Rejects, fields: IntArray, expected: int) -> None:
    rejects.add(
        fields != expected,
        lambda i: f"expected {expected} fields, found {int(fields[i])}",
    )


def _duplicates(
    rejects: _Rejects, key_codes: list[IntArray], where: Callable[[int], str] | None = None
) -> None:
    """Later rows with the key (dimensions and period) of an earlier kept row are rejected.

    ``key_codes`` holds one integer code per row for each part of the key; ``where``
    says which cell of its line a row is, when a line has several."""
    live = ~rejects.bad
    if not live.any():
        return
    keys = pd.DataFrame({k: codes[live] for k, codes in enumerate(key_codes)})
    repeated = keys.duplicated(keep="first").to_numpy(dtype=bool)
    if not repeated.any():
        return
    positions = np.flatnonzero(live)
    first_of = (
        pd.Series(rejects.lines[positions])
        .groupby([keys[k] for k in keys.columns], sort=False)
        .transform("first")
        .to_numpy(dtype=np.int64)
    )
    mask = np.zeros(len(rejects.lines), dtype=bool)
    mask[positions[repeated]] = True
    first_line = np.zeros(len(rejects.lines), dtype=np.int64)
    first_line[positions] = first_of
    rejects.add(
        mask,
        lambda i: (
            f"{where(i) if where else ''}duplicate observation: "
            f"same key and period as line {first_line[i]}"
        ),
    )


def _dataset_name(path: Path, values: pd.Series, given: str | None, column: str) -> str:
    names = {str(v).strip() for v in values.unique()} - {""}
    parsed = set()
    for name in names:
        match = _DATAFLOW.fullmatch(name)
        if match is None:
            raise _fail(path, f"{column} {name!r} does not name a Eurostat dataset")
        parsed.add(match.group(1).lower())
    if len(parsed) > 1:
        raise _fail(
            path,
            f"the file holds several datasets ({', '.join(sorted(parsed))}): "
            "download one dataset per file",
            datasets=sorted(parsed),
        )
    if given is not None:
        wanted = given.strip().lower()
        if parsed and parsed != {wanted}:
            raise _fail(
                path,
                f"the file holds dataset {parsed.pop()!r}, not {wanted!r}",
                expected=wanted,
            )
        return wanted
    if not parsed:
        raise _fail(path, f"no dataset named in {column}: pass dataset= to read_eurostat")
    return parsed.pop()


def _finish(
    *,
    dataset: str,
    layout: str,
    dimensions: tuple[str, ...],
    labels_only: bool,
    columns: dict[str, pd.Series | npt.NDArray[np.generic]],
    rejects: _Rejects,
    path: Path,
) -> EurostatTable:
    keep = ~rejects.bad
    frame = pd.DataFrame(columns)
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
    frame["line"] = frame["line"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    frame = frame[_ordered_columns(dimensions, frame.columns)]
    rejected = rejects.sorted()
    if frame.empty and rejected:
        first = "; ".join(f"line {line}: {reason}" for line, reason in rejected[:3])
        raise _fail(
            path,
            f"no observation could be read ({len(rejected)} rejected; {first}): "
            "check that the rows match the header",
            rejected=len(rejected),
        )
    return EurostatTable(
        dataset=dataset,
        layout=layout,
        dimensions=dimensions,
        labels_only=labels_only,
        frame=frame,
        rejected=rejected,
    )


# --- SDMX-CSV --------------------------------------------------------------------------


@dataclass(frozen=True)
class _SdmxColumns:
    dataset: int
    dimensions: tuple[tuple[str, int, int | None], ...]  # id, code column, label column
    time: int
    value: int
    flag: int | None


def _sdmx_columns(path: Path, header: list[str], layout: str) -> _SdmxColumns:
    names = [h.strip() for h in header]
    if layout == LAYOUT_SDMX_CSV_2:
        with_labels = "STRUCTURE_NAME" in names[:4]
        start = 2 + with_labels
        dataset = 1
    else:
        with_labels = False
        start = 1
        dataset = 0
    while start < len(names) and names[start].upper() in {"LAST UPDATE", "ACTION"}:
        start += 1
    step = 2 if with_labels else 1
    ids = names[start::step]
    if with_labels and len(names[start:]) % 2:
        raise _fail(
            path,
            "a codes-and-labels SDMX-CSV file needs a label column after every code column; "
            f"the header has an odd number of columns after {names[start - 1]!r}",
        )
    missing = [c for c in (TIME_PERIOD, OBS_VALUE) if c not in ids]
    if missing:
        raise _fail(
            path,
            f"no {' or '.join(missing)} column in the header; Eurostat SDMX-CSV files have "
            f"TIME_PERIOD and OBS_VALUE (header: {','.join(names)})",
            missing=missing,
        )
    seen: set[str] = set()
    dims: list[tuple[str, int, int | None]] = []
    value_at = ids.index(OBS_VALUE)
    for k, name in enumerate(ids[:value_at]):
        if not name:
            raise _fail(path, f"column {start + k * step + 1} of the header has no name")
        if name in seen:
            raise _fail(path, f"column {name!r} appears twice in the header")
        seen.add(name)
        if name == TIME_PERIOD:
            continue
        col = start + k * step
        dims.append((name, col, col + 1 if with_labels else None))
    if ids.index(TIME_PERIOD) > value_at:
        raise _fail(path, "TIME_PERIOD comes after OBS_VALUE in the header: not SDMX-CSV")
    flag = start + ids.index(OBS_FLAG) * step if OBS_FLAG in ids else None
    return _SdmxColumns(
        dataset=dataset,
        dimensions=tuple(dims),
        time=start + ids.index(TIME_PERIOD) * step,
        value=start + value_at * step,
        flag=flag,
    )


def _looks_coded(values: pd.Series) -> bool:
    """Whether every non-empty cell is a code (``THS_PER``, ``Y15-64``), not a label."""
    return all(_CODE.fullmatch(str(v)) for v in values.unique() if str(v))


def _read_sdmx_csv(path: Path, raw: bytes, layout: str, given: str | None) -> EurostatTable:
    header = next(csv.reader([_first_line(raw)]))
    spec = _sdmx_columns(path, header, layout)
    cells, records = _read_cells(path, raw, ",", quoted=True)
    lines = records.lines
    rejects = _Rejects(lines)
    _field_counts(rejects, records.fields, records.header_fields)
    dataset = _dataset_name(
        path, cells.loc[~rejects.bad, spec.dataset], given, header[spec.dataset]
    )

    columns: dict[str, pd.Series | npt.NDArray[np.generic]] = {}
    key_codes: list[IntArray] = []
    dimensions = tuple(dim for dim, _, _ in spec.dimensions)
    for dim, col, label_col in spec.dimensions:
        values, codes = _strip(cells[col])
        columns[dim] = values
        key_codes.append(codes)
        if label_col is not None:
            columns[_label_column(dim)] = _strip(cells[label_col])[0]
        rejects.add(values == "", _always(f"{dim} is empty"))
    time, time_codes = _strip(cells[spec.time])
    key_codes.append(time_codes)
    rejects.add(time == "", _always("TIME_PERIOD is empty"))
    raw_values = cells[spec.value]
    value, bad_value = _parse_numbers(raw_values)
    rejects.add(bad_value, lambda i: f"OBS_VALUE {raw_values.iat[i]!r} is not a number")
    if spec.flag is not None:
        raw_flags = cells[spec.flag]
        flags, bad_flags = _clean_flags(raw_flags)
        rejects.add(bad_flags, lambda i: f"OBS_FLAG {raw_flags.iat[i]!r} is not flag letters")
    else:
        flags = pd.Series("", index=cells.index, dtype="str")
    _duplicates(rejects, key_codes)

    live = ~rejects.bad
    labels_only = layout == LAYOUT_SDMX_CSV_1 and not all(
        _looks_coded(pd.Series(columns[dim])[live]) for dim in dimensions
    )
    columns.update(time=time, value=value, flags=flags, line=lines)
    return _finish(
        dataset=dataset,
        layout=layout,
        dimensions=dimensions,
        labels_only=labels_only,
        columns=columns,
        rejects=rejects,
        path=path,
    )


# --- Eurostat TSV ----------------------------------------------------------------------


def _read_tsv(path: Path, raw: bytes, given: str | None) -> EurostatTable:
    header = [h.strip() for h in _first_line(raw).split("\t")]
    keys_part, _, column_dim = header[0].partition("\\")
    key_dims = [k.strip() for k in keys_part.split(",")]
    column_dim = column_dim.strip()
    if not column_dim or not all(key_dims):
        raise _fail(path, f"the first header cell {header[0]!r} is not 'dim,dim,...\\dim'")
    if len({*key_dims, column_dim}) != len(key_dims) + 1:
        raise _fail(path, f"a dimension is named twice in {header[0]!r}")
    time_in_columns = column_dim.lower() in _TIME_NAMES
    time_keys = [k for k in key_dims if k.lower() in _TIME_NAMES]
    if time_in_columns == bool(time_keys) or len(time_keys) > 1:
        raise _fail(
            path,
            f"cannot find the one time dimension in {header[0]!r}: Eurostat TSV headers are "
            "'freq,...,geo\\TIME_PERIOD' or '...,time\\geo'",
        )
    column_values = header[1:]
    if not column_values:
        raise _fail(path, "the header has no value columns")
    if "" in column_values:
        raise _fail(path, f"column {column_values.index('') + 2} of the header has no name")
    if len(set(column_values)) != len(column_values):
        raise _fail(path, f"a {column_dim} column appears twice in the header")
    dataset = given.strip().lower() if given else _tsv_dataset(path)

    cells, records = _read_cells(path, raw, "\t", quoted=False)
    rows = _Rejects(records.lines)
    _field_counts(rows, records.fields, records.header_fields)
    keys = cells[0]
    parts = (keys.str.count(",") + 1).to_numpy(dtype=np.int64)
    rows.add(
        parts != len(key_dims),
        lambda i: f"the key {keys.iat[i]!r} has {parts[i]} parts, the header names {len(key_dims)}",
    )
    split = keys.str.split(",", n=len(key_dims) - 1, expand=True).reindex(
        columns=range(len(key_dims)), fill_value=""
    )
    key_values: dict[str, pd.Series] = {}
    key_codes: dict[str, IntArray] = {}
    for k, dim in enumerate(key_dims):
        values, codes = _strip(split[k].fillna("").astype("str"))
        key_values[dim], key_codes[dim] = values, codes
        rows.add(values == "", _always(f"{dim} is empty in the key"))

    # one cell per kept row and column, in file order
    good_rows = np.flatnonzero(~rows.bad)
    n_cols = len(column_values)
    block = cells.iloc[good_rows, 1 : 1 + n_cols].to_numpy(dtype=object)
    flat = pd.Series(block.ravel(), dtype="str")
    row_of_cell = np.repeat(good_rows, n_cols)
    col_of_cell = np.tile(np.arange(n_cols, dtype=np.int64), len(good_rows))
    lines = records.lines[row_of_cell]
    column_labels = pd.Series(np.asarray(column_values, dtype=object)[col_of_cell], dtype="str")

    columns: dict[str, pd.Series | npt.NDArray[np.generic]] = {}
    cell_codes: dict[str, IntArray] = {}
    for dim in key_dims:
        columns[dim] = pd.Series(key_values[dim].to_numpy(dtype=object)[row_of_cell], dtype="str")
        cell_codes[dim] = key_codes[dim][row_of_cell]
    time_name = column_dim if time_in_columns else time_keys[0]
    columns[column_dim] = column_labels
    cell_codes[column_dim] = col_of_cell
    time = columns.pop(time_name)
    dimensions = tuple(d for d in [*key_dims, column_dim] if d != time_name)

    rejects = _Rejects(lines)
    value, flags, bad = _split_cells(flat)
    rejects.add(
        bad,
        lambda i: (
            f"{column_dim} {column_values[col_of_cell[i]]!r}: "
            f"{flat.iat[i]!r} is not a value with optional flags"
        ),
    )
    _duplicates(
        rejects,
        [cell_codes[d] for d in [*dimensions, time_name]],
        lambda i: f"{column_dim} {column_values[col_of_cell[i]]!r}: ",
    )
    rejects.items.extend(rows.items)
    columns.update(time=time, value=value, flags=flags, line=lines)
    return _finish(
        dataset=dataset,
        layout=LAYOUT_TSV,
        dimensions=dimensions,
        labels_only=False,
        columns=columns,
        rejects=rejects,
        path=path,
    )


def _tsv_dataset(path: Path) -> str:
    match = _TSV_STEM.fullmatch(path.name)
    return (match.group(1) if match else path.stem).lower()


# --- entry point -----------------------------------------------------------------------


def read_eurostat(path: Path, *, dataset: str | None = None) -> EurostatTable:
    """Read a Eurostat SDMX-CSV (1.0 or 2.0) or bulk TSV file (optionally gzipped).

    ``dataset`` names the dataset when the file does not (a TSV file is named after
    its file, ``estat_`` prefix and ``.tsv.gz`` suffix left out); for SDMX-CSV it must
    agree with the file's DATAFLOW / STRUCTURE_ID.

    Raises :class:`~registry.errors.SourceDataError` for a file that cannot be read as
    a whole; single bad rows and cells are listed in ``rejected``.
    """
    path = Path(path)
    raw = _read_bytes(path)
    first = _first_line(raw)
    if "\t" in first and "\\" in first.split("\t", 1)[0]:
        return _read_tsv(path, raw, dataset)
    head = next(csv.reader([first]), [])
    leading = head[0].strip().upper() if head else ""
    if leading == "STRUCTURE" and len(head) > 1 and head[1].strip() == "STRUCTURE_ID":
        return _read_sdmx_csv(path, raw, LAYOUT_SDMX_CSV_2, dataset)
    if leading == "DATAFLOW":
        return _read_sdmx_csv(path, raw, LAYOUT_SDMX_CSV_1, dataset)
    raise _fail(
        path,
        f"unknown layout (header starts {first[:80]!r}): expected Eurostat SDMX-CSV "
        "(STRUCTURE,STRUCTURE_ID,... or DATAFLOW,...) or bulk TSV ('dim,...\\dim' then tabs)",
    )
