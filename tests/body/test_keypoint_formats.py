import numpy as np
import pytest

from gtrs.body.joints import COCO17_NAMES
from gtrs.body.keypoint_formats import SOURCE_LAYOUTS, to_coco19


def named_points(names):
    """Each joint gets distinct coordinates derived from its COCO index (or a sentinel)."""
    pts = np.zeros((len(names), 3))
    for i, n in enumerate(names):
        k = COCO17_NAMES.index(n) if n in COCO17_NAMES else 100 + i
        pts[i] = (10.0 * k + 1, 20.0 * k + 2, 0.9)
    return pts


@pytest.mark.parametrize("source", ["coco17", "openpose25", "openpose18", "blazepose33"])
def test_converters_put_every_coco_joint_in_place(source):
    out = to_coco19(named_points(SOURCE_LAYOUTS[source]), source)
    assert out.shape == (19, 3)
    for k in range(17):
        np.testing.assert_allclose(out[k], (10.0 * k + 1, 20.0 * k + 2, 0.9))
    np.testing.assert_allclose(out[17, :2], 0.5 * (out[11, :2] + out[12, :2]))
    np.testing.assert_allclose(out[18, :2], 0.5 * (out[5, :2] + out[6, :2]))


def test_missing_hip_falls_back_to_openpose_mid_hip_and_batches_work():
    kp = np.stack([named_points(SOURCE_LAYOUTS["openpose25"])] * 2)
    kp[1, 9, 2] = 0.0  # second person: right hip missing
    out = to_coco19(kp, "openpose25")
    assert out.shape == (2, 19, 3)
    np.testing.assert_allclose(out[1, 17], kp[1, 8])  # OpenPose's own MidHip
    assert out[1, 12, 2] == 0.0


def test_nan_joints_become_missing_and_two_channel_input_gets_confidence_one():
    kp = named_points(COCO17_NAMES)[:, :2]
    kp[0] = np.nan
    out = to_coco19(kp, "coco17")
    assert out[0, 2] == 0 and np.all(np.isfinite(out))
    assert np.all(out[1:17, 2] == 1.0)


def test_bad_shapes_and_names_raise_clear_errors():
    with pytest.raises(ValueError, match=r"openpose25 keypoints must have shape \(\.\.\., 25, 2\)"):
        to_coco19(np.zeros((17, 3)), "openpose25")
    with pytest.raises(ValueError, match="unknown keypoint format"):
        to_coco19(np.zeros((17, 3)), "mpii")
