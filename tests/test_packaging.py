"""What a new user meets first: the version, the top-level import, a licence file, a clean stdout."""
import subprocess
import sys
from pathlib import Path

import gtrs

ROOT = Path(__file__).resolve().parent.parent


def test_version_flag_and_top_level_import():
    result = subprocess.run([sys.executable, "-m", "gtrs.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"gtrs {gtrs.__version__}"
    code = "import sys, gtrs; light = 'torch' not in sys.modules; from gtrs import Reconstructor; print(light, Reconstructor.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["True", "Reconstructor"], out.stderr


def test_the_licence_ships_and_stdout_holds_only_what_gtrs_prints(anny_body):
    assert "Apache License" in (ROOT / "LICENSE").read_text()
    assert 'license-files = ["LICENSE"]' in (ROOT / "pyproject.toml").read_text()
    result = subprocess.run([sys.executable, "-m", "gtrs.cli", "bench", "body", "--batch", "1", "--repeats", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Warp" not in result.stdout and "initialized" not in result.stdout
    assert result.stdout.splitlines()[0].split()[:2] == ["body", "batch"]
