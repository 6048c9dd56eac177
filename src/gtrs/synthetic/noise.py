"""2D detector-noise models (gtrs-reference.md §2.3), applied to exact projected keypoints.

Two models, both returning (B, J, 3) keypoints (x, y, confidence):

- ``gaussian_joint_noise`` (the paper's H36M recipe): each joint moves by a Gaussian error whose
  standard deviation is ``sigma`` (per joint) times the person's size, applied to each joint with
  probability ``prob``.
- ``coco_detector_noise`` (PoseFix-style, for COCO joints): errors sized by COCO's OKS sigmas and
  the person's size. Per joint, one of: *good* (small Gaussian, median OKS 0.92),
  *jitter* (displacement between the good radius and the OKS 0.5 ring), *miss* (OKS 0.1-0.5 ring), *inversion*
  (placed on its left/right counterpart), *swap* (placed on another joint of the body);
  plus *missing* joints (confidence 0) and truncation at the image border (confidence 0).

Person size is sqrt of the tight bounding-box area of the exact keypoints, as in OKS.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

# COCO keypoint OKS sigmas (COCO evaluation code), COCO-17 order.
COCO_OKS_SIGMAS = (0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062,
                   0.107, 0.107, 0.087, 0.087, 0.089, 0.089)


@dataclass(frozen=True)
class CocoNoiseConfig:
    p_jitter: float = 0.10
    p_miss: float = 0.03
    p_inversion: float = 0.02
    p_swap: float = 0.01
    p_missing: float = 0.03
    good_oks: float = 0.92  # the 'good' Gaussian's sigma puts the median OKS here


def person_scale(keypoints: torch.Tensor) -> torch.Tensor:
    """(B,) sqrt of the tight bbox area of (B, J, 2) keypoints."""
    span = keypoints.amax(1) - keypoints.amin(1)
    return (span[:, 0].clamp(min=1) * span[:, 1].clamp(min=1)).sqrt()


def oks_radius(oks: float | torch.Tensor, sigma: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Pixel distance at which a joint with OKS ``sigma`` scores ``oks`` (OKS = exp(-d^2 / (2 s^2 k^2)))."""
    oks = torch.as_tensor(oks, dtype=scale.dtype)
    return scale * 2 * sigma * torch.sqrt(-2 * torch.log(oks))  # k = 2 * sigma in the COCO code


def _random_directions(shape: tuple[int, ...], generator: torch.Generator, dtype) -> torch.Tensor:
    angle = 2 * math.pi * torch.rand(shape, generator=generator, dtype=dtype)
    return torch.stack([torch.cos(angle), torch.sin(angle)], dim=-1)


def gaussian_joint_noise(keypoints: torch.Tensor, sigma: torch.Tensor, prob: float | torch.Tensor,
                         generator: torch.Generator) -> torch.Tensor:
    """Per-joint Gaussian 2D error: ``sigma`` (J,) in units of person size, applied with ``prob``."""
    B, J, _ = keypoints.shape
    scale = person_scale(keypoints)[:, None, None]
    noise = torch.randn(B, J, 2, generator=generator, dtype=keypoints.dtype) * sigma[None, :, None] * scale
    apply = torch.rand(B, J, 1, generator=generator, dtype=keypoints.dtype) < torch.as_tensor(prob)
    out = keypoints + noise * apply
    return torch.cat([out, torch.ones(B, J, 1, dtype=keypoints.dtype)], dim=-1)


def coco_detector_noise(keypoints: torch.Tensor, flip_permutation: list[int], cfg: CocoNoiseConfig,
                        generator: torch.Generator, image_size: int | None = None) -> torch.Tensor:
    """PoseFix-style errors on (B, J, 2) COCO-layout keypoints (J = 17, or 19 with pelvis/neck,
    which are then recomputed from the noisy hips and shoulders). Returns (B, J, 3)."""
    B, J, _ = keypoints.shape
    dtype = keypoints.dtype
    n = 17
    kp = keypoints[:, :n]
    sigma = torch.tensor(COCO_OKS_SIGMAS, dtype=dtype)[None, :]
    scale = person_scale(kp)[:, None]
    u = torch.rand(B, n, generator=generator, dtype=dtype)
    edges = torch.tensor([cfg.p_jitter, cfg.p_miss, cfg.p_inversion, cfg.p_swap], dtype=dtype).cumsum(0)
    kind = torch.bucketize(u, edges, right=True)  # 0 jitter, 1 miss, 2 inversion, 3 swap, 4 good

    r_good = oks_radius(cfg.good_oks, sigma, scale)
    r_half = oks_radius(0.5, sigma, scale)
    r_far = oks_radius(0.1, sigma, scale)
    direction = _random_directions((B, n), generator, dtype)
    t = torch.rand(B, n, generator=generator, dtype=dtype)
    # 'good': Gaussian with per-axis sigma so that the median distance is r_good.
    good = torch.randn(B, n, 2, generator=generator, dtype=dtype) * (r_good / math.sqrt(2 * math.log(2)))[..., None]
    ring = lambda lo, hi: (lo + (hi - lo) * t)[..., None] * direction  # noqa: E731
    base = kp + good
    out = torch.where((kind == 0)[..., None], kp + ring(r_good, r_half), base)
    out = torch.where((kind == 1)[..., None], kp + ring(r_half, r_far), out)
    inverted = kp[:, flip_permutation[:n]] + good
    out = torch.where((kind == 2)[..., None], inverted, out)
    other = torch.randint(0, n, (B, n), generator=generator)
    swapped = torch.gather(kp, 1, other[..., None].expand(-1, -1, 2)) + good
    out = torch.where((kind == 3)[..., None], swapped, out)

    conf = torch.ones(B, n, dtype=dtype)
    conf[torch.rand(B, n, generator=generator, dtype=dtype) < cfg.p_missing] = 0.0
    if image_size is not None:
        inside = ((out >= 0) & (out < image_size)).all(-1)
        conf = conf * inside
    out = torch.cat([out * (conf[..., None] > 0), conf[..., None]], dim=-1)
    if J == 19:
        out = torch.cat([out, _midpoint(out[:, 11], out[:, 12])[:, None], _midpoint(out[:, 5], out[:, 6])[:, None]], 1)
    return out


def _midpoint(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    conf = torch.minimum(a[:, 2:], b[:, 2:])
    return torch.cat([0.5 * (a[:, :2] + b[:, :2]) * (conf > 0), conf], dim=-1)
