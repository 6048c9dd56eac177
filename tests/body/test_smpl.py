"""SmplBody through smplx, on a synthetic model file with the real format's keys and shapes."""
import pickle

import numpy as np
import pytest
import torch

from gtrs.body.smpl import SmplBody

SMPL_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]


def write_synthetic_smpl(folder, regressors=True):
    """A 6890-vertex SMPL-format pickle (plain numpy, no chumpy) plus the two joint regressors."""
    rng = np.random.default_rng(0)
    v = rng.uniform([-0.3, -0.9, -0.1], [0.3, 0.8, 0.1], size=(6890, 3))
    joints = rng.uniform([-0.2, -0.8, -0.05], [0.2, 0.6, 0.05], size=(24, 3))
    nearest = np.argmin(((v[:, None] - joints[None]) ** 2).sum(-1), axis=1)
    J_regressor = np.zeros((24, 6890))
    for j in range(24):
        members = np.flatnonzero(nearest == j)
        members = members if len(members) else np.array([j])
        J_regressor[j, members] = 1.0 / len(members)
    data = dict(
        v_template=v, shapedirs=rng.normal(0, 1e-3, (6890, 3, 10)), posedirs=rng.normal(0, 1e-4, (6890, 3, 207)),
        J_regressor=J_regressor, weights=np.eye(24)[nearest], kintree_table=np.array([SMPL_PARENTS, list(range(24))]),
        f=rng.integers(0, 6890, size=(13776, 3)).astype(np.int64),
    )
    with open(folder / "SMPL_NEUTRAL.pkl", "wb") as f:
        pickle.dump(data, f)
    if regressors:
        for name in ("J_regressor_h36m_correct.npy", "J_regressor_coco.npy"):
            np.save(folder / name, J_regressor[:17])
    return data


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
