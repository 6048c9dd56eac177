"""The Acclaim ASF/AMC reader: the forward kinematics Acclaim's conventions define (checked against
rotations built independently with scipy), units, encodings, the AMC frame rate, and one clear
line for each kind of bad file."""
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from gtrs.mocap.acclaim import AcclaimError, amc_frame_rate, parse_amc, parse_asf, read_amc, skeleton_file_for
from gtrs.mocap.clips import find_clips, hdm05_motion_class, read_clip, resample_indices
from tests.acclaim_factory import CMU_BONES, amc_text, asf_text, random_amc_frames, write_clip

INCH = 0.0254

TWO_BONES = """:units
  length 1.0
  angle deg
:root
   order TX TY TZ RX RY RZ
   axis XYZ
   position 0 0 0
   orientation 0 0 0
:bonedata
  begin
     name upper
     direction 1 0 0
     length 10
     axis 0 0 20 XYZ
    dof rx ry rz
  end
  begin
     name lower
     direction 0 -1 0
     length 8
     axis 10 -30 45 ZYX
    dof rz rx
  end
:hierarchy
  begin
    root upper
    upper lower
  end
"""


def test_forward_kinematics_follow_acclaims_axis_and_dof_conventions():
    skeleton = parse_asf(TWO_BONES)
    root, upper, lower = [5.0, 40.0, -2.0, 10.0, -20.0, 30.0], [15.0, 25.0, -35.0], [50.0, -12.0]
    amc = "\n".join([":FULLY-SPECIFIED", ":DEGREES", "1", "root " + " ".join(map(str, root)),
                     "upper " + " ".join(map(str, upper)), "lower " + " ".join(map(str, lower))])
    motion = parse_amc(amc, skeleton, fps=120.0)
    positions, rotations = motion.forward_kinematics()

    # Independently: scipy's extrinsic 'xyz' applies X first (= Rz Ry Rx), as Acclaim reads its lists.
    euler = lambda order, angles: Rotation.from_euler(order, angles, degrees=True).as_matrix()  # noqa: E731
    g_root = euler("xyz", root[3:])
    c_upper = euler("xyz", [0, 0, 20])
    g_upper = g_root @ c_upper @ euler("xyz", upper) @ c_upper.T
    c_lower = euler("zyx", [45, -30, 10])  # angles about X, Y, Z = 10, -30, 45, applied Z first
    g_lower = g_upper @ c_lower @ euler("zx", lower) @ c_lower.T
    root_m = np.array(root[:3]) * INCH
    lower_start = root_m + g_upper @ np.array([10.0, 0, 0]) * INCH
    lower_end = lower_start + g_lower @ np.array([0, -8.0, 0]) * INCH

    assert motion.joint_names == ["root", "upper", "lower"]
    np.testing.assert_allclose(positions[0, 0], root_m, atol=1e-12)
    np.testing.assert_allclose(positions[0, 2], lower_start, atol=1e-12)
    np.testing.assert_allclose(rotations[0, 2], g_lower, atol=1e-12)
    np.testing.assert_allclose(positions[0, 2] + rotations[0, 2] @ motion.end_sites[2], lower_end, atol=1e-12)
    np.testing.assert_allclose(motion.rest_positions()[2], [10 * INCH, 0, 0], atol=1e-12)


def test_units_radians_and_the_length_unit():
    frames = random_amc_frames(frames=3, seed=1, scale_deg=30)
    deg = parse_amc(amc_text(frames), parse_asf(asf_text()), fps=30)
    as_rad = frames.copy()
    as_rad[:, 3:] = np.deg2rad(as_rad[:, 3:])
    rad = parse_amc(amc_text(as_rad, unit=":RADIANS"), parse_asf(asf_text()), fps=30)
    asf_rad = parse_amc(amc_text(as_rad, unit=":FULLY-SPECIFIED"), parse_asf(asf_text(angle="rad")), fps=30)
    for other in (rad, asf_rad):
        np.testing.assert_allclose(other.forward_kinematics()[0], deg.forward_kinematics()[0], atol=1e-5)  # %.6g text
    # length 0.45: a length divided by 0.45 is in inches
    skeleton = parse_asf(asf_text(length_unit=0.45))
    femur = next(b for b in skeleton.bones if b.name == "lfemur")
    assert femur.length == pytest.approx(7.3 / 0.45 * INCH)
    np.testing.assert_allclose(deg.frames[:, :3], frames[:, :3] / 0.45 * INCH, rtol=1e-5)


def test_latin1_headers_crlf_and_any_root_order(tmp_path):
    frames = random_amc_frames(frames=3, seed=2)
    plain = parse_amc(amc_text(frames, header_byte=False), parse_asf(asf_text()), fps=30)
    path = write_clip(tmp_path / "bd", "HDM_bd_squat1Reps_001_120", frames, newline="\r\n")
    assert b"\xfc" in path.read_bytes()  # the Latin-1 umlaut, not UTF-8
    motion = read_amc(path)
    assert motion.fps == 120.0 and motion.num_frames == 3
    np.testing.assert_allclose(motion.forward_kinematics()[0], plain.forward_kinematics()[0])
    reordered = frames.copy()
    reordered[:, :6] = frames[:, [3, 4, 5, 0, 1, 2]]
    other = parse_amc(amc_text(reordered), parse_asf(asf_text(root_order="RX RY RZ TX TY TZ")), fps=30)
    np.testing.assert_allclose(other.forward_kinematics()[0], plain.forward_kinematics()[0], atol=1e-12)


