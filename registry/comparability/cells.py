"""The value space of each characteristic, cut into cells, and what each value covers.

Every characteristic's possible values are cut into a fixed list of *cells* fine
enough to tell apart every value of the criterion values scheme:

* countries (own, the parents', by birth or by citizenship): the reporting
  country; another EU27 (2020) country; the United Kingdom (in EU28, not in
  EU27_2020); an EFTA country; another western country; a non-western country;
  each of these except the United Kingdom once as a neighbouring country and
  once not; no citizenship (stateless, for citizenship only); unknown; no
  response; and every country a comparison names, on its own;
* mother tongue: a national language, a foreign language, unknown, no response;
* protection status: refugee status, subsidiary protection, temporary
  protection, asylum seeker, none of these, unknown, no response;
* duration of stay: the intervals between the numbers of years the compared
  criteria mention, and "no recorded duration".

A value covers a set of cells. Some facts about named countries are not
recorded: whether a country outside Europe, North America and Oceania is
western in the CBS classification, and whether a country borders the
reporting country (which depends on the reporting country). Such a fact is an
*open question*; the comparison is made for every answer and is unknown when
the answers disagree.

Decisions the model takes, so the reader can check them:

* stateless persons are foreign and outside the EU of both vintages (EU law
  counts them among third-country nationals), but neither western nor
  non-western: the CBS classes are of countries;
* a named country is taken to be another country than the reporting one;
* every cell is taken to hold somebody, so relations are those of the rules in
  a reporting country in general (for one particular country a cell can be
  empty, such as "a neighbouring EFTA country" for Belgium).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

from registry.comparability.model import Characteristic, Country, Group, Kind, Value

Fact = tuple[str, str]
"""An open question about a named country: ("western", code) or ("neighbouring", code)."""
World = frozenset[Fact]
"""The open questions answered yes in one answer to all of them."""
Cell = str
"""One cell of a characteristic's value space."""

# fmt: off
EU27_2020 = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "EL", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
# fmt: on
"""Member states of the EU from 1 February 2020 (Eurostat codes)."""
EFTA = frozenset({"IS", "LI", "NO", "CH"})
"""Members of the European Free Trade Association."""
UK = "UK"
WESTERN_KNOWN: dict[str, bool] = {
    **dict.fromkeys(EU27_2020 | EFTA | {UK}, True),
    "US": True,
    "CA": True,
    "AU": True,
    "NZ": True,
    "ID": True,
    "JP": True,
    "TR": False,
}
"""Countries whose CBS class (western or not) the model knows: European EU, EFTA and
UK countries, North America, Australia and New Zealand, Indonesia and Japan are
western, Turkey is not. Other countries are an open question."""

# Region cells of the country kinds: (token, region, neighbouring). Regions are
# "eu" (another EU27 country), "efta", "w" (another western country outside the
# EU and EFTA) and "nw" (a non-western country).
_REGION_CELLS: tuple[tuple[Cell, str, bool], ...] = (
    ("EU27", "eu", False),
    ("NW", "nw", False),
    ("W", "w", False),
    ("EFTA", "efta", False),
    ("EU27_NB", "eu", True),
    ("NW_NB", "nw", True),
    ("W_NB", "w", True),
    ("EFTA_NB", "efta", True),
)
_REGION = {token: (region, nb) for token, region, nb in _REGION_CELLS}

LANGUAGE_CELLS: tuple[Cell, ...] = ("NAT_LANG", "FOR_LANG", "UNK", "NRP")
PROTECTION_CELLS: tuple[Cell, ...] = ("NONE", "REF", "SUB", "TEMP", "ASY", "UNK", "NRP")
NO_DURATION: Cell = "NO_STAY"

