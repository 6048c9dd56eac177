"""The paper's losses (gtrs-reference.md §2.1), with lengths in metres.

The paper writes the joint losses on millimetres with weight 0.0012 (COCO-joint config); on
metres that is 1.2. Total = vertex + 0.1 normal + 1.2 mesh-joints + 0.5 * 1.2 PAM-joints
(+ 20 edge, from epoch 2 on).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from gtrs.body.mesh_quality import mesh_edges  # noqa: F401 (the surface losses use its edges)


@dataclass(frozen=True)
class LossWeights:
    vertex: float = 1.0
    normal: float = 0.1
    edge: float = 20.0
    mesh_joints: float = 1.2  # 0.0012 per mm
    pam_joints: float = 0.6  # 0.5 x 1.2
    edge_from_epoch: int = 2  # the edge loss is added when epoch > 1 (epochs counted from 1)


def vertex_loss(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    return (pred - gt).abs().mean()


def normal_loss(pred: torch.Tensor, gt: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
    """Mean |cos| between the predicted triangles' edges and the ground-truth face normals."""
    def unit(x):
        return torch.nn.functional.normalize(x, dim=-1)

    p0, p1, p2 = pred[:, faces[:, 0]], pred[:, faces[:, 1]], pred[:, faces[:, 2]]
    g0, g1, g2 = gt[:, faces[:, 0]], gt[:, faces[:, 1]], gt[:, faces[:, 2]]
    n = unit(torch.linalg.cross(g1 - g0, g2 - g0))
    cos = [(unit(e) * n).sum(-1).abs() for e in (p1 - p0, p2 - p0, p2 - p1)]
    return torch.cat(cos, dim=1).mean()


def edge_loss(pred: torch.Tensor, gt: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
    """L1 between predicted and ground-truth edge lengths."""
    lp = (pred[:, edges[:, 0]] - pred[:, edges[:, 1]]).norm(dim=-1)
    lg = (gt[:, edges[:, 0]] - gt[:, edges[:, 1]]).norm(dim=-1)
    return (lp - lg).abs().mean()


def joint_loss(pred: torch.Tensor, gt: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """L1 over joints, optionally masked by (B, J) validity."""
    err = (pred - gt).abs()
    if valid is None:
        return err.mean()
    w = valid[..., None].to(err.dtype).expand_as(err)
    return (err * w).sum() / w.sum().clamp(min=1)


def gtrs_loss(pred_vertices: torch.Tensor, pred_pose3d: torch.Tensor, gt_vertices: torch.Tensor,
              gt_pose3d: torch.Tensor, h36m_regressor: tuple[torch.Tensor, torch.Tensor], gt_h36m: torch.Tensor,
              faces: torch.Tensor, edges: torch.Tensor, epoch: int,
              weights: LossWeights = LossWeights()) -> dict[str, torch.Tensor]:
    """All terms and their weighted ``total``. ``epoch`` counts from 1; poses are root-relative.
    ``h36m_regressor`` is (vertex indices (U,), weights (17, U)) (``BodyModel.compact_regressor``)."""
    columns, regressor = h36m_regressor
    pred_h36m = torch.einsum("ju,bud->bjd", regressor.to(pred_vertices.dtype), pred_vertices[:, columns])
    terms = {
        "vertex": vertex_loss(pred_vertices, gt_vertices),
        "normal": normal_loss(pred_vertices, gt_vertices, faces),
        "mesh_joints": joint_loss(pred_h36m, gt_h36m),
        "pam_joints": joint_loss(pred_pose3d, gt_pose3d),
    }
    total = (weights.vertex * terms["vertex"] + weights.normal * terms["normal"]
             + weights.mesh_joints * terms["mesh_joints"] + weights.pam_joints * terms["pam_joints"])
    if epoch >= weights.edge_from_epoch:
        terms["edge"] = edge_loss(pred_vertices, gt_vertices, edges)
        total = total + weights.edge * terms["edge"]
    terms["total"] = total
    return terms
