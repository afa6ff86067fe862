"""Importers: read source-data files into named graphs, with DCAT and PROV-O records."""

from registry.importers.base import ImportContext, Importer, ImportReport, run_import
from registry.importers.places import PLACE_IMPORTERS

__all__ = ["PLACE_IMPORTERS", "ImportContext", "ImportReport", "Importer", "run_import"]
