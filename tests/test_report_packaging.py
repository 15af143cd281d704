"""What `pip install .` ships for the report: packages, claims data, checks, plugin entry point."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_directory_is_listed_in_pyproject():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "exactscreen").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    missing = found - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def test_proofs_checks_are_installed_as_exactscreen_proofs_checks():
    assert "exactscreen.proofs_checks" in PYPROJECT["tool"]["setuptools"]["packages"]
    assert PYPROJECT["tool"]["setuptools"]["package-dir"]["exactscreen.proofs_checks"] == "proofs_checks"
    assert (ROOT / "proofs_checks" / "__init__.py").is_file()


def test_claims_data_and_pytest_plugin_are_declared():
    data = PYPROJECT["tool"]["setuptools"]["package-data"]["exactscreen"]
    assert "claims/*.toml" in data and "claims/*.ini" in data
    assert PYPROJECT["project"]["entry-points"]["pytest11"] == {"exactscreen": "exactscreen.claims.plugin"}
    assert any(dep.startswith("dask[distributed]") for dep in PYPROJECT["project"]["optional-dependencies"]["test"])