_LANGUAGE_VALUES: dict[Group, frozenset[Cell]] = {
    Group.NATIONAL_LANGUAGE: frozenset({"NAT_LANG"}),
    Group.FOREIGN_LANGUAGE: frozenset({"FOR_LANG"}),
    Group.UNKNOWN: frozenset({"UNK"}),
    Group.NO_RESPONSE: frozenset({"NRP"}),
}
_PROTECTION_VALUES: dict[Group, frozenset[Cell]] = {
    Group.HUMANITARIAN_STATUS: frozenset({"REF", "SUB", "TEMP", "ASY"}),
    Group.INTERNATIONAL_PROTECTION: frozenset({"REF", "SUB"}),
    Group.REFUGEE_STATUS: frozenset({"REF"}),
    Group.SUBSIDIARY_PROTECTION: frozenset({"SUB"}),
    Group.TEMPORARY_PROTECTION: frozenset({"TEMP"}),
    Group.ASYLUM_SEEKER: frozenset({"ASY"}),
    Group.NO_INTERNATIONAL_PROTECTION: frozenset({"NONE"}),
    Group.UNKNOWN: frozenset({"UNK"}),
    Group.NO_RESPONSE: frozenset({"NRP"}),
}


def country_cell(code: str) -> Cell:
    """The cell of a named country (the United Kingdom has a cell of its own anyway)."""
    return UK if code == UK else f"C:{code}"


def country_cells(kind: Kind, named: frozenset[str]) -> tuple[Cell, ...]:
    """The cells of a country characteristic, in the order examples are taken from."""
    cells: list[Cell] = ["NAT"]
    cells.extend(country_cell(code) for code in sorted(named) if code != UK)
    cells.extend(token for token, _, _ in _REGION_CELLS[:4])
    cells.append(UK)
    cells.extend(token for token, _, _ in _REGION_CELLS[4:])
    if kind is Kind.CITIZENSHIP:
        cells.append("STLS")
    cells.extend(["UNK", "NRP"])
    return tuple(cells)


def _region_of(code: str) -> str:
    if code in EU27_2020:
        return "eu"
    if code == UK:
        return "uk"
    if code in EFTA:
        return "efta"
    return "other"


_SPECIAL_CELLS = {"NAT": Group.NATIONAL, "UNK": Group.UNKNOWN, "NRP": Group.NO_RESPONSE}


def _country_member(cell: Cell, value: Value, world: World) -> bool:
    """Whether a country cell belongs to a value, with the open questions answered by world."""
    special = _SPECIAL_CELLS.get(cell)
    if special is not None:
        return value == special
    if cell == "STLS":
        return value in (Group.FOREIGN, Group.STATELESS, Group.NON_EU27_2020, Group.NON_EU28)
    if cell == UK:
        region, western, neighbouring = "uk", True, ("neighbouring", UK) in world
        code: str | None = UK
    elif cell.startswith("C:"):
        code = cell[2:]
        region = _region_of(code)
        known = WESTERN_KNOWN.get(code)
        western = ("western", code) in world if known is None else known
        neighbouring = ("neighbouring", code) in world
    else:
        code = None
        region, neighbouring = _REGION[cell]
        western = region != "nw"
    if isinstance(value, Country):
        return value.code == code
    return _group_member(value, region, western, neighbouring)


def _group_member(value: Group, region: str, western: bool, neighbouring: bool) -> bool:
    eu = region == "eu"
    result = {
        Group.FOREIGN: True,
        Group.EU27_2020: eu,
        Group.NON_EU27_2020: not eu,
        Group.EU28: eu or region == "uk",
        Group.NON_EU28: not (eu or region == "uk"),
        Group.EFTA: region == "efta",
        Group.WESTERN: western,
        Group.NON_WESTERN: not western,
        Group.NEIGHBOURING_COUNTRY: neighbouring,
    }.get(value)
    return bool(result)


