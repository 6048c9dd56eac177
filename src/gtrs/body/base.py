"""The body-model interface every other layer uses.

A body model maps pose (per-bone rotations), shape and a root translation to a mesh, and
regresses named joint sets from that mesh with fixed linear regressors (J, V), so joints of a
*predicted* mesh are computed exactly the same way as those of a ground-truth one.

Frame: metres, right-handed, Y up, a body at rest faces +Z with its left side at +X.
"""
from __future__ import annotations

import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import torch

from gtrs.body.joints import JointSet, get_joint_set
from gtrs.body.skinning import RestPoints


@dataclass
class BodyOutput:
    """What a body model returns. ``joints`` is in ``joint_set`` order (None if none was asked)."""

    vertices: torch.Tensor  # (B, V, 3) metres
    faces: torch.Tensor  # (F, 3) int64 triangle indices
    joints: torch.Tensor | None  # (B, J, 3)
    joint_set: str | None
    bone_heads: torch.Tensor | None = None  # (B, K, 3) the rig's joint centres, if the model has a rig


def check_finite(name: str, tensor: torch.Tensor) -> None:
    """Raise a ValueError naming ``name`` if ``tensor`` holds NaN or inf."""
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name} contains NaN or inf values")


def check_shape(name: str, tensor: torch.Tensor, expected: tuple[int | None, ...]) -> None:
    """Raise a ValueError naming ``name`` unless ``tensor.shape`` matches ``expected`` (None = any)."""
    ok = tensor.dim() == len(expected) and all(e is None or s == e for s, e in zip(tensor.shape, expected))
    if not ok:
        shown = tuple("B" if e is None else e for e in expected)
        raise ValueError(f"{name} must have shape {shown}, got {tuple(tensor.shape)}")


