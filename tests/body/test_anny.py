import pytest
import roma
import torch

from gtrs.body.h36m_regressor import FITTED_JOINTS, random_rotations
from gtrs.body.joints import COCO19, H36M17
from gtrs.body.poses import NAMED_POSES, named_pose
from gtrs.body.symmetry import (mirror_joints, mirror_points, mirror_rotations, name_mirror_permutation,
                                vertex_mirror_permutation)


def test_rest_coco_joints_lie_on_the_body_in_the_package_frame(anny_body):
    out = anny_body(joint_set="coco19")
    j = {n: out.joints[0, i] for i, n in enumerate(COCO19.names)}
    y = lambda n: j[n][1].item()  # noqa: E731  (Y is up)
    assert y("nose") > y("neck") > y("pelvis") > y("left_knee") > y("left_ankle")
    assert min(y(n) for n in COCO19.names) in (y("left_ankle"), y("right_ankle"))
    assert j["left_shoulder"][0] > 0 > j["right_shoulder"][0]  # left is +X
    assert j["nose"][2] > j["neck"][2]  # the body faces +Z
    height = (out.vertices[0, :, 1].max() - out.vertices[0, :, 1].min()).item()
    assert 1.4 < height < 2.0
    # joints lie inside the mesh's bounding box
    lo, hi = out.vertices[0].min(0).values, out.vertices[0].max(0).values
    assert torch.all(out.joints[0] > lo) and torch.all(out.joints[0] < hi)


def test_h36m_regressor_tracks_the_rig_joints_in_new_poses_and_shapes(anny_body):
    g = torch.Generator().manual_seed(123)
    rotations = random_rotations(16, anny_body.num_bones, 30.0, g)
    out = anny_body(rotations, torch.rand(16, 6, generator=g), joint_set="h36m17")
    for joint, bone in FITTED_JOINTS.items():
        err = (out.joints[:, H36M17.index(joint)] - out.bone_heads[:, anny_body.bone_names.index(bone)]).norm(dim=-1)
        assert err.mean() < 0.03, (joint, err.mean())
    reg = anny_body.joint_regressor("h36m17")
    torch.testing.assert_close(reg.sum(1), torch.ones(17, dtype=reg.dtype))
    assert torch.all(reg >= 0)


def test_translation_places_the_root_and_rotation_turns_about_it(anny_body):
    t = torch.tensor([[0.3, -0.2, 2.0]])
    rest = anny_body()
    moved = anny_body(translation=t)
    torch.testing.assert_close(moved.vertices, rest.vertices + t[:, None], atol=1e-5, rtol=0)
    half_turn = torch.diag(torch.tensor([-1.0, 1.0, -1.0]))  # 180 degrees about Y
    rotations = anny_body.identity_rotations(1)
    rotations[0, 0] = half_turn
    turned = anny_body(rotations, translation=t, joint_set="coco19")
    torch.testing.assert_close(turned.bone_heads[0, 0], t[0], atol=1e-5, rtol=0)
    assert turned.joints[0, 0, 2] < t[0, 2]  # now facing -Z: the nose is behind the root


def test_mirror_permutation_is_an_involution_and_symmetric_poses_mirror_to_themselves(anny_body):
    perm = vertex_mirror_permutation(anny_body.template())
    assert torch.equal(perm[perm], torch.arange(anny_body.num_vertices))
    assert not torch.equal(perm, torch.arange(anny_body.num_vertices))
    for pose in ("rest", "t-pose", "squat"):  # left/right symmetric poses
        v = anny_body(named_pose(pose, anny_body.bone_names)[None]).vertices
        err = (mirror_points(v, perm) - v).norm(dim=-1)
        # anny's rig and skin weights are symmetric to within a few millimetres, not exactly.
        assert err.mean() < 1e-3 and err.max() < 0.01, pose
    v = anny_body(named_pose("walk", anny_body.bone_names)[None]).vertices
    assert (mirror_points(v, perm) - v).norm(dim=-1).max() > 0.1  # an asymmetric pose is not


def test_mirrored_pose_gives_the_mirrored_mesh_and_joints(anny_body):
    vperm = vertex_mirror_permutation(anny_body.template())
    bperm = name_mirror_permutation(anny_body.bone_names)
    g = torch.Generator().manual_seed(5)
    rotations = random_rotations(4, anny_body.num_bones, 40.0, g)
    shape = torch.rand(4, 6, generator=g)
    out = anny_body(rotations, shape, joint_set="h36m17")
    flipped = anny_body(mirror_rotations(rotations, bperm), shape, joint_set="h36m17")
    err = (flipped.vertices - mirror_points(out.vertices, vperm)).norm(dim=-1)
    assert err.mean() < 2e-3 and err.max() < 0.015
    assert (flipped.joints - mirror_joints(out.joints, "h36m17")).norm(dim=-1).max() < 5e-3
    twice = mirror_points(mirror_points(out.vertices, vperm), vperm)
    torch.testing.assert_close(twice, out.vertices)


