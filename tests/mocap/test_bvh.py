import numpy as np
import pytest

from gtrs.mocap.bvh import BVHError, axis_rotation, parse_bvh, read_bvh
from tests.bvh_factory import DAZ, DAZ_END_SITES, ORDERS, bvh_text, random_frames

TWO_JOINTS = """HIERARCHY
ROOT a
{
\tOFFSET 0 0 0
\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
\tJOINT b
\t{
\t\tOFFSET 10 0 0
\t\tCHANNELS 3 Yrotation Xrotation Zrotation
\t\tEnd Site
\t\t{
\t\t\tOFFSET 0 5 0
\t\t}
\t}
}
MOTION
Frames: 2
Frame Time: 0.0333333
0 0 0 0 0 0 0 0 0
1 2 3 90 0 0 0 0 0
"""


def test_hand_checked_forward_kinematics_with_tabs_and_crlf():
    for text in (TWO_JOINTS, TWO_JOINTS.replace("\n", "\r\n")):
        m = parse_bvh(text, "two.bvh")
        assert m.joint_names == ["a", "b"] and m.parents == [-1, 0]
        assert m.num_frames == 2 and abs(m.fps - 30.0) < 1e-3
        np.testing.assert_allclose(m.end_sites[1], [0, 5, 0])
        pos, rot = m.forward_kinematics(scale=0.01)
        np.testing.assert_allclose(pos[0, 1], [0.1, 0, 0], atol=1e-12)
        # root at (1, 2, 3) cm, turned 90 degrees about Z: the child's +X offset now points along +Y.
        np.testing.assert_allclose(pos[1, 0], [0.01, 0.02, 0.03], atol=1e-12)
        np.testing.assert_allclose(pos[1, 1], [0.01, 0.12, 0.03], atol=1e-12)
        np.testing.assert_allclose(rot[1, 1], axis_rotation("z", np.pi / 2), atol=1e-12)


def test_channel_order_is_read_per_joint_not_assumed():
    joints = [("r", None, (0, 0, 0)), ("c", "r", (0, 10, 0))]
    frames = np.array([[0, 0, 0, 30.0, 50.0, 70.0, 0, 0, 0]])
    for order in ORDERS:
        m = parse_bvh(bvh_text(joints, {}, frames, orders={"r": order}))
        _, rot = m.forward_kinematics()
        axes = [c[0].lower() for c in order.split()]
        expected = np.eye(3)
        for axis, angle in zip(axes, (30.0, 50.0, 70.0)):
            expected = expected @ axis_rotation(axis, np.deg2rad(angle))
        np.testing.assert_allclose(rot[0, 0], expected, atol=1e-12)


def test_reads_a_full_skeleton_file_from_disk(tmp_path):
    path = tmp_path / "clip.bvh"
    path.write_text(bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 5), indent="\t", newline="\r\n"))
    m = read_bvh(path)
    assert m.name == "clip" and len(m.joint_names) == len(DAZ) and m.frames.shape == (5, 3 + 3 * len(DAZ))
    pos, _ = m.forward_kinematics()
    bones = np.linalg.norm(pos[:, m.index("lShin")] - pos[:, m.index("lFoot")], axis=-1)
    np.testing.assert_allclose(bones, np.linalg.norm([0, -43, -4]))  # rotations keep bone lengths


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("HIERARCHY", "HIERARCHIE"), r"line 1: expected 'HIERARCHY'"),
    (lambda t: t.replace("OFFSET 10 0 0", "OFFSET 10 zero 0"), r"line 8: expected a number for OFFSET y"),
    (lambda t: t.replace("CHANNELS 3 Yrotation", "CHANNELS 3 Wrotation"), r"line 9: unknown channel 'Wrotation'"),
    (lambda t: t.replace("1 2 3 90 0 0 0 0 0", "1 2 3 90 0 0 0 0"), r"line 20: frame 1 has 8 values, .* 9 channels"),
    (lambda t: t.replace("Frames: 2", "Frames: 3"), r"'Frames: 3' but 2 motion lines follow"),
    (lambda t: t.replace("1 2 3 90 0 0 0 0 0", "1 2 3 nan 0 0 0 0 0"), r"line 20: frame 1 has a NaN"),
    (lambda t: t.split("MOTION")[0], r"unexpected end of file, expected MOTION"),
    (lambda t: t.replace("Frame Time: 0.0333333", "Frame Time: 0"), r"Frame Time must be positive"),
])
def test_malformed_files_name_file_and_line(edit, message):
    with pytest.raises(BVHError, match=message) as info:
        parse_bvh(edit(TWO_JOINTS), "bad.bvh")
    assert str(info.value).startswith("bad.bvh")


def test_unreadable_file_is_a_bvh_error(tmp_path):
    with pytest.raises(BVHError, match="cannot read"):
        read_bvh(tmp_path / "missing.bvh")
