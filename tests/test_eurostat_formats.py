"""Readers for Eurostat's tabular formats: SDMX-CSV 1.0 and 2.0, and the bulk TSV.

The real downloads in the shared source-data folder (read through ``source_data``) give
the values to check; the small files in tests/data/eurostat give the layouts the shared
folder lacks and the rows the reader must reject.
"""

from __future__ import annotations

import gzip
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from registry.errors import SourceDataError
from registry.importers.eurostat import (
    LABEL_CODES,
    LAYOUT_SDMX_CSV_1,
    LAYOUT_SDMX_CSV_2,
    LAYOUT_TSV,
    EurostatTable,
    read_eurostat,
    split_value_flag,
    to_codes,
    unknown_labels,
)

FIXTURES = Path(__file__).parent / "data" / "eurostat"
URB = "eurostat_urb_cpopcb_cpop1_linear"
NATIONAL = "eurostat_national_by_citizenship_sdmxcsv"
TSV = "eurostat_tsv_cbirth_degurb_samples"
LABELS_ONLY_FILES = (
    "employment_by_citizenship.csv",
    "mean_and_median_income_by_citizenship.csv",
    "proportion_of_population_by_sex_and_country_of_birth.csv",
)
COVERED = ("freq", "unit", "sex", "age", "citizen", "c_birth", "indic_il", "geo")
LEFT_OUT = {"c_birth": {"Non-EU27 countries (from 2020) nor EFTA countries"}}
"""Labels deliberately not in LABEL_CODES: their code could not be confirmed."""

needs_source_data = pytest.mark.needs_source_data


def cell(table: EurostatTable, **key: str) -> pd.Series:
    """The one row of ``table.frame`` with these column values."""
    frame = table.frame
    mask = np.ones(len(frame), dtype=bool)
    for column, value in key.items():
        mask &= (frame[column] == value).to_numpy(dtype=bool)
    rows = frame[mask]
    assert len(rows) == 1, f"{len(rows)} rows for {key}"
    return rows.iloc[0]


def check_frame_types(table: EurostatTable) -> None:
    frame = table.frame
    assert list(frame.columns[: len(table.dimensions)]) == list(table.dimensions)
    assert list(frame.columns[-4:]) == ["time", "value", "flags", "line"]
    assert frame["value"].dtype == np.float64
    assert frame["line"].dtype == np.int64
    assert not frame["flags"].isna().any()
    assert frame["flags"].str.fullmatch(r"[A-Za-z]*").all()
    assert (frame["time"] == frame["time"].str.strip()).all()
    assert frame["line"].is_monotonic_increasing
    assert frame.index.equals(pd.RangeIndex(len(frame)))


# --- real downloads: SDMX-CSV 2.0 --------------------------------------------------------


@needs_source_data
def test_urb_cpopcb_linear(source_data: Path) -> None:
    table = read_eurostat(source_data / URB / "urb_cpopcb_page_linear_2_0.csv")
    assert table.dataset == "urb_cpopcb"
    assert table.layout == LAYOUT_SDMX_CSV_2
    assert table.dimensions == ("freq", "indic_ur", "cities")
    assert not table.labels_only
    assert table.rejected == ()
    assert len(table.frame) == 4245
    check_frame_types(table)
    helsinki = cell(table, cities="FI001C", time="2024")
    assert helsinki["value"] == 118128.0
    assert helsinki["cities__label"] == "Helsinki/Helsingfors"
    assert helsinki["indic_ur__label"] == "Foreign-born"
    assert cell(table, cities="BE003C", time="2015")["value"] == 50172.0
    flags = table.frame["flags"].value_counts().to_dict()
    assert flags == {"": 4245 - 503 - 331, "e": 503, "b": 331}
    assert helsinki["line"] >= 2


@needs_source_data
def test_urb_cpop1_linear(source_data: Path) -> None:
    table = read_eurostat(source_data / URB / "urb_cpop1_page_linear_2_0.csv")
    assert table.dataset == "urb_cpop1"
    assert table.dimensions == ("freq", "indic_ur", "cities")
    assert table.rejected == ()
    assert len(table.frame) == 6370
    check_frame_types(table)
    assert cell(table, cities="FI001C", time="2024")["value"] == 674500
    assert cell(table, cities="FI001C", time="2018")["value"] == 643272
    assert cell(table, cities="NL001C", time="2020")["cities__label"] == (
        "Amsterdam (greater city)"
    )
    flags = table.frame["flags"].value_counts().to_dict()
    assert {k: v for k, v in flags.items() if k} == {"b": 424, "d": 319, "e": 257}
    # the first data row, as the file has it
    first = table.frame.iloc[0]
    assert (first["cities"], first["time"], first["value"], first["line"]) == (
        "BE",
        "2015",
        11258434.0,
        2,
    )


