"""Cities' own divisions: Helsinki's statistical districts.

Helsinki divides the city into 8 major districts (suurpiiri), 34 basic districts
(peruspiiri) and 136 sub-districts (osa-alue). The hierarchy file of the Helsinki
Region Infoshare gives each sub-district with its basic and major district, one line
each (``091 Helsinki;091 1 Eteläinen suurpiiri;091 101 Vironniemen peruspiiri;091 10
Kruununhaka``, ``;``-separated, lines ended by a carriage return only). Each becomes a
place contained in the next level up, the major districts in the city.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from registry import ids
from registry.errors import SourceDataError
from registry.importers.base import ImportContext, Importer
from registry.namespaces import CM, SCHEMA
from registry.vocabularies import GEOGRAPHY_LEVEL

HELSINKI = URIRef(f"{ids.ID_BASE}place/urban-audit/FI001C2")
_PART = re.compile(r"^091 (\d{1,3}) (.+)$")
LEVELS = (
    ("helsinki-suurpiiri", GEOGRAPHY_LEVEL.cityDistrict, "major district"),
    ("helsinki-peruspiiri", GEOGRAPHY_LEVEL.cityDistrict, "basic district"),
    ("helsinki-osa-alue", GEOGRAPHY_LEVEL.subDistrict, "sub-district"),
)


def district(scheme: str, code: str) -> URIRef:
    return URIRef(f"{ids.ID_BASE}place/{scheme}/{code}")


class HelsinkiDistrictsImporter(Importer):
    slug = "helsinki-districts"
    title = "Helsinki district hierarchy (major, basic and sub-districts)"
    description = (
        "Helsinki's statistical districts: 8 major districts (suurpiiri), 34 basic districts "
        "(peruspiiri) and 136 sub-districts (osa-alue), each contained in the level above and "
        "the major districts in the city of Helsinki."
    )
    publisher = ids.org("helsinki-urban-research")
    landing_page = URIRef("https://hri.fi")
    license = None
    rights = (
        "The copy held comes from the Helsinki Region Infoshare 'aluesarjat' prototype "
        "(Apache-2.0 repository); the city's district division is public information."
    )
    files: ClassVar[tuple[str, ...]] = ("city_helsinki_statfin/HKI-Aluehierarkia.csv",)

    def read(self, ctx: ImportContext) -> None:
        path = ctx.source / self.files[0]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"{self.files[0]} cannot be read as UTF-8 text: {exc}"
            raise SourceDataError(msg, details={"file": self.files[0]}) from exc
        records = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
        seen: set[URIRef] = set()
        for number, record in enumerate(records, start=1):
            ctx.rows_read += 1
            fields = [f.strip() for f in record.split(";")]
            if fields[0] != "091 Helsinki":
                ctx.reject(f"record {number}", f"starts with {fields[0]!r}, not '091 Helsinki'")
                continue
            if len(fields) == 2:
                ctx.note(f"record {number} ({fields[1]}) names a grouping, not a district")
                continue
            if len(fields) != 4:
                ctx.reject(f"record {number}", f"has {len(fields)} fields, not 4")
                continue
            parts = [m for f in fields[1:] if (m := _PART.match(f)) is not None]
            if len(parts) != 3:
                ctx.reject(f"record {number}", "a district is not written '091 <code> <name>'")
                continue
            parent = HELSINKI
            for (scheme, level, kind), match in zip(LEVELS, parts, strict=True):
                code, name = match.group(1), match.group(2)
                iri = district(scheme, code)
                if iri not in seen:
                    seen.add(iri)
                    ctx.add(iri, RDF.type, CM.Place)
                    ctx.add_text(iri, SKOS.prefLabel, name)
                    ctx.add_text(iri, SKOS.notation, code)
                    ctx.add(iri, CM.geographyLevel, level)
                    ctx.add_text(iri, DCTERMS.description, f"Helsinki {kind} {code}")
                    ctx.add(iri, SCHEMA.containedInPlace, parent)
                parent = iri
        counts = {kind: sum(1 for i in seen if f"/{s}/" in str(i)) for s, _, kind in LEVELS}
        ctx.note(", ".join(f"{n} {kind}s" for kind, n in counts.items()))
