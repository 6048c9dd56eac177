"""Reconstructor: 2D keypoints -> posed body meshes in the camera frame.

    from gtrs.infer.predictor import Reconstructor
    r = Reconstructor.pretrained()
    people = r(keypoints)          # (N, 19, 3) COCO-19 pixels (or keypoints_format="openpose25", ...)
    people[0].vertices, people[0].faces, people[0].joints, people[0].translation, people[0].params
    people = r(keypoints, refine=True)   # the fitted body refined to the keypoints
    people = r(keypoints, refine="lifts")  # ... from several starts (accurate keypoints only)
    people[0].save("out", "person0")     # meshes, joints, body parameters, skinned GLB, BVH

Meshes come from the body model fitted to the network's mesh (``gtrs.fit.mesh``) by default: a valid,
rigged body every time, as accurate as the raw mesh (see README); ``mesh="network"`` gives the raw
network vertices (faster, but they tear on unusual input).

The PyTorch network runs under bfloat16 autocast where the CPU has bfloat16 instructions
(``precision="auto"``, as in training): ~1.5x faster here, with the same validation accuracy as
float32 (README, "Inference precision"); ``precision="float32"`` turns it off.
"""
from __future__ import annotations

import functools

import numpy as np
import torch

from gtrs.body.anny import PHENOTYPE_NAMES, AnnyBody
from gtrs.body.keypoint_formats import to_coco19
from gtrs.body.joint_angles import joint_angles
from gtrs.fit.camera import (
    default_focal,
    project,
    reprojection_error,
    solve_translation,
)
from gtrs.fit.keypoints import refine_to_keypoints
from gtrs.fit.multi_start import refine_with_lifts
from gtrs.fit.mesh import MeshFitter
from gtrs.fit.shape_hints import ShapeHints, fit_with_hints, held_parameters
from gtrs.writers.body_params import BodyParams
from gtrs.writers.results import MeshResult, angles_by_name
from gtrs.models.gtrs import GTRS
from gtrs.models.precision import resolve_precision

MESH_SOURCES = ("fit", "network")
REFINEMENTS = (False, True, "lifts")  # none, the single-start refinement, from several starts


