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
FRAMES = ("viewer", "camera")
# Camera frame (OpenCV: x right, y down, z forward) -> viewer frame (glTF / Blender import: +Y up, the
# person facing +Z towards a default viewer): a half turn about X. The translation to the person is kept,
# so several people of one photo keep their places relative to each other.
CAMERA_TO_VIEWER = np.diag([1.0, -1.0, -1.0])
FRAME_NAMES = {"viewer": "viewer (glTF: x right, y up, z towards the viewer; the camera at the origin looks "
                         "along -z), metres",
               "camera": "camera (OpenCV: x right, y down, z forward), metres"}


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

    def mesh(self, frame: str = "camera") -> trimesh.Trimesh:
        """The mesh in ``frame`` ('camera' or 'viewer'), with vertex normals."""
        mesh = trimesh.Trimesh(self.to_frame(self.vertices, frame), self.faces, process=False)
        _ = mesh.vertex_normals  # computed now, so every exporter writes them
        return mesh

    @staticmethod
    def to_frame(points: np.ndarray, frame: str) -> np.ndarray:
        if frame not in FRAMES:
            raise ValueError(f"unknown frame {frame!r}; expected one of {FRAMES}")
        return points @ CAMERA_TO_VIEWER.T if frame == "viewer" else points

    def save(self, folder: str | Path, stem: str, formats: tuple[str, ...] = MESH_FORMATS,
             frame: str = "viewer") -> list[Path]:
        """Write ``stem.{obj,ply,glb}`` (with vertex normals) and ``stem_joints.json`` into ``folder``
        (atomically), in ``frame``: 'viewer' (+Y up, facing +Z: upright in glTF viewers and Blender)
        or 'camera' (OpenCV axes)."""
        folder = Path(folder)
        paths = []
        mesh = self.mesh(frame)
        for fmt in formats:
            if fmt not in MESH_FORMATS:
                raise ValueError(f"unknown mesh format {fmt!r}; expected one of {MESH_FORMATS}")
            path = folder / f"{stem}.{fmt}"
            with atomic_path(path) as tmp:
                if fmt == "obj":
                    mesh.export(str(tmp), file_type=fmt, include_normals=True)
                else:
                    mesh.export(str(tmp), file_type=fmt)
            paths.append(path)
        record = {
            "source": self.source, "image": self.image, "frame": FRAME_NAMES[frame],
            "translation": self.to_frame(self.translation, frame).tolist(), "focal_px": self.focal,
            "principal_px": self.principal.tolist(), "reprojection_error_px": self.reprojection_px,
            "joints_coco19": {n: p.tolist() for n, p in zip(COCO19.names, self.to_frame(self.joints, frame))},
            "joints_h36m17": {n: p.tolist() for n, p in zip(H36M17.names, self.to_frame(self.joints_h36m, frame))},
        }
        path = folder / f"{stem}_joints.json"
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(record, indent=1))
        return paths + [path]
