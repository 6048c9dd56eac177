"""Body-part mixing: new training poses made of limbs from different mocap frames.

Six training subjects give a few thousand distinct poses; a lifting network trained on them
sees only their combinations of arm, leg and torso configurations, and new motion combines them
differently. Mixing parts spreads the data over those combinations: each body part (left/right arm, left/right leg,
spine with head) takes its *local* joint rotations, relative to its parent, from another frame
of the batch with probability ``prob``. The global orientation (the root bone) stays, so every
mixed pose is a real arm on a real torso on real legs, each joint within its captured range.
"""
from __future__ import annotations

import torch

# Bones of each part by name (CMU/anny rig names); matched by the rig's bone list at run time.
BODY_PARTS: dict[str, tuple[str, ...]] = {
    "left_arm": ("LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand", "LThumb", "LeftFingerBase", "LeftHandFinger1"),
    "right_arm": ("RightShoulder", "RightArm", "RightForeArm", "RightHand", "RThumb", "RightFingerBase",
                  "RightHandFinger1"),
    "left_leg": ("LHipJoint", "LeftUpLeg", "LeftLeg", "LeftFoot", "LeftToeBase"),
    "right_leg": ("RHipJoint", "RightUpLeg", "RightLeg", "RightFoot", "RightToeBase"),
    "spine": ("LowerBack", "Spine", "Spine1", "Neck", "Neck1", "Head"),
}


def part_indices(bone_names: list[str]) -> list[list[int]]:
    """Bone indices of each body part present in ``bone_names`` (parts with no bone are skipped)."""
    index = {name: i for i, name in enumerate(bone_names)}
    parts = [[index[b] for b in bones if b in index] for bones in BODY_PARTS.values()]
    return [p for p in parts if p]


def mix_body_parts(rotations: torch.Tensor, parts: list[list[int]], prob: float,
                   generator: torch.Generator) -> torch.Tensor:
    """(B, K, 3, 3) local rotations -> a copy in which each part of each pose is, with probability
    ``prob``, taken from a random other pose of the batch."""
    if prob <= 0.0 or rotations.shape[0] < 2:
        return rotations
    B = rotations.shape[0]
    mixed = rotations.clone()
    for bones in parts:
        take = torch.rand(B, generator=generator) < prob
        # a donor other than the pose itself: shift by 1..B-1
        donor = (torch.arange(B) + torch.randint(1, B, (B,), generator=generator)) % B
        rows = take.nonzero()[:, 0]
        if len(rows):
            idx = torch.as_tensor(bones)
            mixed[rows[:, None], idx] = rotations[donor[rows][:, None], idx]
    return mixed
