"""Segment lifts: a body's segments put onto their keypoints' lines of sight, towards or away from the camera."""
import roma
import torch

from gtrs.body.skeleton import Skeleton
from gtrs.fit.segment_lifts import SegmentLifter, keypoint_rays, lift_combinations, ray_places


def _project(joints, focal, principal):
    return joints[..., :2] / joints[..., 2:] * focal + principal


def test_ray_places_are_both_at_the_segment_length():
    g = torch.Generator().manual_seed(0)
    start = torch.randn(50, 3, generator=g) * 0.3 + torch.tensor([0.0, 0.0, 4.0])
    ray = torch.nn.functional.normalize(start + torch.randn(50, 3, generator=g) * 0.1, dim=-1)
    length = torch.full((50,), 0.45)
    near, far = ray_places(start, ray, length)
    reach = (((ray * start).sum(-1)).square() - start.square().sum(-1) + length.square()) >= 0
    assert reach.sum() > 10
    for t in (near, far):
        assert torch.allclose((t[reach, None] * ray[reach] - start[reach]).norm(dim=-1), length[reach], atol=1e-5)
    assert (near <= far).all()


def test_lifting_puts_every_seen_end_on_its_keypoint_and_the_other_place_mirrors_it(anny_body):
    """A body whose legs and arms are turned away from the truth is lifted onto the true body's
    keypoints: each seen end lands on its ray; choosing the other place for the left thigh keeps the
    left knee's pixel and the thigh's length, with the knee on the other side of the hip in depth."""
    skeleton = Skeleton.from_body(anny_body)
    B, K = 1, anny_body.num_bones
    truth = torch.eye(3, dtype=torch.float32).expand(B, K, 3, 3).clone()
    truth[:, 0] = torch.diag(torch.tensor([1.0, -1.0, -1.0], dtype=torch.float32))  # facing the camera
    left_hip = skeleton.index("LeftUpLeg")
    truth[:, left_hip] = roma.rotvec_to_rotmat(torch.tensor([-1.2, 0.0, 0.0], dtype=torch.float32))  # thigh raised forwards
    wrong = truth.clone()
    for name, turn in (("LeftUpLeg", [-0.5, 0.0, 0.2]), ("RightLeg", [0.6, 0.0, 0.0]), ("LeftForeArm", [0.0, 0.0, 0.5])):
        wrong[:, skeleton.index(name)] = roma.rotvec_to_rotmat(torch.tensor(turn, dtype=torch.float32))
    translation = torch.tensor([[0.0, 0.0, 4.0]], dtype=torch.float32)
    body = anny_body
    true_out = body(truth, None, translation, joint_set="coco19")
    focal, principal = torch.full((B,), 1000.0, dtype=body.dtype), torch.full((B, 2), 500.0, dtype=body.dtype)
    keypoints = torch.cat([_project(true_out.joints, 1000.0, 500.0), torch.ones(B, 19, 1, dtype=body.dtype)], -1)
    start = body(wrong, None, translation, joint_set="coco19")
    lifter = SegmentLifter(skeleton)
    rays, seen = keypoint_rays(keypoints, focal, principal), keypoints[..., 2] > 0
    none = torch.zeros(B, len(lifter.names), dtype=torch.bool)
    rotations, heads, apart = lifter.lift(wrong, start.bone_heads, start.joints, rays, seen, none)
    lifted = body(rotations, None, translation, joint_set="coco19")
    assert torch.allclose(lifted.bone_heads, heads, atol=1e-4)  # the lifter's own kinematics agree with the body's
    ends = [13, 14, 15, 16, 7, 8, 9, 10]  # knees, ankles, elbows, wrists (the trunk moves the shoulders first)
    error = (_project(lifted.joints, 1000.0, 500.0) - keypoints[..., :2]).norm(dim=-1)[0, ends]
    assert error.max() < 2.5, error  # regressed joints ride the skin, not the bone: millimetres
    before = (_project(start.joints, 1000.0, 500.0) - keypoints[..., :2]).norm(dim=-1)[0, ends]
    assert before.max() > 30.0
    thigh = lifter.names.index("left_thigh")
    assert apart[0, thigh] > 60.0  # a thigh raised towards the camera: two far-apart places
    other = none.clone()
    other[0, thigh] = True
    rotations2, _, _ = lifter.lift(wrong, start.bone_heads, start.joints, rays, seen, other)
    flipped = body(rotations2, None, translation, joint_set="coco19")
    knee_px = _project(flipped.joints, 1000.0, 500.0)[0, 13]
    assert (knee_px - keypoints[0, 13, :2]).norm() < 6.0  # the knee bends anew: its skin, and so its joint, shifts
    hip = flipped.bone_heads[0, skeleton.index("LeftUpLeg")]
    knee_bone = skeleton.index("LeftLeg")
    thigh_length = lambda out: (out.bone_heads[0, knee_bone] - out.bone_heads[0, skeleton.index("LeftUpLeg")]).norm()
    assert abs(thigh_length(flipped) - thigh_length(lifted)) < 1e-4
    # the true knee is nearer the camera than the hip; the other place puts it beyond
    assert lifted.joints[0, 13, 2] < hip[2] < flipped.joints[0, 13, 2]


def test_lift_combinations_enumerate_the_widest_allowed_segments():
    apart = torch.tensor([[80.0, 5.0, 70.0, 60.0, 50.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    allowed = torch.tensor([True, True, True, True, False])
    person, choices = lift_combinations(apart, min_degrees=20.0, max_segments=2, allowed=allowed)
    assert person.tolist() == [0, 0, 0, 0, 1]
    assert not choices[0].any() and not choices[4].any()  # the nearer places first
    assert {tuple(torch.nonzero(c).flatten().tolist()) for c in choices[1:4]} == {(0,), (2,), (0, 2)}
