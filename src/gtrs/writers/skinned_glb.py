"""Skinned glTF 2.0 (GLB): a fitted body as a rigged character that Blender and three.js load.

Contents: the body's bind mesh (the fitted shape in the rest pose, with normals), one node per bone
of the rig in its hierarchy (translation = the rest offset from the parent; rotation = the pose),
a skin with inverse bind matrices, and per vertex the 4 strongest skin weights, renormalised (anny
uses up to 7; the 4 kept carry 99+% of the weight almost everywhere). With more than one pose the
file also holds an animation (one rotation channel per bone, the root's translation), sampled
linearly at ``fps``.

Axes: whatever the poses are given in; the package writes glTF's (+Y up, the person facing +Z).
Since every bone's rest frame is aligned with those axes, a bone's glTF rotation is exactly the body
model's local rotation ``R_k`` and the skinned mesh equals the body's linear blend skinning.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import roma
import torch

from gtrs.atomic import atomic_path

INFLUENCES = 4
_FLOAT, _UBYTE, _USHORT, _UINT = 5126, 5121, 5123, 5125
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963


class _Buffer:
    """One binary buffer with views and accessors appended as they come (4-byte aligned)."""

    def __init__(self) -> None:
        self.data, self.views, self.accessors = bytearray(), [], []

    def add(self, array: np.ndarray, component: int, kind: str, target: int | None = None,
            bounds: bool = False) -> int:
        while len(self.data) % 4:
            self.data.append(0)
        raw = np.ascontiguousarray(array).tobytes()
        view = {"buffer": 0, "byteOffset": len(self.data), "byteLength": len(raw)}
        if target is not None:
            view["target"] = target
        self.views.append(view)
        self.data += raw
        accessor = {"bufferView": len(self.views) - 1, "componentType": component, "count": int(array.shape[0]),
                    "type": kind}
        if bounds:
            flat = array.reshape(array.shape[0], -1)
            accessor["min"], accessor["max"] = flat.min(0).tolist(), flat.max(0).tolist()
            if kind == "SCALAR":
                accessor["min"], accessor["max"] = [float(flat.min())], [float(flat.max())]
        self.accessors.append(accessor)
        return len(self.accessors) - 1


def strongest_influences(weights: np.ndarray, count: int = INFLUENCES) -> tuple[np.ndarray, np.ndarray]:
    """(V, K) dense skin weights -> (V, count) bone indices and weights summing to 1; unused slots
    get weight 0 and index 0, as glTF asks."""
    order = np.argsort(-weights, axis=1, kind="stable")[:, :count]
    kept = np.take_along_axis(weights, order, axis=1)
    return np.where(kept > 0, order, 0), kept / kept.sum(1, keepdims=True)


def skinned_glb_bytes(rest_vertices: np.ndarray, faces: np.ndarray, normals: np.ndarray, skin_weights: np.ndarray,
                      names: tuple[str, ...], parents: tuple[int, ...], rest_heads: np.ndarray,
                      rotations: np.ndarray, root_positions: np.ndarray, fps: float = 30.0) -> bytes:
    """The GLB file: bind mesh (V, 3) with ``faces`` (F, 3) and ``normals``, dense ``skin_weights``
    (V, K), the rig (names, parents, rest bone heads (K, 3)), posed by ``rotations`` (T, K, 3, 3)
    local rotations with the root bone's head at ``root_positions`` (T, 3)."""
    rotations = np.asarray(rotations, dtype=np.float64)
    root_positions = np.asarray(root_positions, dtype=np.float64)
    K, T = len(names), len(rotations)
    quats = roma.rotmat_to_unitquat(torch.as_tensor(rotations)).numpy()  # (T, K, 4) xyzw, glTF's order
    buf = _Buffer()
    position = buf.add(rest_vertices.astype(np.float32), _FLOAT, "VEC3", _ARRAY_BUFFER, bounds=True)
    normal = buf.add(normals.astype(np.float32), _FLOAT, "VEC3", _ARRAY_BUFFER)
    joints, weights = strongest_influences(np.asarray(skin_weights, dtype=np.float64))
    joint_ids = buf.add(joints.astype(np.uint8 if K < 256 else np.uint16), _UBYTE if K < 256 else _USHORT, "VEC4",
                        _ARRAY_BUFFER)
    weight_ids = buf.add(weights.astype(np.float32), _FLOAT, "VEC4", _ARRAY_BUFFER)
    indices = buf.add(np.asarray(faces, dtype=np.uint32).reshape(-1), _UINT, "SCALAR", _ELEMENT_ARRAY_BUFFER,
                      bounds=True)
    inverse_bind = np.tile(np.eye(4, dtype=np.float32), (K, 1, 1))
    inverse_bind[:, :3, 3] = -rest_heads  # bind pose: every bone at its rest head, axes aligned
    ibm = buf.add(inverse_bind.transpose(0, 2, 1).reshape(K, 16), _FLOAT, "MAT4")  # column-major

    first_bone = 1  # node 0 is the mesh
    bone_nodes = []
    for k in range(K):
        translation = root_positions[0] if k == 0 else rest_heads[k] - rest_heads[parents[k]]
        node = {"name": names[k], "translation": [float(v) for v in translation],
                "rotation": [float(v) for v in quats[0, k]]}
        kids = [first_bone + j for j in range(K) if parents[j] == k]
        if kids:
            node["children"] = kids
        bone_nodes.append(node)
    gltf = {
        "asset": {"version": "2.0", "generator": "gtrs"},
        "scene": 0,
        "scenes": [{"nodes": [0, first_bone]}],
        "nodes": [{"name": "body", "mesh": 0, "skin": 0}] + bone_nodes,
        "meshes": [{"name": "body", "primitives": [{"attributes": {
            "POSITION": position, "NORMAL": normal, "JOINTS_0": joint_ids, "WEIGHTS_0": weight_ids},
            "indices": indices, "mode": 4}]}],
        "skins": [{"name": "rig", "joints": [first_bone + k for k in range(K)], "skeleton": first_bone,
                   "inverseBindMatrices": ibm}],
    }
    if T > 1:
        times = buf.add((np.arange(T) / fps).astype(np.float32), _FLOAT, "SCALAR", bounds=True)
        samplers, channels = [], []
        for k in range(K):
            samplers.append({"input": times, "output": buf.add(quats[:, k].astype(np.float32), _FLOAT, "VEC4"),
                             "interpolation": "LINEAR"})
            channels.append({"sampler": k, "target": {"node": first_bone + k, "path": "rotation"}})
        samplers.append({"input": times, "output": buf.add(root_positions.astype(np.float32), _FLOAT, "VEC3"),
                         "interpolation": "LINEAR"})
        channels.append({"sampler": K, "target": {"node": first_bone, "path": "translation"}})
        gltf["animations"] = [{"name": "motion", "samplers": samplers, "channels": channels}]
    while len(buf.data) % 4:
        buf.data.append(0)
    gltf["buffers"] = [{"byteLength": len(buf.data)}]
    gltf["bufferViews"], gltf["accessors"] = buf.views, buf.accessors
    text = json.dumps(gltf, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text + struct.pack("<II", len(buf.data), 0x004E4942) + bytes(buf.data)
    return struct.pack("<III", 0x46546C67, 2, 12 + len(body)) + body


def write_skinned_glb(path: str | Path, *args, **kwargs) -> Path:
    """``skinned_glb_bytes`` written atomically to ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(skinned_glb_bytes(*args, **kwargs))
    return path
