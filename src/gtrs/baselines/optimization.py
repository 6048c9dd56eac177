"""The optimisation baseline: fit the body's pose and shape to 2D keypoints by gradient descent
(SMPLify-style), the way people get a mesh without a network.

Per person: per-bone rotations (axis-angle), anny phenotypes and a translation are fitted to
minimise the confidence-weighted reprojection error of the COCO-19 joints regressed from the mesh,
plus a pose prior (small rotations away from the rest pose) and a shape prior (the average adult).
Each person is fitted twice, starting facing the camera and facing away, and the better fit is kept.
The output is in the camera frame, like the networks'.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import roma
import torch

from gtrs.body.anny import AnnyBody
from gtrs.fit.camera import solve_translation

# A body at rest faces +Z (package frame); facing a camera means facing -Z in the camera frame.
FACING_CAMERA = torch.diag(torch.tensor([1.0, -1.0, -1.0]))
FACING_AWAY = torch.diag(torch.tensor([-1.0, -1.0, 1.0]))


@dataclass(frozen=True)
class FitConfig:
    iterations: int = 200
    lr: float = 0.03
    pose_prior: float = 2e-3  # per squared radian, per bone (root excluded)
    shape_prior: float = 1e-2


def fit_keypoints(body: AnnyBody, keypoints: torch.Tensor, focal: torch.Tensor, principal: torch.Tensor,
                  cfg: FitConfig = FitConfig()) -> dict[str, torch.Tensor]:
    """Fit ``body`` to (B, 19, 3) COCO-19 pixel keypoints seen by cameras (focal (B,), principal (B, 2)).

    Returns camera-frame ``vertices`` (B, V, 3), ``joints`` (B, 19, 3), the per-person ``reprojection_px``
    and the fitted ``rotations``, ``shape``, ``translation``.
    """
    B = keypoints.shape[0]
    kp = keypoints.repeat(2, 1, 1).to(body.dtype)
    f, c = focal.repeat(2).to(body.dtype), principal.repeat(2, 1).to(body.dtype)
    start = torch.cat([FACING_CAMERA.expand(B, 3, 3), FACING_AWAY.expand(B, 3, 3)]).to(body.dtype)
    with torch.no_grad():
        rest_joints = body(joint_set="coco19").joints[0]
        t0 = torch.stack([torch.as_tensor(solve_translation((rest_joints @ start[i].T).double().numpy(),
                                                            kp[i].double().numpy(), float(f[i]), c[i].double().numpy()))
                          for i in range(2 * B)]).to(body.dtype)
    rotvecs = torch.zeros(2 * B, body.num_bones, 3, dtype=body.dtype, requires_grad=True)
    shape_logits = torch.zeros(2 * B, body.shape_dim, dtype=body.dtype, requires_grad=True)
    translation = t0.clone().requires_grad_()
    mean_shape = body.default_shape(1)
    opt = torch.optim.Adam([rotvecs, shape_logits, translation], lr=cfg.lr)
    conf = kp[..., 2]

    def evaluate():
        rotations = roma.rotvec_to_rotmat(rotvecs)
        rotations = torch.cat([(start @ rotations[:, 0])[:, None], rotations[:, 1:]], dim=1)
        shape = mean_shape + 0.5 * torch.tanh(shape_logits)  # stays inside [0, 1] around the mean
        out = body(rotations, shape.clamp(0, 1), translation, joint_set="coco19")
        z = out.joints[..., 2:].clamp(min=0.05)
        px = out.joints[..., :2] / z * f[:, None, None] + c[:, None]
        err = ((px - kp[..., :2]).norm(dim=-1) * conf).sum(-1) / conf.sum(-1).clamp(min=1)  # (2B,) pixels
        return out, rotations, shape, err

    with torch.enable_grad():  # callers may be inside no_grad (evaluation code)
        for _ in range(cfg.iterations):
            _, _, shape, err = evaluate()
            scale = f / translation[:, 2].detach().clamp(min=0.5)  # pixels per metre at the body
            loss = (err / scale).sum() + cfg.pose_prior * rotvecs[:, 1:].square().sum() \
                + cfg.shape_prior * (shape - mean_shape).square().sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        out, rotations, shape, err = evaluate()
    best = torch.where(err[:B] <= err[B:], torch.arange(B), torch.arange(B) + B)
    return {"vertices": out.vertices[best], "joints": out.joints[best], "reprojection_px": err[best],
            "rotations": rotations[best], "shape": shape[best], "translation": translation[best].detach()}


def as_numpy(result: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy() for k, v in result.items()}
