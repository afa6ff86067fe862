"""The one place that knows where the ontology and the shapes are.

In a wheel they ship inside the ``registry`` package (``registry/_assets``); in
a source checkout or an editable install they are the top-level ``ontology/``
and ``shapes/`` folders of the repository.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

_PACKAGE_ASSETS = "_assets"


def _asset_dir(name: str) -> Path:
    packaged = files("registry").joinpath(_PACKAGE_ASSETS, name)
    with as_file(packaged) as path:
        if path.is_dir():
            return path
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    msg = f"the {name}/ folder is missing from this installation of Commensura"
    raise FileNotFoundError(msg)


def ontology_dir() -> Path:
    """The folder of the ontology (``core.ttl``, ``alignments.ttl``, ``vocabularies/``)."""
    return _asset_dir("ontology")


def shapes_dir() -> Path:
    """The folder of the SHACL shapes."""
    return _asset_dir("shapes")


def ontology_files() -> list[Path]:
    """Every Turtle file of the ontology, in a stable order."""
    return sorted(ontology_dir().rglob("*.ttl"))


def shape_files() -> list[Path]:
    """Every Turtle file of the shapes, in a stable order."""
    return sorted(shapes_dir().rglob("*.ttl"))
