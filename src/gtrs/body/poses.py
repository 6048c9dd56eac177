"""A few hand-made poses for anny's cmu_mb rig, for demos and tests.

Each pose lists bone -> (axis, degrees) rotations in world axes, relative to the parent (the
convention of ``BodyModel.forward``). Package frame: Y up, body faces +Z, left = +X, so a
positive rotation about X swings a hanging limb backwards and a negative one forwards.
"""
from __future__ import annotations

import math

import roma
import torch

NAMED_POSES: dict[str, dict[str, tuple[str, float]]] = {
    "rest": {},
    "t-pose": {"LeftArm": ("z", 45.0), "RightArm": ("z", -45.0)},
    "walk": {
        "LeftUpLeg": ("x", -30.0), "LeftLeg": ("x", 35.0), "RightUpLeg": ("x", 20.0), "RightLeg": ("x", 15.0),
        "LeftArm": ("x", 25.0), "RightArm": ("x", -25.0), "LeftForeArm": ("x", -20.0), "RightForeArm": ("x", -35.0),
    },
    "squat": {
        "LeftUpLeg": ("x", -85.0), "RightUpLeg": ("x", -85.0), "LeftLeg": ("x", 100.0), "RightLeg": ("x", 100.0),
        "Hips": ("x", 20.0), "LeftArm": ("x", -75.0), "RightArm": ("x", -75.0),
    },
}

_AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


def named_pose(name: str, bone_names: tuple[str, ...], dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(K, 3, 3) rotations of the named pose for a rig with ``bone_names``."""
    if name not in NAMED_POSES:
        raise ValueError(f"unknown pose {name!r}; expected one of {sorted(NAMED_POSES)}")
    rotations = torch.eye(3, dtype=dtype).repeat(len(bone_names), 1, 1)
    for bone, (axis, degrees) in NAMED_POSES[name].items():
        if bone not in bone_names:
            raise ValueError(f"pose {name!r} uses bone {bone!r}, which the rig lacks")
        rotvec = torch.tensor(_AXES[axis], dtype=dtype) * math.radians(degrees)
        rotations[bone_names.index(bone)] = roma.rotvec_to_rotmat(rotvec)
    return rotations
