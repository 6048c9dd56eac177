"""Refine a fitted body to the 2D keypoints (``--refine``): the network's answer, corrected where the
keypoints disagree with it.

Starting from the body fitted to the network's mesh (``gtrs.fit.mesh``), pose (every bone), shape and
the camera translation are adjusted by Adam, batched over people, to minimise

- the confidence-weighted reprojection error of the COCO-19 joints regressed from the mesh, with a
  Geman-McClure robust loss (a wrong keypoint cannot pull a limb across the image), measured in
  metres at the person's depth so that near and far people weigh alike;
- the distance of the root-relative 3D joints to the network's: depth is ambiguous in 2D, and the
  network, not the optimiser, settles it;
- a pose prior (``gtrs.fit.pose_prior``: a Gaussian mixture on the bone rotations of the training
  poses) and the swing limits of ``gtrs.fit.observed_limits`` (the anatomical boxes widened to where
  the training poses go; twist is left free: the captured training motion's twist is arbitrary);
- a pull of the shape towards the fitted one.

Each Adam step poses only the ~1,000 vertices the COCO-19 joints are regressed from (``_JointPoser``,
skinned in torch); the whole mesh is posed once, at the end.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import roma
import torch

from gtrs.body.base import BodyModel, once_per_body
from gtrs.body.skeleton import skeleton_of
from gtrs.body.skinning import skin_points
from gtrs.fit.mesh import BodyFit
from gtrs.fit.observed_limits import refinement_limits
from gtrs.fit.pose_prior import PosePrior


@dataclass(frozen=True)
class RefineConfig:
    iterations: int = 40
    lr: float = 0.01
    robust_m: float = 0.05  # Geman-McClure scale of the reprojection error, metres at the body
    network_3d: float = 100.0  # weight of the root-relative joints' depth difference to the network's (per m^2)
    network_xy: float = 100.0  # the same across the image (x, y), where the keypoints also tell
    pose_prior: float = 1e-4  # weight of the pose prior's negative log-likelihood
    limits: float = 1.0  # weight of the squared swing excess beyond the joint limits (per rad^2)
    shape_prior: float = 1e-2


@dataclass
class RefineTerms:
    """Each person's (B,) terms of the refinement's objective, already weighted."""

    reprojection: torch.Tensor
    network_xy: torch.Tensor
    network_depth: torch.Tensor
    pose_prior: torch.Tensor
    limits: torch.Tensor
    shape: torch.Tensor

    def total(self) -> torch.Tensor:
        return self.reprojection + self.network_xy + self.network_depth + self.pose_prior + self.limits + self.shape


@dataclass
class RefinedBody:
    rotations: torch.Tensor  # (B, K, 3, 3)
    shape: torch.Tensor  # (B, S)
    translation: torch.Tensor  # (B, 3) camera frame
    vertices: torch.Tensor  # (B, V, 3) camera frame
    reprojection_px: torch.Tensor  # (B,) mean over visible joints
    bone_heads: torch.Tensor  # (B, K, 3) camera frame
    terms: RefineTerms  # the objective's terms at the refined body


def solve_translation(joints: torch.Tensor, keypoints: torch.Tensor, focal: torch.Tensor,
                      principal: torch.Tensor) -> torch.Tensor:
    """(B, 3) translations placing root-relative (B, J, 3) joints onto (B, J, 3) pixel keypoints:
    the linear least squares of ``gtrs.fit.camera.solve_translation``, batched."""
    w = keypoints[..., 2].clamp(min=0)
    du, dv = keypoints[..., 0] - principal[:, None, 0], keypoints[..., 1] - principal[:, None, 1]
    f = focal[:, None].expand_as(du)
    zero = torch.zeros_like(du)
    rows = torch.cat([torch.stack([f, zero, -du], -1), torch.stack([zero, f, -dv], -1)], 1)  # (B, 2J, 3)
    rhs = torch.cat([du * joints[..., 2] - f * joints[..., 0], dv * joints[..., 2] - f * joints[..., 1]], 1)
    ww = torch.cat([w, w], 1)
    A = torch.einsum("bjx,bj,bjy->bxy", rows, ww, rows) + 1e-6 * torch.eye(3, dtype=rows.dtype)
    return torch.linalg.solve(A, torch.einsum("bjx,bj,bj->bx", rows, ww, rhs))


_joint_limits = once_per_body(lambda body: refinement_limits(skeleton_of(body)))


@functools.lru_cache(maxsize=1)
def _shipped_prior() -> PosePrior:
    return PosePrior.load()


class RefineObjective:
    """The refinement's objective for a batch of people (see the module docstring)."""

    def __init__(self, body: BodyModel, network_vertices: torch.Tensor, keypoints: torch.Tensor, focal: torch.Tensor,
                 principal: torch.Tensor, anchor_shape: torch.Tensor, cfg: RefineConfig = RefineConfig(),
                 prior: PosePrior | None = None) -> None:
        dtype = body.dtype
        self.cfg, self.limits, self.prior = cfg, _joint_limits(body), prior or _shipped_prior()
        self.keypoints, self.focal, self.principal = keypoints.to(dtype), focal.to(dtype), principal.to(dtype)
        network_joints = body.regress_joints(network_vertices.to(dtype), "coco19")
        self.network_rel = network_joints - network_joints[:, 17:18]  # pelvis-relative (COCO-19 joint 17)
        self.conf = self.keypoints[..., 2].clamp(min=0)
        self.anchor_shape = anchor_shape

    def terms(self, rotations: torch.Tensor, shape: torch.Tensor, joints: torch.Tensor) -> RefineTerms:
        """The terms for (B, K, 3, 3) poses, (B, S) shapes and their (B, 19, 3) camera-frame joints."""
        cfg, limits, dtype = self.cfg, self.limits, joints.dtype
        depth = joints[..., 2:].clamp(min=0.1)
        pixels = joints[..., :2] / depth * self.focal[:, None, None] + self.principal[:, None]
        metres = (pixels - self.keypoints[..., :2]).norm(dim=-1) * depth[..., 0] / self.focal[:, None]
        gm = metres.square() * cfg.robust_m ** 2 / (metres.square() + cfg.robust_m ** 2)
        reprojection = (self.conf * gm).sum(-1) / self.conf.sum(-1).clamp(min=1) / cfg.robust_m ** 2
        rel = joints - joints[:, 17:18]
        gap = (rel - self.network_rel).square().mean(1)  # (B, 3) per axis
        swing = limits.to_angles(rotations)[..., :2]
        high, low = limits.high[:, :2].to(dtype), limits.low[:, :2].to(dtype)
        excess = ((swing - high).clamp(min=0) + (low - swing).clamp(min=0)) * limits.limited[:, None]
        return RefineTerms(reprojection=reprojection, network_xy=cfg.network_xy * gap[:, :2].sum(-1),
                           network_depth=cfg.network_3d * gap[:, 2],
                           pose_prior=cfg.pose_prior * self.prior.nll(rotations),
                           limits=cfg.limits * excess.square().sum((-1, -2)),
                           shape=cfg.shape_prior * (shape - self.anchor_shape).square().sum(-1))

    def reprojection_px(self, joints: torch.Tensor) -> torch.Tensor:
        """(B,) mean pixel distance of (B, 19, 3) camera-frame joints to the visible keypoints."""
        pixels = joints[..., :2] / joints[..., 2:].clamp(min=0.1) * self.focal[:, None, None] + self.principal[:, None]
        visible = (self.conf > 0).to(joints.dtype)
        return ((pixels - self.keypoints[..., :2]).norm(dim=-1) * visible).sum(-1) / visible.sum(-1).clamp(min=1)


