"""The refinement's joint limits: anatomical boxes widened to where training poses go."""
import math

import numpy as np
import pytest
import torch

from gtrs.body.joint_limits import JointLimits
from gtrs.body.skeleton import skeleton_of
from gtrs.fit.observed_limits import refinement_limits, widen_to_poses


@pytest.fixture(scope="module")
def limits(anny_body):
    return JointLimits(skeleton_of(anny_body))


def _poses_with(limits: JointLimits, bone: int, flex_degrees: float, n: int = 200) -> torch.Tensor:
    """n poses inside every box (the boxes' middles, jittered) but ``bone`` flexed to about ``flex_degrees``."""
    g = torch.Generator().manual_seed(0)
    middle = (limits.low + limits.high) / 2
    angles = torch.where(limits.limited[:, None], middle, torch.zeros_like(middle)).expand(n, -1, -1).clone()
    angles = angles + 0.01 * torch.randn(angles.shape, generator=g)
    angles[:, bone, 0] = math.radians(flex_degrees) + 0.01 * torch.randn(n, generator=g)
    return limits.from_angles(angles.double())


def test_boxes_widen_to_the_poses_and_never_narrow(limits, anny_body):
    spine = anny_body.bone_names.index("LowerBack")  # anatomical flexion up to 30 degrees
    poses = _poses_with(limits, spine, 60.0)
    low, high = widen_to_poses(limits, poses)
    assert math.degrees(high[spine, 0]) > 58.0  # the bent-forward back is inside now
    assert torch.all(low <= limits.low + 1e-6) and torch.all(high >= limits.high - 1e-6)
    assert torch.equal(low[:, 2], limits.low[:, 2]) and torch.equal(high[:, 2], limits.high[:, 2])  # twist untouched
    widened = JointLimits(limits.skeleton)
    widened.low, widened.high = low, high
    assert float(limits.excess(poses)[:, spine].median()) > math.radians(25)
    assert float(widened.excess(poses)[:, spine].median()) == 0.0


def test_the_shipped_boxes_contain_the_anatomical_ones(limits, anny_body):
    shipped = refinement_limits(skeleton_of(anny_body))
    assert torch.all(shipped.low <= limits.low + 1e-6) and torch.all(shipped.high >= limits.high - 1e-6)
    assert torch.any(shipped.high > limits.high + math.radians(5))  # and are wider somewhere


def test_boxes_made_for_other_bones_are_not_applied(limits, anny_body, tmp_path):
    other = tmp_path / "limits.npz"
    np.savez(other, names=np.array(["a"] * len(anny_body.bone_names)), low=-np.ones((len(anny_body.bone_names), 3)),
             high=np.ones((len(anny_body.bone_names), 3)))
    kept = refinement_limits(skeleton_of(anny_body), other)
    assert torch.equal(kept.low, limits.low) and torch.equal(kept.high, limits.high)


def test_a_missing_file_says_how_to_rebuild_it(anny_body, tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m gtrs.fit.observed_limits"):
        refinement_limits(skeleton_of(anny_body), tmp_path / "nothing.npz")