@needs_source_data
def test_edat_lfs_9911_codes_and_labels(source_data: Path) -> None:
    path = source_data / NATIONAL / "population_by_educational_attainment_level_and_citizenship.csv"
    table = read_eurostat(path)
    assert table.dataset == "edat_lfs_9911"
    assert table.layout == LAYOUT_SDMX_CSV_2
    assert table.dimensions == ("freq", "unit", "sex", "isced11", "citizen", "age", "geo")
    assert not table.labels_only
    assert table.rejected == ()
    assert len(table.frame) == 1023
    check_frame_types(table)
    austria = cell(table, citizen="FOR", isced11="ED0-2", geo="AT", time="2014")
    assert austria["value"] == 29.6
    assert austria["flags"] == "b"
    assert austria["geo__label"] == "Austria"
    assert set(table.frame["flags"]) == {"", "b", "u", "bu"}
    # a translation of a codes table changes nothing
    assert to_codes(table) is table
    assert unknown_labels(table) == {}


# --- real downloads: SDMX-CSV 1.0 with labels only ----------------------------------------


@needs_source_data
def test_lfsa_egan_labels_translate_to_codes(source_data: Path) -> None:
    table = read_eurostat(source_data / NATIONAL / "employment_by_citizenship.csv")
    assert table.dataset == "lfsa_egan"
    assert table.layout == LAYOUT_SDMX_CSV_1
    assert table.dimensions == ("freq", "unit", "sex", "age", "citizen", "geo")
    assert table.labels_only
    assert table.rejected == ()
    assert len(table.frame) == 6116
    check_frame_types(table)
    assert unknown_labels(table) == {}
    first = table.frame.iloc[0]
    assert (first["geo"], first["citizen"], first["time"], first["value"]) == (
        "Austria",
        "EU27 countries (from 2020) except reporting country",
        "2014",
        149.5,
    )
    assert set(table.frame["flags"]) == {"", "u", "b", "bu", "d", "bd", "bdu"}

    coded = to_codes(table)
    assert not coded.labels_only
    assert unknown_labels(coded) == {}
    assert coded.dimensions == table.dimensions
    assert coded.rejected == table.rejected
    check_frame_types(coded)
    row = coded.frame.iloc[0]
    assert (row["freq"], row["unit"], row["sex"], row["age"], row["citizen"], row["geo"]) == (
        "A",
        "THS_PER",
        "F",
        "Y15-64",
        "EU27_2020_FOR",
        "AT",
    )
    assert row["geo__label"] == "Austria"
    assert set(coded.frame["citizen"]) == {
        "TOTAL",
        "NAT",
        "FOR",
        "EU27_2020_FOR",
        "NEU27_2020_FOR",
        "STLS",
        "NRP",
    }
    assert set(coded.frame["sex"]) == {"F", "M", "T"}
    # the values do not move
    pd.testing.assert_series_equal(coded.frame["value"], table.frame["value"])
    # the original table is left as it was
    assert table.labels_only
    assert table.frame.iloc[0]["geo"] == "Austria"
    # translating twice gives the same table
    assert to_codes(coded) is coded


@needs_source_data
def test_ilc_di15_dataset_from_default_view(source_data: Path) -> None:
    table = read_eurostat(source_data / NATIONAL / "mean_and_median_income_by_citizenship.csv")
    assert table.dataset == "ilc_di15"  # "ESTAT:ILC_DI15$DEFAULTVIEW(1.0)"
    assert table.dimensions == ("freq", "unit", "indic_il", "citizen", "sex", "age", "geo")
    assert table.labels_only
    assert unknown_labels(table) == {}
    coded = to_codes(table)
    first = coded.frame.iloc[0]
    assert (first["indic_il"], first["unit"], first["age"], first["geo"]) == (
        "MED_E",
        "EUR",
        "Y_GE18",
        "AL",
    )
    # an empty OBS_VALUE is a missing value; its flag is kept
    assert math.isnan(first["value"])
    assert first["flags"] == "u"
    assert set(coded.frame["citizen"]) == {
        "NAT",
        "FOR",
        "EU27_2020_FOR",
        "NEU27_2020_FOR",
        "EU28_FOR",
        "NEU28_FOR",
    }
    aggregates = {"EU", "EU27_2020", "EU28", "EU27_2007", "EA", "EA18", "EA19", "EA20"}
    assert aggregates <= set(coded.frame["geo"])
    assert {"EL", "TR", "XK", "MK"} <= set(coded.frame["geo"])


