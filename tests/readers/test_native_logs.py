"""The detectors' C++ notices stay out of the terminal; anything else written to stderr still shows."""
import os
import subprocess
import sys
import warnings

import pytest

from gtrs.readers.native_logs import quiet_native_logs

NOTICES = (b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
           b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
           b"W0000 00:00:1796656789.733760   16216 inference_feedback_manager.cc:114] Feedback manager requires a "
           b"model with a single signature inference. Disabling support for feedback tensors.\n")


def test_known_notices_are_dropped_and_other_lines_kept_in_order(capfd):
    with quiet_native_logs():
        os.write(2, b"E0000 something real went wrong\n" + NOTICES + b"INFO: Created TensorFlow Lite GPU delegate.\n")
        print("python stderr line", file=sys.stderr)
        warnings.warn("SymbolDatabase.GetPrototype() is deprecated. Please use ...", UserWarning)
    os.write(2, b"after the block\n")
    lines = capfd.readouterr().err.splitlines()
    # (pytest's capture gives Python's sys.stderr its own stream, so only the descriptor's order is checked)
    assert [line for line in lines if not line.startswith("python")] == [
        "E0000 something real went wrong", "INFO: Created TensorFlow Lite GPU delegate.", "after the block"]
    assert "python stderr line" in lines and not any("GetPrototype" in line for line in lines)


def test_an_error_inside_the_block_still_shows_what_was_printed(capfd):
    with pytest.raises(RuntimeError):
        with quiet_native_logs():
            os.write(2, NOTICES + b"F0000 check failed: graph config\n")
            raise RuntimeError("detector failed")
    assert capfd.readouterr().err.splitlines() == ["F0000 check failed: graph config"]


def test_a_first_detection_in_a_fresh_process_prints_nothing_on_stderr():
    pytest.importorskip("mediapipe", reason="photo input is the optional extra gtrs[image]")
    script = """
from gtrs.demo import demo_file
from gtrs.readers.detector import load_image
from gtrs.readers.pose_detectors import POSE_DETECTORS
image = load_image(demo_file("coco_val2017_000000000785_skier.jpg"))
for name, detector in POSE_DETECTORS.items():
    with detector() as d:
        print(name, len(d.detect_all(image)))
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["solution", "1", "topdown", "1"]
    assert run.stderr == ""
