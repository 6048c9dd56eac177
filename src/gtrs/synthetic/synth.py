"""Training examples from body poses: random body shape, orientation, camera, optional mirror
flip; exact and noisy 2D keypoints; camera-frame, root-relative 3D joints and mesh.

Phenotype distributions (anny, all in [0, 1]), ``SynthConfig.bodies``:
- ``adults`` (evaluation, the probes): gender uniform; age uniform over adults (``ADULT_AGE_RANGE``;
  ``children=True`` widens it to child..old); muscle, weight, height and proportions Beta(2, 2),
  i.e. centred on the average with the extremes rarer;
- ``every`` (training, issue #29): anny's whole range -- gender uniform (men, women and in between),
  age from a child (1/3) to old (1.0), 70% adults and 30% children and teenagers (``CHILD_AGE_RANGE``
  below the adult range), muscle, weight, height and proportions uniform from their minimum to
  their maximum;
- ``mixed`` (training): each body is drawn from ``adults`` with probability ``MIXED_ADULT_SHARE``,
  else from ``every``: the whole range stays in training while the network's size prior stays on
  the adult bodies most users photograph (a run on ``every`` alone moved MPVPE on adults from 86.5
  to 94.6 mm in 5,500 steps; docs/mocap_release).
Targets are relative to the H36M pelvis joint, in metres, in the camera frame (as the paper's
``mesh_cam - pelvis``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from gtrs.body.anny import ADULT_AGE_RANGE
from gtrs.body.base import BodyModel
from gtrs.body.joints import COCO19, H36M17
from gtrs.body.symmetry import mirror_rotations, name_mirror_permutation
from gtrs.synthetic.camera import CameraSampling, project, rotation_about, sample_cameras
from gtrs.synthetic.noise import CocoNoiseConfig, coco_detector_noise
from gtrs.synthetic.visibility import VisibilityConfig, sample_visibility

CHILD_AGE_RANGE = (1 / 3, 1.0)
BODY_RANGES = ("adults", "every", "mixed")
EVERY_BODY_ADULT_SHARE = 0.7
MIXED_ADULT_SHARE = 0.75


@dataclass(frozen=True)
class SynthConfig:
    camera: CameraSampling = field(default_factory=CameraSampling)
    noise: CocoNoiseConfig = field(default_factory=CocoNoiseConfig)
    flip_prob: float = 0.5
    children: bool = False
    visibility: VisibilityConfig = field(default_factory=VisibilityConfig)
    bodies: str = "adults"  # or "every" or "mixed" (see the module docstring)

    def __post_init__(self) -> None:
        if self.bodies not in BODY_RANGES:
            raise ValueError(f"bodies must be one of {BODY_RANGES}, got {self.bodies!r}")


# Views like real photos (issue #13): from below the hips to nearly overhead, people small in the frame.
WIDE_CAMERA = CameraSampling(elevation_range=(-30.0, 75.0), fill_range=(0.15, 0.9))


def sample_phenotypes(batch: int, generator: torch.Generator, children: bool = False,
                      dtype: torch.dtype = torch.float32, bodies: str = "adults") -> torch.Tensor:
    """(B, 6) anny phenotypes from the documented distribution (``bodies``: one of ``BODY_RANGES``)."""
    if bodies == "mixed":
        adult = sample_phenotypes(batch, generator, children, dtype, "adults")
        every = sample_phenotypes(batch, generator, children, dtype, "every")
        pick = torch.rand(batch, 1, generator=generator) < MIXED_ADULT_SHARE
        return torch.where(pick, adult, every)
    if bodies == "every":
        gender, rest = torch.rand(batch, 1, generator=generator), torch.rand(batch, 4, generator=generator)
        adult = torch.rand(batch, 1, generator=generator) < EVERY_BODY_ADULT_SHARE
        lo = torch.where(adult, ADULT_AGE_RANGE[0], CHILD_AGE_RANGE[0])
        hi = torch.where(adult, ADULT_AGE_RANGE[1], ADULT_AGE_RANGE[0])
        age = lo + (hi - lo) * torch.rand(batch, 1, generator=generator)
        return torch.cat([gender, age, rest], dim=1).to(dtype)
    # Beta(2, 2) drawn as the median of 3 uniforms (torch.distributions takes no generator).
    u = torch.rand(batch, 4, 3, generator=generator).median(dim=-1).values
    lo, hi = CHILD_AGE_RANGE if children else ADULT_AGE_RANGE
    gender = torch.rand(batch, 1, generator=generator)
    age = lo + (hi - lo) * torch.rand(batch, 1, generator=generator)
    return torch.cat([gender, age, u], dim=1).to(dtype)


def synthesize_batch(body: BodyModel, rotations: torch.Tensor, generator: torch.Generator,
                     cfg: SynthConfig = SynthConfig(), cut_level: torch.Tensor | None = None,
                     shape: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Examples for a batch of poses (B, K, 3, 3) on ``body`` (anny). See the module docstring.
    ``cut_level`` (B,) forces framing cuts (``gtrs.synthetic.visibility``; probes); ``shape`` (B, 6) gives
    the bodies instead of drawing them (the shape probe)."""
    B = rotations.shape[0]
    dtype = body.dtype
    rotations = rotations.to(dtype).clone()
    flip = torch.rand(B, generator=generator) < cfg.flip_prob
    if flip.any():
        rotations[flip] = mirror_rotations(rotations[flip], name_mirror_permutation(body.bone_names))
    yaw = 2 * math.pi * torch.rand(B, generator=generator, dtype=dtype)
    rotations[:, 0] = rotation_about(torch.tensor([0.0, 1.0, 0.0], dtype=dtype).expand(B, 3), yaw) @ rotations[:, 0]
    drawn = sample_phenotypes(B, generator, cfg.children, dtype, cfg.bodies)  # drawn either way: same stream
    shape = drawn if shape is None else shape.to(dtype)

    # The camera looks at the root (the origin). Its rotation is folded into the body's global
    # orientation, so the posed mesh comes out directly in the camera's axes (about the root):
    # x_cam = R x_world + t, and rotating the root rotates the whole body about it.
    cams = sample_cameras(torch.zeros(B, 3, dtype=dtype), cfg.camera, generator)
    rotations[:, 0] = cams.R @ rotations[:, 0]
    # The body may live on an accelerator: the random draws above and the 2D work below stay on the
    # CPU (same draws on every machine), the mesh stays where the body is.
    with torch.no_grad():
        vertices = body(rotations.to(body.device), shape.to(body.device)).vertices  # (B, V, 3) camera axes
        coco = body.regress_joints(vertices, "coco19")  # (B, 19, 3)
        h36m = body.regress_joints(vertices, "h36m17")  # (B, 17, 3)
    vertices = vertices - h36m[:, H36M17.root: H36M17.root + 1]
    coco, h36m = coco.cpu(), h36m.cpu()
    pelvis = h36m[:, H36M17.root: H36M17.root + 1]  # (B, 1, 3)
    root_cam = pelvis[:, 0] + cams.t
    coco2d = project(coco + cams.t[:, None], cams.focal, cams.principal)
    h36m2d = project(h36m + cams.t[:, None], cams.focal, cams.principal)
    noisy = coco_detector_noise(coco2d, COCO19.flip_permutation(), cfg.noise, generator, cfg.camera.image_size)
    v = cfg.visibility
    if cut_level is not None or v.p_cut > 0 or v.p_limb > 0 or v.p_side > 0:
        visible = sample_visibility(coco2d, v, generator, cut_level)
    else:
        visible = torch.ones_like(coco2d[..., 0])
    conf = noisy[..., 2:] * visible[..., None]
    noisy = torch.cat([noisy[..., :2] * (conf > 0), conf], dim=-1)
    return {
        "keypoints2d": coco2d,  # (B, 19, 2) exact, pixels
        "keypoints2d_conf": visible,  # (B, 19) 0 where the framing or an occlusion hides the joint
        "keypoints2d_noisy": noisy,  # (B, 19, 3) with confidence
        "keypoints2d_h36m": h36m2d,  # (B, 17, 2)
        "joints3d": coco - pelvis,  # (B, 19, 3) metres, root-relative, camera frame
        "joints3d_h36m": h36m - pelvis,  # (B, 17, 3)
        "vertices": vertices,  # (B, V, 3) on the body's device
        "root_cam": root_cam,  # (B, 3) the pelvis in the camera frame (for projection)
        "shape": shape,
        "flipped": flip,
        "focal": cams.focal,
        "principal": cams.principal,
    }