@needs_source_data
def test_demo_poppcctb_reports_the_label_left_out(source_data: Path) -> None:
    path = source_data / NATIONAL / "proportion_of_population_by_sex_and_country_of_birth.csv"
    table = read_eurostat(path)
    assert table.dataset == "demo_poppcctb"
    assert table.dimensions == ("freq", "c_birth", "age", "unit", "sex", "geo")
    assert set(table.frame["flags"]) == {"", "e", "ep", "p", "b", "bep", "bp"}
    assert unknown_labels(table) == LEFT_OUT
    coded = to_codes(table)
    # one label is still a label, so the table is not all codes yet
    assert coded.labels_only
    assert unknown_labels(coded) == LEFT_OUT
    assert set(coded.frame["c_birth"]) == {
        "EU27_2020_FOR",
        "EFTA_FOR",
        "FOR",
        "NEU27_2020_FOR",
        "NAT",
        *LEFT_OUT["c_birth"],
    }
    assert cell(coded, c_birth="EFTA_FOR", sex="F", geo="AT", time="2022")["value"] == 53.5


@needs_source_data
def test_every_label_of_the_labels_only_files_is_known(source_data: Path) -> None:
    """LABEL_CODES covers every label in the covered dimensions but those left out."""
    for name in LABELS_ONLY_FILES:
        table = read_eurostat(source_data / NATIONAL / name)
        assert table.labels_only, name
        assert set(table.dimensions) <= set(COVERED), name
        expected = {dim: labels for dim, labels in LEFT_OUT.items() if dim in table.dimensions}
        assert unknown_labels(table) == expected, name


@needs_source_data
def test_label_codes_agree_with_the_files_that_give_both(source_data: Path) -> None:
    """Every (code, label) pair in the codes-and-labels files matches LABEL_CODES."""
    files = [
        source_data / NATIONAL / "population_by_educational_attainment_level_and_citizenship.csv",
        source_data / URB / "urb_cpopcb_page_linear_2_0.csv",
        source_data / URB / "urb_cpop1_page_linear_2_0.csv",
    ]
    checked: set[tuple[str, str, str]] = set()
    for path in files:
        table = read_eurostat(path)
        for dim in table.dimensions:
            # the national totals among the Urban Audit cities carry geo codes
            known = LABEL_CODES.get("geo" if dim == "cities" else dim, {})
            pairs = table.frame[[dim, f"{dim}__label"]].drop_duplicates()
            for code, label in pairs.itertuples(index=False):
                if dim == "cities" and len(code) != 2:
                    continue
                assert known.get(label) == code, (path.name, dim, code, label)
                checked.add((dim, code, label))
    assert {d for d, _, _ in checked} >= {"freq", "unit", "sex", "citizen", "age", "geo"}
    assert len(checked) > 40


def test_label_codes_shape() -> None:
    assert set(COVERED) <= set(LABEL_CODES)
    for dim, labels in LABEL_CODES.items():
        for label, code in labels.items():
            assert label == label.strip() and label, (dim, label)
            assert code == code.strip().upper() and code, (dim, code)
    required = {
        ("citizen", "Foreign country"): "FOR",
        ("citizen", "Reporting country"): "NAT",
        ("citizen", "Total"): "TOTAL",
        ("citizen", "EU27 countries (from 2020) except reporting country"): "EU27_2020_FOR",
        ("citizen", "Non-EU27 countries (from 2020) nor reporting country"): "NEU27_2020_FOR",
        ("citizen", "Stateless"): "STLS",
        ("citizen", "No response"): "NRP",
        ("sex", "Females"): "F",
        ("sex", "Males"): "M",
        ("sex", "Total"): "T",
        ("age", "From 15 to 64 years"): "Y15-64",
        ("age", "18 years or over"): "Y_GE18",
        ("unit", "Thousand persons"): "THS_PER",
        ("unit", "Percentage"): "PC",
        ("unit", "Euro"): "EUR",
        ("freq", "Annual"): "A",
        ("geo", "Greece"): "EL",
        ("geo", "Türkiye"): "TR",
        ("geo", "European Union - 27 countries (from 2020)"): "EU27_2020",
        ("geo", "Euro area – 20 countries (from 2023)"): "EA20",
    }
    for (dim, label), code in required.items():
        assert LABEL_CODES[dim][label] == code
    with pytest.raises(TypeError):
        LABEL_CODES["sex"]["Other"] = "X"  # type: ignore[index]


