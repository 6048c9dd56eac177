"""Which keypoints a detector reports, as in real photos: close framings that cut the body, a whole
limb hidden, one side hidden. Returns a (B, 19) COCO-19 visibility mask (1 seen, 0 missing) that
is applied to the exact and the noisy keypoints alike (confidence 0, as a detector reports a joint
it cannot see).

- *Framing cut*: the image ends below the knees, between hips and knees, or between shoulders and
  hips (image rows, so a tilted or lying person is cut where the frame would cut them); everything
  past the cut is missing.
- *Limb*: an arm (elbow, wrist) or a leg (knee, ankle) is missing, as when something is in front of it.
- *Side*: the far side of the body (eye, ear, elbow, wrist, knee, ankle, and half the time the
  shoulder and hip) is missing, as in a profile view with self-occlusion.

A person always keeps at least ``min_visible`` joints (the predictor's minimum): a pattern that
would leave fewer is not applied to that example.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

# COCO-19 indices
NOSE, L_SHOULDER, R_SHOULDER, L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE = 0, 5, 6, 11, 12, 13, 14, 15, 16
PELVIS, NECK = 17, 18
LIMBS = ((7, 9), (8, 10), (13, 15), (14, 16))  # left arm, right arm, left leg, right leg
SIDES = ((1, 3, 7, 9, 13, 15), (2, 4, 8, 10, 14, 16))
SIDE_TRUNK = ((5, 11), (6, 12))
# Framing cuts: the cut lies between the mean image row of ``upper`` and that of ``lower`` joints.
CUTS = (((L_KNEE, R_KNEE), (L_ANKLE, R_ANKLE)), ((L_HIP, R_HIP), (L_KNEE, R_KNEE)),
        ((L_SHOULDER, R_SHOULDER), (L_HIP, R_HIP)))
CUT_NAMES = ("knees", "hips", "chest")


@dataclass(frozen=True)
class VisibilityConfig:
    """Probability of each pattern per example (independent; 0 turns one off)."""

    p_cut: float = 0.0
    p_limb: float = 0.0
    p_side: float = 0.0
    min_visible: int = 4


def framing_cut(keypoints: torch.Tensor, level: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """(B, 19) visibility after cutting at ``level`` (B,) = 0 knees, 1 hips, 2 chest (image rows)."""
    y = keypoints[..., 1]
    B = y.shape[0]
    upper = torch.stack([y[:, list(u)].mean(-1) for u, _ in CUTS], dim=1).gather(1, level[:, None])[:, 0]
    lower = torch.stack([y[:, list(l)].mean(-1) for _, l in CUTS], dim=1).gather(1, level[:, None])[:, 0]
    row = upper + (lower - upper) * (0.2 + 0.6 * torch.rand(B, generator=generator, dtype=y.dtype))
    # the image's bottom edge is the side past the cut: rows below it (larger y) are lost
    return (y <= row[:, None]).to(y.dtype)


def sample_visibility(keypoints: torch.Tensor, cfg: VisibilityConfig, generator: torch.Generator,
                      cut_level: torch.Tensor | None = None) -> torch.Tensor:
    """(B, 19) visibility for exact (B, 19, 2) pixel keypoints; ``cut_level`` (B,) ints (-1 = no cut)
    forces the framing cut (probes), else cuts are drawn with ``cfg.p_cut``."""
    B, J = keypoints.shape[:2]
    dtype = keypoints.dtype
    visible = torch.ones(B, J, dtype=dtype)
    if cut_level is None:
        cut = torch.rand(B, generator=generator) < cfg.p_cut
        level = torch.randint(0, len(CUTS), (B,), generator=generator)
    else:
        cut, level = cut_level >= 0, cut_level.clamp(min=0)
    visible = torch.where(cut[:, None], visible * framing_cut(keypoints, level, generator), visible)
    limb = torch.rand(B, generator=generator) < cfg.p_limb
    which = torch.randint(0, len(LIMBS), (B,), generator=generator)
    for i, joints in enumerate(LIMBS):
        rows = limb & (which == i)
        visible[rows[:, None] & _mask(J, joints)] = 0
    side = torch.rand(B, generator=generator) < cfg.p_side
    which = torch.randint(0, 2, (B,), generator=generator)
    trunk = torch.rand(B, generator=generator) < 0.5
    for i in range(2):
        rows = side & (which == i)
        visible[rows[:, None] & _mask(J, SIDES[i])] = 0
        visible[(rows & trunk)[:, None] & _mask(J, SIDE_TRUNK[i])] = 0
    visible[:, PELVIS] = visible[:, L_HIP] * visible[:, R_HIP]
    visible[:, NECK] = visible[:, L_SHOULDER] * visible[:, R_SHOULDER]
    too_few = visible.sum(1) < cfg.min_visible
    return torch.where(too_few[:, None], torch.ones_like(visible), visible)


def _mask(J: int, joints: tuple[int, ...]) -> torch.Tensor:
    m = torch.zeros(J, dtype=torch.bool)
    m[list(joints)] = True
    return m[None]
