"""The layers of the design hold: checked by the import-linter contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    assert result.stdout.count("KEPT") == 3


def test_registry_modules_never_name_http_or_engine_libraries_in_text() -> None:
    """Belt and braces for imports done dynamically, which the contracts cannot see."""
    for path in (REPO / "registry").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("fastapi", "starlette", "uvicorn", "import api", "from api"):
            assert name not in text, f"{path.relative_to(REPO)} mentions {name}"
