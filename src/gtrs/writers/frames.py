"""The axes results are written in: ``camera`` (OpenCV: x right, y down, z forward) or ``viewer``
(glTF / Blender import: +Y up, the person facing +Z towards a default viewer)."""
from __future__ import annotations

import numpy as np

FRAMES = ("viewer", "camera")
# Camera frame -> viewer frame: a half turn about X. The translation to the person is kept, so several
# people of one photo keep their places relative to each other.
CAMERA_TO_VIEWER = np.diag([1.0, -1.0, -1.0])
FRAME_NAMES = {"viewer": "viewer (glTF: x right, y up, z towards the viewer; the camera at the origin looks "
                         "along -z), metres",
               "camera": "camera (OpenCV: x right, y down, z forward), metres"}


def frame_matrix(frame: str) -> np.ndarray:
    """(3, 3) rotation taking camera-frame points (columns) to ``frame``."""
    if frame not in FRAMES:
        raise ValueError(f"unknown frame {frame!r}; expected one of {FRAMES}")
    return CAMERA_TO_VIEWER if frame == "viewer" else np.eye(3)


def to_frame(points: np.ndarray, frame: str) -> np.ndarray:
    """Camera-frame (..., 3) points in ``frame``."""
    return points @ frame_matrix(frame).T
