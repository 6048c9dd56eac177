"""Build the Human3.6M-17 joint regressor for anny (shipped as ``body/data/anny_h36m17_regressor.npz``).

The paper regresses H36M joints from SMPL vertices with a fixed (17, 6890) matrix. anny has no
such matrix, so we define one the same way, as sparse non-negative vertex weights that sum to 1:

- hips, knees, ankles, shoulders, elbows, wrists and the neck (thorax) are the joint centres of
  anny's ``cmu_mb`` rig (heads of LeftUpLeg/LeftLeg/LeftFoot, LeftArm/LeftForeArm/LeftHand,
  Neck). For each, vertices within ``radius`` of the rest joint are candidates, and non-negative
  least squares picks weights whose blend reproduces the joint centre over many random poses
  and body shapes. Right-side rows are the mirror images of the left ones, so the regressor is
  exactly left/right symmetric;
- pelvis = mean of the two hip rows; torso = mean of pelvis and neck;
- nose = anny's own COCO nose keypoint;
- head = the centroid of the vertices within 3 cm of the top of the head.

Run ``python -m gtrs.body.h36m_regressor`` to regenerate the file (about a minute).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import roma
import torch
from scipy.optimize import nnls

from gtrs.body.anny import H36M_REGRESSOR_FILE, AnnyBody
from gtrs.body.joints import H36M17
from gtrs.body.symmetry import vertex_mirror_permutation

# H36M joint -> anny cmu_mb bone whose head is that joint (left side and centre only).
FITTED_JOINTS = {
    "left_hip": "LeftUpLeg", "left_knee": "LeftLeg", "left_ankle": "LeftFoot",
    "left_shoulder": "LeftArm", "left_elbow": "LeftForeArm", "left_wrist": "LeftHand",
    "neck": "Neck",
}


def random_rotations(batch: int, bones: int, max_degrees: float, generator: torch.Generator) -> torch.Tensor:
    """(B, K, 3, 3) rotations about uniformly random axes by angles uniform in [0, max_degrees]."""
    axis = torch.randn(batch, bones, 3, generator=generator)
    axis = axis / axis.norm(dim=-1, keepdim=True)
    angle = torch.rand(batch, bones, 1, generator=generator) * np.deg2rad(max_degrees)
    return roma.rotvec_to_rotmat(axis * angle)


def fit_joint(vertices: np.ndarray, targets: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """NNLS weights over ``candidates`` so that sum_i w_i v_i ~= target for every sample, sum w = 1.

    vertices (N, V, 3), targets (N, 3) -> (len(candidates),) weights.
    """
    A = vertices[:, candidates, :].transpose(0, 2, 1).reshape(-1, len(candidates))  # (3N, C)
    b = targets.reshape(-1)
    # The sum-to-one constraint as a heavily weighted extra row.
    A = np.vstack([A, 100.0 * np.ones((1, len(candidates)))])
    b = np.concatenate([b, [100.0]])
    w, _ = nnls(A, b, maxiter=50 * len(candidates))
    return w / w.sum()


def build_h36m_regressor(body: AnnyBody, samples: int = 160, radius: float = 0.09, seed: int = 0) -> np.ndarray:
    """(17, V) the H36M-17 regressor for ``body`` (see the module docstring)."""
    g = torch.Generator().manual_seed(seed)
    rotations = random_rotations(samples, body.num_bones, 45.0, g)
    rotations[:, 0] = torch.eye(3)  # global orientation is irrelevant to a linear regressor
    shape = torch.rand(samples, body.shape_dim, generator=g)
    with torch.no_grad():
        out = body(rotations.to(body.dtype), shape.to(body.dtype))
        rest = body()
    verts = out.vertices.double().numpy()
    heads = out.bone_heads.double().numpy()
    rest_verts = rest.vertices[0].double().numpy()
    rest_heads = rest.bone_heads[0].double().numpy()
    perm = vertex_mirror_permutation(rest.vertices[0]).numpy()

    V = rest_verts.shape[0]
    rows: dict[str, np.ndarray] = {}
    for joint, bone in FITTED_JOINTS.items():
        k = body.bone_names.index(bone)
        candidates = np.flatnonzero(np.linalg.norm(rest_verts - rest_heads[k], axis=1) < radius)
        row = np.zeros(V)
        row[candidates] = fit_joint(verts, heads[:, k], candidates)
        rows[joint] = row
    rows["neck"] = 0.5 * (rows["neck"] + rows["neck"][perm])
    for name in list(rows):
        if name.startswith("left_"):
            rows["right_" + name[len("left_"):]] = rows[name][perm]
    rows["pelvis"] = 0.5 * (rows["left_hip"] + rows["right_hip"])
    rows["torso"] = 0.5 * (rows["pelvis"] + rows["neck"])
    rows["nose"] = body.coco_keypoint_weights()[0].double().numpy()
    top = rest_verts[:, 1].max()
    head_top = np.flatnonzero(rest_verts[:, 1] > top - 0.03)
    rows["head"] = np.zeros(V)
    rows["head"][head_top] = 1.0 / len(head_top)
    return np.stack([rows[name] for name in H36M17.names])


def save_sparse_regressor(regressor: np.ndarray, path: Path) -> None:
    """Write a (J, V) regressor as sparse ``rows``, ``cols``, ``weights``, ``shape`` (atomically)."""
    rows, cols = np.nonzero(regressor > 1e-6)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, rows=rows.astype(np.int32), cols=cols.astype(np.int32),
                        weights=regressor[rows, cols].astype(np.float64), shape=np.array(regressor.shape))
    tmp.replace(path)


def main() -> None:
    body = AnnyBody(dtype=torch.float64)
    regressor = build_h36m_regressor(body)
    path = Path(str(resources.files("gtrs.body") / "data" / H36M_REGRESSOR_FILE))
    save_sparse_regressor(regressor, path)
    print(f"wrote {path}: {int((regressor > 1e-6).sum())} non-zero weights")


if __name__ == "__main__":
    main()
