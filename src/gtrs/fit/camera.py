"""Placing a predicted body in front of the camera, from its 2D keypoints (closed form).

The network predicts root-relative joints J_i in the camera's orientation; only the translation t
is unknown. With pinhole intrinsics (f, c), u_i = f (X_i + t_x) / (Z_i + t_z) + c_x (and v likewise),
which is linear in t:

    f t_x - (u_i - c_x) t_z = (u_i - c_x) Z_i - f X_i
    f t_y - (v_i - c_y) t_z = (v_i - c_y) Z_i - f Y_i

solved by confidence-weighted linear least squares. For comparison, ``fit_weak_perspective`` is the
paper demo's camera: a scale and a 2D shift, u = s X + t (solved in closed form here instead of by
gradient descent).
"""
from __future__ import annotations

import numpy as np


def default_focal(image_size: tuple[int, int] | None, keypoints: np.ndarray) -> float:
    """A focal length when none is given: the image's larger side (a ~53 degree field of view), or,
    without an image, 5x the person's keypoint extent (a person seen from afar)."""
    if image_size is not None:
        return float(max(image_size))
    visible = keypoints[keypoints[:, 2] > 0, :2]
    return 5.0 * float(np.ptp(visible, axis=0).max())


def solve_translation(joints3d: np.ndarray, keypoints: np.ndarray, focal: float, principal: np.ndarray) -> np.ndarray:
    """(3,) translation placing root-relative ``joints3d`` (J, 3) so they project onto ``keypoints`` (J, 3)."""
    w = np.sqrt(np.clip(keypoints[:, 2], 0, None))
    du = keypoints[:, 0] - principal[0]
    dv = keypoints[:, 1] - principal[1]
    X, Y, Z = joints3d.T
    zeros = np.zeros_like(du)
    A = np.concatenate([np.stack([np.full_like(du, focal), zeros, -du], 1),
                        np.stack([zeros, np.full_like(dv, focal), -dv], 1)]) * np.concatenate([w, w])[:, None]
    b = np.concatenate([du * Z - focal * X, dv * Z - focal * Y]) * np.concatenate([w, w])
    t, *_ = np.linalg.lstsq(A, b, rcond=None)
    return t


def project(points: np.ndarray, focal: float, principal: np.ndarray) -> np.ndarray:
    """Pinhole projection of camera-frame (N, 3) points to (N, 2) pixels."""
    return points[:, :2] / np.clip(points[:, 2:], 1e-6, None) * focal + principal


def fit_weak_perspective(joints3d: np.ndarray, keypoints: np.ndarray) -> tuple[float, np.ndarray]:
    """Scale s and shift (2,) minimising the confidence-weighted error of s * (X, Y) + shift."""
    w = np.clip(keypoints[:, 2], 0, None)
    P, x = joints3d[:, :2], keypoints[:, :2]
    mp = (w[:, None] * P).sum(0) / w.sum()
    mx = (w[:, None] * x).sum(0) / w.sum()
    s = float((w[:, None] * (P - mp) * (x - mx)).sum() / (w[:, None] * (P - mp) ** 2).sum())
    return s, mx - s * mp


def reprojection_error(projected: np.ndarray, keypoints: np.ndarray) -> float:
    """Mean pixel distance over the joints with positive confidence."""
    visible = keypoints[:, 2] > 0
    return float(np.linalg.norm(projected[visible] - keypoints[visible, :2], axis=1).mean())