# --- real downloads: bulk TSV -------------------------------------------------------------


@needs_source_data
def test_tsv_hlth_ehis_bm1b(source_data: Path) -> None:
    path = source_data / TSV / "hlth_ehis_bm1b.tsv"
    table = read_eurostat(path)
    assert table.dataset == "hlth_ehis_bm1b"
    assert table.layout == LAYOUT_TSV
    assert table.dimensions == ("unit", "bmi", "sex", "age", "c_birth", "geo")
    assert not table.labels_only
    assert table.rejected == ()
    check_frame_types(table)

    text = path.read_text(encoding="utf-8")
    assert not text.endswith("\n")
    lines = text.split("\n")
    geo_columns = [g.strip() for g in lines[0].split("\t")[1:]]
    assert len(geo_columns) == 33
    assert len(table.frame) == (len(lines) - 1) * len(geo_columns) == 21 * 33
    assert list(table.frame["geo"].unique()) == geo_columns  # stripped, in file order
    assert set(table.frame["c_birth"]) == {"EU28_FOR", "FOR", "NAT", "NEU28_FOR"}
    assert set(table.frame["time"]) == {"2014"}

    key = {"bmi": "BMI18P5-24", "sex": "F", "age": "TOTAL", "c_birth": "EU28_FOR"}
    first = {geo: cell(table, **key, geo=geo) for geo in ("EU27_2020", "BG", "IE", "RO", "TR")}
    assert (first["EU27_2020"]["value"], first["EU27_2020"]["flags"]) == (55.5, "")
    assert math.isnan(first["BG"]["value"])  # ": u"
    assert first["BG"]["flags"] == "u"
    assert (first["IE"]["value"], first["IE"]["flags"]) == (48.9, "u")  # "48.9 u"
    assert (first["RO"]["value"], first["RO"]["flags"]) == (0.0, "")  # "0 "
    assert first["TR"]["value"] == 42.2  # the last cell of the line
    assert {int(row["line"]) for row in first.values()} == {2}
    assert int(table.frame["line"].max()) == 22


@needs_source_data
def test_tsv_hlth_ehis_bm1u(source_data: Path) -> None:
    table = read_eurostat(source_data / TSV / "hlth_ehis_bm1u.tsv")
    assert table.dataset == "hlth_ehis_bm1u"
    assert table.dimensions == ("bmi", "deg_urb", "sex", "age", "unit", "geo")
    assert table.rejected == ()
    assert len(table.frame) == 21 * 33
    assert set(table.frame["deg_urb"]) == {"DEG1", "DEG2", "DEG3", "TOTAL"}
    row = cell(table, bmi="BMI18P5-24", deg_urb="DEG1", age="Y15-19", geo="EU27_2020")
    assert math.isnan(row["value"])  # ": " (a missing value with a space and no flag)
    assert row["flags"] == ""
    assert cell(table, bmi="BMI18P5-24", deg_urb="DEG1", age="Y15-19", geo="BG")["flags"] == "u"


# --- small files: layouts the shared folder lacks ------------------------------------------


def test_sdmx_csv_1_with_codes() -> None:
    table = read_eurostat(FIXTURES / "sdmx1_codes.csv")
    assert table.dataset == "lfsa_egan"
    assert table.layout == LAYOUT_SDMX_CSV_1
    assert table.dimensions == ("freq", "unit", "sex", "age", "citizen", "geo")
    assert not table.labels_only
    assert table.rejected == ()
    check_frame_types(table)
    frame = table.frame
    assert list(frame["line"]) == [2, 3, 4, 5, 6]
    assert list(frame["flags"]) == ["", "b", "u", "bu", "bdu"]  # " b " loses its spaces
    assert frame["value"].iloc[0] == 301.2
    assert math.isnan(frame["value"].iloc[2])  # empty
    assert math.isnan(frame["value"].iloc[3])  # ":"
    assert frame["value"].iloc[4] == 0.0
    assert set(frame["citizen"]) == {"FOR", "NEU27_2020_FOR", "EU27_2020_FOR"}
    assert not any(c.endswith("__label") for c in frame.columns)
    assert to_codes(table) is table
    assert unknown_labels(table) == {}


