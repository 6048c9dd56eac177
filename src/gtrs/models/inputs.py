"""The network's keypoint input encoding (gtrs-reference.md §1.2).

The paper crops, rescales and then z-scores each axis over the joints of the sample, which
equals z-scoring the pixel coordinates directly. We do exactly that, over the *visible* joints
only (confidence > 0); missing joints are set to 0, the mean of the visible ones. Confidences
are otherwise discarded, as in the paper.
"""
from __future__ import annotations

import torch


def visible_joints(keypoints: torch.Tensor) -> torch.Tensor:
    """(B, J, 1) 1 where a (B, J, 2|3) keypoint is visible (confidence > 0; every joint without one)."""
    xy = keypoints[..., :2]
    return (keypoints[..., 2:] > 0).to(xy.dtype) if keypoints.shape[-1] == 3 else torch.ones_like(xy[..., :1])


def normalize_keypoints(keypoints: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """(B, J, 2) or (B, J, 3) pixel keypoints -> (B, J, 2) per-axis z-scores over visible joints."""
    xy = keypoints[..., :2]
    visible = visible_joints(keypoints)
    count = visible.sum(1, keepdim=True).clamp(min=1)
    mean = (xy * visible).sum(1, keepdim=True) / count
    var = (((xy - mean) * visible) ** 2).sum(1, keepdim=True) / count
    return (xy - mean) / (var.sqrt() + eps) * visible
