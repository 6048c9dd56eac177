"""Converters from common 2D detector layouts to the paper's COCO-19 joint set.

Every converter takes keypoints of shape (..., J, 2) or (..., J, 3) (x, y[, confidence]) and
returns (..., 19, 3). Joints the source lacks, or reports with confidence 0, come out with
confidence 0. Pelvis and neck are the midpoints of the hips and of the shoulders, as in the paper,
with the lower confidence of the two; when one of the pair is missing, a source's own mid-hip or
neck joint (OpenPose) is used instead.
"""
from __future__ import annotations

import numpy as np

from gtrs.body.joints import COCO17_NAMES

# Source layouts, in the order each detector writes them.
OPENPOSE25_NAMES = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee",
    "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe",
    "left_heel", "right_big_toe", "right_small_toe", "right_heel",
)
OPENPOSE18_NAMES = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
)
BLAZEPOSE33_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
COCO19_SOURCE_NAMES = COCO17_NAMES + ("pelvis", "neck")
# Halpe-26 (AlphaPose): COCO-17, then head, neck, hip (the mid-hip), big toes, small toes, heels.
HALPE26_NAMES = COCO17_NAMES + ("head", "neck", "mid_hip", "left_big_toe", "right_big_toe", "left_small_toe",
                                "right_small_toe", "left_heel", "right_heel")
# COCO-WholeBody-133: the COCO-17 body first, then 6 foot, 68 face and 42 hand points (not used here).
WHOLEBODY133_NAMES = COCO17_NAMES + tuple(f"wholebody_{i}" for i in range(17, 133))
# Human3.6M-17 (the paper's H36M joint set); it has no eyes or ears, and its hips are joint centres.
H36M17_SOURCE_NAMES = ("mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
                       "torso", "neck", "nose", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder",
                       "right_elbow", "right_wrist")

SOURCE_LAYOUTS: dict[str, tuple[str, ...]] = {
    "coco17": COCO17_NAMES,
    "coco19": COCO19_SOURCE_NAMES,
    "openpose25": OPENPOSE25_NAMES,
    "openpose18": OPENPOSE18_NAMES,
    "blazepose33": BLAZEPOSE33_NAMES,
    "halpe26": HALPE26_NAMES,
    "wholebody133": WHOLEBODY133_NAMES,
    "h36m17": H36M17_SOURCE_NAMES,
}


def _with_confidence(keypoints: np.ndarray, source: str) -> np.ndarray:
    kp = np.asarray(keypoints, dtype=np.float64)
    expected = len(SOURCE_LAYOUTS[source])
    if kp.ndim < 2 or kp.shape[-2] != expected or kp.shape[-1] not in (2, 3):
        raise ValueError(
            f"{source} keypoints must have shape (..., {expected}, 2) or (..., {expected}, 3), got {kp.shape}"
        )
    if kp.shape[-1] == 2:
        kp = np.concatenate([kp, np.ones(kp.shape[:-1] + (1,))], axis=-1)
    # Non-finite coordinates are treated as missing rather than propagated.
    bad = ~np.isfinite(kp).all(axis=-1)
    kp = np.where(bad[..., None], 0.0, kp)
    return kp


def _midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    conf = np.minimum(a[..., 2], b[..., 2])
    xy = 0.5 * (a[..., :2] + b[..., :2])
    return np.concatenate([xy * (conf[..., None] > 0), conf[..., None]], axis=-1)


def to_coco19(keypoints: np.ndarray, source: str) -> np.ndarray:
    """Convert (..., J, 2|3) keypoints in layout ``source`` to COCO-19 (..., 19, 3)."""
    if source not in SOURCE_LAYOUTS:
        raise ValueError(f"unknown keypoint format {source!r}; expected one of {sorted(SOURCE_LAYOUTS)}")
    kp = _with_confidence(keypoints, source)
    names = SOURCE_LAYOUTS[source]
    if source == "coco19":
        return kp
    out = np.zeros(kp.shape[:-2] + (19, 3))
    for i, name in enumerate(COCO17_NAMES):
        if name in names:  # a joint the layout lacks (H36M's eyes and ears) stays missing
            out[..., i, :] = kp[..., names.index(name), :]
    for j, (a, b, own) in enumerate((("left_hip", "right_hip", "mid_hip"),
                                     ("left_shoulder", "right_shoulder", "neck")), start=17):
        mid = _midpoint(out[..., COCO17_NAMES.index(a), :], out[..., COCO17_NAMES.index(b), :])
        if own in names:
            mid = np.where((mid[..., 2:] > 0), mid, kp[..., names.index(own), :])
        out[..., j, :] = mid
    return out