def test_tsv_with_periods_in_columns() -> None:
    table = read_eurostat(FIXTURES / "estat_demo_tsv_periods.tsv")
    assert table.dataset == "demo_tsv_periods"  # the "estat_" prefix is not the name
    assert table.layout == LAYOUT_TSV
    assert table.dimensions == ("freq", "unit", "sex", "age", "c_birth", "geo")
    assert table.rejected == ()
    check_frame_types(table)
    frame = table.frame
    assert len(frame) == 3 * 3
    assert list(frame["time"].unique()) == ["2015", "2016", "2017"]
    got = {
        (geo, period): (value, flags)
        for geo, period, value, flags in frame[["geo", "time", "value", "flags"]].itertuples(
            index=False
        )
    }
    assert got[("AT", "2015")] == (16.2, "")
    assert got[("AT", "2016")] == (17.0, "b")
    assert math.isnan(got[("AT", "2017")][0])
    assert got[("EL", "2016")] == (7.1, "bu")
    assert got[("EL", "2017")] == (6.9, "bep")
    assert math.isnan(got[("EL", "2015")][0]) and got[("EL", "2015")][1] == "u"
    assert got[("FI", "2015")] == (0.0, "")
    assert math.isnan(got[("FI", "2016")][0]) and got[("FI", "2016")][1] == "c"
    assert got[("FI", "2017")] == (4.5, "p")
    assert list(frame["line"]) == [2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_gzipped_tsv_and_dataset_given(tmp_path: Path) -> None:
    data = (FIXTURES / "estat_demo_tsv_periods.tsv").read_bytes()
    path = tmp_path / "estat_lfsa_demo.tsv.gz"
    path.write_bytes(gzip.compress(data))
    table = read_eurostat(path)
    assert table.dataset == "lfsa_demo"
    assert len(table.frame) == 9
    assert read_eurostat(path, dataset="MIGR_DEMO").dataset == "migr_demo"


def test_dataset_given_must_agree_with_sdmx_csv() -> None:
    assert read_eurostat(FIXTURES / "sdmx1_codes.csv", dataset="LFSA_EGAN").dataset == "lfsa_egan"
    with pytest.raises(SourceDataError, match="holds dataset 'lfsa_egan', not 'urb_cpop1'"):
        read_eurostat(FIXTURES / "sdmx1_codes.csv", dataset="urb_cpop1")


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "sdmx1_codes.csv").read_bytes())
    table = read_eurostat(path)
    assert table.layout == LAYOUT_SDMX_CSV_1
    assert len(table.frame) == 5


# --- rejected rows and cells ---------------------------------------------------------------


def test_bad_rows_in_sdmx_csv_are_rejected_with_their_lines() -> None:
    table = read_eurostat(FIXTURES / "bad_rows.csv")
    assert table.dataset == "test_ds"
    assert table.dimensions == ("freq", "geo")
    # line 6-7 is one row whose label spans two lines; line 5 is blank
    assert list(table.frame["line"]) == [2, 6, 12]
    assert list(table.frame["geo"]) == ["AT", "BE", "EL"]
    assert list(table.frame["flags"]) == ["", "b", "e"]
    assert list(table.frame["value"]) == [1.5, 3.0, 6.0]
    assert table.rejected == (
        (3, "OBS_VALUE '1,5' is not a number"),
        (4, "expected 13 fields, found 14"),
        (8, "expected 13 fields, found 6"),
        (9, "TIME_PERIOD is empty"),
        (10, "duplicate observation: same key and period as line 2"),
        (11, "OBS_FLAG 'b2' is not flag letters"),
        (13, "geo is empty"),
    )


