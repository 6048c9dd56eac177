"""Perspective cameras: sampling views of a person, and projection (pure functions).

Camera frame is OpenCV's (X right, Y down, Z forward); pixels have their origin at the image's
top-left corner. ``R`` (B, 3, 3) and ``t`` (B, 3) map world points to the camera frame,
``x_cam = R @ x_world + t``; intrinsics are a focal length in pixels and a principal point.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class CameraSampling:
    """Ranges of the random cameras (degrees, metres, pixels)."""

    image_size: int = 1000  # square images, pixels
    focal_range: tuple[float, float] = (800.0, 2000.0)  # pixels (about 27-63 degrees of view)
    elevation_range: tuple[float, float] = (-15.0, 40.0)  # camera above (+) or below the pelvis
    roll_std: float = 5.0
    fill_range: tuple[float, float] = (0.45, 0.9)  # the body's height as a fraction of the image
    body_height: float = 1.75  # metres, to turn fill into a distance
    centre_jitter: float = 0.1  # pelvis offset from the image centre, fraction of the image


@dataclass
class Cameras:
    R: torch.Tensor  # (B, 3, 3) world -> camera
    t: torch.Tensor  # (B, 3)
    focal: torch.Tensor  # (B,) pixels
    principal: torch.Tensor  # (B, 2) pixels
    image_size: int


def look_at(eye: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """World->camera (R, t) for cameras at ``eye`` (B, 3) looking at ``target`` (B, 3), world Y up."""
    forward = torch.nn.functional.normalize(target - eye, dim=-1)
    up = torch.tensor([0.0, 1.0, 0.0], dtype=eye.dtype).expand_as(forward)
    right = torch.nn.functional.normalize(torch.linalg.cross(forward, up), dim=-1)
    down = torch.linalg.cross(forward, right)
    R = torch.stack([right, down, forward], dim=-2)  # rows are the camera axes in world coordinates
    t = -(R @ eye[..., None])[..., 0]
    return R, t


def project(points_cam: torch.Tensor, focal: torch.Tensor, principal: torch.Tensor) -> torch.Tensor:
    """Pinhole projection of camera-frame points (B, N, 3) -> pixels (B, N, 2); ``focal`` is (B,)
    or per axis (B, 2), ``principal`` (B, 2)."""
    z = points_cam[..., 2:].clamp(min=1e-6)
    f = focal[:, None, :] if focal.dim() == 2 else focal[:, None, None]
    return points_cam[..., :2] / z * f + principal[:, None, :]


def rotation_about(axis: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """(B, 3, 3) rotations about unit ``axis`` (B, 3) by ``angle`` (B,) radians (Rodrigues)."""
    K = torch.zeros(axis.shape[0], 3, 3, dtype=axis.dtype)
    K[:, 0, 1], K[:, 0, 2], K[:, 1, 2] = -axis[:, 2], axis[:, 1], -axis[:, 0]
    K = K - K.transpose(1, 2)
    s, c = torch.sin(angle)[:, None, None], torch.cos(angle)[:, None, None]
    return torch.eye(3, dtype=axis.dtype) + s * K + (1 - c) * K @ K


def sample_cameras(pelvis: torch.Tensor, cfg: CameraSampling, generator: torch.Generator) -> Cameras:
    """Random cameras that see a person whose pelvis is at ``pelvis`` (B, 3) world.

    Azimuth is uniform (the body's own orientation varies too), elevation uniform in
    ``elevation_range``, distance chosen so the body fills ``fill_range`` of the image height,
    a small roll about the viewing axis, and the pelvis shifted off-centre by up to ``centre_jitter``.
    """
    B, dtype = pelvis.shape[0], pelvis.dtype

    def uniform(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(B, generator=generator, dtype=dtype)

    focal = uniform(*cfg.focal_range)
    fill = uniform(*cfg.fill_range)
    distance = focal * cfg.body_height / (fill * cfg.image_size)
    azimuth = uniform(0.0, 2 * math.pi)
    elevation = torch.deg2rad(uniform(*cfg.elevation_range))
    direction = torch.stack([torch.cos(elevation) * torch.sin(azimuth), torch.sin(elevation),
                             torch.cos(elevation) * torch.cos(azimuth)], dim=-1)
    R, _ = look_at(pelvis + distance[:, None] * direction, pelvis)
    roll = torch.deg2rad(cfg.roll_std * torch.randn(B, generator=generator, dtype=dtype))
    R = rotation_about(torch.tensor([0.0, 0.0, 1.0], dtype=dtype).expand(B, 3), roll) @ R
    eye = pelvis + distance[:, None] * direction
    t = -(R @ eye[..., None])[..., 0]
    shift = cfg.centre_jitter * cfg.image_size * (2 * torch.rand(B, 2, generator=generator, dtype=dtype) - 1)
    principal = cfg.image_size / 2 + shift
    return Cameras(R=R, t=t, focal=focal, principal=principal, image_size=cfg.image_size)
