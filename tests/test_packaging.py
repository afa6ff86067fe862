"""The wheel carries the ontology and the shapes, and an installed copy finds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from api.sparql import page as query_page

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("commensura-*.whl")
    return path


def repo_files(folder: str) -> set[str]:
    root = REPO / folder
    return {p.relative_to(root).as_posix() for p in root.rglob("*.ttl")}


def test_wheel_ships_ontology_shapes_and_console_script(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "shapes"):
        shipped = {
            n.removeprefix(f"registry/_assets/{folder}/")
            for n in names
            if n.startswith(f"registry/_assets/{folder}/")
        }
        assert shipped == repo_files(folder), folder
    content = REPO / "registry" / "kb" / "content"
    for path in content.rglob("*.ttl"):
        assert path.relative_to(REPO).as_posix() in names, path
    portal = REPO / "api" / "portal"
    for path in [*portal.glob("templates/*.html"), *portal.glob("static/*")]:
        assert path.relative_to(REPO).as_posix() in names, path
    assert "api/sparql/_assets/queries.md" in names  # the query page's examples
    assert "registry/py.typed" in names
    assert "registry/context.jsonld" in names
    assert "api/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "commensura = api.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_an_installed_copy_finds_its_own_assets(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "import json, registry.resources as r, api.sparql.page as p;"
        "print(json.dumps({'module': r.__file__, 'ontology': str(r.ontology_dir()),"
        " 'shapes': str(r.shapes_dir()), 'files': len(r.ontology_files()),"
        " 'cookbook': str(p.cookbook_path()), 'examples': len(p.COOKBOOK)}))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    found = json.loads(out)
    assert found["module"].startswith(str(site))
    assert found["ontology"].startswith(str(site))
    assert found["shapes"].startswith(str(site))
    assert found["files"] == len(repo_files("ontology"))
    # the query page's examples: the cookbook shipped inside the package
    assert found["cookbook"].startswith(str(site))
    assert found["examples"] == len(query_page.COOKBOOK) > 0