def test_bad_rows_and_cells_in_tsv_are_rejected_with_their_lines() -> None:
    table = read_eurostat(FIXTURES / "bad_rows.tsv")
    assert table.dimensions == ("unit", "sex", "geo")
    got = [
        (line, geo, period, value, flags)
        for geo, period, value, flags, line in table.frame[
            ["geo", "time", "value", "flags", "line"]
        ].itertuples(index=False)
    ]
    assert got[:2] == [(2, "AT", "2020", 1.5, ""), (2, "BE", "2020", 2.5, "u")]
    assert got[2][:3] == (3, "BE", "2021") and math.isnan(got[2][3])
    assert got[3] == (8, "BE", "2022", 6.0, "e")
    assert table.rejected == (
        (3, "geo 'AT': '1,5 ' is not a value with optional flags"),
        (4, "the key 'PC,2022' has 2 parts, the header names 3"),
        (5, "expected 3 fields, found 2"),
        (6, "expected 3 fields, found 4"),
        (7, "geo 'AT': duplicate observation: same key and period as line 2"),
        (7, "geo 'BE': duplicate observation: same key and period as line 2"),
        (8, "geo 'AT': 'u ' is not a value with optional flags"),
    )


def test_quote_inside_a_cell_and_whitespace_lines(tmp_path: Path) -> None:
    """A quote in the middle of a cell is text (as pandas and csv read it); lines of
    spaces are blank."""
    path = tmp_path / "quotes.csv"
    path.write_text(
        "DATAFLOW,freq,geo,TIME_PERIOD,OBS_VALUE\n"
        "  \n"
        'ESTAT:X(1.0),A,A"T,2020,1\n'
        "\t\n"
        'ESTAT:X(1.0),A"x,B"E,2020,2\n'
        "ESTAT:X(1.0),A,EL,2020,3",
        encoding="utf-8",
    )
    table = read_eurostat(path)
    assert table.rejected == ()
    assert list(table.frame["geo"]) == ['A"T', 'B"E', "EL"]
    assert list(table.frame["freq"]) == ["A", 'A"x', "A"]
    assert list(table.frame["line"]) == [3, 5, 6]


# --- files that cannot be read -------------------------------------------------------------


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"  \r\n\n", "the file is empty"),
        (
            "latin1.csv",
            b"DATAFLOW,freq,geo,TIME_PERIOD,OBS_VALUE\nESTAT:X(1.0),A,\xd6sterreich,2020,1\n",
            r"not UTF-8 text \(byte 0xd6 on line 2\)",
        ),
        ("plain.csv", b"a,b,c\n1,2,3\n", "unknown layout"),
        (
            "novalue.csv",
            b"DATAFLOW,freq,geo,TIME_PERIOD,VALUE\nESTAT:X(1.0),A,AT,2020,1\n",
            "no OBS_VALUE column",
        ),
        (
            "notime.csv",
            b"STRUCTURE,STRUCTURE_ID,freq,geo,OBS_VALUE\ndataflow,ESTAT:X(1.0),A,AT,1\n",
            "no TIME_PERIOD column",
        ),
        (
            "oddlabels.csv",
            b"STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,TIME_PERIOD,Time,"
            b"OBS_VALUE\ndataflow,ESTAT:X(1.0),X,A,Annual,2020,,1\n",
            "label column after every code column",
        ),
        (
            "twice.csv",
            b"DATAFLOW,geo,geo,TIME_PERIOD,OBS_VALUE\nESTAT:X(1.0),AT,AT,2020,1\n",
            "'geo' appears twice",
        ),
        (
            "two.csv",
            b"DATAFLOW,geo,TIME_PERIOD,OBS_VALUE\nESTAT:X(1.0),AT,2020,1\nESTAT:Y(1.0),AT,2020,1\n",
            r"several datasets \(x, y\)",
        ),
        (
            "open.csv",
            b'DATAFLOW,geo,TIME_PERIOD,OBS_VALUE\nESTAT:X(1.0),AT,2020,"1\n',
            "never closed",
        ),
        (
            "allbad.csv",
            b"DATAFLOW,geo,TIME_PERIOD,OBS_VALUE\nESTAT:X(1.0),AT,2020,x\nESTAT:X(1.0),BE,2020,y\n",
            r"no observation could be read \(2 rejected; line 2: OBS_VALUE 'x' is not a number",
        ),
        ("notime.tsv", b"unit,geo\\sex\tF \tM \nPC,AT\t1 \t2 ", "the one time dimension"),
        ("twotimes.tsv", b"time,geo\\TIME_PERIOD\t2020 \n2020,AT\t1 ", "the one time dimension"),
        ("nocolumns.tsv", b"unit,time\\geo\t\nPC,2020\t1", "no name"),
        ("geotwice.tsv", b"unit,time\\geo\tAT \tAT \nPC,2020\t1 \t2 ", "appears twice"),
        ("nodataset.csv", b"DATAFLOW,geo,TIME_PERIOD,OBS_VALUE\n", "pass dataset="),
        ("bad.gz", b"not gzip", "not a readable gzip file"),
    ],
)
def test_unreadable_files_raise(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(SourceDataError, match=message) as raised:
        read_eurostat(path)
    assert raised.value.code == "source.invalid"
    assert raised.value.details["path"] == str(path)
    assert str(path) in raised.value.message


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match="cannot read the file"):
        read_eurostat(tmp_path / "nowhere.csv")


