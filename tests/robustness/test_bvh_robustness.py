"""BVH input that once broke the reader or the build: deep nesting, byte-order marks, Unicode digits,
zero-length bones, huge values, empty clips, all-bad folders; and a fuzz of the reader."""
import os
import subprocess
import sys

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from gtrs.mocap.bvh import BVHError, parse_bvh, read_bvh
from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames

GOOD = bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 4, seed=0))
EXAMPLES = int(os.environ.get("GTRS_FUZZ_EXAMPLES", "300"))


def _chain(depth: int) -> str:
    lines = ["HIERARCHY", "ROOT j0", "{", "OFFSET 0 0 0", "CHANNELS 3 Zrotation Xrotation Yrotation"]
    for i in range(1, depth):
        lines += [f"JOINT j{i}", "{", "OFFSET 0 1 0", "CHANNELS 3 Zrotation Xrotation Yrotation"]
    lines += ["}"] * depth + ["MOTION", "Frames: 1", "Frame Time: 0.0333", " ".join(["0"] * 3 * depth)]
    return "\n".join(lines)


def test_a_hierarchy_thousands_deep_parses_without_recursion():
    motion = parse_bvh(_chain(5000))
    assert len(motion.joint_names) == 5000 and motion.parents[-1] == 4998


def test_byte_order_mark_and_unicode_digits(tmp_path):
    path = tmp_path / "bom.bvh"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert read_bvh(path).num_frames == 4
    for bad in (GOOD.replace("Frames: 4", "Frames: \u00b2"), GOOD.replace("CHANNELS 3", "CHANNELS \u0663")):
        try:
            parse_bvh(bad)
        except BVHError as e:
            assert "line" in str(e)
        else:
            raise AssertionError("a non-ASCII count was accepted")


def test_huge_values_are_refused_with_their_line():
    bad = GOOD.replace("OFFSET 0.0 20.0 -1.0", "OFFSET 0.0 1e300 -1.0")
    assert bad != GOOD
    try:
        parse_bvh(bad)
    except BVHError as e:
        assert "beyond" in str(e) and "line" in str(e)
    else:
        raise AssertionError("1e300 accepted")


def test_the_build_skips_empty_and_degenerate_clips_and_fails_only_when_nothing_is_left(tmp_path, anny_body):
    folder = tmp_path / "bvh" / "01"
    folder.mkdir(parents=True)
    (folder / "01_01.bvh").write_text(GOOD)
    (folder / "01_02.bvh").write_text(bvh_text(DAZ, DAZ_END_SITES, np.zeros((0, 3 + 3 * len(DAZ)))))
    flat = [(n, p, (0, 0, 0)) for n, p, _ in DAZ]  # every bone of zero length
    (folder / "01_03.bvh").write_text(bvh_text(flat, DAZ_END_SITES, random_frames(DAZ, 3)))
    (folder / "01_04.bvh").write_text(_chain(3000))
    gtrs = [sys.executable, "-m", "gtrs.cli", "data", "build"]
    result = subprocess.run([*gtrs, "--bvh", str(tmp_path / "bvh"), "--out", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert {line.split()[1].rstrip(":") for line in skipped} == {"01_02", "01_03", "01_04"}, result.stderr
    assert "no frames" in result.stderr and "Traceback" not in result.stderr
    (folder / "01_01.bvh").unlink()
    result = subprocess.run([*gtrs, "--bvh", str(tmp_path / "bvh"), "--out", str(tmp_path / "data2")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 2 and "no clip under" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([*gtrs, "--bvh", str(tmp_path / "nowhere"), "--out", str(tmp_path / "data3")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 2 and "is not a folder" in result.stderr and "Traceback" not in result.stderr


WORDS = ["HIERARCHY", "ROOT", "JOINT", "End", "Site", "{", "}", "OFFSET", "CHANNELS", "3", "6", "0", "1.5", "-2",
         "nan", "inf", "1e400", "Xrotation", "Yrotation", "Zrotation", "Xposition", "MOTION", "Frames:", "Frame",
         "Time:", "0.0333", "\u00b2", "\n", "\r\n", "\t", "hip"]


@seed(20261124)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.sampled_from(WORDS), max_size=120),
       cut=st.integers(0, len(GOOD)), insert=st.text(max_size=6), mode=st.sampled_from(["soup", "mutate"]))
def test_any_text_is_parsed_or_refused_with_a_bvh_error(tokens, cut, insert, mode):
    text = " ".join(tokens) if mode == "soup" else GOOD[:cut] + insert + GOOD[cut + len(insert):]
    try:
        motion = parse_bvh(text)
    except BVHError as e:
        assert "line" in str(e)
        return
    assert np.isfinite(motion.frames).all() and np.isfinite(motion.offsets).all()
