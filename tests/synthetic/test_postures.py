"""Generated training postures: inside the joint limits, never through themselves, the posture each
family names, reproducible; captured poses perturbed inside the limits."""
import pytest
import roma
import torch

from gtrs.body.joint_limits import JOINT_RANGES
from gtrs.body.skeleton import Skeleton
from gtrs.synthetic.posture_families import ARMS, FAMILIES, LEGS
from gtrs.body.symmetry import mirror_name
from gtrs.synthetic.postures import ARM_BONES, LEG_BONES, PostureGenerator, perturb_within_limits
from gtrs.eval.probes import posture_label


@pytest.fixture(scope="module")
def generator(anny_body):
    skeleton = Skeleton.from_body(anny_body)
    torch.manual_seed(0)
    captured = roma.rotvec_to_rotmat(0.15 * torch.randn(40, len(skeleton.names), 3))  # near-rest "capture"
    return PostureGenerator(skeleton, captured)


def test_every_chain_range_lies_inside_the_joint_limits():
    for table in (LEGS, ARMS):
        for chain, bones in table.items():
            for bone, ranges in bones.items():
                box = JOINT_RANGES[bone]
                for (lo, hi), (blo, bhi) in zip(ranges, (box.flex, box.abduct, box.twist)):
                    assert blo <= lo <= hi <= bhi, (chain, bone)


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_each_family_gives_valid_bodies_that_set_bones_inside_the_limits(generator, family):
    poses, which = generator.sample(12, torch.Generator().manual_seed(3), family=family)
    assert poses.shape == (12, len(generator.skeleton.names), 3, 3)
    assert (which == generator.family_names.index(family)).all()
    assert torch.allclose(poses.transpose(-1, -2) @ poses, torch.eye(3).expand_as(poses), atol=1e-5)
    assert not generator.contact.penetrates(poses).any()
    fam = next(f for f in FAMILIES if f.name == family)
    chains = (LEG_BONES if fam.legs and not fam.compensate_tilt else ()) + (ARM_BONES if fam.arms and not fam.one_arm else ())
    set_bones = [generator.skeleton.index(side(b)) for b in chains for side in (str, mirror_name)]
    if set_bones:
        assert generator.limits.excess(poses)[:, set_bones].max() < 1e-3


def test_families_make_the_postures_they_name(generator):
    g = torch.Generator().manual_seed(5)
    skeleton = generator.skeleton
    for family, expected in (("sit_chair", "sit_or_squat"), ("squat", "sit_or_squat"),
                             ("bend_forward", "bend_forward"), ("arms_overhead", "upright")):
        poses, _ = generator.sample(16, g, family=family)
        labels = posture_label(skeleton, poses)
        assert labels.count(expected) >= 12, (family, labels)
    for family in ("lie_back", "lie_front", "lie_side"):  # the trunk lies within 30 degrees of horizontal
        poses, _ = generator.sample(16, g, family=family)
        J = skeleton.joint_positions(poses)
        trunk = torch.nn.functional.normalize(J[:, skeleton.index("Neck")] - J[:, 0], dim=-1)
        assert (trunk[:, 1].abs() < 0.5).all(), family
    poses, _ = generator.sample(16, g, family="arms_overhead")
    J = skeleton.joint_positions(poses)
    wrists_above_head = (J[:, [skeleton.index("LeftHand"), skeleton.index("RightHand")], 1]
                         > J[:, skeleton.index("Head"), 1:2]).float().mean()
    assert wrists_above_head > 0.8


def test_sampling_is_reproducible(generator):
    a, fa = generator.sample(20, torch.Generator().manual_seed(9))
    b, fb = generator.sample(20, torch.Generator().manual_seed(9))
    assert torch.equal(a, b) and torch.equal(fa, fb)
    assert len(set(fa.tolist())) > 5  # a mix of families


def test_perturbation_stays_inside_the_limits_and_never_moves_further_out(generator):
    limits = generator.limits
    g = torch.Generator().manual_seed(4)
    inside = generator.sample(16, g, family="random_in_limits")[0]
    torch.manual_seed(1)
    outside = roma.random_rotmat(16 * len(generator.skeleton.names)).reshape(16, -1, 3, 3)
    for poses in (inside, outside):
        moved = perturb_within_limits(poses, limits, 10.0, g)
        assert not torch.allclose(moved, poses)
        before, after = limits.to_angles(poses), limits.to_angles(moved)
        out_before = (before - limits.high).clamp(min=0) + (limits.low - before).clamp(min=0)
        out_after = (after - limits.high).clamp(min=0) + (limits.low - after).clamp(min=0)
        assert (out_after[:, limits.limited] <= out_before[:, limits.limited] + 1e-3).all()
        torch.testing.assert_close(moved[:, 0], poses[:, 0])


def test_the_training_pose_mix_is_half_captured_half_generated_and_repeatable(anny_body, tiny_data):
    from gtrs.synthetic.build import load_split_rotations
    from gtrs.synthetic.postures import training_pose_mix

    skeleton = Skeleton.from_body(anny_body)
    captured = load_split_rotations(tiny_data, "train").float()
    poses = training_pose_mix(tiny_data, 20, torch.Generator().manual_seed(0), skeleton)
    assert poses.shape == (20, len(skeleton.names), 3, 3) and poses.dtype == torch.float32
    nearest = (poses[:, None] - captured[None]).flatten(2).abs().amax(-1).min(1).values  # (20,)
    assert torch.all(nearest[:10] == 0)  # the first half are captured training poses
    assert torch.all(nearest[10:] > 1e-3)  # the second half are generated
    again = training_pose_mix(tiny_data, 20, torch.Generator().manual_seed(0), skeleton)
    assert torch.equal(poses, again)
