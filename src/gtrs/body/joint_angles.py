"""Joint angles as a physiotherapist or an ergonomist reads them, from a body's 3D COCO-19 joints.

Every angle is in degrees and comes from joint positions alone (so it is the same for any body model),
measured in the body's own frame: up is the trunk (pelvis -> neck), left is the line through the hips
and the shoulders made square to it, forward is left x up. Only ``trunk_lean`` needs a direction from
outside the body: the camera's up axis, so it equals the lean from gravity only for a level camera.

- ``knee_flexion``: 180 - the hip-knee-ankle angle; 0 for a straight leg, 90 for a right-angle knee.
- ``hip_flexion``: the thigh's angle from hanging straight down, in the body's sagittal plane (forward
  positive, behind the body negative); 90 when sitting.
- ``hip_abduction``: the thigh's angle out of the sagittal plane, away from the body positive.
- ``elbow_flexion``: 180 - the shoulder-elbow-wrist angle; 0 for a straight arm.
- ``shoulder_elevation``: the upper arm's angle from hanging beside the trunk, in any direction: 90 when
  horizontal (forward or sideways), 180 overhead.
- ``trunk_lean``: the trunk's angle from the camera's up axis; 0 upright, 90 horizontal.
"""
from __future__ import annotations

import numpy as np

from gtrs.body.joints import COCO19

ANGLE_NAMES = ("left_knee_flexion", "right_knee_flexion", "left_hip_flexion", "right_hip_flexion",
               "left_hip_abduction", "right_hip_abduction", "left_elbow_flexion", "right_elbow_flexion",
               "left_shoulder_elevation", "right_shoulder_elevation", "trunk_lean")
CAMERA_UP = np.array([0.0, -1.0, 0.0])  # OpenCV camera axes: y points down the image

_J = {name: i for i, name in enumerate(COCO19.names)}


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between vectors (..., 3), degrees."""
    cos = np.sum(_unit(a) * _unit(b), axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _joint(joints: np.ndarray, name: str) -> np.ndarray:
    return joints[..., _J[name], :]


def body_frame(joints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, up, forward) unit axes (..., 3) of bodies' COCO-19 joints (..., 19, 3)."""
    j = lambda name: _joint(joints, name)  # noqa: E731
    up = _unit(j("neck") - j("pelvis"))
    across = (j("left_hip") - j("right_hip")) + (j("left_shoulder") - j("right_shoulder"))
    left = _unit(across - np.sum(across * up, axis=-1, keepdims=True) * up)
    return left, up, np.cross(left, up)


def joint_angles(joints: np.ndarray, camera_up: np.ndarray = CAMERA_UP) -> dict[str, np.ndarray]:
    """``ANGLE_NAMES`` -> degrees (...,) for COCO-19 joints (..., 19, 3) in camera axes (see the module)."""
    joints = np.asarray(joints, dtype=np.float64)
    j = lambda name: _joint(joints, name)  # noqa: E731
    left, up, forward = body_frame(joints)
    angles: dict[str, np.ndarray] = {}
    for side, outward in (("left", 1.0), ("right", -1.0)):
        hip, knee, ankle = j(f"{side}_hip"), j(f"{side}_knee"), j(f"{side}_ankle")
        shoulder, elbow, wrist = j(f"{side}_shoulder"), j(f"{side}_elbow"), j(f"{side}_wrist")
        thigh = _unit(knee - hip)
        angles[f"{side}_knee_flexion"] = 180.0 - _angle(hip - knee, ankle - knee)
        angles[f"{side}_hip_flexion"] = np.degrees(np.arctan2(np.sum(thigh * forward, -1), -np.sum(thigh * up, -1)))
        angles[f"{side}_hip_abduction"] = np.degrees(np.arcsin(np.clip(outward * np.sum(thigh * left, -1), -1, 1)))
        angles[f"{side}_elbow_flexion"] = 180.0 - _angle(shoulder - elbow, wrist - elbow)
        angles[f"{side}_shoulder_elevation"] = _angle(elbow - shoulder, -up)
    angles["trunk_lean"] = _angle(up, np.broadcast_to(np.asarray(camera_up, dtype=np.float64), up.shape))
    return {name: angles[name] for name in ANGLE_NAMES}
