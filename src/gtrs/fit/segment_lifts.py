"""Segment lifts: put a body's segments onto their keypoints' lines of sight, towards or away from
the camera.

A segment of fixed length whose start is known has two places for its end on the line of sight
through the end's keypoint: with ``r`` the unit ray and ``a`` the start, the depths ``t`` along ``r``
with ``|t r - a| = length``, ``t = r.a +- sqrt((r.a)^2 - |a|^2 + length^2)``: a thigh raised towards
the camera or pushed away from it, which 2D alone cannot tell apart. Where the ray passes beyond
reach there is one place, the ray's point nearest the start. Lifting turns the segment's bones about
its start so its end keypoint (the body's own COCO-19 joint, carried rigidly by the segment's last
bone) goes to the chosen place; every bone below keeps its world rotation (the limb beyond is
carried along, unchanged in 3D).

Segments, lifted in this order (a shin starts where its thigh ended): the trunk (lower back to neck,
turning the three spine bones), the thighs and the shins; then the upper arms and forearms.
"""
from __future__ import annotations

import itertools

import roma
import torch

from gtrs.body.skeleton import Skeleton
from gtrs.body.skinning import chain_heads

# name -> (bones turned, the first one's head being the start; COCO-19 keypoint of the end)
SEGMENTS: dict[str, tuple[tuple[str, ...], int]] = {
    "trunk": (("LowerBack", "Spine", "Spine1"), 18),
    "left_thigh": (("LeftUpLeg",), 13),
    "right_thigh": (("RightUpLeg",), 14),
    "left_shin": (("LeftLeg",), 15),
    "right_shin": (("RightLeg",), 16),
    "left_upper_arm": (("LeftArm",), 7),
    "right_upper_arm": (("RightArm",), 8),
    "left_forearm": (("LeftForeArm",), 9),
    "right_forearm": (("RightForeArm",), 10),
}


def ray_places(start: torch.Tensor, ray: torch.Tensor, length: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The two depths (B,) along unit rays (B, 3) at ``length`` (B,) from ``start`` (B, 3), nearer
    first; equal (the ray's point nearest the start) where the ray passes beyond reach."""
    along = (ray * start).sum(-1)
    reach = (along.square() - start.square().sum(-1) + length.square()).clamp(min=0).sqrt()
    return along - reach, along + reach


def rotation_between(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """(B, 3, 3) the smallest rotations turning directions u (B, 3) onto v (B, 3)."""
    axis = torch.cross(u, v, dim=-1)
    angle = torch.atan2(axis.norm(dim=-1), (u * v).sum(-1))
    return roma.rotvec_to_rotmat(torch.nn.functional.normalize(axis, dim=-1) * angle[:, None])


class SegmentLifter:
    """Lifts chosen segments of posed bodies onto their keypoints (see the module docstring)."""

    def __init__(self, skeleton: Skeleton, segments: tuple[str, ...] = tuple(SEGMENTS)) -> None:
        self.skeleton, self.names = skeleton, segments
        self.turned = [[skeleton.index(b) for b in SEGMENTS[n][0]] for n in segments]
        self.keypoint = [SEGMENTS[n][1] for n in segments]
        self.parents = torch.tensor(skeleton.parents[1:])

    def lift(self, rotations: torch.Tensor, heads: torch.Tensor, joints: torch.Tensor, rays: torch.Tensor,
             seen: torch.Tensor, other: torch.Tensor,
             min_depth: float = 0.1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Lift each segment of B bodies ((B, K, 3, 3) local rotations, (B, K, 3) bone heads and
        (B, 19, 3) COCO-19 joints, camera frame) whose end keypoint is ``seen`` (B, 19) bool onto its
        ray ((B, 19, 3) unit rays of the keypoints): to the place nearer its end's current place, or,
        where ``other`` (B, F) says so, to the other one. Returns the rotations, heads and (B, F) angles
        in degrees between each segment's two places (0: one place, or unseen)."""
        world = self.skeleton.world_rotations(rotations)
        parents = self.parents.to(heads.device)
        # each bone's offset from its parent's head in the parent's frame: the body's own proportions
        offsets = (world[:, parents].transpose(-1, -2) @ (heads[:, 1:] - heads[:, parents])[..., None])[..., 0]
        # each segment's end keypoint in the frame of its last turned bone
        carried = [(world[:, bones[-1]].transpose(-1, -2) @ (joints[:, k] - heads[:, bones[-1]])[..., None])[..., 0]
                   for bones, k in zip(self.turned, self.keypoint)]
        eye = torch.eye(3, dtype=rotations.dtype)
        apart = torch.zeros(other.shape, dtype=rotations.dtype)
        for f, (bones, k) in enumerate(zip(self.turned, self.keypoint)):
            start, ray = heads[:, bones[0]], rays[:, k]
            end = heads[:, bones[-1]] + (world[:, bones[-1]] @ carried[f][..., None])[..., 0]
            near_t, far_t = ray_places(start, ray, (end - start).norm(dim=-1))
            near, far = near_t[:, None] * ray, far_t[:, None] * ray
            swap = (far - end).norm(dim=-1) < (near - end).norm(dim=-1)
            closer, further = torch.where(swap[:, None], far, near), torch.where(swap[:, None], near, far)
            use_further = other[:, f] & (torch.minimum(near_t, far_t) > min_depth)
            goal = torch.where(use_further[:, None], further, closer)
            cos = torch.nn.functional.cosine_similarity(closer - start, further - start, dim=-1)
            apart[:, f] = torch.where(seen[:, k], torch.rad2deg(torch.acos(cos.clamp(-1, 1))), 0.0)
            turn = torch.where(seen[:, k, None, None], rotation_between(end - start, goal - start), eye)
            world[:, bones] = turn[:, None] @ world[:, bones]  # (no autograd here: in place is safe)
            heads = chain_heads(world, offsets, self.skeleton.parents, heads[:, 0])
        local = world.clone()
        local[:, 1:] = world[:, parents].transpose(-1, -2) @ world[:, 1:]
        return roma.special_procrustes(local), heads, apart


def keypoint_rays(keypoints: torch.Tensor, focal: torch.Tensor, principal: torch.Tensor) -> torch.Tensor:
    """(B, J, 3) unit lines of sight through (B, J, 2+) pixel keypoints."""
    xy = (keypoints[..., :2] - principal[:, None]) / focal[:, None, None]
    return torch.nn.functional.normalize(torch.cat([xy, torch.ones_like(xy[..., :1])], -1), dim=-1)


def lift_combinations(apart: torch.Tensor, min_degrees: float, max_segments: int,
                      allowed: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The starts to try for (B, F) angles between segments' two places: for each person, every
    combination of its (up to ``max_segments`` widest) ``allowed`` (F,) segments whose places are over
    ``min_degrees`` apart, the empty one (every segment to its nearer place) first. Returns the (N,)
    person of each start and its (N, F) choices of the other place."""
    people, masks = [], []
    F = apart.shape[1]
    allowed = torch.ones(F, dtype=torch.bool) if allowed is None else allowed
    for i, row in enumerate(apart):
        order = [int(f) for f in torch.argsort(row, descending=True) if row[f] > min_degrees and allowed[f]]
        for n in range(min(len(order), max_segments) + 1):
            for chosen in itertools.combinations(order[:max_segments], n):
                mask = torch.zeros(F, dtype=torch.bool)
                mask[list(chosen)] = True
                people.append(i)
                masks.append(mask)
    return torch.tensor(people, dtype=torch.long), torch.stack(masks)
