"""Joint angles as CSV (``gtrs.body.joint_angles``), for a spreadsheet, pandas or a plotting tool: over
time, a row per frame of one tracked person (``write_angles_csv``), or a row per person of one input
(``PeopleAnglesCsv``, beside its people JSON)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from gtrs.atomic import StreamedFile, atomic_path
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


class PeopleAnglesCsv:
    """The joint angles of one input's people, a row per person (``person, source, image, mesh``, then
    ``ANGLE_NAMES`` in degrees), streamed from their people-JSON records: complete or not at all."""

    def __init__(self, path: str | Path) -> None:
        self._stream = StreamedFile(path, newline="")
        self.path = self._stream.path
        self._rows = csv.writer(self._stream.file)
        self._rows.writerow(["person", "source", "image", "mesh", *ANGLE_NAMES])

    def add(self, index: int, record: dict) -> None:
        angles = record["joint_angles_deg"]
        self._rows.writerow([index, record["source"], record.get("image") or "", record.get("mesh", ""),
                             *(angles[n] for n in ANGLE_NAMES)])

    def close(self, keep: bool = True) -> None:
        if not keep:
            self._stream.drop()
            return
        try:
            self._stream.publish()
        except OSError:
            self._stream.drop()
            raise
