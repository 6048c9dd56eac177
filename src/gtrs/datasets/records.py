"""One person in one image, as every dataset loader produces it, and careful file reading."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class DatasetFileError(ValueError):
    """A dataset file is missing or does not have the layout of the GTRS/Pose2Mesh release."""


@dataclass
class PersonRecord:
    """Everything a loader knows about one person; arrays are numpy, lengths in metres.

    The SMPL fit is in the camera frame once ``camera_R``/``camera_t`` are applied: the root
    rotation is turned by ``camera_R`` and the pelvis lands at ``camera_R (pelvis + trans) +
    camera_t`` (SMPL's native ``trans``).
    """

    dataset: str
    name: str  # image file name (or a unique id), shown in messages
    smpl_pose: np.ndarray  # (72,) axis-angle, SMPL joint order
    smpl_shape: np.ndarray  # (10,)
    trans: np.ndarray  # (3,) SMPL native translation, metres
    gender: str = "neutral"
    camera_R: np.ndarray | None = None  # (3, 3) world -> camera rotation (None = identity)
    camera_t: np.ndarray | None = None  # (3,) metres
    focal: np.ndarray | None = None  # (2,) pixels
    principal: np.ndarray | None = None  # (2,) pixels
    joints_h36m: np.ndarray | None = None  # (17, 3) dataset 3D joints in the camera frame, metres
    keypoints_coco19: np.ndarray | None = None  # (19, 3) annotated 2D joints + visibility (COCO)
    detected_coco19: np.ndarray | None = None  # (19, 3) a detector's 2D joints + confidence
    detected_h36m17: np.ndarray | None = None  # (17, 3)
    annotation_id: int | None = None
    # 'perspective' (pixels = f * X / Z + c) or 'weak' (COCO fits: pixels = focal * X + principal,
    # X in metres about the pelvis)
    projection: str = "perspective"


def read_json(path: Path, what: str) -> Any:
    """Parse ``path``; a missing or broken file raises DatasetFileError naming it and ``what`` it is."""
    if not path.is_file():
        raise DatasetFileError(f"{path} not found: expected {what}")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DatasetFileError(f"{path} is not valid JSON ({e}); expected {what}") from e


def field(record: dict, key: str, path: Path, where: str) -> Any:
    """``record[key]``, or a DatasetFileError naming the file, the place in it and the missing field."""
    if not isinstance(record, dict) or key not in record:
        raise DatasetFileError(f"{path}: {where} has no field {key!r}")
    return record[key]


def array(value: Any, shape: tuple[int, ...], path: Path, where: str) -> np.ndarray:
    """``value`` as a float64 array of ``shape`` (reshaped if the sizes agree), or a clear error."""
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise DatasetFileError(f"{path}: {where} must be numbers of shape {shape}") from e
    if out.size != int(np.prod(shape)):
        raise DatasetFileError(f"{path}: {where} must have {int(np.prod(shape))} numbers {shape}, got shape {out.shape}")
    return out.reshape(shape)


def smpl_fit(param: dict, path: Path, where: str,
             with_trans: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(pose (72,), shape (10,), trans (3,)) of a release ``smpl_param`` entry (trans None unless
    ``with_trans``, which requires it). Betas beyond +-3 are zeroed, as in the release's loaders
    (such fits are unreliable)."""
    pose = array(field(param, "pose", path, where), (72,), path, f"{where}.pose")
    shape = array(field(param, "shape", path, where), (10,), path, f"{where}.shape")
    if (np.abs(shape) > 3).any():
        shape = np.zeros(10)
    trans = array(field(param, "trans", path, where), (3,), path, f"{where}.trans") if with_trans else None
    return pose, shape, trans
