"""A fuzz of the Acclaim reader: any mutation of a good ASF or AMC text (and any soup of their
words) parses to finite values or is refused with an AcclaimError naming the line; nothing else
escapes and nothing hangs. CI runs 300 examples per case, `make fuzz` 10,000."""
import os

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from gtrs.mocap.acclaim import AcclaimError, parse_amc, parse_asf
from tests.acclaim_factory import amc_text, asf_text, random_amc_frames

GOOD_ASF = asf_text()
GOOD_AMC = amc_text(random_amc_frames(frames=3, seed=0))
SKELETON = parse_asf(GOOD_ASF)
EXAMPLES = int(os.environ.get("GTRS_FUZZ_EXAMPLES", "300"))
ASF_WORDS = [":units", ":root", ":bonedata", ":hierarchy", "begin", "end", "name", "direction", "length", "axis",
             "dof", "rx", "ry", "rz", "tx", "XYZ", "ZXY", "root", "lfemur", "ltibia", "order", "TX", "RX", "angle",
             "deg", "rad", "0", "1", "-2.5", "nan", "inf", "1e400", "(", ")", "#", "\n", "\r\n", "\u00fc", "\u00b2"]
AMC_WORDS = [":FULLY-SPECIFIED", ":DEGREES", ":RADIANS", "1", "2", "3", "root", "lfemur", "ltibia", "head", "0",
             "-1.5", "1e9", "nan", "inf", "\n", "\r\n", "\t", "\u00b2", "#"]


def _variant(good: str, tokens: list[str], cut: int, insert: str, mode: str) -> str:
    """A word soup, a good text with a few characters overwritten, or a good text cut short."""
    return {"soup": " ".join(tokens), "mutate": good[:cut] + insert + good[cut + len(insert):],
            "truncate": good[:cut]}[mode]


def _check_motion(motion) -> None:
    assert np.isfinite(motion.frames).all() and np.isfinite(motion.offsets).all()
    positions, _ = motion.forward_kinematics()
    assert np.isfinite(positions).all()


@seed(20261206)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.sampled_from(ASF_WORDS), max_size=120), cut=st.integers(0, len(GOOD_ASF)),
       insert=st.text(max_size=8), mode=st.sampled_from(["soup", "mutate", "truncate"]))
def test_any_asf_text_is_parsed_or_refused_with_an_acclaim_error(tokens, cut, insert, mode):
    try:
        skeleton = parse_asf(_variant(GOOD_ASF, tokens, cut, insert, mode))
    except AcclaimError as e:
        assert "line" in str(e)
        return
    for bone in skeleton.bones:
        assert np.isfinite(bone.direction).all() and np.isfinite(bone.axis).all() and np.isfinite(bone.length)


@seed(20261207)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.sampled_from(AMC_WORDS), max_size=150), cut=st.integers(0, len(GOOD_AMC)),
       insert=st.text(max_size=8), mode=st.sampled_from(["soup", "mutate", "truncate"]))
def test_any_amc_text_is_parsed_or_refused_with_an_acclaim_error(tokens, cut, insert, mode):
    try:
        motion = parse_amc(_variant(GOOD_AMC, tokens, cut, insert, mode), SKELETON, fps=120.0)
    except AcclaimError as e:
        assert "line" in str(e)
        return
    _check_motion(motion)
