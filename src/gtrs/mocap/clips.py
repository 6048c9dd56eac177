"""Motion-capture clips of either format in one folder tree: BVH (``.bvh``) and Acclaim (``.amc``
beside its ``.asf``), read into a ``Motion``, and resampled to one frame rate."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from gtrs.mocap.acclaim import AcclaimError, read_amc
from gtrs.mocap.bvh import BVHError, Motion, read_bvh

CLIP_SUFFIXES = (".bvh", ".amc")
MocapError = (BVHError, AcclaimError)  # what a malformed clip raises, whichever its format


def find_clips(folder: str | Path) -> list[Path]:
    """Every BVH and AMC clip under ``folder`` (recursively, any case of the suffix), sorted."""
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in CLIP_SUFFIXES and p.is_file())


def clip_subject(path: Path, root: Path) -> str:
    """The capture subject of a clip under ``root``: its folder (CMU '02', HDM05 'mm'), else its name's prefix."""
    return path.parent.name if len(path.relative_to(root).parts) > 1 else path.stem.split("_")[0]


def read_clip(path: str | Path, amc_fps: float | None = None) -> Motion:
    """A clip of either format; ``amc_fps`` is the frame rate of AMC files whose name has no
    ``_<fps>`` suffix. Raises ``BVHError`` or ``AcclaimError`` naming the file on bad input."""
    path = Path(path)
    if path.suffix.lower() == ".amc":
        return read_amc(path, fps=amc_fps)
    return read_bvh(path)


def resample_indices(num_frames: int, fps: float, target_fps: float) -> np.ndarray:
    """Frame indices that show a clip of ``num_frames`` at ``fps`` at ``target_fps`` (the nearest
    frame for each output time; every frame where the rates agree to 0.1%)."""
    if abs(fps - target_fps) <= 1e-3 * target_fps:
        return np.arange(num_frames)
    duration = (num_frames - 1) / fps
    times = np.arange(0.0, duration + 0.5 / target_fps, 1.0 / target_fps)
    return np.clip(np.rint(times * fps).astype(int), 0, num_frames - 1)


HDM05_CLIP = re.compile(r"^HDM_([a-z]{2})_([A-Za-z0-9]+?)_\d{3}(?:_\d+)?$")
HDM05_CLASSES = ("squat", "depositFloor", "lieDownFloor", "kick", "grabHigh", "hop", "elbowToKnee", "jog",
                 "rotateArms", "sneak", "throwBasketball")


def hdm05_motion_class(clip: str) -> str | None:
    """The motion class of an HDM05 clip from its name (``HDM_mm_squat1Reps_037_120`` -> 'squat',
    ``HDM_bd_kickLFront1Reps_001_120`` -> 'kick'); None for other clips."""
    match = HDM05_CLIP.match(clip)
    if not match:
        return None
    motion = match.group(2)
    return next((c for c in HDM05_CLASSES if motion.startswith(c)), re.split(r"\d", motion)[0] or motion)
