"""Does a posed body pass through itself? A capsule approximation on the skeleton.

Each body segment is a capsule around a bone of the posed skeleton, with a radius close to an
average adult's limb (metres). Two capsules that are not joined at a joint interpenetrate when
their axes come closer than ``overlap`` times the sum of their radii (< 1 allows soft contact:
arms resting on the torso, crossed legs). Cheap (skeleton only, no mesh), so it can screen millions
of generated poses; the contact sheets (`gtrs data postures`) are the visual check on top.
"""
from __future__ import annotations

import torch

from gtrs.body.skeleton import Skeleton

# name: (from bone, to bone, radius); the segment runs between the two bones' heads.
CAPSULES: dict[str, tuple[str, str, float]] = {
    "torso": ("LowerBack", "Neck", 0.09),
    "head": ("Neck1", "Head", 0.09),
    "l_thigh": ("LeftUpLeg", "LeftLeg", 0.065),
    "r_thigh": ("RightUpLeg", "RightLeg", 0.065),
    "l_shin": ("LeftLeg", "LeftFoot", 0.045),
    "r_shin": ("RightLeg", "RightFoot", 0.045),
    "l_foot": ("LeftFoot", "LeftToeBase", 0.035),
    "r_foot": ("RightFoot", "RightToeBase", 0.035),
    "l_upper_arm": ("LeftArm", "LeftForeArm", 0.04),
    "r_upper_arm": ("RightArm", "RightForeArm", 0.04),
    "l_forearm": ("LeftForeArm", "LeftHand", 0.035),
    "r_forearm": ("RightForeArm", "RightHand", 0.035),
}
# Pairs that are joined (or always touch at rest) and are never tested.
ADJACENT = {
    frozenset(p) for p in [
        ("torso", "head"), ("torso", "l_thigh"), ("torso", "r_thigh"), ("torso", "l_upper_arm"),
        ("torso", "r_upper_arm"), ("l_thigh", "r_thigh"), ("l_thigh", "l_shin"), ("r_thigh", "r_shin"),
        ("l_shin", "l_foot"), ("r_shin", "r_foot"), ("l_upper_arm", "l_forearm"), ("r_upper_arm", "r_forearm"),
        ("head", "l_upper_arm"), ("head", "r_upper_arm"),
    ]
}
SAMPLES = 8  # points per capsule axis


class SelfContact:
    """Capsule checks for poses of ``skeleton`` (which must carry the cmu_mb bone names)."""

    def __init__(self, skeleton: Skeleton, overlap: float = 0.8) -> None:
        self.skeleton, self.overlap = skeleton, overlap
        names = list(CAPSULES)
        self.names = names
        self.ends = torch.tensor([[skeleton.index(a), skeleton.index(b)] for a, b, _ in CAPSULES.values()])
        radius = torch.tensor([r for _, _, r in CAPSULES.values()])
        pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))
                 if frozenset((names[i], names[j])) not in ADJACENT]
        self.pairs = torch.tensor(pairs)  # (P, 2)
        self.min_distance = overlap * (radius[self.pairs[:, 0]] + radius[self.pairs[:, 1]])  # (P,)

    def clearance(self, rotations: torch.Tensor) -> torch.Tensor:
        """(B, P) closest approach of each tested pair's axes minus the allowed distance (m); < 0 = penetration."""
        joints = self.skeleton.joint_positions(rotations)  # (B, K, 3)
        s = torch.linspace(0, 1, SAMPLES, dtype=joints.dtype)[:, None]
        a, b = joints[:, self.ends[:, 0]], joints[:, self.ends[:, 1]]  # (B, C, 3)
        points = a[:, :, None] + s * (b - a)[:, :, None]  # (B, C, S, 3)
        p, q = points[:, self.pairs[:, 0]], points[:, self.pairs[:, 1]]  # (B, P, S, 3)
        d = torch.cdist(p, q).flatten(2).amin(-1)  # (B, P)
        return d - self.min_distance.to(d.dtype)

    def penetrates(self, rotations: torch.Tensor) -> torch.Tensor:
        """(B,) True where some pair of segments interpenetrates."""
        return (self.clearance(rotations) < 0).any(-1)
