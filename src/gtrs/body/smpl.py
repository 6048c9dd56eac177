"""SmplBody: SMPL through the ``smplx`` package, for users who hold the licensed model files.

SMPL cannot ship (registration-only licence): users download it from https://smpl.is.tue.mpg.de
and point ``SmplBody`` at the folder. Joint regressors for the paper's joint sets come from the
GTRS/Pose2Mesh data release, placed in the same folder:

    MODEL_DIR/SMPL_NEUTRAL.pkl            (or MODEL_DIR/smpl/SMPL_NEUTRAL.pkl, or Pose2Mesh's
                                           basicModel_neutral_lbs_10_207_0_v1.0.0.pkl)
    MODEL_DIR/J_regressor_h36m_correct.npy  (17, 6890), for joint_set="h36m17"
    MODEL_DIR/J_regressor_coco.npy          (17, 6890), for "coco17" / "coco19"

SMPL is already in the package frame (Y up, facing +Z, metres). ``translation`` places the pelvis
joint, as it places anny's Hips, so both bodies are root-centred at zero translation. Data files
store SMPL's native ``trans`` (added to the vertices of the pose rotated about the rest pelvis);
``pelvis_from_native`` converts it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gtrs.body.base import BodyModel, BodyOutput, coco19_from_coco17
from gtrs.body.joints import get_joint_set

SMPL_BONES = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2", "left_ankle",
    "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar", "right_collar", "head",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hand", "right_hand",
)
REGRESSOR_FILES = {"h36m17": "J_regressor_h36m_correct.npy", "coco17": "J_regressor_coco.npy"}
WHERE_TO_GET = ("SMPL model files: https://smpl.is.tue.mpg.de (free registration); "
                "joint regressors: the GTRS/Pose2Mesh data release (see README, 'Reproducing the paper')")


def find_smpl_file(model_dir: Path, gender: str) -> Path:
    """The SMPL pickle for ``gender`` under ``model_dir``; a FileNotFoundError lists what was looked for."""
    names = [f"SMPL_{gender.upper()}.pkl", f"smpl/SMPL_{gender.upper()}.pkl",
             f"basicModel_{gender[0] if gender != 'neutral' else 'neutral'}_lbs_10_207_0_v1.0.0.pkl"]
    if gender != "neutral":
        names.append(f"basicModel_{gender}_lbs_10_207_0_v1.0.0.pkl")
    for name in names:
        if (model_dir / name).is_file():
            return model_dir / name
    raise FileNotFoundError(f"no SMPL model file for gender {gender!r} in {model_dir}; looked for {names}. "
                            + WHERE_TO_GET)


class SmplBody(BodyModel):
    """SMPL: ``rotations`` (B, 24, 3, 3) in SMPL's joint order, ``shape`` (B, 10) betas."""

    name = "smpl"
    bone_names = SMPL_BONES
    shape_dim = 10

    def __init__(self, model_dir: str | Path, gender: str = "neutral", dtype: torch.dtype = torch.float32,
                 device: str | torch.device = "cpu") -> None:
        super().__init__()
        try:
            import smplx
        except ImportError as e:
            raise ImportError("SmplBody needs the optional dependency smplx: pip install 'gtrs[smpl]'") from e
        if gender not in ("neutral", "male", "female"):
            raise ValueError(f"gender must be 'neutral', 'male' or 'female', got {gender!r}")
        self.model_dir = Path(model_dir)
        if not self.model_dir.is_dir():
            raise FileNotFoundError(f"SMPL model folder {self.model_dir} does not exist. " + WHERE_TO_GET)
        path = find_smpl_file(self.model_dir, gender)
        try:
            layer = smplx.SMPL(model_path=str(path), gender=gender, dtype=dtype)
        except ModuleNotFoundError as e:
            raise ValueError(f"{path} needs {e.name!r} to unpickle (the official SMPL files hold chumpy "
                             "objects): pip install chumpy, or convert the file to plain numpy arrays") from e
        except (KeyError, AttributeError, ValueError) as e:
            raise ValueError(f"{path} is not a valid SMPL model file: {e}") from e
        if layer.v_template.shape[0] != 6890:
            raise ValueError(f"{path}: SMPL has 6890 vertices, this file has {layer.v_template.shape[0]}")
        self.layer = layer.to(device)
        self._faces = torch.as_tensor(np.asarray(layer.faces, dtype=np.int64))
        self._regressors: dict[str, torch.Tensor] = {}

    @property
    def dtype(self) -> torch.dtype:
        return self.layer.v_template.dtype

    @property
    def device(self) -> torch.device:
        return self.layer.v_template.device

    @property
    def faces(self) -> torch.Tensor:
        return self._faces

    @property
    def num_vertices(self) -> int:
        return int(self.layer.v_template.shape[0])

    def default_shape(self, batch_size: int = 1) -> torch.Tensor:
        return torch.zeros(batch_size, self.shape_dim, dtype=self.dtype, device=self.device)

    def _load_regressor(self, key: str) -> torch.Tensor:
        if key not in self._regressors:
            path = self.model_dir / REGRESSOR_FILES[key]
            if not path.is_file():
                raise FileNotFoundError(f"joint set {key!r} on SMPL needs {path} (a (17, 6890) .npy). " + WHERE_TO_GET)
            weights = np.load(path)
            if weights.shape != (17, self.num_vertices):
                raise ValueError(f"{path} must hold a (17, {self.num_vertices}) array, got {weights.shape}")
            self._regressors[key] = torch.as_tensor(weights, dtype=self.dtype, device=self.device)
        return self._regressors[key]

    def joint_regressor(self, joint_set: str) -> torch.Tensor:
        get_joint_set(joint_set)
        if joint_set == "h36m17":
            return self._load_regressor("h36m17")
        coco = self._load_regressor("coco17")
        return coco if joint_set == "coco17" else coco19_from_coco17(coco)

    def forward(
        self,
        rotations: torch.Tensor | None = None,
        shape: torch.Tensor | None = None,
        translation: torch.Tensor | None = None,
        joint_set: str | None = None,
    ) -> BodyOutput:
        """Pose SMPL; the pelvis joint lands at ``translation`` (origin by default)."""
        rotations, shape, translation = self.prepare_inputs(rotations, shape, translation, joint_set, "shape (betas)")
        out = self.layer(global_orient=rotations[:, :1], body_pose=rotations[:, 1:], betas=shape, pose2rot=False)
        offset = translation - out.joints[:, 0]  # pelvis -> translation
        vertices = out.vertices + offset[:, None]
        joints = self.regress_joints(vertices, joint_set) if joint_set else None
        return BodyOutput(vertices=vertices, faces=self.faces, joints=joints, joint_set=joint_set,
                          bone_heads=out.joints[:, :24] + offset[:, None])

    def rest_pelvis(self, shape: torch.Tensor) -> torch.Tensor:
        """(B, 3) SMPL's pelvis joint for betas ``shape`` (B, 10) with no translation. The root
        rotation turns the body about this point, so it does not depend on the pose."""
        shaped = self.layer.v_template + torch.einsum("vdk,bk->bvd", self.layer.shapedirs[..., :shape.shape[1]],
                                                      shape.to(self.dtype))
        return torch.einsum("v,bvd->bd", self.layer.J_regressor[0], shaped)

    def pelvis_from_native(self, shape: torch.Tensor, trans: torch.Tensor) -> torch.Tensor:
        """(B, 3) where the pelvis lands for SMPL's native ``trans`` (B, 3): pass it as ``translation``."""
        return self.rest_pelvis(shape) + trans.to(self.dtype)

    def smpl_pelvis(self, vertices: torch.Tensor) -> torch.Tensor:
        """(B, 3) SMPL's own pelvis joint regressed from meshes (B, 6890, 3): the centre for MPVPE."""
        return torch.einsum("v,bvd->bd", self.layer.J_regressor[0].to(vertices.dtype), vertices)
