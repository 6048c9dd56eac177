"""Retarget BVH motion onto the body model's rig by rotation transfer with rest-pose alignment.

For each body bone b mapped to a BVH joint j (``skeletons/*.json``), with direction targets
(BVH: j -> ``to``; body: b -> ``anny_to``):

    A_b = the smallest rotation taking the body's rest bone direction onto the BVH's rest one,
    G_b = G_j(t) @ A_b          (world rotation of bone b at frame t, relative to rest),

so every mapped body bone points exactly where its BVH segment points, whatever the two rest poses
(anny rests in an A-pose, the CMU files in a T-pose). Unmapped bones (fingers, toes, hip bones)
follow their parent. The output is the body's pose convention: per-bone rotations relative to
the parent in world axes, ``R_b = G_parent^T G_b``, plus the root's position in metres.

Joint-name maps live in ``gtrs/mocap/skeletons/*.json``: copy one to add a rig (see README).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from gtrs.mocap.bvh import Motion


@dataclass(frozen=True)
class BoneMap:
    joint: str  # BVH joint whose rotation drives the body bone
    to: str | None = None  # BVH direction target: a child joint, or "end" for the joint's End Site
    anny_to: str | None = None  # body bone whose head the body bone points at


@dataclass(frozen=True)
class SkeletonMap:
    """How one BVH skeleton family maps onto the body's rig (loaded from JSON)."""

    name: str
    detect: tuple[str, ...]
    unit_scale: float  # file units -> metres
    bones: dict[str, BoneMap]
    compare: dict[str, tuple[str, str]]  # label -> (BVH joint, body bone), for fidelity

    @classmethod
    def from_json(cls, path: str | Path) -> "SkeletonMap":
        """Load a map; a missing field raises a ValueError naming the file and the field."""
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            return cls(name=data["name"], detect=tuple(data["detect"]), unit_scale=float(data["unit_scale"]),
                       bones={b: BoneMap(**m) for b, m in data["bones"].items()},
                       compare={k: (v[0], v[1]) for k, v in data.get("compare", {}).items()})
        except KeyError as e:
            raise ValueError(f"{path}: missing field {e.args[0]!r}") from None
        except (json.JSONDecodeError, TypeError) as e:
            raise ValueError(f"{path}: not a valid skeleton map ({e})") from None


def builtin_skeleton_maps() -> dict[str, SkeletonMap]:
    """The skeleton families shipped with the package, by name."""
    folder = resources.files("gtrs.mocap") / "skeletons"
    maps = [SkeletonMap.from_json(Path(str(folder / f.name))) for f in folder.iterdir() if f.name.endswith(".json")]
    return {m.name: m for m in maps}


def detect_skeleton(motion: Motion, maps: dict[str, SkeletonMap] | None = None) -> SkeletonMap:
    """The family whose ``detect`` joints all appear in ``motion``; a ValueError lists what was tried."""
    maps = builtin_skeleton_maps() if maps is None else maps
    names = set(motion.joint_names)
    for m in maps.values():
        if set(m.detect) <= names:
            return m
    raise ValueError(f"{motion.name}: skeleton not recognised (joints {motion.joint_names[:8]}...); known families: "
                     + ", ".join(f"{m.name} (needs {list(m.detect)})" for m in maps.values()))


def rotation_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The smallest rotation (3, 3) taking direction ``u`` onto direction ``v``."""
    u = u / np.linalg.norm(u)
    v = v / np.linalg.norm(v)
    axis = np.cross(u, v)
    s, c = np.linalg.norm(axis), float(np.dot(u, v))
    if s < 1e-9:
        if c > 0:
            return np.eye(3)
        # Opposite directions: half turn about any axis perpendicular to u.
        perp = np.cross(u, [1.0, 0, 0]) if abs(u[0]) < 0.9 else np.cross(u, [0, 1.0, 0])
        perp /= np.linalg.norm(perp)
        return 2 * np.outer(perp, perp) - np.eye(3)
    k = axis / s
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * K + (1 - c) * K @ K


@dataclass
class RetargetedMotion:
    """A clip in the body's pose convention."""

    name: str
    rotations: np.ndarray  # (T, K, 3, 3) per-bone, relative to the parent, world axes
    root_position: np.ndarray  # (T, 3) metres, where the root bone's head goes
    fps: float


def retarget(motion: Motion, skeleton: SkeletonMap, bone_names: tuple[str, ...], bone_parents: tuple[int, ...],
             rest_heads: np.ndarray) -> RetargetedMotion:
    """Retarget ``motion`` onto a rig (bone names, parents, rest bone heads (K, 3) in the package frame)."""
    missing = sorted({m.joint for m in skeleton.bones.values()} - set(motion.joint_names))
    if missing:
        raise ValueError(f"{motion.name}: joints {missing} required by skeleton map {skeleton.name!r} are missing")
    unknown = sorted(set(skeleton.bones) - set(bone_names))
    if unknown:
        raise ValueError(f"skeleton map {skeleton.name!r} names bones the rig lacks: {unknown}")
    _, world_r = motion.forward_kinematics()
    rest_bvh = motion.rest_positions()
    T, K = motion.num_frames, len(bone_names)

    world = np.empty((T, K, 3, 3))
    for b, name in enumerate(bone_names):  # parents precede children in the rig's order
        m = skeleton.bones.get(name)
        if m is None:
            world[:, b] = world[:, bone_parents[b]] if b > 0 else np.eye(3)
            continue
        j = motion.index(m.joint)
        align = np.eye(3)
        if m.to is not None and m.anny_to is not None:
            if m.to == "end":
                if j not in motion.end_sites:
                    raise ValueError(f"{motion.name}: joint {m.joint!r} has no End Site for bone {name!r}")
                bvh_dir = motion.end_sites[j]
            else:
                bvh_dir = rest_bvh[motion.index(m.to)] - rest_bvh[j]
            body_dir = rest_heads[bone_names.index(m.anny_to)] - rest_heads[b]
            align = rotation_between(body_dir, bvh_dir)
        world[:, b] = world_r[:, j] @ align

    parents = np.array([0] + list(bone_parents[1:]))
    local = np.einsum("tkji,tkjl->tkil", world[:, parents], world)  # G_parent^T G_b
    local[:, 0] = world[:, 0]
    positions, _ = motion.forward_kinematics(scale=skeleton.unit_scale)
    root = positions[:, motion.index(skeleton.bones[bone_names[0]].joint)]
    return RetargetedMotion(name=motion.name, rotations=local, root_position=root, fps=motion.fps)
