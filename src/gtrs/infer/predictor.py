"""Reconstructor: 2D keypoints -> posed body meshes in the camera frame.

    from gtrs.infer.predictor import Reconstructor
    r = Reconstructor.pretrained()
    people = r(keypoints)          # (N, 19, 3) COCO-19 pixels (or keypoints_format="openpose25", ...)
    people[0].vertices, people[0].faces, people[0].joints, people[0].translation
"""
from __future__ import annotations

import numpy as np
import torch

from gtrs.body.anny import AnnyBody
from gtrs.body.keypoint_formats import to_coco19
from gtrs.infer.camera import default_focal, project, reprojection_error, solve_translation
from gtrs.infer.results import MeshResult
from gtrs.models.gtrs import GTRS


class Reconstructor:
    """Wraps a GTRS network, the body's faces and joint regressors, and the camera solve."""

    def __init__(self, model: GTRS, body: AnnyBody | None = None, device: str | torch.device = "cpu",
                 batch_size: int = 64, onnx_path: str | None = None) -> None:
        """``onnx_path``: run the network with ONNX Runtime from that file (``gtrs export-onnx``)
        instead of PyTorch; ``model`` still supplies the configuration."""
        if model.cfg.joint_set != "coco19":
            raise ValueError(f"Reconstructor takes COCO-19 models, this one uses {model.cfg.joint_set!r}")
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.body = body or AnnyBody()
        if self.body.num_vertices != model.cfg.num_vertices:
            raise ValueError(f"model predicts {model.cfg.num_vertices} vertices, the body has {self.body.num_vertices}")
        self.faces = self.body.faces.numpy()
        self.batch_size = batch_size
        if onnx_path is not None:
            from gtrs.export.onnx import OnnxModel

            self.network = OnnxModel(onnx_path)
        else:
            self.network = self.model

    @classmethod
    def pretrained(cls, device: str | torch.device = "cpu", onnx_path: str | None = None) -> "Reconstructor":
        """The model that ships in the package (optionally run from its ONNX export)."""
        from gtrs.models.pretrained import load_pretrained

        model, _ = load_pretrained()
        return cls(model, device=device, onnx_path=onnx_path)

    @torch.no_grad()
    def predict_root_relative(self, keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(N, 19, 3) COCO-19 pixels -> root-relative vertices (N, V, 3), COCO-19 joints (N, 19, 3)
        and H36M-17 joints (N, 17, 3), batched."""
        verts, joints, h36m = [], [], []
        for start in range(0, len(keypoints), self.batch_size):
            kp = torch.as_tensor(keypoints[start:start + self.batch_size], dtype=torch.float32, device=self.device)
            v, _ = self.network(kp)
            v = v.cpu().to(self.body.dtype)
            verts.append(v.numpy())
            joints.append(self.body.regress_joints(v, "coco19").numpy())
            h36m.append(self.body.regress_joints(v, "h36m17").numpy())
        return np.concatenate(verts), np.concatenate(joints), np.concatenate(h36m)

    def __call__(self, keypoints: np.ndarray, keypoints_format: str = "coco19", focal: float | None = None,
                 image_size: tuple[int, int] | list[tuple[int, int] | None] | None = None,
                 principal: np.ndarray | None = None, sources: list[str] | None = None) -> list[MeshResult]:
        """Reconstruct every person in ``keypoints`` (N, J, 2|3) or (J, 2|3); the network runs in batches.

        Camera: ``focal`` in pixels (default: ``default_focal``), principal point at the image centre
        when ``image_size`` (width, height; one for all, or a list with one per person, None where
        unknown) is given, else at the keypoints' centre.
        """
        kp = np.asarray(keypoints, dtype=np.float64)
        if kp.ndim == 2:
            kp = kp[None]
        kp = to_coco19(kp, keypoints_format)
        visible = (kp[..., 2] > 0).sum(-1)
        if (visible < 4).any():
            raise ValueError(f"person {int(np.argmax(visible < 4))} has fewer than 4 visible joints")
        vertices, joints, h36m = self.predict_root_relative(kp)
        results = []
        sizes = image_size if isinstance(image_size, list) else [image_size] * len(kp)
        for i in range(len(kp)):
            f = focal or default_focal(sizes[i], kp[i])
            c = (np.asarray(principal, dtype=np.float64) if principal is not None
                 else np.array(sizes[i], dtype=np.float64) / 2 if sizes[i] is not None
                 else kp[i, kp[i, :, 2] > 0, :2].mean(0))
            t = solve_translation(joints[i], kp[i], f, c)
            placed = joints[i] + t
            results.append(MeshResult(
                vertices=vertices[i] + t, faces=self.faces, joints=placed, joints_h36m=h36m[i] + t, translation=t,
                focal=float(f), principal=c, keypoints=kp[i], source=sources[i] if sources else f"person {i}",
                reprojection_px=reprojection_error(project(placed, f, c), kp[i])))
        return results
