"""SmplBody through smplx, on a synthetic model file with the real format's keys and shapes."""
import pytest
import torch

from gtrs.body.smpl import SmplBody
from tests.smpl_factory import write_synthetic_smpl


def test_loads_poses_and_regresses_joints(tmp_path):
    write_synthetic_smpl(tmp_path)
    body = SmplBody(tmp_path)
    assert body.num_vertices == 6890 and body.faces.shape == (13776, 3) and body.num_bones == 24
    t = torch.tensor([[0.1, 0.2, 3.0]])
    out = body(translation=t, joint_set="coco19")
    assert out.vertices.shape == (1, 6890, 3) and out.joints.shape == (1, 19, 3)
    torch.testing.assert_close(out.bone_heads[0, 0], t[0], atol=1e-5, rtol=0)  # pelvis at the translation
    rotations = body.identity_rotations(2)
    rotations[1, 0] = torch.diag(torch.tensor([-1.0, 1.0, -1.0]))  # half turn about Y
    turned = body(rotations, joint_set="h36m17")
    root = turned.bone_heads[:, :1]
    torch.testing.assert_close((turned.vertices[1] - root[1]) * torch.tensor([-1.0, 1.0, -1.0]),
                               turned.vertices[0] - root[0], atol=1e-5, rtol=0)


def test_missing_model_file_names_what_and_where(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"SMPL_NEUTRAL\.pkl.*smpl\.is\.tue\.mpg\.de"):
        SmplBody(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        SmplBody(tmp_path / "nowhere")


def test_missing_regressor_is_reported_only_when_that_joint_set_is_used(tmp_path):
    write_synthetic_smpl(tmp_path, regressors=False)
    body = SmplBody(tmp_path)
    assert body().vertices.shape == (1, 6890, 3)
    with pytest.raises(FileNotFoundError, match="J_regressor_h36m_correct.npy"):
        body(joint_set="h36m17")


def test_bad_pose_shape_is_rejected(tmp_path):
    write_synthetic_smpl(tmp_path)
    with pytest.raises(ValueError, match=r"rotations must have shape \(1, 24, 3, 3\)"):
        SmplBody(tmp_path)(torch.eye(3).repeat(1, 31, 1, 1))


def test_native_translation_matches_smpl_semantics(tmp_path):
    """SMPL files store ``trans`` added after rotating about the rest pelvis; ``pelvis_from_native``
    turns it into our pelvis placement, and the two meshes agree."""
    write_synthetic_smpl(tmp_path)
    body = SmplBody(tmp_path)
    g = torch.Generator().manual_seed(0)
    rotvec = 0.4 * torch.randn(2, 24, 3, generator=g)
    shape = torch.randn(2, 10, generator=g)
    trans = torch.randn(2, 3, generator=g)
    native = body.layer(global_orient=rotvec[:, 0], body_pose=rotvec[:, 1:].reshape(2, -1), betas=shape, transl=trans)
    import roma

    ours = body(roma.rotvec_to_rotmat(rotvec), shape, body.pelvis_from_native(shape, trans))
    torch.testing.assert_close(ours.vertices, native.vertices, atol=1e-5, rtol=0)
    # regressed from the posed mesh, the pelvis lies within a millimetre of the kinematic one
    torch.testing.assert_close(body.smpl_pelvis(ours.vertices), native.joints[:, 0], atol=1e-3, rtol=0)