def synthesize_clip(body: BodyModel, rotations: torch.Tensor, generator: torch.Generator,
                    cfg: SynthConfig = SynthConfig(), chunk: int = 256) -> dict[str, torch.Tensor]:
    """A motion clip (T, K, 3, 3) seen as a video: one body shape and one camera for every frame, with
    the detector-noise model drawn afresh per frame. Same keys as ``synthesize_batch`` (no flips, no
    hidden joints); the root stays at the camera's target (the clip's own root motion is left out)."""
    T, dtype = rotations.shape[0], body.dtype
    shape = sample_phenotypes(1, generator, cfg.children, dtype, cfg.bodies)
    cam = sample_cameras(torch.zeros(1, 3, dtype=dtype), cfg.camera, generator)
    rotations = rotations.to(dtype).clone()
    rotations[:, 0] = cam.R @ rotations[:, 0]
    parts = []
    with torch.no_grad():
        for start in range(0, T, chunk):
            r = rotations[start:start + chunk]
            vertices = body(r, shape.expand(len(r), -1)).vertices
            parts.append((vertices, body.regress_joints(vertices, "coco19"), body.regress_joints(vertices, "h36m17")))
    vertices, coco, h36m = (torch.cat(p) for p in zip(*parts))
    pelvis = h36m[:, H36M17.root: H36M17.root + 1]
    focal, principal = cam.focal.expand(T), cam.principal.expand(T, 2)
    coco2d = project(coco + cam.t[:, None], focal, principal)
    noisy = coco_detector_noise(coco2d, COCO19.flip_permutation(), cfg.noise, generator, cfg.camera.image_size)
    return {"keypoints2d": coco2d, "keypoints2d_conf": torch.ones_like(coco2d[..., 0]), "keypoints2d_noisy": noisy,
            "joints3d": coco - pelvis, "joints3d_h36m": h36m - pelvis, "vertices": vertices - pelvis,
            "shape": shape.expand(T, -1), "focal": focal, "principal": principal}
