"""What a report was made from: data, split, sampling, noise and camera settings, the predictor
(checkpoint hash or baseline), the package version and commit, the date. Written at the top of every
evaluation report (JSON, Markdown and the plots), so two reports can be told apart."""
from __future__ import annotations

import hashlib
import subprocess
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from gtrs.synthetic.synth import SynthConfig


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package_commit() -> str:
    """The git commit of the package's source tree, or 'not a git checkout' (an installed wheel)."""
    here = Path(__file__).resolve().parent
    try:
        result = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (git not available)"
    if result.returncode != 0:
        return "not a git checkout"
    dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=10).stdout.strip()
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def package_version() -> str:
    try:
        return version("gtrs")
    except PackageNotFoundError:
        return "unknown (not installed)"


def report_header(data: str | Path, split: str, frames: int, sampling: str, seed: int, predictor: str,
                  checkpoint: str | Path | None, synth: SynthConfig, source: str | Path | None = None) -> dict:
    """The identifying fields of an evaluation (see the module docstring); ``source``: the folder of
    clips the user gave, when ``data`` was built from it for this evaluation."""
    manifest = Path(data) / "manifest.json"
    return {
        "data": str(Path(source if source is not None else data).resolve()),
        "manifest_sha256": file_sha256(manifest) if manifest.is_file() else None,
        "split": split,
        "frames": frames,
        "sampling": sampling,
        "seed": seed,
        "noise_model": {"name": "PoseFix-style COCO detector noise (gtrs.synthetic.noise)", **asdict(synth.noise)},
        "camera": asdict(synth.camera),
        "visibility": asdict(synth.visibility),
        "predictor": predictor,
        "checkpoint": str(checkpoint) if checkpoint else None,
        "checkpoint_sha256": file_sha256(checkpoint) if checkpoint else None,
        "gtrs_version": package_version(),
        "commit": package_commit(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def header_markdown(header: dict) -> str:
    """The header as a two-column Markdown table."""
    rows = ["| field | value |", "|---|---|"]
    for key, value in header.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        rows.append(f"| {key} | {value} |")
    return "\n".join(rows)


def header_line(header: dict) -> str:
    """A one-line summary for plot titles."""
    sha = (header.get("checkpoint_sha256") or "")[:10]
    return (f"{header['predictor']}{' ' + sha if sha else ''} | {Path(header['data']).name}:{header['split']} "
            f"{header['frames']} frames ({header['sampling'].split(' ')[0]}) seed {header['seed']} | "
            f"gtrs {header['gtrs_version']} {header['commit'][:10]} | {header['date']}")
