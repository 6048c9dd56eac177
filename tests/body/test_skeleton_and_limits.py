"""The rig's skeleton (forward kinematics), its anatomical joint limits, and the self-contact check."""
import math

import pytest
import roma
import torch

from gtrs.body.joint_limits import JOINT_RANGES, JointLimits
from gtrs.body.self_contact import SelfContact
from gtrs.body.skeleton import Skeleton
from gtrs.body.symmetry import mirror_rotations, name_mirror_permutation


@pytest.fixture(scope="module")
def skeleton(anny_body):
    return Skeleton.from_body(anny_body)


@pytest.fixture(scope="module")
def limits(skeleton):
    return JointLimits(skeleton)


def _pose(skeleton, limits, **bones):
    """Rest pose with the named bones set to (flex, abduct, twist) degrees."""
    angles = torch.zeros(1, len(skeleton.names), 3)
    rotations = torch.eye(3).repeat(1, len(skeleton.names), 1, 1)
    for name, values in bones.items():
        k = skeleton.index(name)
        angles[0, k] = torch.deg2rad(torch.tensor(values, dtype=torch.float32))
        rotations[0, k] = limits.from_angles(angles)[0, k]
    return rotations


def test_forward_kinematics_matches_the_body_models_joint_centres(anny_body, skeleton):
    torch.manual_seed(0)
    rotations = roma.rotvec_to_rotmat(0.6 * torch.randn(3, len(skeleton.names), 3))
    with torch.no_grad():
        heads = anny_body(rotations).bone_heads
    torch.testing.assert_close(skeleton.joint_positions(rotations), heads - heads[:, :1], atol=1e-5, rtol=0)


def test_angles_and_rotations_convert_both_ways(skeleton, limits):
    torch.manual_seed(1)
    angles = (limits.low + (limits.high - limits.low) * torch.rand(64, len(skeleton.names), 3))
    angles = limits.clamp_angles(angles)  # also keeps the swing under 179 degrees
    angles[:, ~limits.limited] = 0.3 * torch.randn(64, int((~limits.limited).sum()), 3)
    back = limits.to_angles(limits.from_angles(angles))
    torch.testing.assert_close(back, angles, atol=2e-4, rtol=0)


def test_clamping_puts_any_pose_inside_the_limits_and_leaves_valid_poses_alone(skeleton, limits):
    torch.manual_seed(2)
    wild = roma.random_rotmat(32 * len(skeleton.names)).reshape(32, -1, 3, 3)
    assert limits.excess(wild).max() > 0.5
    clamped = limits.clamp(wild)
    assert limits.excess(clamped).max() < 1e-3
    torch.testing.assert_close(clamped[:, 0], wild[:, 0])  # the root is not limited
    assert torch.allclose(limits.clamp(clamped), clamped, atol=1e-4)


def test_right_bones_use_the_mirror_image_of_the_left_limits(skeleton, limits):
    pose = _pose(skeleton, limits, LeftUpLeg=(-60, 20, 10), LeftLeg=(90, 0, 0), LeftArm=(-30, 40, 20))
    mirrored = mirror_rotations(pose, name_mirror_permutation(skeleton.names))
    a, b = limits.to_angles(pose), limits.to_angles(mirrored)
    for left in ("LeftUpLeg", "LeftLeg", "LeftArm"):
        right = left.replace("Left", "Right")
        torch.testing.assert_close(b[0, skeleton.index(right)], a[0, skeleton.index(left)], atol=1e-5, rtol=0)


def test_the_documented_signs_of_the_anatomical_angles(skeleton, limits):
    J = lambda **bones: skeleton.joint_positions(_pose(skeleton, limits, **bones))[0]  # noqa: E731
    i = skeleton.index
    rest = J()
    hip_flexed = J(LeftUpLeg=(-90, 0, 0))
    assert hip_flexed[i("LeftLeg"), 2] - rest[i("LeftLeg"), 2] > 0.3  # thigh forward
    knee_bent = J(LeftLeg=(90, 0, 0))
    assert knee_bent[i("LeftFoot"), 2] - rest[i("LeftFoot"), 2] < -0.3  # shin backwards
    assert J(LeftUpLeg=(0, 30, 0))[i("LeftLeg"), 0] > rest[i("LeftLeg"), 0] + 0.1  # left thigh outwards
    t_pose = J(LeftArm=(0, 48, 0))
    upper_arm = t_pose[i("LeftForeArm")] - t_pose[i("LeftArm")]
    assert abs(upper_arm[1]) / upper_arm.norm() < 0.05  # horizontal: the rest A-pose is 42 deg abducted
    assert J(Spine=(20, 0, 0))[i("Neck"), 2] > rest[i("Neck"), 2] + 0.05  # bend forward
    assert J(Spine=(0, 0, 20))[i("LeftArm"), 2] < rest[i("LeftArm"), 2] - 0.03  # turn left: left shoulder back
    assert J(LeftFoot=(30, 0, 0))[i("LeftToeBase"), 1] < rest[i("LeftToeBase"), 1] - 0.03  # toes down


def test_every_limit_box_is_ordered_and_within_a_full_turn():
    for name, r in JOINT_RANGES.items():
        for lo, hi in (r.flex, r.abduct, r.twist):
            assert -180 <= lo < hi <= 180, name


def test_self_contact_accepts_the_rest_pose_and_catches_limbs_through_the_body(skeleton, limits):
    contact = SelfContact(skeleton)
    assert not contact.penetrates(_pose(skeleton, limits))[0]
    # the left leg swung across the right one
    crossed = _pose(skeleton, limits, LeftUpLeg=(0, -40, 0))
    assert contact.penetrates(crossed)[0]
    # the left forearm turned into the torso (upper arm hanging, turned in 90 degrees, elbow bent)
    through = _pose(skeleton, limits, LeftArm=(0, -42, 90), LeftForeArm=(60, 0, 0))
    clearance = contact.clearance(through)[0]
    torso_pairs = [p for p, (a, b) in enumerate(contact.pairs.tolist()) if "torso" in (contact.names[a], contact.names[b])]
    assert clearance.min() < 0 and clearance[torso_pairs].min() < 0
    assert math.isfinite(float(clearance.sum()))
