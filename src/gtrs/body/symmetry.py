"""Left/right mirror symmetry of meshes and joints.

A mirror flip negates X (the body's left-right axis in the package frame) and swaps left and
right: vertices by a permutation computed once from the rest mesh, joints by the joint set's
flip pairs.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy.spatial import cKDTree

from gtrs.body.joints import get_joint_set


def vertex_mirror_permutation(rest_vertices: torch.Tensor, tolerance: float = 1e-3) -> torch.Tensor:
    """(V,) index of each vertex's mirror image in a left/right symmetric rest mesh (V, 3).

    Raises a ValueError if the mesh is not symmetric within ``tolerance`` metres or if the
    matching is not a one-to-one involution.
    """
    v = rest_vertices.detach().cpu().double().numpy()
    mirrored = v * np.array([-1.0, 1.0, 1.0])
    distance, perm = cKDTree(v).query(mirrored)
    if distance.max() > tolerance:
        raise ValueError(f"mesh is not left/right symmetric: a vertex's mirror image is {distance.max():.4f} m "
                         f"from the nearest vertex (tolerance {tolerance} m)")
    if not np.array_equal(perm[perm], np.arange(len(v))):
        raise ValueError("mirror matching is not an involution (two vertices share a mirror image)")
    return torch.as_tensor(perm, dtype=torch.long)


def mirror_points(points: torch.Tensor, permutation: torch.Tensor | list[int]) -> torch.Tensor:
    """Mirror (..., N, 3) points: negate X and reorder by ``permutation`` (vertices or joints)."""
    sign = torch.tensor([-1.0, 1.0, 1.0], dtype=points.dtype, device=points.device)
    return points[..., permutation, :] * sign


def mirror_joints(joints: torch.Tensor, joint_set: str) -> torch.Tensor:
    """Mirror (..., J, 3) joints of a named joint set."""
    return mirror_points(joints, get_joint_set(joint_set).flip_permutation())


def mirror_name(name: str) -> str:
    """The name of the mirror-image bone or joint: Left<->Right, left_<->right_, L<->R prefixes."""
    for a, b in (("Left", "Right"), ("left_", "right_"), ("left", "right")):
        if name.startswith(a):
            return b + name[len(a):]
        if name.startswith(b):
            return a + name[len(b):]
    if len(name) > 1 and name[0] in "LR" and name[1].isupper():  # cmu_mb: LHipJoint, RThumb
        return {"L": "R", "R": "L"}[name[0]] + name[1:]
    return name


def name_mirror_permutation(names: tuple[str, ...] | list[str]) -> list[int]:
    """Index map that swaps left and right names; raises if a mirror name is missing."""
    try:
        return [list(names).index(mirror_name(n)) for n in names]
    except ValueError as e:
        raise ValueError(f"names are not left/right complete: {e}") from None


def mirror_rotations(rotations: torch.Tensor, bone_permutation: list[int]) -> torch.Tensor:
    """Mirror a pose (..., K, 3, 3) given in world axes: R'_b = M R_mirror(b) M with M = diag(-1, 1, 1)."""
    m = torch.tensor([-1.0, 1.0, 1.0], dtype=rotations.dtype, device=rotations.device)
    r = rotations[..., bone_permutation, :, :]
    return r * m[:, None] * m[None, :]
