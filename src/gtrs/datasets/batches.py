"""Records -> batches with the synthetic pipeline's keys (``gtrs.synthetic.synth``), meshes from SMPL.

Extra keys: ``keypoints2d_conf`` (B, 19) visibility of the exact 2D joints (annotated COCO
joints can be missing), ``keypoints2d_h36m_noisy`` (B, 17, 3) detected H36M joints (Human3.6M
test), ``vertices_smpl_root`` (B, 3) each GT mesh's SMPL pelvis relative to its H36M pelvis (the
centre the paper uses for MPVPE), ``names`` (list of str).
"""
from __future__ import annotations

import numpy as np
import roma
import torch

from gtrs.body.joints import COCO19
from gtrs.body.smpl import SmplBody
from gtrs.synthetic.camera import project
from gtrs.synthetic.noise import CocoNoiseConfig, coco_detector_noise
from gtrs.datasets.records import PersonRecord


class SmplBodies:
    """The neutral SMPL and, on first use, the gendered ones (3DPW ground truth is gendered)."""

    def __init__(self, model_dir) -> None:
        self.model_dir = model_dir
        self.by_gender = {"neutral": SmplBody(model_dir)}

    @property
    def neutral(self) -> SmplBody:
        return self.by_gender["neutral"]

    def __getitem__(self, gender: str) -> SmplBody:
        if gender not in self.by_gender:
            self.by_gender[gender] = SmplBody(self.model_dir, gender=gender)
        return self.by_gender[gender]


def _stack(records: list[PersonRecord], attr: str, default: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.stack([default if getattr(r, attr) is None else getattr(r, attr) for r in records]),
                           dtype=torch.float32)


@torch.no_grad()
def camera_frame_meshes(records: list[PersonRecord], bodies: SmplBodies) -> torch.Tensor:
    """(B, 6890, 3) each record's SMPL mesh in its camera frame, metres (gendered where annotated)."""
    B = len(records)
    rotations = roma.rotvec_to_rotmat(_stack(records, "smpl_pose", np.zeros(72)).reshape(B, 24, 3))
    shape = _stack(records, "smpl_shape", np.zeros(10))
    trans = _stack(records, "trans", np.zeros(3))
    R = _stack(records, "camera_R", np.eye(3))
    t = _stack(records, "camera_t", np.zeros(3))
    rotations[:, 0] = R @ rotations[:, 0]  # the camera turns the body about its pelvis
    vertices = torch.empty(B, 6890, 3)
    for gender in sorted({r.gender for r in records}):
        pick = torch.tensor([r.gender == gender for r in records])
        body = bodies[gender]
        pelvis = (R[pick] @ body.pelvis_from_native(shape[pick], trans[pick])[..., None])[..., 0] + t[pick]
        vertices[pick] = body(rotations[pick], shape[pick], pelvis).vertices
    return vertices


def project_records(points: torch.Tensor, records: list[PersonRecord]) -> torch.Tensor:
    """(B, N, 3) camera-frame points -> (B, N, 2) pixels, each with its record's camera."""
    focal = _stack(records, "focal", np.ones(2))
    principal = _stack(records, "principal", np.zeros(2))
    weak = torch.tensor([r.projection == "weak" for r in records])
    out = project(points, focal, principal)
    if weak.any():  # pixels = s * X + t about the SMPL root
        out[weak] = points[weak, :, :2] * focal[weak, None, :] + principal[weak, None, :]
    return out


@torch.no_grad()
def make_batch(records: list[PersonRecord], bodies: SmplBodies, generator: torch.Generator | None = None,
               noise: CocoNoiseConfig | None = CocoNoiseConfig()) -> dict:
    """A batch of ``records``; detector-style noise (``noise``) where a record has no detections."""
    vertices = camera_frame_meshes(records, bodies)
    body = bodies.neutral
    coco = body.regress_joints(vertices, "coco19")  # (B, 19, 3)
    h36m = body.regress_joints(vertices, "h36m17")  # (B, 17, 3)
    has_gt = torch.tensor([r.joints_h36m is not None for r in records])
    if has_gt.any():  # Human3.6M: its measured joints are the ground truth, not the fit's
        h36m[has_gt] = _stack([r for r in records if r.joints_h36m is not None], "joints_h36m", np.zeros((17, 3)))
    pelvis = h36m[:, :1]
    coco2d = project_records(coco, records)
    h36m2d = project_records(h36m, records)
    conf = torch.ones(len(records), 19)
    annotated = [i for i, r in enumerate(records) if r.keypoints_coco19 is not None]
    if annotated:
        kp = _stack([records[i] for i in annotated], "keypoints_coco19", np.zeros((19, 3)))
        coco2d[annotated], conf[annotated] = kp[..., :2], kp[..., 2]
    coco2d = coco2d * (conf[..., None] > 0)
    batch = {
        "keypoints2d": coco2d, "keypoints2d_conf": conf, "keypoints2d_h36m": h36m2d,
        "joints3d": coco - pelvis, "joints3d_h36m": h36m - pelvis, "vertices": vertices - pelvis,
        "vertices_smpl_root": body.smpl_pelvis(vertices) - pelvis[:, 0],
        "names": [r.name for r in records],
    }
    detected = [r.detected_coco19 is not None for r in records]
    if all(detected):
        batch["keypoints2d_noisy"] = _stack(records, "detected_coco19", np.zeros((19, 3)))
    elif noise is not None:
        # missing joints sit at the visible ones' mean, so they do not inflate the person's size
        seen = (conf[..., None] > 0).to(coco2d.dtype)
        centre = (coco2d * seen).sum(1, keepdim=True) / seen.sum(1, keepdim=True).clamp(min=1)
        noisy = coco_detector_noise(torch.where(seen > 0, coco2d, centre), COCO19.flip_permutation(), noise, generator)
        noisy[..., 2] *= conf  # joints the annotators did not see stay missing
        noisy[..., :2] *= noisy[..., 2:] > 0
        batch["keypoints2d_noisy"] = noisy
    if all(r.detected_h36m17 is not None for r in records):
        batch["keypoints2d_h36m_noisy"] = _stack(records, "detected_h36m17", np.zeros((17, 3)))
    return batch
