"""BVH writer: a rig's skeleton and its poses as a BVH file that Blender, MotionBuilder and the
package's own reader (``gtrs.mocap.bvh``) load.

The pose convention is the body model's: per bone, a rotation relative to the parent in the rest
pose's axes (``W_k = W_parent R_k``), and the root bone's head position. In BVH a joint's world
rotation is its parent's times its own channels' rotation and its position is the parent's plus the
parent's world rotation applied to its OFFSET, so writing ``R_k`` as the channels and the rest head
differences as the OFFSETs reproduces the body's forward kinematics exactly.

Channels: ``Zrotation Xrotation Yrotation`` (R = Rz Rx Ry, degrees) on every joint, with
``Xposition Yposition Zposition`` first on the root; lengths in centimetres.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import roma
import torch

from gtrs.atomic import atomic_path

UNITS_PER_METRE = 100.0  # centimetres, as most BVH tools expect


def format_bvh(names: tuple[str, ...], parents: tuple[int, ...], rest_heads: np.ndarray, rotations: np.ndarray,
               root_positions: np.ndarray, frame_time: float, end_sites: dict[int, np.ndarray] | None = None) -> str:
    """BVH text for a skeleton (``rest_heads`` (K, 3) metres, parents before children) posed by
    ``rotations`` (T, K, 3, 3) with the root at ``root_positions`` (T, 3) metres. ``end_sites``:
    leaf bone -> its tip offset (metres); leaves without one get a tip continuing their bone."""
    rest_heads, rotations = np.asarray(rest_heads, np.float64), np.asarray(rotations, np.float64)
    K, T = len(names), len(rotations)
    if rotations.shape[1:] != (K, 3, 3) or np.asarray(root_positions).shape != (T, 3):
        raise ValueError(f"rotations must be (T, {K}, 3, 3) and root positions (T, 3)")
    children = {k: [j for j in range(K) if parents[j] == k] for k in range(K)}
    end_sites = dict(end_sites or {})
    lines = ["HIERARCHY"]

    def joint(k: int, depth: int) -> None:
        pad = "\t" * depth
        offset = rest_heads[k] - rest_heads[parents[k]] if k > 0 else np.zeros(3)
        lines.append(f"{pad}{'ROOT' if k == 0 else 'JOINT'} {names[k]}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}\tOFFSET " + " ".join(f"{v * UNITS_PER_METRE:.6f}" for v in offset))
        channels = "Xposition Yposition Zposition Zrotation Xrotation Yrotation" if k == 0 else "Zrotation Xrotation Yrotation"
        lines.append(f"{pad}\tCHANNELS {6 if k == 0 else 3} {channels}")
        for c in children[k]:
            joint(c, depth + 1)
        if not children[k]:
            tip = end_sites.get(k, 0.5 * (rest_heads[k] - rest_heads[parents[k]]))
            lines.append(f"{pad}\tEnd Site")
            lines.append(f"{pad}\t{{")
            lines.append(f"{pad}\t\tOFFSET " + " ".join(f"{v * UNITS_PER_METRE:.6f}" for v in tip))
            lines.append(f"{pad}\t}}")
        lines.append(f"{pad}}}")

    joint(0, 0)
    order = []

    def visit(k: int) -> None:  # channel order = the hierarchy's depth-first order
        order.append(k)
        for c in children[k]:
            visit(c)

    visit(0)
    euler = roma.rotmat_to_euler("ZXY", torch.as_tensor(rotations[:, order]), degrees=True).numpy()  # (T, K, 3)
    values = np.concatenate([np.asarray(root_positions, np.float64) * UNITS_PER_METRE, euler.reshape(T, -1)], axis=1)
    lines += ["MOTION", f"Frames: {T}", f"Frame Time: {frame_time:.8f}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in values]
    return "\n".join(lines) + "\n"


def write_bvh(path: str | Path, *args, **kwargs) -> Path:
    """``format_bvh`` written atomically to ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(format_bvh(*args, **kwargs))
    return path
