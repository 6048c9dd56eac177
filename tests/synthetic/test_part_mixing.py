import roma
import torch

from gtrs.synthetic.part_mixing import BODY_PARTS, mix_body_parts, part_indices

BONES = ["Hips", *[b for bones in BODY_PARTS.values() for b in bones], "Unlisted"]


def _poses(batch: int) -> torch.Tensor:
    torch.manual_seed(0)
    return roma.random_rotmat(batch * len(BONES)).reshape(batch, len(BONES), 3, 3)


def test_every_part_comes_whole_from_another_pose_and_the_rest_stays():
    poses = _poses(8)
    parts = part_indices(BONES)
    assert len(parts) == len(BODY_PARTS)
    mixed = mix_body_parts(poses, parts, prob=1.0, generator=torch.Generator().manual_seed(1))
    for keep in (0, len(BONES) - 1):  # the root and bones outside the parts are untouched
        torch.testing.assert_close(mixed[:, keep], poses[:, keep])
    for bones in parts:
        for b in range(8):
            donors = [d for d in range(8) if torch.equal(mixed[b, bones], poses[d, bones])]
            assert donors and b not in donors  # the whole part is one other pose's part


def test_probability_zero_or_a_single_pose_changes_nothing_and_the_input_is_not_modified():
    poses = _poses(4)
    before = poses.clone()
    parts = part_indices(BONES)
    assert torch.equal(mix_body_parts(poses, parts, 0.0, torch.Generator().manual_seed(0)), poses)
    assert torch.equal(mix_body_parts(poses[:1], parts, 1.0, torch.Generator().manual_seed(0)), poses[:1])
    mix_body_parts(poses, parts, 0.5, torch.Generator().manual_seed(0))
    assert torch.equal(poses, before)


def test_part_indices_follow_the_rig_and_skip_missing_bones():
    assert part_indices(["Hips", "LeftArm", "Head"]) == [[1], [2]]
