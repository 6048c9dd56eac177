"""The paper's metrics (gtrs-reference.md §6), as pure functions. Inputs in metres, outputs in mm.

- MPJPE: H36M-17 joints regressed from the meshes, both centred on the pelvis (index 0), mean
  Euclidean error over the 14 evaluation joints (pelvis, torso and nose dropped).
- PA-MPJPE: the same after a per-sample similarity Procrustes alignment (scale, rotation,
  translation) of the prediction onto the ground truth, on the 14 joints.
- MPVPE: mean vertex error over all vertices, both meshes centred on their pelvis joint.
"""
from __future__ import annotations

import torch

from gtrs.body.joints import H36M_EVAL_JOINTS
from gtrs.body.mesh_quality import (  # noqa: F401 (metrics API)
    TORN_SHARE,
    distorted_edge_share,
    edge_lengths,
    torn_meshes,
)


def similarity_align(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample similarity Procrustes: the (B, N, 3) ``pred`` scaled, rotated and shifted onto ``target``."""
    mu_p, mu_t = pred.mean(1, keepdim=True), target.mean(1, keepdim=True)
    p, t = pred - mu_p, target - mu_t
    var_p = (p ** 2).sum((1, 2))
    cov = p.transpose(1, 2) @ t  # (B, 3, 3)
    U, S, Vh = torch.linalg.svd(cov)
    # Reflection fix: flip the last singular direction where det(U V^T) < 0.
    d = torch.sign(torch.det(U @ Vh))
    D = torch.diag_embed(torch.stack([torch.ones_like(d), torch.ones_like(d), d], dim=-1))
    R = U @ D @ Vh  # p @ R ~ t
    scale = (S * torch.diagonal(D, dim1=-2, dim2=-1)).sum(-1) / var_p.clamp(min=1e-12)
    return scale[:, None, None] * (p @ R) + mu_t


def mpjpe(pred_joints: torch.Tensor, gt_joints: torch.Tensor, root: int = 0,
          eval_joints: tuple[int, ...] = H36M_EVAL_JOINTS) -> torch.Tensor:
    """(B,) mm: mean joint error after centring both on ``root``, over ``eval_joints``."""
    p = pred_joints - pred_joints[:, root:root + 1]
    g = gt_joints - gt_joints[:, root:root + 1]
    return 1000 * (p[:, eval_joints] - g[:, eval_joints]).norm(dim=-1).mean(-1)


def pa_mpjpe(pred_joints: torch.Tensor, gt_joints: torch.Tensor,
             eval_joints: tuple[int, ...] = H36M_EVAL_JOINTS) -> torch.Tensor:
    """(B,) mm: mean joint error after similarity alignment on ``eval_joints``."""
    p, g = pred_joints[:, eval_joints], gt_joints[:, eval_joints]
    return 1000 * (similarity_align(p, g) - g).norm(dim=-1).mean(-1)


def mpvpe(pred_vertices: torch.Tensor, gt_vertices: torch.Tensor, pred_root: torch.Tensor,
          gt_root: torch.Tensor) -> torch.Tensor:
    """(B,) mm: mean vertex error after centring each mesh on its root joint (B, 3)."""
    return 1000 * ((pred_vertices - pred_root[:, None]) - (gt_vertices - gt_root[:, None])).norm(dim=-1).mean(-1)


def per_joint_error(pred_joints: torch.Tensor, gt_joints: torch.Tensor, root: int = 0) -> torch.Tensor:
    """(B, J) mm: each joint's error after root centring (for per-joint plots)."""
    p = pred_joints - pred_joints[:, root:root + 1]
    g = gt_joints - gt_joints[:, root:root + 1]
    return 1000 * (p - g).norm(dim=-1)


def mesh_metrics(pred_vertices: torch.Tensor, gt_vertices: torch.Tensor, pred_h36m: torch.Tensor,
                 gt_h36m: torch.Tensor) -> dict[str, torch.Tensor]:
    """The paper's three per-sample errors (B,) in mm: ``mpjpe``, ``pa_mpjpe`` and ``mpvpe`` (meshes
    centred on their H36M pelvis, joint 0)."""
    return {"mpjpe": mpjpe(pred_h36m, gt_h36m), "pa_mpjpe": pa_mpjpe(pred_h36m, gt_h36m),
            "mpvpe": mpvpe(pred_vertices, gt_vertices, pred_h36m[:, 0], gt_h36m[:, 0])}


def acceleration_error(pred_joints: torch.Tensor, gt_joints: torch.Tensor, root: int = 0,
                       eval_joints: tuple[int, ...] = H36M_EVAL_JOINTS) -> torch.Tensor:
    """(T - 2,) mm/frame^2: per frame, the mean over ``eval_joints`` of the difference between the
    predicted and true second differences of root-centred joints (T, J, 3) (as HMMR / VIBE report it)."""
    p = pred_joints - pred_joints[:, root:root + 1]
    g = gt_joints - gt_joints[:, root:root + 1]
    acc = lambda x: x[2:] - 2 * x[1:-1] + x[:-2]  # noqa: E731
    return 1000 * (acc(p[:, eval_joints]) - acc(g[:, eval_joints])).norm(dim=-1).mean(-1)


# Joint-angle groups of ``angle_errors``: each the mean of its left and right angle (trunk_lean alone).
ANGLE_GROUPS = ("knee_flexion", "hip_flexion", "hip_abduction", "elbow_flexion", "shoulder_elevation", "trunk_lean")


def angle_errors(pred_coco19: torch.Tensor, gt_coco19: torch.Tensor) -> dict[str, torch.Tensor]:
    """Absolute joint-angle errors in degrees (``gtrs.body.joint_angles``) per example (B,):
    ``angle_<group>`` for each of ``ANGLE_GROUPS`` and ``angle_all``, the mean over every angle. Both
    bodies' COCO-19 joints (B, 19, 3) in camera axes (the trunk's lean is from the camera's up)."""
    from gtrs.body.joint_angles import ANGLE_NAMES, joint_angles

    pred = joint_angles(pred_coco19.detach().double().cpu().numpy())
    gt = joint_angles(gt_coco19.detach().double().cpu().numpy())
    err = {n: torch.as_tensor(abs(pred[n] - gt[n])) for n in ANGLE_NAMES}
    out = {f"angle_{g}": torch.stack([v for n, v in err.items() if n.endswith(g)]).mean(0) for g in ANGLE_GROUPS}
    out["angle_all"] = torch.stack(list(err.values())).mean(0)
    return out
