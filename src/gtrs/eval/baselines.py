"""Baselines for ``gtrs evaluate --baseline NAME`` (accuracy only, no timing). Each is a predictor
``(keypoints (B, 19, 3), batch) -> vertices (B, V, 3)`` in the camera frame, relative to the H36M
pelvis, like the network's output.

- ``rest``: the rest-pose template (anny's A-pose, mean shape) facing the camera;
- ``mean``: the mean of the training split's poses (per bone, the rotation nearest to the mean
  rotation matrix), mean shape, facing the camera;
- ``optimization``: the body's pose and shape fitted to the 2D keypoints by gradient descent
  (``gtrs.baselines.optimization``), with the example's true camera intrinsics.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import roma
import torch

from gtrs.body.anny import AnnyBody
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.pairs import FRONT_VIEW, front_view_template

Predictor = Callable[[torch.Tensor, dict], torch.Tensor]
BASELINES = ("rest", "mean", "optimization")


def mean_pose(rotations: torch.Tensor) -> torch.Tensor:
    """(K, 3, 3) per-bone chordal mean of (N, K, 3, 3) rotations; the root is left at identity."""
    mean = roma.special_procrustes(rotations.double().mean(0)).float()
    mean[0] = torch.eye(3)
    return mean


def posed_facing_camera(body: AnnyBody, rotations: torch.Tensor) -> torch.Tensor:
    """(V, 3) the mean-shape body in ``rotations`` (K, 3, 3), seen from its front, pelvis at the origin."""
    with torch.no_grad():
        out = body(rotations[None].to(body.dtype), joint_set="h36m17")
    vertices = out.vertices[0] - out.joints[0, 0]
    return vertices @ FRONT_VIEW.to(vertices.dtype).T


def baseline_predictor(name: str, body: AnnyBody, data: str | Path, fit_iterations: int = 200) -> Predictor:
    """The predictor of baseline ``name`` (see the module docstring)."""
    if name == "rest":
        template = front_view_template(body)
        return lambda keypoints, batch: template.expand(keypoints.shape[0], -1, -1)
    if name == "mean":
        vertices = posed_facing_camera(body, mean_pose(load_split_rotations(data, "train")))
        return lambda keypoints, batch: vertices.expand(keypoints.shape[0], -1, -1)
    if name == "optimization":
        from gtrs.baselines.optimization import FitConfig, fit_keypoints

        def fit(keypoints: torch.Tensor, batch: dict) -> torch.Tensor:
            result = fit_keypoints(body, keypoints, batch["focal"], batch["principal"], FitConfig(iterations=fit_iterations))
            return result["vertices"] - body.regress_joints(result["vertices"], "h36m17")[:, :1]

        return fit
    raise ValueError(f"unknown baseline {name!r}; expected one of {BASELINES}")