def open_questions(
    characteristic: Characteristic, value_sets: frozenset[frozenset[Value]]
) -> frozenset[Fact]:
    """The open questions whose answer changes which cells the value sets cover."""
    if characteristic.kind not in (Kind.COUNTRY_OF_BIRTH, Kind.CITIZENSHIP):
        return frozenset()
    values = {v for vs in value_sets for v in vs}
    named = {v.code for v in values if isinstance(v, Country)}
    facts: set[Fact] = set()
    if Group.WESTERN in values or Group.NON_WESTERN in values:
        facts.update(("western", code) for code in named if code not in WESTERN_KNOWN)
    if Group.NEIGHBOURING_COUNTRY in values:
        facts.update(("neighbouring", code) for code in named)
        facts.add(("neighbouring", UK))
    return frozenset(facts)


def named_countries(value_sets: frozenset[frozenset[Value]]) -> frozenset[str]:
    """The codes of the countries the value sets name."""
    return frozenset(v.code for vs in value_sets for v in vs if isinstance(v, Country))


def cells_and_membership(
    characteristic: Characteristic,
    value_sets: frozenset[frozenset[Value]],
    stays: frozenset[tuple[Decimal | None, Decimal | None]],
) -> tuple[tuple[Cell, ...], Callable[[Cell, frozenset[Value], World], bool]]:
    """The cells of a characteristic for a comparison, and the membership of a cell in values.

    For the duration of stay the cells are intervals cut at every bound in
    ``stays``; its "values" are the bounds themselves (see ``stay_cell_in``).
    """
    kind = characteristic.kind
    if kind in (Kind.COUNTRY_OF_BIRTH, Kind.CITIZENSHIP):
        cells = country_cells(kind, named_countries(value_sets))

        def member(cell: Cell, values: frozenset[Value], world: World) -> bool:
            return any(_country_member(cell, v, world) for v in values)

        return cells, member
    if kind is Kind.LANGUAGE:
        table = _LANGUAGE_VALUES
        cells = LANGUAGE_CELLS
    elif kind is Kind.PROTECTION:
        table = _PROTECTION_VALUES
        cells = PROTECTION_CELLS
    else:
        return duration_cells(stays), _never

    def member_in_table(cell: Cell, values: frozenset[Value], world: World) -> bool:
        return any(isinstance(v, Group) and cell in table.get(v, ()) for v in values)

    return cells, member_in_table


def _never(cell: Cell, values: frozenset[Value], world: World) -> bool:
    return False


def duration_cells(stays: frozenset[tuple[Decimal | None, Decimal | None]]) -> tuple[Cell, ...]:
    """Intervals of years cut at every bound mentioned, then "no recorded duration"."""
    cuts = sorted({b for pair in stays for b in pair if b is not None and b > 0})
    bounds = [Decimal(0), *cuts]
    cells = [f"{low}:{high}" for low, high in itertools.pairwise(bounds)]
    cells.append(f"{bounds[-1]}:")
    cells.append(NO_DURATION)
    return tuple(cells)


def stay_cell_in(cell: Cell, min_years: Decimal | None, max_years: Decimal | None) -> bool:
    """Whether an interval cell lies within a duration criterion's bounds."""
    if cell == NO_DURATION:
        return False
    low_text, high_text = cell.split(":")
    low = Decimal(low_text)
    if min_years is not None and low < min_years:
        return False
    if max_years is None:
        return True
    return high_text != "" and Decimal(high_text) <= max_years


def stay_interval(cell: Cell) -> tuple[Decimal, Decimal | None] | None:
    """The bounds of an interval cell, or ``None`` for "no recorded duration"."""
    if cell == NO_DURATION:
        return None
    low_text, high_text = cell.split(":")
    return Decimal(low_text), (Decimal(high_text) if high_text else None)


__all__ = [
    "EFTA",
    "EU27_2020",
    "NO_DURATION",
    "UK",
    "WESTERN_KNOWN",
    "Cell",
    "Fact",
    "World",
    "cells_and_membership",
    "country_cell",
    "country_cells",
    "duration_cells",
    "named_countries",
    "open_questions",
    "stay_cell_in",
    "stay_interval",
]