def test_frame_rate_from_the_name_or_given(tmp_path):
    assert amc_frame_rate(tmp_path / "HDM_mm_squat1Reps_037_120.amc") == 120.0
    assert amc_frame_rate(tmp_path / "02_01.amc", default=60) == 60.0
    with pytest.raises(AcclaimError, match="--amc-fps"):
        amc_frame_rate(tmp_path / "02_01.amc")
    path = write_clip(tmp_path / "cmu", "02_01", random_amc_frames(frames=2), asf_name="02.asf")
    assert read_clip(path, amc_fps=60).fps == 60.0
    assert skeleton_file_for(path).name == "02.asf"
    assert [p.name for p in find_clips(tmp_path)] == ["02_01.amc"]


def test_resampling_to_the_training_rate():
    np.testing.assert_array_equal(resample_indices(9, 120.0, 30.0), [0, 4, 8])
    np.testing.assert_array_equal(resample_indices(5, 30.0, 30.0), np.arange(5))
    assert len(resample_indices(121, 120.0, 30.0)) == 31
    up = resample_indices(3, 15.0, 30.0)
    assert len(up) == 5 and up[0] == 0 and up[-1] == 2 and (np.diff(up) >= 0).all()


def test_hdm05_motion_classes():
    assert hdm05_motion_class("HDM_mm_squat1Reps_037_120") == "squat"
    assert hdm05_motion_class("HDM_bd_kickLFront1Reps_001_120") == "kick"
    assert hdm05_motion_class("HDM_dg_depositFloorR_003_120") == "depositFloor"
    assert hdm05_motion_class("HDM_bk_lieDownFloor_010_120") == "lieDownFloor"
    assert hdm05_motion_class("HDM_mm_elbowToKnee1RepsLelbowStart_019_120") == "elbowToKnee"
    assert hdm05_motion_class("02_01") is None


BAD_AMC = [
    (lambda t: t.replace("ltibia ", "lnothing ", 1), "unknown or fixed bone 'lnothing'"),
    (lambda t: t.replace("\nltibia", "\nltibia 1", 1), "bone 'ltibia' has 2 values, its dof has 1"),
    (lambda t: t.replace("\n2\n", "\n5\n", 1), "frame number 5 follows 1"),
    (lambda t: t.replace("\nlradius", "\nlxradius", 1).replace("lxradius", "lradius 1\nlradius", 1),
     "appears twice"),
    (lambda t: "\n".join(x for x in t.split("\n") if not x.startswith("head ")), "lacks bones ['head']"),
    (lambda t: "\n".join("root nan 1 2 3 4 5" if x.startswith("root ") else x for x in t.split("\n")), "finite"),
    (lambda t: t.split("\n1\n")[0], "no frames"),
    (lambda t: t.replace("\n1\n", "\n", 1), "expected a frame number"),
]


@pytest.mark.parametrize("mutate, message", BAD_AMC)
def test_bad_amc_files_are_refused_with_file_and_line(mutate, message):
    text = mutate(amc_text(random_amc_frames(frames=2, seed=3)))
    with pytest.raises(AcclaimError) as e:
        parse_amc(text, parse_asf(asf_text()), fps=30, path="clip.amc")
    assert message in str(e.value) and str(e.value).startswith("clip.amc, line ")


BAD_ASF = [
    (lambda t: t.replace("    upperneck head", "    upperneck head\n    nowhere newbone"), "'nowhere'"),
    (lambda t: t.replace("    rclavicle rhumerus", "    rclavicle rhumerus lfemur"), "two parents"),
    (lambda t: t.replace("dof ry rz", "dof ry rz tl", 1), "dof 'tl' is not supported"),
    (lambda t: t.replace("axis 0 0 20  XYZ", "axis 0 0 20  XYQ", 1), "Euler order"),
    (lambda t: t.replace("length 7.3", "length -7.3", 1), "must not be negative"),
    (lambda t: t.replace("     length 7.3\n", "", 1), "has no length"),
    (lambda t: t.split(":hierarchy")[0], "no :hierarchy"),
    (lambda t: t.replace("  angle deg", "  angle grad"), "deg or rad"),
    (lambda t: t.replace("    lowerback upperback\n", ""), "not connected to the root"),
]


@pytest.mark.parametrize("mutate, message", BAD_ASF)
def test_bad_asf_files_are_refused_with_file_and_line(mutate, message):
    with pytest.raises(AcclaimError) as e:
        parse_asf(mutate(asf_text()), path="bd.asf")
    assert message in str(e.value) and str(e.value).startswith("bd.asf, line ")


def test_an_amc_without_its_skeleton_says_so(tmp_path):
    path = tmp_path / "HDM_bd_hop_001_120.amc"
    path.write_text(amc_text(random_amc_frames(frames=1)))
    with pytest.raises(AcclaimError, match="no .asf skeleton file"):
        read_amc(path)


def test_the_cmu_named_skeleton_is_complete():
    names = [b.name for b in parse_asf(asf_text()).bones]
    assert names[0] == "root" and set(names[1:]) == {b[0] for b in CMU_BONES}
