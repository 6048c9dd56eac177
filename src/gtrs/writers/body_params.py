"""BodyParams: a person's fitted body model parameters, and the files made from them (parameter JSON,
skinned GLB, BVH)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import roma
import torch

from gtrs.atomic import atomic_path
from gtrs.body.mesh_normals import vertex_normals
from gtrs.writers.frames import FRAME_NAMES, frame_matrix
from gtrs.writers.skinned_glb import write_skinned_glb
from gtrs.mocap.bvh_writer import write_bvh

PARAMS_SCHEMA_VERSION = 1
PARAMS_SCHEMA = """Body parameters JSON (``NAME_k_params.json``), schema_version 1:
{"schema_version": 1, "body_model": "anny", "rig": "cmu_mb", "frame": str (axes of every 3D value),
 "units": "metres, radians", "shape": {phenotype name: value in [0, 1]},
 "bones": [{"name": str, "parent": str | null, "rotation_xyzw": [x, y, z, w], "rotation_vector": [x, y, z]}]
   (each bone's rotation relative to its parent, in the rest pose's axes; the root's is its orientation),
 "root_position": [x, y, z] (where the root bone Hips has its head),
 "rest_bone_heads": [[x, y, z] per bone] (the fitted shape at rest, root at the origin),
 "camera": {"focal_px": float, "principal_px": [cx, cy]} (pinhole; in the camera frame it sits at the origin)}"""


@dataclass
class BodyParams:
    """Pose, shape and placement of a fitted body, in the camera frame (OpenCV axes), with what is
    needed to pose its rig elsewhere."""

    bone_names: tuple[str, ...]
    bone_parents: tuple[int, ...]
    rotations: np.ndarray  # (K, 3, 3) local, rest axes; the root's includes the camera's view
    shape: np.ndarray  # (S,)
    shape_names: tuple[str, ...]
    root: np.ndarray  # (3,) the root bone's head, camera frame
    rest_vertices: np.ndarray  # (V, 3) the fitted shape at rest, root head at the origin
    rest_heads: np.ndarray  # (K, 3)
    skin_weights: np.ndarray  # (V, K), shared by every person of one body model

    def posed(self, frame: str) -> tuple[np.ndarray, np.ndarray]:
        """Local rotations (K, 3, 3) and root position (3,) in ``frame`` ('camera' or 'viewer'): turning
        the whole body turns only its root."""
        turn = frame_matrix(frame)
        rotations = self.rotations.copy()
        rotations[0] = turn @ rotations[0]
        return rotations, turn @ self.root

    def posed_quaternions(self, frame: str) -> tuple[torch.Tensor, np.ndarray]:
        """Local rotations as unit quaternions (K, 4) xyzw, and the root position (3,), in ``frame``."""
        rotations, root = self.posed(frame)
        return roma.rotmat_to_unitquat(torch.as_tensor(rotations)), root

    def record(self, frame: str, focal: float, principal: np.ndarray) -> dict:
        """The parameter JSON (``PARAMS_SCHEMA``)."""
        unit, root = self.posed_quaternions(frame)
        quats, rotvecs = unit.numpy(), roma.unitquat_to_rotvec(unit).numpy()
        return {
            "schema_version": PARAMS_SCHEMA_VERSION, "body_model": "anny", "rig": "cmu_mb", "frame": FRAME_NAMES[frame],
            "units": "metres, radians", "shape": {n: float(v) for n, v in zip(self.shape_names, self.shape)},
            "bones": [{"name": n, "parent": self.bone_names[p] if p >= 0 else None, "rotation_xyzw": q.tolist(),
                       "rotation_vector": v.tolist()}
                      for n, p, q, v in zip(self.bone_names, self.bone_parents, quats, rotvecs)],
            "root_position": root.tolist(), "rest_bone_heads": self.rest_heads.tolist(),
            "camera": {"focal_px": float(focal), "principal_px": [float(c) for c in principal]},
        }

    def save_params(self, path: Path, frame: str, focal: float, principal: np.ndarray) -> Path:
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(self.record(frame, focal, principal), indent=1))
        return path

    def save_glb(self, path: Path, faces: np.ndarray, frame: str) -> Path:
        """A skinned GLB of this body (its rig posed by node rotations)."""
        rotations, root = self.posed(frame)
        normals = vertex_normals(self.rest_vertices, faces)
        return write_skinned_glb(path, self.rest_vertices, faces, normals, self.skin_weights, self.bone_names,
                                 self.bone_parents, self.rest_heads, rotations[None], root[None])

    def save_bvh(self, path: Path, frame: str) -> Path:
        """One BVH frame of this body's skeleton (centimetres)."""
        rotations, root = self.posed(frame)
        return write_bvh(path, self.bone_names, self.bone_parents, self.rest_heads, rotations[None], root[None],
                         frame_time=1.0 / 30)
