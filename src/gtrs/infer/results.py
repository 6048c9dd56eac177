"""MeshResult: one reconstructed person, with writers for OBJ / PLY / GLB meshes and joint JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh

from gtrs.atomic import atomic_path
from gtrs.body.joints import COCO19, H36M17

MESH_FORMATS = ("obj", "ply", "glb")


@dataclass
class MeshResult:
    """A person's mesh and joints in the camera frame (OpenCV axes, metres), placed by ``translation``."""

    vertices: np.ndarray  # (V, 3)
    faces: np.ndarray  # (F, 3)
    joints: np.ndarray  # (19, 3) COCO-19, regressed from the mesh
    joints_h36m: np.ndarray  # (17, 3)
    translation: np.ndarray  # (3,) where the pelvis is
    focal: float
    principal: np.ndarray  # (2,)
    keypoints: np.ndarray  # (19, 3) the input, pixels
    source: str = ""
    image: str | None = None
    reprojection_px: float = float("nan")

    def numpy(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in self.__dict__.items() if isinstance(v, np.ndarray)}

    def mesh(self) -> trimesh.Trimesh:
        return trimesh.Trimesh(self.vertices, self.faces, process=False)

    def save(self, folder: str | Path, stem: str, formats: tuple[str, ...] = MESH_FORMATS) -> list[Path]:
        """Write ``stem.{obj,ply,glb}`` and ``stem_joints.json`` into ``folder`` (atomically)."""
        folder = Path(folder)
        paths = []
        for fmt in formats:
            if fmt not in MESH_FORMATS:
                raise ValueError(f"unknown mesh format {fmt!r}; expected one of {MESH_FORMATS}")
            path = folder / f"{stem}.{fmt}"
            with atomic_path(path) as tmp:
                self.mesh().export(str(tmp), file_type=fmt)
            paths.append(path)
        record = {
            "source": self.source, "image": self.image, "frame": "camera (OpenCV: x right, y down, z forward), metres",
            "translation": self.translation.tolist(), "focal_px": self.focal, "principal_px": self.principal.tolist(),
            "reprojection_error_px": self.reprojection_px,
            "joints_coco19": {n: p.tolist() for n, p in zip(COCO19.names, self.joints)},
            "joints_h36m17": {n: p.tolist() for n, p in zip(H36M17.names, self.joints_h36m)},
        }
        path = folder / f"{stem}_joints.json"
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(record, indent=1))
        return paths + [path]
