"""Joint sets: names, skeleton edges, left/right flip pairs, and the graph adjacency of the paper.

The joint orders follow the GTRS/Pose2Mesh releases (gtrs-reference.md §1.1):
- ``coco17``: the COCO keypoints;
- ``coco19``: COCO-17 + pelvis (mid-hip, index 17) + neck (mid-shoulder, index 18);
- ``h36m17``: Human3.6M's 17 joints.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class JointSet:
    """A named joint set. ``edges`` are the skeleton edges (pairs of indices), ``flip_pairs`` the
    (left, right) index pairs swapped by a mirror flip, ``root`` the index of the pelvis."""

    name: str
    names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    flip_pairs: tuple[tuple[int, int], ...]
    root: int

    @property
    def num_joints(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Index of the joint called ``name``; raises a ValueError naming the valid joints."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"joint set {self.name!r} has no joint {name!r}; its joints are {list(self.names)}") from None

    def flip_permutation(self) -> list[int]:
        """Index map that swaps left and right joints: ``flipped = joints[..., perm, :]``."""
        perm = list(range(self.num_joints))
        for left, right in self.flip_pairs:
            perm[left], perm[right] = right, left
        return perm


COCO17_NAMES = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)
_COCO17_FLIP = ((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16))

COCO17 = JointSet(
    name="coco17",
    names=COCO17_NAMES,
    # The COCO dataset's own skeleton (0-based).
    edges=((15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
           (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)),
    flip_pairs=_COCO17_FLIP,
    root=-1,  # COCO-17 has no pelvis; use coco19 where a root is needed.
)

COCO19 = JointSet(
    name="coco19",
    names=COCO17_NAMES + ("pelvis", "neck"),
    # The paper's COCO-19 graph: the shoulder-shoulder and hip-hip edges are replaced by links
    # through the pelvis (17) and the neck (18): 19 edges.
    edges=((1, 2), (0, 1), (0, 2), (2, 4), (1, 3), (6, 8), (8, 10), (5, 7), (7, 9), (12, 14), (14, 16),
           (11, 13), (13, 15), (17, 11), (17, 12), (18, 17), (18, 5), (18, 6), (18, 0)),
    flip_pairs=_COCO17_FLIP,
    root=17,
)

H36M17 = JointSet(
    name="h36m17",
    names=("pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
           "torso", "neck", "nose", "head", "left_shoulder", "left_elbow", "left_wrist",
           "right_shoulder", "right_elbow", "right_wrist"),
    edges=((0, 1), (1, 2), (2, 3), (0, 4), (4, 5), (5, 6), (0, 7), (7, 8), (8, 9), (9, 10), (8, 11),
           (11, 12), (12, 13), (8, 14), (14, 15), (15, 16)),
    flip_pairs=((1, 4), (2, 5), (3, 6), (11, 14), (12, 15), (13, 16)),
    root=0,
)

# The 14 joints the paper's H36M metrics use: pelvis, torso and nose dropped (gtrs-reference.md §6).
H36M_EVAL_JOINTS = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)

JOINT_SETS: dict[str, JointSet] = {js.name: js for js in (COCO17, COCO19, H36M17)}


def get_joint_set(name: str) -> JointSet:
    """The joint set called ``name``; an unknown name raises a ValueError listing the valid ones."""
    if name not in JOINT_SETS:
        raise ValueError(f"unknown joint set {name!r}; expected one of {sorted(JOINT_SETS)}")
    return JOINT_SETS[name]


def graph_adjacency(joint_set: JointSet) -> torch.Tensor:
    """The paper's (J, J) 0/1 adjacency: skeleton edges + left/right flip-pair edges + self loops,
    symmetric and not normalised (gtrs-reference.md §1.1)."""
    J = joint_set.num_joints
    adj = torch.eye(J)
    for i, j in joint_set.edges + joint_set.flip_pairs:
        adj[i, j] = adj[j, i] = 1.0
    return adj
