"""Ambiguity-aware refinement: starts for each way a segment can lie along its line of sight."""
import roma
import torch

from gtrs.body.skeleton import Skeleton
from gtrs.fit.keypoints import refine_to_keypoints
from gtrs.fit.mesh import MeshFitter
from gtrs.fit.multi_start import MultiStartConfig, best_per_person, lifted_starts, refine_with_lifts
from gtrs.fit.segment_lifts import SegmentLifter, keypoint_rays


def test_best_per_person_takes_each_persons_lowest_score():
    person = torch.tensor([0, 0, 1, 2, 2, 2, 1])
    score = torch.tensor([3.0, 1.0, 5.0, 2.0, 0.5, 9.0, 4.0])
    assert best_per_person(person, score, 3).tolist() == [1, 6, 4]


def test_the_starts_hold_the_true_thigh_when_the_network_pushed_it_away(anny_body):
    """Truth: the left thigh raised towards the camera (sitting, seen from the front). The network's
    answer: the same picture with the thigh pushed away behind the hip, past the hip's range. Among the
    starts is one with the knee in front of the hip again, near the truth, and that one is kept: the
    single-start refinement keeps the network's mistake."""
    body, K = anny_body, anny_body.num_bones
    truth = torch.eye(3).expand(1, K, 3, 3).clone()
    truth[:, 0] = torch.diag(torch.tensor([1.0, -1.0, -1.0]))  # upright, facing the camera (OpenCV axes)
    hip = body.bone_names.index("LeftUpLeg")
    knee = body.bone_names.index("LeftLeg")
    truth[:, hip] = roma.rotvec_to_rotmat(torch.tensor([-1.3, 0.0, 0.0]))  # thigh raised forwards
    truth[:, knee] = roma.rotvec_to_rotmat(torch.tensor([1.3, 0.0, 0.0]))  # shin hanging down
    translation = torch.tensor([[0.0, 0.0, 3.5]])
    true_out = body(truth, None, translation, joint_set="coco19")
    focal, principal = torch.full((1,), 1000.0), torch.full((1, 2), 500.0)
    px = true_out.joints[..., :2] / true_out.joints[..., 2:] * 1000.0 + 500.0
    keypoints = torch.cat([px, torch.ones(1, 19, 1)], -1)
    # the network's mistake: the knee mirrored behind the hip on its line of sight
    lifter = SegmentLifter(Skeleton.from_body(body), ("left_thigh",))
    rays = keypoint_rays(keypoints, focal, principal)
    wrong, _, _ = lifter.lift(truth, true_out.bone_heads, true_out.joints, rays, keypoints[..., 2] > 0,
                              torch.ones(1, 1, dtype=torch.bool))
    network = body(wrong, None, None).vertices
    network = network - body.regress_joints(network, "h36m17")[:, :1]
    fit = MeshFitter(body)(network)
    single = refine_to_keypoints(body, fit, network, keypoints, focal, principal)
    cfg = MultiStartConfig()
    placed = refine_to_keypoints(body, fit, network, keypoints, focal, principal, cfg.refine,
                                 iterations=cfg.placing_iterations)
    person, starts = lifted_starts(body, placed, keypoints, focal, principal, cfg)
    assert 2 <= len(person) <= 2 ** cfg.max_segments and (person == 0).all()
    knees = body.regress_joints(starts.vertices, "coco19")[:, 13]
    true_knee = true_out.joints[0, 13]
    assert (knees - true_knee).norm(dim=-1).min() < 0.06  # one start has the knee back in front, near the truth
    assert (knees[0] - true_knee).norm() > 0.2  # the nearer-place start keeps the network's mistake
    multi = refine_with_lifts(body, fit, network, keypoints, focal, principal, cfg)
    assert multi.vertices.shape == single.vertices.shape
    knee_error = lambda r: float((body.regress_joints(r.vertices, "coco19")[0, 13] - true_knee).norm())
    assert knee_error(single) > 0.2
    assert knee_error(multi) < 0.5 * knee_error(single)
    assert multi.reprojection_px[0] < 10.0