class BodyModel(torch.nn.Module, ABC):
    """A parametric body: ``forward(rotations, shape, translation, joint_set) -> BodyOutput``.

    ``rotations`` (B, K, 3, 3) are each bone's rotation relative to its parent, expressed in the
    world axes (the root's is its global orientation); identity everywhere gives the rest pose.
    """

    name: str
    bone_names: tuple[str, ...]
    shape_dim: int

    @property
    @abstractmethod
    def faces(self) -> torch.Tensor:
        """(F, 3) int64 triangles."""

    @property
    def num_vertices(self) -> int:
        return int(self.template().shape[0])

    @property
    def num_bones(self) -> int:
        return len(self.bone_names)

    @abstractmethod
    def joint_regressor(self, joint_set: str) -> torch.Tensor:
        """(J, V) linear weights such that ``joints = regressor @ vertices``."""

    @abstractmethod
    def default_shape(self, batch_size: int = 1) -> torch.Tensor:
        """(B, shape_dim) the mean/neutral body shape."""

    def shape_prior(self) -> tuple[torch.Tensor, torch.Tensor]:
        """What a fit should assume where its data says little: the (shape_dim,) shape it is pulled
        towards and the (shape_dim,) strength of each pull (per unit of shape, squared, against
        squared-metre residuals). By default the mean body, with no pull."""
        mean = self.default_shape(1)[0]
        return mean, torch.zeros_like(mean)

    @abstractmethod
    def forward(
        self,
        rotations: torch.Tensor | None = None,
        shape: torch.Tensor | None = None,
        translation: torch.Tensor | None = None,
        joint_set: str | None = None,
    ) -> BodyOutput:
        """Pose the body. Missing arguments default to rest pose, mean shape, zero translation."""

    def rest_points(self, shape: torch.Tensor, vertex_ids: torch.Tensor) -> RestPoints:
        """The vertices ``vertex_ids`` (S,) of bodies ``shape`` (B, shape_dim) at rest and the rig's
        bone heads, for ``gtrs.body.skinning.skin_points`` (a fit that skins a few vertices per step).
        Only rigged models without pose-dependent corrections have it."""
        raise NotImplementedError(f"the {self.name} body model cannot skin chosen vertices on its own")

    def prepare_inputs(self, rotations: torch.Tensor | None, shape: torch.Tensor | None,
                       translation: torch.Tensor | None, joint_set: str | None,
                       shape_name: str = "shape") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Fill in defaults (rest pose, mean shape, zero translation) and validate shapes, finiteness
        and the joint-set name, with errors that name the argument."""
        batch = next((t.shape[0] for t in (rotations, shape, translation) if t is not None), 1)
        rotations = self.identity_rotations(batch) if rotations is None else rotations
        shape = self.default_shape(batch) if shape is None else shape
        if translation is None:
            translation = torch.zeros(batch, 3, dtype=self.dtype, device=self.device)
        check_shape("rotations", rotations, (batch, self.num_bones, 3, 3))
        check_shape(shape_name, shape, (batch, self.shape_dim))
        check_shape("translation", translation, (batch, 3))
        for name, t in (("rotations", rotations), (shape_name, shape), ("translation", translation)):
            check_finite(name, t)
        if joint_set is not None:
            get_joint_set(joint_set)
        return rotations.to(self.dtype), shape.to(self.dtype), translation.to(self.dtype)

    def regress_joints(self, vertices: torch.Tensor, joint_set: str) -> torch.Tensor:
        """(B, V, 3) vertices -> (B, J, 3) joints of ``joint_set`` (differentiable)."""
        columns, weights = self.compact_regressor(joint_set)
        if len(columns) > vertices.shape[1] // 4:  # gathering most of the mesh costs more than it saves
            weights, columns = self.joint_regressor(joint_set), slice(None)
        return torch.einsum("ju,bud->bjd", weights.to(vertices.dtype), vertices[:, columns])

    def compact_regressor(self, joint_set: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The vertices a regressor uses (U,) and its (J, U) weights on them, cached: most
        regressors touch a small part of the mesh, so the product runs on those vertices only."""
        cache = self.__dict__.setdefault("_compact_regressors", {})
        if joint_set not in cache:
            dense = self.joint_regressor(joint_set)
            columns = torch.nonzero(dense.abs().sum(0), as_tuple=True)[0]
            cache[joint_set] = (columns, dense[:, columns])
        return cache[joint_set]

    def joint_set(self, name: str) -> JointSet:
        return get_joint_set(name)

    def template(self) -> torch.Tensor:
        """(V, 3) the mean-shape body in the rest pose (the paper's mesh template)."""
        with torch.no_grad():
            return self.forward().vertices[0]

    def identity_rotations(self, batch_size: int = 1) -> torch.Tensor:
        """(B, K, 3, 3) the rest pose."""
        eye = torch.eye(3, dtype=self.dtype, device=self.device)
        return eye.expand(batch_size, self.num_bones, 3, 3).clone()

    @property
    @abstractmethod
    def dtype(self) -> torch.dtype: ...

    @property
    @abstractmethod
    def device(self) -> torch.device: ...


def vertical_extent(vertices: torch.Tensor) -> torch.Tensor:
    """(B,) height of meshes (B, V, 3) in the package frame (Y up): a rest-pose body's standing height."""
    return vertices[..., 1].amax(-1) - vertices[..., 1].amin(-1)


def coco19_from_coco17(regressor17: torch.Tensor) -> torch.Tensor:
    """(17, V) COCO regressor -> (19, V): pelvis = mid-hip, neck = mid-shoulder (as the paper)."""
    pelvis = 0.5 * (regressor17[11] + regressor17[12])
    neck = 0.5 * (regressor17[5] + regressor17[6])
    return torch.cat([regressor17, pelvis[None], neck[None]], dim=0)


T = TypeVar("T")


def once_per_body(make: Callable[[BodyModel], T]) -> Callable[[BodyModel], T]:
    """``make(body)`` built once per body model and kept while the body lives: for what a fit derives
    from a body by posing it (its skeleton, joint limits, lifter, joint poser)."""
    built: "weakref.WeakKeyDictionary[BodyModel, T]" = weakref.WeakKeyDictionary()

    def get(body: BodyModel) -> T:
        if body not in built:
            built[body] = make(body)
        return built[body]

    return get
