"""Reading GLB files back in the tests, and skinning them as a viewer does (numpy, no viewer)."""
import json
import struct
from pathlib import Path

import numpy as np
import roma
import torch


def read_glb(path: Path) -> tuple[dict, bytes]:
    """The JSON chunk and the binary chunk of a GLB."""
    data = Path(path).read_bytes()
    magic, version, length = struct.unpack("<III", data[:12])
    assert magic == 0x46546C67 and version == 2 and length == len(data)
    json_len = struct.unpack("<I", data[12:16])[0]
    gltf = json.loads(data[20:20 + json_len])
    bin_start = 20 + json_len
    bin_len = struct.unpack("<I", data[bin_start:bin_start + 4])[0]
    return gltf, data[bin_start + 8:bin_start + 8 + bin_len]


def accessor(gltf: dict, blob: bytes, index: int) -> np.ndarray:
    acc = gltf["accessors"][index]
    view = gltf["bufferViews"][acc["bufferView"]]
    dtype = {5126: np.float32, 5121: np.uint8, 5123: np.uint16, 5125: np.uint32}[acc["componentType"]]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}[acc["type"]]
    raw = np.frombuffer(blob, dtype=dtype, count=acc["count"] * width, offset=view["byteOffset"])
    return raw.reshape(acc["count"], width) if width > 1 else raw


def skinned_vertices(path: Path) -> np.ndarray:
    """(V, 3) the first mesh of a skinned GLB posed by its nodes (linear blend skinning, glTF's rules)."""
    gltf, blob = read_glb(path)
    prim = gltf["meshes"][0]["primitives"][0]["attributes"]
    bind = accessor(gltf, blob, prim["POSITION"]).astype(np.float64)
    joints = accessor(gltf, blob, prim["JOINTS_0"]).astype(int)
    weights = accessor(gltf, blob, prim["WEIGHTS_0"]).astype(np.float64)
    skin = gltf["skins"][0]
    ibm = accessor(gltf, blob, skin["inverseBindMatrices"]).reshape(-1, 4, 4).transpose(0, 2, 1)
    nodes = gltf["nodes"]
    parent = {c: i for i, n in enumerate(nodes) for c in n.get("children", [])}
    world = {}

    def global_matrix(i):
        if i not in world:
            n = nodes[i]
            m = np.eye(4)
            m[:3, :3] = roma.unitquat_to_rotmat(torch.tensor(n.get("rotation", [0, 0, 0, 1.0]), dtype=torch.float64)).numpy()
            m[:3, 3] = n.get("translation", [0, 0, 0])
            world[i] = (global_matrix(parent[i]) if i in parent else np.eye(4)) @ m
        return world[i]

    mats = np.stack([global_matrix(j) @ ibm[k] for k, j in enumerate(skin["joints"])])  # (K, 4, 4)
    blended = np.einsum("vi,vixy->vxy", weights, mats[joints])
    return np.einsum("vxy,vy->vx", blended[:, :3, :3], bind) + blended[:, :3, 3]
