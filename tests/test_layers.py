"""The package reads top to bottom (issue #33): the layers contract in pyproject.toml names every
package and module of src/gtrs and holds (`lint-imports`), and no two modules import each other."""
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def test_the_contract_names_every_package_and_module():
    src = ROOT / "src" / "gtrs"
    found = {f"gtrs.{p.name}" for p in src.iterdir() if (p / "__init__.py").is_file()}
    found |= {f"gtrs.{p.stem}" for p in src.glob("*.py") if p.stem != "__init__"}
    assert set(_layers()) == found


def test_imports_point_down_the_layers():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_no_two_modules_import_each_other():
    graph = grimp.build_graph("gtrs")
    pairs = sorted({tuple(sorted((a, b))) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
                    if a in graph.find_modules_directly_imported_by(b)})
    assert pairs == []
