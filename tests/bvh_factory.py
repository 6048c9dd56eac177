"""Small BVH files made by the tests: two skeleton families in a T-pose, any channel order."""
from __future__ import annotations

import numpy as np

# (name, parent, offset in cm); Y up, facing +Z, left = +X, T-pose. Daz-friendly CMU naming.
DAZ = [
    ("hip", None, (0, 0, 0)), ("abdomen", "hip", (0, 20, -1)), ("chest", "abdomen", (0, 12, 0)),
    ("neck", "chest", (0, 22, -2)), ("head", "neck", (0, 7, 1)),
    ("lCollar", "chest", (3, 19, -5)), ("lShldr", "lCollar", (9, -2, 1)), ("lForeArm", "lShldr", (28, 0, 0)),
    ("lHand", "lForeArm", (23, 0, 0)), ("lMid1", "lHand", (8, 0, 2)),
    ("rCollar", "chest", (-3, 19, -5)), ("rShldr", "rCollar", (-9, -2, 1)), ("rForeArm", "rShldr", (-28, 0, 0)),
    ("rHand", "rForeArm", (-23, 0, 0)), ("rMid1", "rHand", (-8, 0, 2)),
    ("lButtock", "hip", (9, 4, 1)), ("lThigh", "lButtock", (0, -12, 0)), ("lShin", "lThigh", (0, -40, 1)),
    ("lFoot", "lShin", (0, -43, -4)),
    ("rButtock", "hip", (-9, 4, 1)), ("rThigh", "rButtock", (0, -12, 0)), ("rShin", "rThigh", (0, -40, 1)),
    ("rFoot", "rShin", (0, -43, -4)),
]
DAZ_END_SITES = {"lFoot": (1, -4, 12), "rFoot": (-1, -4, 12), "head": (0, 10, 0), "lMid1": (3, 0, 0), "rMid1": (-3, 0, 0)}

# CMU MotionBuilder-friendly naming (units: inches-ish scale does not matter to the tests).
MB = [
    ("Hips", None, (0, 0, 0)), ("LHipJoint", "Hips", (0, 0, 0)), ("LeftUpLeg", "LHipJoint", (9, -8, 0)),
    ("LeftLeg", "LeftUpLeg", (0, -42, 1)), ("LeftFoot", "LeftLeg", (0, -43, -4)), ("LeftToeBase", "LeftFoot", (0, -4, 12)),
    ("RHipJoint", "Hips", (0, 0, 0)), ("RightUpLeg", "RHipJoint", (-9, -8, 0)), ("RightLeg", "RightUpLeg", (0, -42, 1)),
    ("RightFoot", "RightLeg", (0, -43, -4)), ("RightToeBase", "RightFoot", (0, -4, 12)),
    ("LowerBack", "Hips", (0, 5, 0)), ("Spine", "LowerBack", (0, 14, 0)), ("Spine1", "Spine", (0, 13, 0)),
    ("Neck", "Spine1", (0, 16, 0)), ("Neck1", "Neck", (0, 5, 0)), ("Head", "Neck1", (0, 5, 0)),
    ("LeftShoulder", "Spine1", (2, 10, 0)), ("LeftArm", "LeftShoulder", (14, 0, 0)), ("LeftForeArm", "LeftArm", (28, 0, 0)),
    ("LeftHand", "LeftForeArm", (23, 0, 0)),
    ("RightShoulder", "Spine1", (-2, 10, 0)), ("RightArm", "RightShoulder", (-14, 0, 0)),
    ("RightForeArm", "RightArm", (-28, 0, 0)), ("RightHand", "RightForeArm", (-23, 0, 0)),
]
MB_END_SITES = {"LeftToeBase": (0, 0, 4), "RightToeBase": (0, 0, 4), "Head": (0, 10, 0), "LeftHand": (8, 0, 0),
                "RightHand": (-8, 0, 0)}

ORDERS = ("Zrotation Xrotation Yrotation", "Xrotation Yrotation Zrotation", "Yrotation Zrotation Xrotation")


def bvh_text(joints, end_sites, frames: np.ndarray, orders=None, frame_time=1 / 30, newline="\n", indent="  ") -> str:
    """BVH text for ``joints`` [(name, parent, offset)] with ``frames`` (T, 3 + 3 * J) values:
    root position then each joint's three rotations, in the order of that joint's channels."""
    orders = orders or {}
    children = {n: [c for c, p, _ in joints if p == n] for n, _, _ in joints}
    offsets = {n: o for n, _, o in joints}
    lines = ["HIERARCHY"]

    def emit(name, depth, is_root=False):
        pad = indent * depth
        lines.append(f"{pad}{'ROOT' if is_root else 'JOINT'} {name}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}{indent}OFFSET {' '.join(str(float(v)) for v in offsets[name])}")
        rot = orders.get(name, ORDERS[0])
        chans = f"6 Xposition Yposition Zposition {rot}" if is_root else f"3 {rot}"
        lines.append(f"{pad}{indent}CHANNELS {chans}")
        for c in children[name]:
            emit(c, depth + 1)
        if name in end_sites:
            lines.extend([f"{pad}{indent}End Site", f"{pad}{indent}{{",
                      f"{pad}{indent * 2}OFFSET {' '.join(str(float(v)) for v in end_sites[name])}", f"{pad}{indent}}}"])
        lines.append(f"{pad}}}")

    emit(joints[0][0], 0, is_root=True)
    lines += ["MOTION", f"Frames: {len(frames)}", f"Frame Time: {frame_time}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in frames]
    return newline.join(lines) + newline


def random_frames(joints, num_frames: int, seed: int = 0, degrees: float = 40.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rot = rng.uniform(-degrees, degrees, size=(num_frames, 3 * len(joints)))
    pos = rng.uniform(-50, 50, size=(num_frames, 3)) + np.array([0, 90, 0])
    return np.concatenate([pos, rot], axis=1)
