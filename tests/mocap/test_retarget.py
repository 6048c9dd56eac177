import json

import numpy as np
import pytest
import torch

from gtrs.mocap.bvh import parse_bvh
from gtrs.mocap.retarget import SkeletonMap, builtin_skeleton_maps, detect_skeleton, retarget, rotation_between
from tests.bvh_factory import DAZ, DAZ_END_SITES, MB, MB_END_SITES, ORDERS, bvh_text, random_frames


def test_rotation_between_maps_directions_including_opposite_ones():
    rng = np.random.default_rng(0)
    for u, v in [rng.normal(size=(2, 3)) for _ in range(5)] + [(np.array([0, 1.0, 0]), np.array([0, -2.0, 0]))]:
        R = rotation_between(u, v)
        np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
        assert np.isclose(np.linalg.det(R), 1.0)
        np.testing.assert_allclose(R @ (u / np.linalg.norm(u)), v / np.linalg.norm(v), atol=1e-12)


@pytest.mark.parametrize("joints, end_sites, family", [(DAZ, DAZ_END_SITES, "cmu_daz"), (MB, MB_END_SITES, "cmu_mb")])
def test_retargeted_body_bones_point_where_the_bvh_segments_point(anny_body, joints, end_sites, family):
    orders = {name: ORDERS[i % 3] for i, (name, _, _) in enumerate(joints)}  # mixed channel orders
    motion = parse_bvh(bvh_text(joints, end_sites, random_frames(joints, 6, seed=1), orders=orders), name="t")
    skeleton = detect_skeleton(motion)
    assert skeleton.name == family
    rest = anny_body().bone_heads[0].double().numpy()
    moved = retarget(motion, skeleton, anny_body.bone_names, anny_body.bone_parents, rest)
    assert moved.rotations.shape == (6, anny_body.num_bones, 3, 3)
    out = anny_body(torch.tensor(moved.rotations, dtype=torch.float32))
    heads = out.bone_heads.double().numpy()
    pos, _ = motion.forward_kinematics()
    checked = 0
    for bone, m in skeleton.bones.items():
        if m.to is None or m.to == "end":
            continue
        body_dir = heads[:, anny_body.bone_names.index(m.anny_to)] - heads[:, anny_body.bone_names.index(bone)]
        bvh_dir = pos[:, motion.index(m.to)] - pos[:, motion.index(m.joint)]
        cos = (body_dir * bvh_dir).sum(-1) / np.linalg.norm(body_dir, axis=-1) / np.linalg.norm(bvh_dir, axis=-1)
        assert cos.min() > 0.9999, (bone, cos.min())
        checked += 1
    assert checked >= 12
    np.testing.assert_allclose(moved.root_position, pos[:, 0] * skeleton.unit_scale)


def test_unknown_skeleton_and_bad_maps_give_clear_errors(tmp_path):
    joints = [("root", None, (0, 0, 0)), ("tip", "root", (0, 1, 0))]
    motion = parse_bvh(bvh_text(joints, {}, np.zeros((1, 9))), name="odd")
    with pytest.raises(ValueError, match="odd: skeleton not recognised.*cmu_daz"):
        detect_skeleton(motion)
    bad = tmp_path / "mine.json"
    bad.write_text(json.dumps({"name": "mine", "detect": ["root"], "bones": {}}))
    with pytest.raises(ValueError, match="mine.json: missing field 'unit_scale'"):
        SkeletonMap.from_json(bad)


def test_a_user_map_for_a_new_rig_family_works(anny_body, tmp_path):
    """Users add rigs with a JSON file: here the MB skeleton renamed with a prefix."""
    renamed = [("mixamorig:" + n, None if p is None else "mixamorig:" + p, o) for n, p, o in MB]
    ends = {"mixamorig:" + k: v for k, v in MB_END_SITES.items()}
    motion = parse_bvh(bvh_text(renamed, ends, random_frames(renamed, 3)), name="mix")
    base = builtin_skeleton_maps()["cmu_mb"]
    data = {"name": "prefixed", "detect": ["mixamorig:" + d for d in base.detect], "unit_scale": 0.01,
            "bones": {b: {"joint": "mixamorig:" + m.joint, "to": m.to and "mixamorig:" + m.to, "anny_to": m.anny_to}
                      for b, m in base.bones.items()}}
    path = tmp_path / "prefixed.json"
    path.write_text(json.dumps(data))
    skeleton = detect_skeleton(motion, {"prefixed": SkeletonMap.from_json(path)})
    rest = anny_body().bone_heads[0].double().numpy()
    moved = retarget(motion, skeleton, anny_body.bone_names, anny_body.bone_parents, rest)
    assert np.isfinite(moved.rotations).all() and moved.rotations.shape[0] == 3
