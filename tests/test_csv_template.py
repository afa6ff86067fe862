"""The CSV template for indicator definitions: the template, the conversion, the errors."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from registry.errors import InputError
from registry.namespaces import CM, RDF
from registry.submissions import csv_template
from registry.submissions.csv_template import (
    COLUMN_SPECS,
    EXAMPLE_ROW,
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    AllOf,
    AnyOf,
    CriteriaSyntaxError,
    Criterion,
    CsvEmptyError,
    CsvEncodingError,
    CsvSyntaxError,
    CsvTemplateError,
    DuplicateColumnsError,
    DuplicateIdError,
    InvalidDateError,
    InvalidValueError,
    MissingColumnsError,
    MissingValueError,
    Not,
    UnknownCodeError,
    UnknownColumnsError,
    csv_to_graph,
    example_csv,
    parse_criteria,
    template_csv,
)
from registry.vocabularies import CRITERION, CRITERION_VALUE, PARENT_RULE

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "csv"
DOCS = REPO / "docs" / "csv-template.md"
BASE = "https://w3id.org/commensura/id/partner/test/definition/"

E = TypeVar("E", bound=CsvTemplateError)


def _csv(rows: Sequence[Mapping[str, str]], columns: tuple[str, ...] = TEMPLATE_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return out.getvalue()


def _row(**overrides: str) -> dict[str, str]:
    return {**EXAMPLE_ROW, **overrides}


def _expected() -> Graph:
    return Graph().parse(DATA / "definitions.ttl", format="turtle")


# -- the template ------------------------------------------------------------------


def test_the_empty_template_is_the_header_of_the_columns() -> None:
    rows = list(csv.reader(io.StringIO(template_csv())))
    assert rows == [list(TEMPLATE_COLUMNS)]
    assert tuple(spec.name for spec in COLUMN_SPECS) == TEMPLATE_COLUMNS
    assert set(REQUIRED_COLUMNS) <= set(TEMPLATE_COLUMNS)


def test_the_empty_template_converts_to_an_empty_graph() -> None:
    assert len(csv_to_graph(template_csv(), base=BASE)) == 0


def test_the_example_converts_and_is_the_one_the_docs_show() -> None:
    graph = csv_to_graph(example_csv(), base=BASE)
    definition = URIRef(BASE + EXAMPLE_ROW["id"])
    assert (definition, RDF.type, CM.IndicatorDefinition) in graph
    docs = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```csv\n(.*?)```", docs, re.DOTALL)
    assert block is not None, "docs/csv-template.md has no ```csv block"
    assert block.group(1).splitlines() == example_csv().splitlines()


def test_the_docs_describe_every_column_and_every_error_code() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in TEMPLATE_COLUMNS:
        assert f"| `{name}` |" in docs, name
    codes = {cls.code for cls in _error_classes()}
    for code in codes:
        assert f"`{code}`" in docs, code


def test_the_criteria_examples_in_the_docs_parse() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    table = docs.split("| publisher: group | criteria |", 1)[1].split("\n\n", 1)[0]
    examples = re.findall(r"^\|[^|]+\| `([^`]+)`", table, re.MULTILINE)
    assert len(examples) >= 15
    for example in examples:
        assert parse_criteria(example.replace("\\|", "|")), example


# -- a filled-in file --------------------------------------------------------------


def test_a_filled_in_file_converts_to_the_expected_graph() -> None:
    text = (DATA / "definitions.csv").read_text(encoding="utf-8")
    graph = csv_to_graph(text, base=BASE)
    assert isomorphic(graph, _expected())
    assert len(set(graph.subjects(RDF.type, CM.IndicatorDefinition))) == 6


def test_semicolons_a_byte_order_mark_and_crlf_give_the_same_graph() -> None:
    raw = (DATA / "definitions-semicolon.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    assert isomorphic(csv_to_graph(raw, base=BASE), _expected())
    assert isomorphic(csv_to_graph(raw.decode("utf-8"), base=BASE), _expected())


def test_a_byte_order_mark_on_comma_separated_text_is_ignored() -> None:
    text = (DATA / "definitions.csv").read_text(encoding="utf-8")
    assert isomorphic(csv_to_graph("\ufeff" + text, base=BASE), _expected())


def test_the_base_may_lack_its_trailing_slash() -> None:
    text = (DATA / "definitions.csv").read_text(encoding="utf-8")
    assert isomorphic(csv_to_graph(text, base=BASE.rstrip("/")), _expected())


def test_optional_columns_may_be_left_out_and_blank_rows_are_skipped() -> None:
    columns = (*REQUIRED_COLUMNS, "reference_group", "reference_group_label")
    text = _csv([_row()], columns) + ",,,,,,,,\n\n"
    graph = csv_to_graph(text, base=BASE)
    definition = URIRef(BASE + EXAMPLE_ROW["id"])
    assert (definition, CM.measureType, None) in graph
    assert (definition, CM.unit, None) not in graph


def test_header_names_are_read_loosely() -> None:
    header = ",".join(name.upper().replace("_", " ") for name in TEMPLATE_COLUMNS)
    body = _csv([_row()]).split("\n", 1)[1]
    graph = csv_to_graph(f"{header}\n{body}", base=BASE)
    assert isomorphic(graph, csv_to_graph(example_csv(), base=BASE))


# -- criteria ----------------------------------------------------------------------


def test_criteria_joined_by_and_are_separate_conditions() -> None:
    conditions = parse_criteria(
        "ownCountryOfBirth=national AND parentsCountryOfBirth[both]=national"
    )
    assert conditions == (
        Criterion(CRITERION.ownCountryOfBirth, (CRITERION_VALUE.national,)),
        Criterion(CRITERION.parentsCountryOfBirth, (CRITERION_VALUE.national,), PARENT_RULE.both),
    )


def test_or_not_and_brackets_nest() -> None:
    (statbel,) = parse_criteria(
        "currentCitizenship=foreign OR (currentCitizenship=national AND "
        "(firstCitizenship=foreign OR parentsFirstCitizenship[atLeastOne]=foreign))"
    )
    assert isinstance(statbel, AnyOf)
    assert isinstance(statbel.operands[1], AllOf)
    assert isinstance(statbel.operands[1].operands[1], AnyOf)
    (negated,) = parse_criteria("not (currentCitizenship=foreign or ownCountryOfBirth=FOR)")
    assert isinstance(negated, Not)
    assert isinstance(negated.operand, AnyOf)
    flat = parse_criteria(
        "motherTongue=foreignLanguage OR (ownCountryOfBirth=foreign OR currentCitizenship=foreign)"
    )
    assert isinstance(flat[0], AnyOf) and len(flat[0].operands) == 3


def test_several_values_durations_and_ranges() -> None:
    (values,) = parse_criteria("currentCitizenship = nonEu27_2020 | STLS")
    assert values == Criterion(
        CRITERION.currentCitizenship, (CRITERION_VALUE.nonEu27_2020, CRITERION_VALUE.stateless)
    )
    (settled,) = parse_criteria("durationOfStay>=10")
    assert settled.min_years == 10 and settled.max_years is None  # type: ignore[union-attr]
    (middle,) = parse_criteria("5 <= durationOfStay < 10")
    assert (middle.min_years, middle.max_years) == (5, 10)  # type: ignore[union-attr]


def test_nested_combinations_and_durations_in_rdf() -> None:
    row = _row(
        target_group="ownCountryOfBirth=foreign AND (durationOfStay<2.5 OR NOT "
        "(5<=durationOfStay<10 AND currentCitizenship=foreign))"
    )
    graph = csv_to_graph(_csv([row]), base=BASE)
    expected = Graph().parse(
        data=f"""
        @prefix cm: <https://w3id.org/commensura/ontology#> .
        @prefix crit: <https://w3id.org/commensura/vocab/criterion/> .
        @prefix val: <https://w3id.org/commensura/vocab/criterion-value/> .
        <{BASE}{row["id"]}/target-group>
            cm:condition
            [ a cm:Criterion ; cm:basis crit:ownCountryOfBirth ; cm:value val:foreign ] ,
            [ a cm:AnyOf ; cm:operand
                [ a cm:Criterion ; cm:basis crit:durationOfStay ; cm:maxYears 2.5 ] ,
                [ a cm:Not ; cm:operand [ a cm:AllOf ; cm:operand
                    [ a cm:Criterion ; cm:basis crit:durationOfStay ; cm:minYears 5.0 ;
                      cm:maxYears 10.0 ] ,
                    [ a cm:Criterion ; cm:basis crit:currentCitizenship ; cm:value val:foreign ]
                ] ]
            ] .
        """,
        format="turtle",
    )
    target = URIRef(f"{BASE}{row['id']}/target-group")
    conditions = Graph()
    for triple in graph.triples((target, CM.condition, None)):
        conditions.add(triple)
    for node in list(conditions.objects()):
        _copy_tree(graph, conditions, node)
    assert isomorphic(conditions, expected)


def _copy_tree(source: Graph, target: Graph, node: object) -> None:
    for s, p, o in source.triples((node, None, None)):  # type: ignore[arg-type]
        target.add((s, p, o))
        if p == CM.operand:
            _copy_tree(source, target, o)


# -- errors ------------------------------------------------------------------------


def _error_classes() -> list[type[CsvTemplateError]]:
    return [CsvTemplateError, *_subclasses(CsvTemplateError)]


def _subclasses(cls: type[CsvTemplateError]) -> list[type[CsvTemplateError]]:
    found: list[type[CsvTemplateError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_error_codes_are_input_errors_with_stable_distinct_codes() -> None:
    classes = _error_classes()
    assert all(issubclass(cls, InputError) for cls in classes)
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("csv.") for code in codes)
    assert set(csv_template.__all__) >= {cls.__name__ for cls in classes}


def _raises(kind: type[E], text: str | bytes) -> E:
    with pytest.raises(kind) as caught:
        csv_to_graph(text, base=BASE)
    assert type(caught.value) is kind
    return caught.value


@pytest.mark.parametrize("text", ["", "  \r\n\n", "\ufeff", ",,,\n,,\n", ";;;\r\n"])
def test_an_empty_file(text: str) -> None:
    error = _raises(CsvEmptyError, text)
    assert error.code == "csv.empty"
    assert error.details["row"] == 1
    assert "empty" in error.message


def test_missing_required_columns_are_named() -> None:
    columns = tuple(name for name in TEMPLATE_COLUMNS if name not in ("indicator", "target_group"))
    error = _raises(MissingColumnsError, _csv([_row()], columns))
    assert error.code == "csv.missing_columns"
    assert error.message.startswith("Row 1:")
    assert "indicator" in error.message and "target_group" in error.message
    assert error.details["columns"] == ["indicator", "target_group"]


def test_unknown_columns_are_named_with_the_nearest_column() -> None:
    columns = tuple("lable" if name == "label" else name for name in TEMPLATE_COLUMNS)
    error = _raises(UnknownColumnsError, _csv([{**_row(), "lable": "x"}], (*columns, "colour")))
    assert error.code == "csv.unknown_columns"
    assert error.message.startswith("Row 1:")
    assert "'lable' (did you mean 'label'?)" in error.message
    assert "'colour'" in error.message
    assert error.details["columns"] == ["lable", "colour"]


def test_a_column_with_values_but_no_name() -> None:
    text = _csv([_row()]).replace("\n", ",\n", 1).rstrip("\n") + ",oops\n"
    error = _raises(UnknownColumnsError, text)
    assert f"column {len(TEMPLATE_COLUMNS) + 1} has values but no name" in error.message


def test_duplicate_columns() -> None:
    error = _raises(DuplicateColumnsError, _csv([_row()], (*TEMPLATE_COLUMNS, "Label")))
    assert error.code == "csv.duplicate_columns"
    assert error.message.startswith("Row 1:") and "label" in error.message


def test_duplicate_ids_name_both_rows() -> None:
    error = _raises(DuplicateIdError, _csv([_row(), _row(label="Again")]))
    assert error.code == "csv.duplicate_id"
    assert error.message.startswith("Row 3, column 'id':")
    assert "row 2" in error.message
    assert error.details["row"] == 3 and error.details["first_row"] == 2


@pytest.mark.parametrize(
    ("column", "value", "allowed"),
    [
        ("measure_type", "shares", "share"),
        ("unit", "%", "percent (PC)"),
        ("age_band", "Y20-65", "y20to64 (Y20-64)"),
        ("sex", "X", "T, M, F"),
        ("reference_time", "1 January", "startOfYear"),
        ("origin_assignment", "mother", "motherThenFather"),
        ("indicator", "foreign-born-rate", "foreign-born-share"),
        ("target_group", "ownCountryOfBirth=forein", "foreign (FOR, FOR_STLS)"),
        ("target_group", "countryOfBirth=foreign", "ownCountryOfBirth"),
        ("reference_group", "parentsCountryOfBirth[all]=national", "bothOrOnlyKnown"),
    ],
)
def test_an_unknown_code_names_row_column_value_and_the_allowed_codes(
    column: str, value: str, allowed: str
) -> None:
    error = _raises(UnknownCodeError, _csv([_row(), _row(id="second", **{column: value})]))
    assert error.code == "csv.unknown_code"
    assert error.message.startswith(f"Row 3, column '{column}':")
    assert allowed in error.message
    listed = error.message.split("allowed: ", 1)[1]
    assert len(listed.split(", ")) <= 16
    assert error.details["row"] == 3 and error.details["column"] == column
    assert error.details["value"] == value


@pytest.mark.parametrize(
    ("criteria", "says"),
    [
        ("ownCountryOfBirth foreign", "is not a criterion"),
        ("ownCountryOfBirth=foreign currentCitizenship=foreign", "join them with AND or OR"),
        (
            "ownCountryOfBirth=foreign AND currentCitizenship=foreign OR motherTongue=national",
            "without parentheses",
        ),
        ("(ownCountryOfBirth=foreign", "is not closed"),
        ("ownCountryOfBirth=foreign)", "no matching '('"),
        ("ownCountryOfBirth=foreign AND", "the criteria end"),
        ("OR ownCountryOfBirth=foreign", "'OR' stands where a criterion is expected"),
        ("parentsCountryOfBirth=foreign", "does not say whose values count"),
        ("motherTongue[both]=foreignLanguage", "is not about the parents"),
        ("durationOfStay=5", "bounds in years"),
        ("durationOfStay<=4", "is written with <"),
        ("durationOfStay<five", "not a number of years"),
        ("10<=durationOfStay<5", "empty range"),
        ("ownCountryOfBirth<5", "only durationOfStay"),
        ("ownCountryOfBirth!=national", "NOT ownCountryOfBirth=national"),
        ("currentCitizenship=foreign||stateless", "empty value"),
    ],
)
def test_malformed_criteria_say_what_is_wrong_and_show_the_form(criteria: str, says: str) -> None:
    error = _raises(CriteriaSyntaxError, _csv([_row(target_group=criteria)]))
    assert error.code == "csv.criteria"
    assert error.message.startswith("Row 2, column 'target_group':")
    assert says in error.message
    assert "parentsCountryOfBirth[atLeastOne]=foreign" in error.message
    assert error.details["value"] == criteria


def test_parse_criteria_raises_the_same_errors_without_a_row() -> None:
    with pytest.raises(CriteriaSyntaxError) as caught:
        parse_criteria("")
    assert "empty" in caught.value.message
    with pytest.raises(UnknownCodeError):
        parse_criteria("ownCountryOfBirth=abroad")


@pytest.mark.parametrize(
    ("column", "value"),
    [("valid_from", "01/01/2022"), ("valid_from", "2021-02-30"), ("valid_through", "22")],
)
def test_bad_dates(column: str, value: str) -> None:
    error = _raises(InvalidDateError, _csv([_row(**{column: value})]))
    assert error.code == "csv.date"
    assert error.message.startswith(f"Row 2, column '{column}':")
    assert "YYYY-MM-DD" in error.message


def test_dates_out_of_order() -> None:
    error = _raises(InvalidDateError, _csv([_row(valid_from="2022", valid_through="2021-06-30")]))
    assert error.message.startswith("Row 2, column 'valid_through':")
    assert "before valid_from 2022-01-01" in error.message


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("id", "Vienna Share", "lower-case letters"),
        ("label_lang", "German", "not a language tag"),
        ("place", "Wien", "Urban Audit code"),
        ("data_source", "Vienna register", "neither a full IRI"),
        ("publisher", "MA 23", "neither a full IRI"),
        ("source_url", "www.wien.gv.at", "not a web address"),
        ("previous_version", "vienna-2019", "not the id of a row"),
        ("previous_version", EXAMPLE_ROW["id"], "its own previous version"),
    ],
)
def test_values_of_the_wrong_form(column: str, value: str, says: str) -> None:
    error = _raises(InvalidValueError, _csv([_row(**{column: value})]))
    assert error.code == "csv.invalid_value"
    assert error.message.startswith(f"Row 2, column '{column}':")
    assert says in error.message


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"label": ""}, "label"),
        ({"target_group": "  "}, "target_group"),
        ({"reference_group_label": ""}, "reference_group_label"),
        ({"reference_group": ""}, "reference_group"),
    ],
)
def test_empty_cells_that_must_be_filled_in(overrides: dict[str, str], column: str) -> None:
    error = _raises(MissingValueError, _csv([_row(**overrides)]))
    assert error.code == "csv.missing_value"
    assert error.message.startswith(f"Row 2, column '{column}':")


def test_a_row_longer_than_the_header() -> None:
    text = _csv([_row(), _row(id="second")]).rstrip("\n") + ",extra\n"
    error = _raises(CsvSyntaxError, text)
    assert error.code == "csv.syntax"
    assert error.message.startswith("Row 3:")
    assert error.details["row"] == 3


def test_an_unclosed_quote() -> None:
    text = _csv([_row()]) + 'second,"Unclosed label\n'
    error = _raises(CsvSyntaxError, text)
    assert error.message.startswith("Row 3:") and "quotes" in error.message


def test_bytes_that_are_not_utf8() -> None:
    error = _raises(CsvEncodingError, _csv([_row()]).encode("cp1252"))
    assert error.code == "csv.encoding"
    assert "CSV UTF-8" in error.message


def test_a_base_that_is_not_an_iri() -> None:
    with pytest.raises(CsvTemplateError) as caught:
        csv_to_graph(template_csv(), base="partner/definition/")
    assert caught.value.code == "csv.invalid"


def test_rows_are_numbered_as_in_the_spreadsheet_and_all_problems_are_reported() -> None:
    rows = [
        _row(id="first", scope_note="a note\nover two lines"),
        _row(id="second", unit="percentage"),
        _row(id="third", valid_from="1.1.2022", sex="X"),
    ]
    error = _raises(UnknownCodeError, _csv(rows))
    assert error.message.startswith("Row 3, column 'unit':")
    assert "Row 4, column 'sex':" in error.message
    assert "Row 4, column 'valid_from':" in error.message
    problems = error.details["errors"]
    assert isinstance(problems, list) and len(problems) == 3
    assert [p["details"]["row"] for p in problems] == [3, 4, 4]
    assert {p["code"] for p in problems} == {"csv.unknown_code", "csv.date"}