def test_header_only_files_give_empty_tables(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "header.csv", b"DATAFLOW,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n")
    table = read_eurostat(csv_path, dataset="x")
    assert table.frame.empty and table.rejected == ()
    assert list(table.frame.columns) == ["geo", "time", "value", "flags", "line"]
    tsv_path = write(tmp_path, "x.tsv", b"freq,geo\\TIME_PERIOD\t2020 ")
    table = read_eurostat(tsv_path)
    assert table.frame.empty and table.dimensions == ("freq", "geo")


# --- value and flag cells -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48.9 u", (48.9, "u")),
        (": u", (None, "u")),
        (":", (None, "")),
        (": ", (None, "")),
        (":c", (None, "c")),
        ("0 ", (0.0, "")),
        ("55.5 ", (55.5, "")),
        ("7.1 bu", (7.1, "bu")),
        ("6.9 bep", (6.9, "bep")),
        ("-3.25e2 p", (-325.0, "p")),
        ("1234", (1234.0, "")),
        ("", (None, "")),
    ],
)
def test_split_value_flag(text: str, expected: tuple[float | None, str]) -> None:
    assert split_value_flag(text) == expected


@pytest.mark.parametrize("text", ["4,5", "n/a", "u", "1 2", "12.3 b1", "abc", "1.2.3", ": :"])
def test_split_value_flag_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not a Eurostat value"):
        split_value_flag(text)


# --- a large table --------------------------------------------------------------------------


def synthetic_sdmx_csv(path: Path, rows: int) -> None:
    """An SDMX-CSV 2.0 file with codes and labels in the layout of the urb downloads."""
    years = 10
    index = np.arange(rows)
    cities = np.char.add("XX", np.char.zfill((index // years).astype(str), 5))
    prefix = (
        "dataflow,ESTAT:URB_CPOP1(1.0),Population on 1 January by age groups and sex - "
        'cities and greater cities,A,Annual,DE1001V,"Population on the 1st of January, total",'
    )
    values = (index * 7919 % 1_000_003).astype(str)
    flags = np.array(["", "", "b", "e", "d"])[index % 5]
    body = (
        np.char.add(
            np.char.add(np.char.add(np.char.add(cities, "C,City "), cities), "C,"),
            (2015 + index % years).astype(str),
        ).astype(object)
        + ",,"
        + values.astype(object)
        + ",,"
        + flags.astype(object)
        + ",,,"
    )
    header = (
        "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,indic_ur,"
        "Urban audit indicator,cities,Geopolitical entity (declaring),TIME_PERIOD,Time,"
        "OBS_VALUE,Observation value,OBS_FLAG,Observation status (Flag) V2 structure,"
        "CONF_STATUS,Confidentiality status (flag)"
    )
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\r\n")
        out.write("".join(prefix + line + "\r\n" for line in body))


def test_half_a_million_observations_are_read_quickly(tmp_path: Path) -> None:
    rows = 500_000
    path = tmp_path / "big.csv"
    synthetic_sdmx_csv(path, rows)
    started = time.perf_counter()
    table = read_eurostat(path)
    elapsed = time.perf_counter() - started
    assert len(table.frame) == rows
    assert table.rejected == ()
    assert table.frame["line"].iloc[-1] == rows + 1
    assert table.frame["value"].iloc[1] == 7919.0
    assert table.frame["flags"].value_counts()["b"] == rows // 5
    # a few seconds on a laptop; the bound leaves room for a busy CI machine, and is
    # still far below what a row-by-row reader takes
    assert elapsed < 20, f"{elapsed:.1f} s for {rows} rows"
