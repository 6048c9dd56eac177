"""The datasets by name, with the splits each one has in the paper's protocols."""
from __future__ import annotations

from pathlib import Path

from gtrs.datasets.coco import load_coco
from gtrs.datasets.human36m import load_human36m
from gtrs.datasets.muco import load_muco
from gtrs.datasets.pw3d import load_pw3d
from gtrs.datasets.records import PersonRecord

# name -> splits it offers (the paper trains on Human3.6M/COCO/MuCo and tests on Human3.6M/3DPW)
DATASETS: dict[str, tuple[str, ...]] = {
    "human36m": ("train", "test"),
    "pw3d": ("test", "validation", "train"),
    "coco": ("train",),
    "muco": ("train",),
}


def load_records(name: str, root: str | Path, split: str, detected: bool = False) -> list[PersonRecord]:
    """Records of dataset ``name`` (a key of DATASETS) under ``root`` (the release's ``data/`` folder).
    ``detected`` attaches the release's detected 2D joints (test splits of Human3.6M and 3DPW)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {sorted(DATASETS)}")
    if split not in DATASETS[name]:
        raise ValueError(f"dataset {name!r} has no split {split!r}; it has {DATASETS[name]}")
    if detected and name not in ("human36m", "pw3d"):
        raise ValueError(f"the release has no detected 2D joints for {name!r}")
    if name == "human36m":
        return load_human36m(root, split, detected)
    if name == "pw3d":
        return load_pw3d(root, split, detected)
    return load_coco(root) if name == "coco" else load_muco(root)