class Reconstructor:
    """Wraps a GTRS network, the body's faces and joint regressors, and the camera solve."""

    def __init__(self, model: GTRS, body: AnnyBody | None = None, device: str | torch.device = "cpu",
                 batch_size: int = 64, onnx_path: str | None = None, precision: str = "auto") -> None:
        """``onnx_path``: run the network with ONNX Runtime from that file (``gtrs export-onnx``)
        instead of PyTorch; ``model`` still supplies the configuration. ``precision``: auto, float32 or
        bfloat16, the autocast of the PyTorch network (ONNX Runtime runs the export's float32)."""
        if model.cfg.joint_set != "coco19":
            raise ValueError(f"Reconstructor takes COCO-19 models, this one uses {model.cfg.joint_set!r}")
        self.device = torch.device(device)
        self.autocast_dtype = resolve_precision(precision, self.device.type)
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
        self._fitter: MeshFitter | None = None

    @functools.cached_property
    def skin_weights(self) -> np.ndarray:
        """(V, K) the body's skin weights, shared by every person's parameters."""
        return self.body.skin_weights().numpy()

    @property
    def fitter(self) -> MeshFitter:
        if self._fitter is None:
            self._fitter = MeshFitter(self.body)
        return self._fitter

    @classmethod
    def pretrained(cls, device: str | torch.device = "cpu", onnx_path: str | None = None,
                   precision: str = "auto") -> "Reconstructor":
        """The model that ships in the package (optionally run from its ONNX export)."""
        from gtrs.models.pretrained import load_pretrained

        model, _ = load_pretrained()
        return cls(model, device=device, onnx_path=onnx_path, precision=precision)

    @torch.no_grad()
    def run_network(self, keypoints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 19, 3) COCO-19 pixels -> root-relative vertices (B, V, 3) and 3D joints (B, 19, 3),
        float32 on the CPU, whatever the device and precision."""
        keypoints = torch.as_tensor(keypoints, dtype=torch.float32).to(self.device)
        use_autocast = self.network is self.model and self.autocast_dtype != torch.float32
        with torch.autocast(self.device.type, dtype=self.autocast_dtype, enabled=use_autocast):
            vertices, pose3d = self.network(keypoints)
        return (torch.as_tensor(vertices).float().cpu(), torch.as_tensor(pose3d).float().cpu())

    @torch.no_grad()
    def predict_root_relative(self, keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(N, 19, 3) COCO-19 pixels -> root-relative vertices (N, V, 3), COCO-19 joints (N, 19, 3)
        and H36M-17 joints (N, 17, 3), batched."""
        verts, joints, h36m = [], [], []
        for start in range(0, len(keypoints), self.batch_size):
            v, _ = self.run_network(torch.as_tensor(keypoints[start:start + self.batch_size], dtype=torch.float32))
            v = v.to(self.body.dtype)
            verts.append(v.numpy())
            joints.append(self.body.regress_joints(v, "coco19").numpy())
            h36m.append(self.body.regress_joints(v, "h36m17").numpy())
        return np.concatenate(verts), np.concatenate(joints), np.concatenate(h36m)

    def __call__(self, keypoints: np.ndarray, keypoints_format: str = "coco19", focal: float | None = None,
                 image_size: tuple[int, int] | list[tuple[int, int] | None] | None = None,
                 principal: np.ndarray | None = None, sources: list[str] | None = None, mesh: str = "fit",
                 refine: bool | str = False, hints: ShapeHints | None = None) -> list[MeshResult]:
        """Reconstruct every person in ``keypoints`` (N, J, 2|3) or (J, 2|3); the network runs in batches.

        Camera: ``focal`` in pixels (default: ``default_focal``), principal point at the image centre
        when ``image_size`` (width, height; one for all, or a list with one per person, None where
        unknown) is given, else at the keypoints' centre. ``mesh``: 'fit' (the body fitted to the
        network's mesh, with ``params``) or 'network' (its raw vertices, no parameters); ``refine``
        adjusts the fitted body to the keypoints (``gtrs.fit.keypoints``); ``refine="lifts"`` does so from
        several starts per person, one for each way its trunk, thighs and shins can point towards or away
        from the camera (``gtrs.fit.multi_start``: better with accurate keypoints, worse with detector
        noise, ~6x slower). ``hints`` (gender, age, height,
        weight that the user knows, ``gtrs.fit.shape_hints.ShapeHints``) hold those in every person's fit.
        """
        if mesh not in MESH_SOURCES:
            raise ValueError(f"mesh must be one of {MESH_SOURCES}, got {mesh!r}")
        if refine not in REFINEMENTS:
            raise ValueError(f"refine must be one of {REFINEMENTS}, got {refine!r}")
        if refine and mesh != "fit":
            raise ValueError("refine works on the fitted body: use mesh='fit'")
        if hints is not None and hints.given and mesh != "fit":
            raise ValueError("gender, age, height and weight hints shape the fitted body: use mesh='fit'")
        kp = np.asarray(keypoints, dtype=np.float64)
        if kp.ndim == 2:
            kp = kp[None]
        kp = to_coco19(kp, keypoints_format)
        visible = (kp[..., 2] > 0).sum(-1)
        if (visible < 4).any():
            raise ValueError(f"person {int(np.argmax(visible < 4))} has fewer than 4 visible joints")
        sizes = image_size if isinstance(image_size, list) else [image_size] * len(kp)
        focals = np.array([focal or default_focal(sizes[i], kp[i]) for i in range(len(kp))])
        centres = np.stack([np.asarray(principal, dtype=np.float64) if principal is not None
                            else np.array(sizes[i], dtype=np.float64) / 2 if sizes[i] is not None
                            else kp[i, kp[i, :, 2] > 0, :2].mean(0) for i in range(len(kp))])
        vertices, joints, h36m = self.predict_root_relative(kp)
        params: list[BodyParams | None] = [None] * len(kp)
        placed_by_refine = np.zeros((len(kp), 3)) if refine else None
        if mesh == "fit":
            vertices, params, placed_by_refine = self._fit(vertices, kp, focals, centres, refine, hints)
            v = torch.as_tensor(vertices, dtype=self.body.dtype)
            joints = self.body.regress_joints(v, "coco19").numpy()
            h36m = self.body.regress_joints(v, "h36m17").numpy()
        angles = joint_angles(joints)  # one vectorised call per batch (they do not depend on the placement)
        results = []
        for i in range(len(kp)):
            f, c = float(focals[i]), centres[i]
            t = placed_by_refine[i] if refine else solve_translation(joints[i], kp[i], f, c)
            placed = joints[i] + t
            if params[i] is not None:
                params[i].root = params[i].root + t
            results.append(MeshResult(
                vertices=vertices[i] + t, faces=self.faces, joints=placed, joints_h36m=h36m[i] + t, translation=t,
                focal=f, principal=c, keypoints=kp[i], source=sources[i] if sources else f"person {i}",
                reprojection_px=reprojection_error(project(placed, f, c), kp[i]), params=params[i],
                mesh_source=("fit + refine (lifts)" if refine == "lifts" else "fit + refine") if refine else mesh,
                joint_angles_deg=angles_by_name(angles, i)))
        return results

    @torch.no_grad()
    def _fit(self, vertices: np.ndarray, kp: np.ndarray, focals: np.ndarray, centres: np.ndarray, refine: bool | str,
             hints: ShapeHints | None = None):
        """The body fitted to root-relative network ``vertices`` (and refined): its vertices relative to
        the placement the caller adds, parameters per person, and with ``refine`` that placement."""
        out_vertices, params, placement = [], [], []
        weights = self.skin_weights
        for start in range(0, len(vertices), self.batch_size):
            net = torch.as_tensor(vertices[start:start + self.batch_size], dtype=self.body.dtype)
            fit = fit_with_hints(self.fitter, net, hints) if hints is not None and hints.given else self.fitter(net)
            rotations, shape, root, posed = fit.rotations, fit.shape, fit.translation, fit.vertices
            if refine:
                sl = slice(start, start + len(net))
                refiner = refine_with_lifts if refine == "lifts" else refine_to_keypoints
                refined = refiner(self.body, fit, net, torch.as_tensor(kp[sl]), torch.as_tensor(focals[sl]),
                                  torch.as_tensor(centres[sl]), held=held_parameters(hints))
                pelvis = self.body.regress_joints(refined.vertices, "coco19")[:, 17]
                rotations, shape, posed = refined.rotations, refined.shape, refined.vertices - pelvis[:, None]
                root = refined.translation - pelvis
                placement.append(pelvis.numpy())
            rest = self.body(None, shape, None)
            for i in range(len(net)):
                params.append(BodyParams(
                    bone_names=self.body.bone_names, bone_parents=self.body.bone_parents,
                    rotations=rotations[i].double().numpy(), shape=shape[i].double().numpy(), shape_names=PHENOTYPE_NAMES,
                    root=root[i].double().numpy(), rest_vertices=rest.vertices[i].numpy(),
                    rest_heads=rest.bone_heads[i].numpy(), skin_weights=weights))
            out_vertices.append(posed.numpy())
        return np.concatenate(out_vertices), params, (np.concatenate(placement) if refine else None)
