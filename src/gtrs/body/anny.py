"""AnnyBody: the open default body model (anny, Apache-2.0 code, CC0 assets).

This is the only module that imports ``anny`` (pinned to 0.6.2: its API changes between
releases). It uses anny's ``cmu_mb`` rig, whose 31 bones carry the CMU MotionBuilder skeleton's
names, so CMU motion capture maps onto it bone by bone, and anny's own 13,718-vertex topology.

anny works in a Z-up frame where the body faces -Y. This module converts to the package frame
(Y up, facing +Z, left = +X) on the way in and out, so nothing else sees anny's axes.
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import torch

try:
    import warp
except ImportError:  # anny then skins with plain torch (same result; used on machines without Warp)
    warp = None
else:
    # anny skins with NVIDIA Warp, whose start-up banner and kernel-load lines would go to stdout on
    # every command; warnings and errors still show.
    warp.config.log_level = warp.LOG_WARNING


def _init_warp_without_cuda_warning() -> None:
    """Start Warp with its native "CUDA driver not found" line kept off stderr where there is no CUDA
    driver at all (a CPU machine: the line says nothing a user can act on). With a driver, Warp starts
    as usual and says what it has to say."""
    import ctypes.util
    import os
    import sys

    if warp is None or ctypes.util.find_library("cuda") is not None:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        warp.init()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_init_warp_without_cuda_warning()

import anny  # noqa: E402
import anny.paths  # noqa: E402

from gtrs.body.base import BodyModel, BodyOutput, coco19_from_coco17, vertical_extent
from gtrs.body.joints import get_joint_set
from gtrs.body.skinning import RestPoints

ANNY_RIG = "cmu_mb"
PHENOTYPE_NAMES = ("gender", "age", "muscle", "weight", "height", "proportions")
# anny's scales: gender 0 = male, 1 = female; age anchors at -1/3 newborn, 0 baby, 1/3 child,
# 2/3 young adult, 1 old; the rest run from min to max (proportions: 0 ideal, 1 uncommon).
# The package's mean body is an adult of average build.
DEFAULT_PHENOTYPE = (0.5, 0.75, 0.5, 0.5, 0.5, 0.5)
ADULT_AGE_RANGE = (0.6, 1.0)
# The shape a fit assumes where a mesh or keypoints say little: gender halfway (keypoints cannot tell
# it), a 30-year-old on anny's calibrated age scale; pulled there with strength 10 (against the fit's
# squared-metre residuals). Measured on the shape probe with validation poses (docs/shape_prior/):
# unpulled, every fitted body came out female-leaning (gender 0.68-0.76) and old (age 0.85-0.89,
# 65-80 years), whatever the truth, while the pull changed the rest-pose error by -1.1 mm exact.
FIT_PRIOR_YEARS = 30.0
FIT_PRIOR_STRENGTH = {"gender": 10.0, "age": 10.0}
# anny "local changes" that move the skeleton (not just the surface): used to fit a body to a
# motion-capture subject's bone lengths. Each takes values in [-1, 1], 0 = unchanged.
SKELETON_LOCAL_CHANGES = (
    "measure-shoulder-dist-incr", "measure-upperarm-length-incr", "measure-lowerarm-length-incr",
    "measure-napetowaist-dist-incr", "measure-waisttohip-dist-incr", "measure-neck-height-incr",
    "hip-scale-horiz-incr", "upperlegs-height-incr", "lowerlegs-height-incr", "torso-scale-vert-incr",
    "torso-scale-horiz-incr",
)
H36M_REGRESSOR_FILE = "anny_h36m17_regressor.npz"
COCO_WEIGHT_FLOOR = 1e-4

# world = ANNY_TO_WORLD @ anny: (x, y, z)_anny -> (x, z, -y). A proper rotation (det = +1).
ANNY_TO_WORLD = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]], dtype=torch.float64)


def cache_is_empty(cache_dir: Path) -> bool:
    """True before anny has built any body model in ``cache_dir`` (its first use: ~1-2 minutes)."""
    return not any(Path(cache_dir).glob("*/build_model_data_*.safetensors"))


@contextmanager
def first_build_notice(cache_dir: Path):
    """On anny's first use, say on stderr what is happening and show the time spent, so a first run
    is not a silent two-minute wait."""
    if not cache_is_empty(cache_dir):
        yield
        return
    from tqdm import tqdm

    done = threading.Event()
    with tqdm(desc=f"gtrs: building anny's body-model cache (first use only, ~1-2 min, ~800 MB in {cache_dir}; "
                   "ANNY_CACHE_DIR moves it)", bar_format="{desc} {elapsed}", file=sys.stderr) as bar:
        ticker = threading.Thread(target=lambda: [bar.refresh() for _ in iter(lambda: done.wait(1.0), True)],
                                  daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()


def anny_cache_hint() -> str:
    return "the first AnnyBody() builds anny's cache (~1-2 min, ~800 MB in ~/.cache/anny; ANNY_CACHE_DIR moves it)"


class AnnyBody(BodyModel):
    """anny's body with the ``cmu_mb`` rig.

    - ``rotations`` (B, 31, 3, 3): per-bone rotation relative to the parent, in world axes
      (anny's ``local-ref`` parameterization, which does not depend on the body shape);
    - ``shape`` (B, 6 + L): phenotypes in [0, 1], in the order of ``PHENOTYPE_NAMES``, then the
      values in [-1, 1] of the L ``local_changes`` the body was built with (none by default);
    - ``translation`` (B, 3): where the ``Hips`` bone head goes (at rest it sits at the origin).
    """

    name = "anny"

    def __init__(self, dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu",
                 local_changes: tuple[str, ...] = ()) -> None:
        super().__init__()
        try:
            with first_build_notice(anny.paths.get_anny_cache_path()):
                model = anny.Anny(rig=ANNY_RIG, pose_parameterization="local-ref",
                                  local_changes=list(local_changes) if local_changes else "none")
        except ValueError as e:
            raise ValueError(f"unknown anny local changes in {list(local_changes)}: {e}") from None
        if tuple(model.phenotype_labels) != PHENOTYPE_NAMES:
            raise RuntimeError(f"anny phenotypes changed: {model.phenotype_labels}; pin anny==0.6.2")
        # anny orders local changes its own way; keep the caller's order and map to anny's.
        self.local_changes = tuple(local_changes)
        self._local_order = [self.local_changes.index(label) for label in model.local_change_labels]
        self.shape_dim = len(PHENOTYPE_NAMES) + len(self.local_changes)
        self.model = model.to(dtype=dtype, device=device)
        self.bone_names = tuple(model.bone_labels)
        self.bone_parents = tuple(int(p) for p in model.bone_parents)
        self.register_buffer("anny_to_world", ANNY_TO_WORLD.to(dtype=dtype, device=device), persistent=False)
        coco = anny.KeypointsRegressor.coco(self.model).regression_weights[:17]
        # anny spreads some keypoints (the ears) over thousands of vertices with tiny weights;
        # dropping weights below 1e-4 moves no joint by more than 0.3 mm and lets joints be
        # regressed from ~1,000 vertices instead of the whole mesh.
        coco = torch.where(coco >= COCO_WEIGHT_FLOOR, coco, torch.zeros_like(coco))
        self.register_buffer("_coco17", coco / coco.sum(1, keepdim=True), persistent=False)
        self._triangles = self.model.get_triangular_faces().cpu()

    # -- properties ---------------------------------------------------------------------------
    @property
    def dtype(self) -> torch.dtype:
        return self.anny_to_world.dtype

    @property
    def device(self) -> torch.device:
        return self.anny_to_world.device

    @property
    def faces(self) -> torch.Tensor:
        return self._triangles

    @property
    def num_vertices(self) -> int:
        return int(self.model.template_vertices.shape[0])

    # -- measurements and the calibrated age scale (hints such as --age, --height, --weight) ------
    @cached_property
    def _age_anchors(self) -> tuple[np.ndarray, np.ndarray]:
        """anny's calibrated 'morphological age' scale (years) against its age parameter (WHO-fitted)."""
        from anny.shape_distribution import SimpleShapeDistribution

        mapping = SimpleShapeDistribution(self.model).morphological_age_mapping
        return (mapping.morphological_age_anchors.double().cpu().numpy(),
                mapping.anny_age_anchors.double().cpu().numpy())

    def age_parameter(self, years: float | np.ndarray) -> np.ndarray:
        """anny's ``age`` parameter for an age in years (anny's own calibration: 1 year 0.05, 11 years
        0.415, 18 years 0.77, 64 years 0.83, 110 years 1.0), clipped to [0, 1]."""
        years_anchor, anny_anchor = self._age_anchors
        return np.clip(np.interp(years, years_anchor, anny_anchor), 0.0, 1.0)

    def years_of_age(self, age: float | np.ndarray) -> np.ndarray:
        """The inverse of ``age_parameter``: years for anny's ``age`` parameter."""
        years_anchor, anny_anchor = self._age_anchors
        return np.interp(age, anny_anchor, years_anchor)

    @torch.no_grad()
    def rest_measurements(self, shape: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B,) height (metres, the rest mesh's vertical extent) and mass (kg: the closed mesh's volume
        at 980 kg/m^3, as anny's anthropometry) of bodies ``shape`` (B, shape_dim)."""
        v = self(self.identity_rotations(shape.shape[0]), shape).vertices.double()
        height = vertical_extent(v)
        f = self.faces.long()
        v0, v1, v2 = v[:, f[:, 0]], v[:, f[:, 1]], v[:, f[:, 2]]
        volume = (torch.cross(v0, v1, dim=-1) * v2).sum(-1).sum(-1).abs() / 6.0
        return height.to(self.dtype), (980.0 * volume).to(self.dtype)

    def default_shape(self, batch_size: int = 1) -> torch.Tensor:
        default = DEFAULT_PHENOTYPE + (0.0,) * len(self.local_changes)
        return torch.tensor(default, dtype=self.dtype, device=self.device).expand(batch_size, -1).clone()

    def shape_prior(self) -> tuple[torch.Tensor, torch.Tensor]:
        """A neutral 30-year-old of average build, pulled firmly in gender and age (``FIT_PRIOR_STRENGTH``)."""
        mean = self.default_shape(1)[0]
        mean[PHENOTYPE_NAMES.index("gender")] = 0.5
        mean[PHENOTYPE_NAMES.index("age")] = float(self.age_parameter(FIT_PRIOR_YEARS))
        strength = torch.zeros_like(mean)
        for name, value in FIT_PRIOR_STRENGTH.items():
            strength[PHENOTYPE_NAMES.index(name)] = value
        return mean, strength

    # -- joint regressors ---------------------------------------------------------------------
    @cached_property
    def _h36m17(self) -> torch.Tensor:
        return load_sparse_regressor(H36M_REGRESSOR_FILE, self.num_vertices).to(self.dtype)

    def joint_regressor(self, joint_set: str) -> torch.Tensor:
        get_joint_set(joint_set)  # validates the name
        if joint_set == "coco17":
            return self._coco17
        if joint_set == "coco19":
            return coco19_from_coco17(self._coco17)
        return self._h36m17.to(self.device)

    def skin_weights(self) -> torch.Tensor:
        """(V, K) linear-blend skinning weights of each vertex on each bone (rows sum to 1)."""
        weights = torch.zeros(self.num_vertices, self.num_bones, dtype=self.dtype, device=self.device)
        return weights.scatter_add_(1, self.model.vertex_bone_indices.long(), self.model.vertex_bone_weights.to(self.dtype))

    def coco_keypoint_weights(self) -> torch.Tensor:
        """(17, V) anny's own COCO keypoint regressor (used to build the H36M regressor)."""
        return self._coco17

    # -- rest bodies on chosen vertices (the fast fit) -------------------------------------------
    def rest_points(self, shape: torch.Tensor, vertex_ids: torch.Tensor) -> RestPoints:
        """Vertices ``vertex_ids`` of bodies ``shape`` at rest and the bone heads, world axes: anny's
        blend shapes applied to those vertices only (skinned by ``skin_points`` they are exactly what
        ``forward`` gives for them)."""
        shape = shape.to(self.dtype)
        phenotypes, local = shape[:, :len(PHENOTYPE_NAMES)], shape[:, len(PHENOTYPE_NAMES):]
        _, phenotypes, local, faces = self.model.get_tensor_inputs(
            None, phenotypes, local[:, self._local_order] if local.numel() else None, None)
        coeffs = self.model._get_phenotype_blendshape_coefficients(phenotypes, local, faces)  # (B, C)
        cache = self.__dict__.setdefault("_sampled_blendshapes", {})
        key = vertex_ids.cpu().numpy().tobytes()
        if key not in cache:
            C = self.anny_to_world
            ids = vertex_ids.to(self.device)
            cache[key] = (self.model.template_vertices[ids] @ C.T,
                          (self.model.blendshapes[:, ids] @ C.T).reshape(coeffs.shape[1], -1))
        template, blendshapes = cache[key]  # (S, 3), (C, S * 3)
        points = template + (coeffs @ blendshapes).reshape(len(shape), -1, 3)
        heads = self.model.template_bone_heads + torch.einsum("cpd,bc->bpd", self.model.bone_heads_blendshapes, coeffs)
        return RestPoints(points=points, heads=heads @ self.anny_to_world.T)

    # -- forward ------------------------------------------------------------------------------
    def forward(
        self,
        rotations: torch.Tensor | None = None,
        shape: torch.Tensor | None = None,
        translation: torch.Tensor | None = None,
        joint_set: str | None = None,
    ) -> BodyOutput:
        """Pose the body (see the class docstring for the arguments)."""
        rotations, shape, translation = self.prepare_inputs(rotations, shape, translation, joint_set,
                                                            "shape (phenotypes)")
        batch = rotations.shape[0]
        phenotypes, local = shape[:, :len(PHENOTYPE_NAMES)], shape[:, len(PHENOTYPE_NAMES):]
        if (phenotypes < 0).any() or (phenotypes > 1).any():
            raise ValueError(f"shape (phenotypes {PHENOTYPE_NAMES}) must lie in [0, 1], "
                             f"got values in [{phenotypes.min().item():.3g}, {phenotypes.max().item():.3g}]")
        if local.numel() and local.abs().max() > 1:
            raise ValueError(f"shape (local changes {self.local_changes}) must lie in [-1, 1]")

        C = self.anny_to_world
        delta = torch.zeros(batch, self.num_bones, 4, 4, dtype=self.dtype, device=self.device)
        delta[..., :3, :3] = C.T @ rotations @ C  # world axes -> anny axes
        # The root's delta is also left-multiplied by C, which carries the whole posed body from
        # anny's axes to the world's inside the kinematic chain (the root's reference orientation
        # is the identity), so no per-vertex conversion is needed afterwards.
        delta[:, 0, :3, :3] = rotations[:, 0] @ C
        delta[:, 0, :3, 3] = translation
        delta[..., 3, 3] = 1.0
        shared = not (shape.requires_grad and torch.is_grad_enabled())  # each row keeps its own gradient
        if batch > 1 and shared and bool((shape == shape[:1]).all()):
            # One person in many poses (a sequence, a fit with a known shape): anny builds the rest
            # body once and expands it (~25% of a call's time at batch 64).
            phenotypes, local = phenotypes[:1], local[:1]
        out = self.model(pose_parameters=delta, phenotype_kwargs=phenotypes,
                         local_changes_kwargs=local[:, self._local_order] if local.numel() else None)
        vertices = out["vertices"]  # (B, V, 3) world
        bone_heads = out["bone_poses"][..., :3, 3]  # (B, 31, 3)
        joints = self.regress_joints(vertices, joint_set) if joint_set else None
        return BodyOutput(vertices=vertices, faces=self.faces, joints=joints, joint_set=joint_set,
                          bone_heads=bone_heads)


def load_sparse_regressor(filename: str, num_vertices: int) -> torch.Tensor:
    """Dense (J, V) regressor from a shipped sparse ``.npz`` (``rows``, ``cols``, ``weights``)."""
    path = resources.files("gtrs.body") / "data" / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing; regenerate it with `python -m gtrs.body.h36m_regressor` "
            "(it ships with the package, so a missing file means a broken install)"
        )
    with path.open("rb") as f:
        data = np.load(f)
        rows, cols, weights = data["rows"], data["cols"], data["weights"]
        shape = tuple(int(s) for s in data["shape"])
    if shape[1] != num_vertices:
        raise ValueError(f"{filename} is for {shape[1]} vertices, the body has {num_vertices}")
    dense = torch.zeros(shape, dtype=torch.float64)
    dense[torch.as_tensor(rows), torch.as_tensor(cols)] = torch.as_tensor(weights, dtype=torch.float64)
    return dense