def refine_to_keypoints(body: BodyModel, fit: BodyFit, network_vertices: torch.Tensor, keypoints: torch.Tensor,
                        focal: torch.Tensor, principal: torch.Tensor, cfg: RefineConfig = RefineConfig(),
                        prior: PosePrior | None = None, held: tuple[int, ...] = (),
                        iterations: int | None = None) -> RefinedBody:
    """Refine ``fit`` (fitted to the root-relative ``network_vertices`` (B, V, 3), camera axes; the
    shape parameters ``held`` -- the user's hints -- stay as fitted) to
    (B, 19, 3) COCO-19 pixel keypoints seen with ``focal`` (B,) and ``principal`` (B, 2).
    ``iterations`` overrides ``cfg.iterations``."""
    dtype = body.dtype
    objective = RefineObjective(body, network_vertices, keypoints, focal, principal, fit.shape, cfg, prior)
    # Place the fitted body: its pelvis-relative joints solved onto the keypoints.
    with torch.no_grad():
        fitted_joints = body.regress_joints(fit.vertices, "coco19")
        root_to_pelvis = fit.translation - fitted_joints[:, 17]
        start = solve_translation(fitted_joints - fitted_joints[:, 17:18], objective.keypoints, objective.focal,
                                  objective.principal)
    turns = torch.zeros(fit.rotations.shape[:2] + (3,), dtype=dtype, requires_grad=True)
    shape_delta = torch.zeros_like(fit.shape, requires_grad=True)
    free = torch.ones(fit.shape.shape[1], dtype=dtype)
    free[list(held)] = 0.0
    pelvis = start.clone().requires_grad_()
    opt = torch.optim.Adam([turns, shape_delta, pelvis], lr=cfg.lr)

    joints_of = _coco19_joints(body)

    def pose():
        return roma.rotvec_to_rotmat(turns) @ fit.rotations, (fit.shape + shape_delta * free).clamp(0, 1)

    with torch.enable_grad():
        for _ in range(cfg.iterations if iterations is None else iterations):
            rotations, shape = pose()
            joints = joints_of(rotations, shape, pelvis + root_to_pelvis)
            loss = objective.terms(rotations, shape, joints).total().sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        rotations, shape = pose()
        out = body(rotations, shape, pelvis + root_to_pelvis, joint_set="coco19")  # the whole mesh, once
        terms = objective.terms(rotations, shape, out.joints)
    return RefinedBody(rotations.detach(), shape.detach(), (pelvis + root_to_pelvis).detach(), out.vertices,
                       objective.reprojection_px(out.joints), out.bone_heads, terms)


class _JointPoser:
    """(B, 19, 3) COCO-19 joints of posed bodies from the few hundred vertices their regressor uses,
    skinned in torch (``gtrs.body.skinning``): each refinement step needs the joints, not the mesh."""

    def __init__(self, body: BodyModel) -> None:
        self.body = body
        self.columns, self.regressor = body.compact_regressor("coco19")  # (U,), (19, U)
        self.weights = body.skin_weights()[self.columns]  # (U, K)

    def __call__(self, rotations: torch.Tensor, shape: torch.Tensor, translation: torch.Tensor) -> torch.Tensor:
        rest = self.body.rest_points(shape, self.columns)
        points, _ = skin_points(rest, self.weights, self.body.bone_parents, rotations, translation)
        return torch.einsum("ju,bud->bjd", self.regressor.to(points.dtype), points)


_coco19_joints = once_per_body(_JointPoser)
