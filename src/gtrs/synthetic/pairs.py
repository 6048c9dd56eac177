"""A synthetic example as a training pair: what the network is fed (``network_inputs``: exact or
detector-noise 2D keypoints) and what it must output (``targets``: root-relative 3D joints), and
the mean body seen from the front (``front_view_template``, the mesh template of the network).
Training, evaluation and the baselines all read examples this way."""
from __future__ import annotations

import torch

from gtrs.body.base import BodyModel
from gtrs.body.joints import get_joint_set
from gtrs.synthetic.noise import gaussian_joint_noise

FRONT_VIEW = torch.diag(torch.tensor([1.0, -1.0, -1.0]))


def front_view_template(body: BodyModel) -> torch.Tensor:
    """(V, 3) the mean body at rest seen by a camera in front of it, centred on the H36M pelvis
    (the paper's template is a mean SMPL mesh in the camera frame)."""
    with torch.no_grad():
        out = body(joint_set="h36m17")
    vertices = out.vertices[0] - out.joints[0, 0]
    return vertices @ FRONT_VIEW.to(vertices).T


def targets(batch: dict, joint_set: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Root-relative 3D joints of the input set (PAM target) and the H36M joints (mesh-joint target)."""
    js = get_joint_set(joint_set)
    pose = batch["joints3d"] if joint_set == "coco19" else batch["joints3d_h36m"]
    return pose - pose[:, js.root:js.root + 1], batch["joints3d_h36m"]


def network_inputs(batch: dict, joint_set: str, noisy: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """(B, J, 3) keypoints fed to the network: detector-noise ones where ``noisy`` (B,), exact elsewhere."""
    if joint_set == "coco19":
        exact, noised = batch["keypoints2d"], batch["keypoints2d_noisy"]
        conf = batch.get("keypoints2d_conf", torch.ones_like(exact[..., 0]))  # annotated joints may be missing
    elif joint_set == "h36m17":
        exact = batch["keypoints2d_h36m"]
        conf = torch.ones_like(exact[..., 0])
        noised = batch.get("keypoints2d_h36m_noisy")  # a detector's, where the data has them
        if noised is None:
            noised = gaussian_joint_noise(exact, torch.full((17,), 0.015, dtype=exact.dtype), 1.0, generator)
    else:
        raise ValueError(f"training supports joint sets coco19 and h36m17, got {joint_set!r}")
    exact = torch.cat([exact, conf[..., None].to(exact.dtype)], dim=-1)
    return torch.where(noisy[:, None, None], noised, exact)
