"""Ambiguity-aware refinement (issue #30): several starting bodies per person, one for each way its
segments can lie along their keypoints' lines of sight, refined together, the best kept.

1. The fitted body is placed and refined briefly (``gtrs.fit.keypoints``).
2. Every segment is lifted onto its keypoint's line of sight (``gtrs.fit.segment_lifts``), to the
   place nearer where it is; the trunk, thighs and shins whose other place lies over
   ``min_degrees`` away (a segment along the line of sight: towards or away from the camera) are
   also tried there, in every combination of the ``max_segments`` widest, so a person gets 1 to
   2^max_segments starts.
3. All starts of all people are refined together, batched, with the network's say weakened (the
   starts disagree with its depths on purpose), and each person keeps the start that ends with
   the lowest robust reprojection error plus joint-limit excess (as the refinement weighs them: a
   start that bends a hip or knee past its range is not a body).

Measured on the ambiguity probe (docs/ambiguity_refine): the best start is often much better than
the one kept, but no score available here -- reprojection, pose prior, joint limits, agreement with
the network, or mixes of them -- finds it: they pick within 1 mm of each other, the network
agreement and the pose prior alone worst. A learned critic (docs/ambiguity_refine/critic.py) kept
bodies right with detector noise but lost 1-4 mm with exact keypoints, and a critic of the pose alone
(docs/ambiguity_refine/pose_critic.py) found nothing on thighs, so neither is used.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from gtrs.body.base import BodyModel, once_per_body
from gtrs.body.skeleton import skeleton_of
from gtrs.fit.keypoints import RefineConfig, RefinedBody, RefineTerms, refine_to_keypoints
from gtrs.fit.mesh import BodyFit
from gtrs.fit.pose_prior import PosePrior
from gtrs.fit.segment_lifts import SegmentLifter, keypoint_rays, lift_combinations

TRIED_BOTH_WAYS = ("trunk", "left_thigh", "right_thigh", "left_shin", "right_shin")


@dataclass(frozen=True)
class MultiStartConfig:
    placing_iterations: int = 10  # refinement before the lifts (places the body on the keypoints)
    start_iterations: int = 30  # refinement of every start
    min_degrees: float = 20.0  # a segment whose two places are closer than this is lifted one way only
    max_segments: int = 3
    segments: tuple[str, ...] = TRIED_BOTH_WAYS
    # the starts' refinement: the network's 3D joints pull less (they disagree on purpose)
    refine: RefineConfig = field(default_factory=lambda: RefineConfig(network_xy=30.0, network_3d=10.0))


_lifter = once_per_body(lambda body: SegmentLifter(skeleton_of(body)))


def lifted_starts(body: BodyModel, placed: RefinedBody, keypoints: torch.Tensor, focal: torch.Tensor,
                  principal: torch.Tensor, cfg: MultiStartConfig = MultiStartConfig()) -> tuple[torch.Tensor, BodyFit]:
    """The starts of step 2 for B placed bodies: the (N,) person of each start and the starts as a
    ``BodyFit`` of N bodies (camera frame)."""
    lifter = _lifter(body)
    rays, seen = keypoint_rays(keypoints, focal, principal), keypoints[..., 2] > 0
    joints = body.regress_joints(placed.vertices, "coco19")
    nearer = torch.zeros(len(keypoints), len(lifter.names), dtype=torch.bool)
    _, _, apart = lifter.lift(placed.rotations, placed.bone_heads, joints, rays, seen, nearer)
    allowed = torch.tensor([name in cfg.segments for name in lifter.names])
    person, other = lift_combinations(apart, cfg.min_degrees, cfg.max_segments, allowed)
    rotations, _, _ = lifter.lift(placed.rotations[person], placed.bone_heads[person], joints[person], rays[person],
                                  seen[person], other)
    shape, translation = placed.shape[person], placed.translation[person]
    with torch.no_grad():
        out = body(rotations, shape, translation)
    return person, BodyFit(rotations, shape, translation, out.vertices, out.bone_heads,
                           torch.zeros(len(person), dtype=shape.dtype))


def best_per_person(person: torch.Tensor, score: torch.Tensor, people: int) -> torch.Tensor:
    """(people,) the index of each person's lowest-scoring start, for (N,) starts' persons and scores."""
    by_score = torch.argsort(score)
    grouped = by_score[torch.argsort(person[by_score], stable=True)]  # by person, best first
    counts = torch.bincount(person, minlength=people)
    return grouped[torch.cumsum(counts, 0) - counts]


def refined_starts(body: BodyModel, fit: BodyFit, network_vertices: torch.Tensor, keypoints: torch.Tensor,
                   focal: torch.Tensor, principal: torch.Tensor, cfg: MultiStartConfig = MultiStartConfig(),
                   prior: PosePrior | None = None, held: tuple[int, ...] = ()) -> tuple[torch.Tensor, RefinedBody]:
    """Steps 1-3 without the choice: the (N,) person of each start and the N refined starts."""
    dtype = body.dtype
    keypoints, focal, principal = keypoints.to(dtype), focal.to(dtype), principal.to(dtype)
    placed = refine_to_keypoints(body, fit, network_vertices, keypoints, focal, principal, cfg.refine, prior, held,
                                 iterations=cfg.placing_iterations)
    person, starts = lifted_starts(body, placed, keypoints, focal, principal, cfg)
    return person, refine_to_keypoints(body, starts, network_vertices[person], keypoints[person], focal[person],
                                       principal[person], cfg.refine, prior, held, iterations=cfg.start_iterations)


def refine_with_lifts(body: BodyModel, fit: BodyFit, network_vertices: torch.Tensor, keypoints: torch.Tensor,
                      focal: torch.Tensor, principal: torch.Tensor, cfg: MultiStartConfig = MultiStartConfig(),
                      prior: PosePrior | None = None, held: tuple[int, ...] = ()) -> RefinedBody:
    """``gtrs.fit.keypoints.refine_to_keypoints`` from several starts per person (see the module
    docstring); the same arguments, and the same result for each person."""
    person, refined = refined_starts(body, fit, network_vertices, keypoints, focal, principal, cfg, prior, held)
    best = best_per_person(person, refined.terms.reprojection + refined.terms.limits, len(keypoints))
    terms = RefineTerms(**{name: getattr(refined.terms, name)[best] for name in RefineTerms.__dataclass_fields__})
    return RefinedBody(refined.rotations[best], refined.shape[best], refined.translation[best], refined.vertices[best],
                       refined.reprojection_px[best], refined.bone_heads[best], terms)
