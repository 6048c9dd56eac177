"""Joint angles over time as CSV: one row per frame, one column per angle (``gtrs.body.joint_angles``),
for a spreadsheet, pandas or a plotting tool."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from gtrs.atomic import atomic_path
from gtrs.body.joint_angles import ANGLE_NAMES


def write_angles_csv(path: str | Path, angles: dict[str, np.ndarray], frames: np.ndarray, fps: float,
                     detected: np.ndarray) -> Path:
    """Write ``frame, time_s, detected, <ANGLE_NAMES>`` (degrees, 2 decimals) atomically; ``detected`` is 0
    where the person's keypoints were bridged over a gap, 1 where a detector or the file gave them."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["frame", "time_s", "detected", *ANGLE_NAMES])
        for i, frame in enumerate(frames):
            out.writerow([int(frame), f"{frame / fps:.4f}", int(bool(detected[i])),
                          *(f"{float(angles[n][i]):.2f}" for n in ANGLE_NAMES)])
    return path
