"""How faithfully a retargeted clip reproduces the BVH's joint positions.

The body and the capture subject differ in size and proportions, so per subject we fit the
body's phenotype (adult range) and its skeleton-moving local changes (``SKELETON_LOCAL_CHANGES``,
on a body built with them) to the subject's skeleton over a few frames, then measure, per
clip, the mean distance between the BVH's forward-kinematics joints and the body's joints
(``compare`` pairs of the skeleton map), both relative to the mid-hip, after a single
least-squares scale per clip.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gtrs.body.anny import ADULT_AGE_RANGE, AnnyBody
from gtrs.mocap.bvh import Motion
from gtrs.mocap.retarget import RetargetedMotion, SkeletonMap


@dataclass
class ClipFidelity:
    clip: str
    frames: int
    scale: float
    per_joint_mm: dict[str, float]

    @property
    def mean_mm(self) -> float:
        return float(np.mean(list(self.per_joint_mm.values())))


def _paired(body: AnnyBody, motion: Motion, skeleton: SkeletonMap, rotations: np.ndarray, frames: np.ndarray,
            phenotype: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mid-hip-relative body joints A and BVH joints B (both (N, P, 3)) for the given frames."""
    bones = [body.bone_names.index(b) for _, b in skeleton.compare.values()]
    pos, _ = motion.forward_kinematics(scale=skeleton.unit_scale)
    B = torch.tensor(pos[frames][:, [motion.index(j) for j, _ in skeleton.compare.values()]], dtype=body.dtype)
    R = torch.tensor(rotations[frames], dtype=body.dtype)
    A = body(R, phenotype.expand(len(frames), -1)).bone_heads[:, bones]
    hips = [i for i, k in enumerate(skeleton.compare) if k.endswith("hip")]
    return A - A[:, hips].mean(1, keepdim=True), B - B[:, hips].mean(1, keepdim=True)


def fit_phenotype(body: AnnyBody, clips: list[tuple[Motion, RetargetedMotion]], skeleton: SkeletonMap,
                  frames_per_clip: int = 8, steps: int = 60) -> torch.Tensor:
    """(shape_dim,) adult phenotype (+ local changes) whose joints best match the subject's over a
    few frames of each clip."""
    logit = torch.zeros(body.shape_dim, requires_grad=True)
    opt = torch.optim.Adam([logit], lr=0.1)
    lo = torch.zeros(body.shape_dim)
    hi = torch.ones(body.shape_dim)
    lo[1], hi[1] = ADULT_AGE_RANGE
    lo[6:] = -1.0  # local changes
    picks = [np.linspace(0, m.num_frames - 1, min(frames_per_clip, m.num_frames)).astype(int) for m, _ in clips]
    for _ in range(steps):
        phenotype = (lo + (hi - lo) * torch.sigmoid(logit)).to(body.dtype)
        loss = 0.0
        for (motion, rt), frames in zip(clips, picks):
            A, B = _paired(body, motion, skeleton, rt.rotations, frames, phenotype)
            s = (A * B).sum() / (B * B).sum()
            loss = loss + (A - s * B).norm(dim=-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (lo + (hi - lo) * torch.sigmoid(logit)).detach().to(body.dtype)


def clip_fidelity(body: AnnyBody, motion: Motion, retargeted: RetargetedMotion, skeleton: SkeletonMap,
                  phenotype: torch.Tensor, batch: int = 256) -> ClipFidelity:
    """Per-joint mean error (mm) over every frame of the clip after one scale fit."""
    A_all, B_all = [], []
    with torch.no_grad():
        for start in range(0, motion.num_frames, batch):
            frames = np.arange(start, min(start + batch, motion.num_frames))
            A, B = _paired(body, motion, skeleton, retargeted.rotations, frames, phenotype)
            A_all.append(A)
            B_all.append(B)
    A, B = torch.cat(A_all).double(), torch.cat(B_all).double()
    s = (A * B).sum() / (B * B).sum()
    err = (A - s * B).norm(dim=-1).mean(0) * 1000
    return ClipFidelity(clip=motion.name, frames=motion.num_frames, scale=float(s),
                        per_joint_mm={k: float(e) for k, e in zip(skeleton.compare, err)})