def test_gradients_reach_pose_and_shape(anny_body):
    rotations = anny_body.identity_rotations(2).requires_grad_()
    shape = anny_body.default_shape(2).requires_grad_()
    anny_body(rotations, shape, joint_set="coco19").joints.square().sum().backward()
    assert rotations.grad.abs().sum() > 0 and shape.grad.abs().sum() > 0
    assert (shape.grad.abs().sum(1) > 0).all()  # the same shape in every row: each row has its gradient


def test_one_shape_shared_by_a_batch_gives_each_row_its_own_body(anny_body):
    """A batch whose rows share one shape is posed from one rest body; it must equal posing each alone."""
    torch.manual_seed(0)
    rotations = roma.rotvec_to_rotmat(0.3 * torch.randn(3, anny_body.num_bones, 3))
    shape = torch.rand(1, 6).expand(3, -1)
    translation = torch.randn(3, 3)
    together = anny_body(rotations, shape, translation)
    for i in range(3):
        alone = anny_body(rotations[i:i + 1], shape[i:i + 1], translation[i:i + 1])
        torch.testing.assert_close(together.vertices[i], alone.vertices[0], atol=2e-6, rtol=0)
        torch.testing.assert_close(together.bone_heads[i], alone.bone_heads[0], atol=2e-6, rtol=0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(rotations=torch.eye(3).repeat(1, 30, 1, 1)), r"rotations must have shape \(1, 31, 3, 3\)"),
    (dict(shape=torch.full((1, 6), float("nan"))), "shape .* NaN or inf"),
    (dict(shape=torch.full((1, 6), 1.5)), r"must lie in \[0, 1\]"),
    (dict(translation=torch.zeros(2, 3), shape=torch.zeros(1, 6)), r"translation must have shape \(1, 3\)"),
    (dict(joint_set="smpl24"), "unknown joint set 'smpl24'"),
])
def test_bad_input_raises_clear_errors(anny_body, kwargs, message):
    with pytest.raises(ValueError, match=message):
        anny_body(**kwargs)


def test_named_poses_cover_only_existing_bones(anny_body):
    for name in NAMED_POSES:
        r = named_pose(name, anny_body.bone_names)
        torch.testing.assert_close(r @ r.transpose(-1, -2), torch.eye(3).expand_as(r), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="unknown pose"):
        named_pose("dab", anny_body.bone_names)


def test_skeleton_local_changes_extend_the_shape_and_move_bones():
    from gtrs.body.anny import PHENOTYPE_NAMES, AnnyBody

    body = AnnyBody(local_changes=("upperlegs-height-incr", "measure-shoulder-dist-incr"))
    assert body.shape_dim == len(PHENOTYPE_NAMES) + 2
    shape = body.default_shape(2)
    assert torch.all(shape[:, 6:] == 0)
    shape[1, 6] = 1.0  # longer thighs
    out = body(shape=shape)
    thigh = (out.bone_heads[:, body.bone_names.index("LeftLeg")] - out.bone_heads[:, body.bone_names.index("LeftUpLeg")]).norm(dim=-1)
    assert thigh[1] > thigh[0] + 0.03
    shape[1, 7] = -1.5
    with pytest.raises(ValueError, match=r"local changes .* must lie in \[-1, 1\]"):
        body(shape=shape)
    with pytest.raises(ValueError, match="unknown anny local changes"):
        AnnyBody(local_changes=("tail-length-incr",))


def test_the_first_build_is_announced_and_later_ones_are_quiet(tmp_path, capsys):
    from gtrs.body.anny import cache_is_empty, first_build_notice

    assert cache_is_empty(tmp_path)
    with first_build_notice(tmp_path):
        pass
    assert "building anny's body-model cache" in capsys.readouterr().err
    (tmp_path / "v14").mkdir()
    (tmp_path / "v14" / "build_model_data_0123.safetensors").write_bytes(b"x")
    assert not cache_is_empty(tmp_path)
    with first_build_notice(tmp_path):
        pass
    assert capsys.readouterr().err == ""


def test_no_warp_cuda_warning_on_a_machine_without_cuda():
    import ctypes.util
    import subprocess
    import sys

    if ctypes.util.find_library("cuda") is not None:
        pytest.skip("a CUDA driver is installed: Warp's messages are kept")
    result = subprocess.run([sys.executable, "-c", "from gtrs.body.anny import AnnyBody; AnnyBody()(None)"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "CUDA" not in result.stderr
