"""Refinement to 2D keypoints, the batched camera solve and the pose prior."""
import numpy as np
import roma
import torch

from gtrs.fit.camera import solve_translation as solve_translation_numpy
from gtrs.fit.keypoints import refine_to_keypoints, solve_translation
from gtrs.fit.mesh import MeshFitConfig, MeshFitter
from gtrs.fit.pose_prior import PosePrior, fit_pose_prior


def test_batched_translation_solve_matches_the_numpy_one():
    g = np.random.default_rng(0)
    joints = g.normal(size=(3, 19, 3)) * 0.3
    t_true = np.array([[0.2, -0.1, 4.0], [0.0, 0.3, 6.0], [-0.5, 0.0, 3.0]])
    focal, principal = np.array([1000.0, 800.0, 1200.0]), np.array([[320.0, 240.0]] * 3)
    placed = joints + t_true[:, None]
    px = placed[..., :2] / placed[..., 2:] * focal[:, None, None] + principal[:, None]
    kp = np.concatenate([px, np.ones((3, 19, 1))], -1)
    kp[1, :5, 2] = 0  # hidden joints do not count
    ours = solve_translation(*(torch.as_tensor(a) for a in (joints, kp, focal, principal)))
    for i in range(3):
        assert np.allclose(ours[i].numpy(), solve_translation_numpy(joints[i], kp[i], focal[i], principal[i]), atol=1e-6)
        assert np.allclose(ours[i].numpy(), t_true[i], atol=1e-6)


def test_refine_moves_a_wrong_arm_onto_the_keypoints(anny_body):
    """The network's answer has the left forearm turned 30 degrees off; exact keypoints of the true body
    pull it back. (A limb off by much more than the robust scale is taken for a bad keypoint and left
    to the network: by design, see gtrs.fit.keypoints.)"""
    B, K = 2, anny_body.num_bones
    truth = torch.eye(3).expand(B, K, 3, 3).clone()
    truth[:, 0] = torch.diag(torch.tensor([1.0, -1.0, -1.0]))  # upright, facing the camera (OpenCV axes)
    wrong = truth.clone()
    elbow = anny_body.bone_names.index("LeftForeArm")
    wrong[:, elbow] = roma.rotvec_to_rotmat(torch.tensor([0.0, 0.0, 0.5]))
    translation = torch.tensor([[0.0, 0.0, 4.0]]).expand(B, 3)
    true_out = anny_body(truth, None, translation, joint_set="coco19")
    focal, principal = torch.full((B,), 1000.0), torch.full((B, 2), 500.0)
    px = true_out.joints[..., :2] / true_out.joints[..., 2:] * 1000.0 + 500.0
    keypoints = torch.cat([px, torch.ones(B, 19, 1)], -1)
    network = anny_body(wrong, None, None).vertices
    network = network - anny_body.regress_joints(network, "h36m17")[:, :1]
    fit = MeshFitter(anny_body, MeshFitConfig(vertex_stride=16))(network)
    refined = refine_to_keypoints(anny_body, fit, network, keypoints, focal, principal)
    wrist = 9  # COCO left wrist
    before = (anny_body.regress_joints(fit.vertices, "coco19") - anny_body.regress_joints(fit.vertices, "coco19")[:, 17:18])
    after = anny_body.regress_joints(refined.vertices, "coco19")
    true_rel = true_out.joints - true_out.joints[:, 17:18]
    placed = before + solve_translation(before, keypoints, focal, principal)[:, None]
    wrist_px_before = (placed[:, wrist, :2] / placed[:, wrist, 2:] * 1000.0 + 500.0 - px[:, wrist]).norm(dim=-1)
    wrist_px_after = (after[:, wrist, :2] / after[:, wrist, 2:] * 1000.0 + 500.0 - px[:, wrist]).norm(dim=-1)
    assert (wrist_px_before > 15).all() and (wrist_px_after < 0.35 * wrist_px_before).all()
    # and the wrist comes closer to the truth in 3D too
    err_before = (before[:, wrist] - true_rel[:, wrist]).norm(dim=-1)
    err_after = (after[:, wrist] - after[:, 17] - true_rel[:, wrist]).norm(dim=-1)
    assert (err_after < 0.5 * err_before).all()


def test_pose_prior_prefers_the_poses_it_was_fitted_on(tmp_path):
    g = torch.Generator().manual_seed(0)
    K = 5
    poses = roma.rotvec_to_rotmat(0.1 * torch.randn(400, K, 3, generator=g) + torch.tensor([0.0, 0.5, 0.0]))
    prior = fit_pose_prior(poses, components=2, iterations=20)
    prior.save(tmp_path / "prior.npz")
    loaded = PosePrior.load(tmp_path / "prior.npz")
    strange = roma.rotvec_to_rotmat(torch.tensor([0.0, -1.0, 0.5]).expand(50, K, 3))
    assert loaded.nll(poses[:50]).mean() < loaded.nll(strange).mean() - 10
    assert torch.allclose(loaded.nll(poses[:5]), prior.nll(poses[:5]), atol=1e-4)


def test_shipped_pose_prior_loads_and_scores_the_rest_pose(anny_body):
    prior = PosePrior.load()
    rest = torch.eye(3).expand(1, anny_body.num_bones, 3, 3)
    assert prior.means.shape[1] == 3 * (anny_body.num_bones - 1)
    assert torch.isfinite(prior.nll(rest)).all()
