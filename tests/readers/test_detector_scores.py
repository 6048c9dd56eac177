"""Detector scores are read as detectors mean them (issue #31, item 4): a joint scored under the
format's threshold is a miss, in every detector format, and ``--min-confidence`` changes it."""
import json
import subprocess
import sys

import numpy as np

from gtrs.readers.keypoints import MIN_SCORE, read_keypoints
from tests.robustness.test_predict_batch import PERSON

KP = np.asarray(PERSON, dtype=float).reshape(17, 3)
LEFT_WRIST = 9


def _mmpose_with_a_missed_wrist(path):
    xy = KP[:, :2].copy()
    xy[LEFT_WRIST] = [590.0, 20.0]  # far off: where a detector puts a joint it did not find
    scores = [0.92] * 17
    scores[LEFT_WRIST] = 0.01
    path.write_text(json.dumps([{"keypoints": xy.tolist(), "keypoint_scores": scores, "bbox": [[240, 90, 360, 460]]}]))


def test_a_missed_joint_is_missing_in_every_detector_format(tmp_path):
    _mmpose_with_a_missed_wrist(tmp_path / "mmpose.json")
    person = read_keypoints(tmp_path / "mmpose.json").people[0]
    assert person.keypoints[LEFT_WRIST, 2] == 0 and (person.keypoints[:17, 2] > 0).sum() == 16
    kept = read_keypoints(tmp_path / "mmpose.json", min_confidence=0.0).people[0]
    assert kept.keypoints[LEFT_WRIST, 2] > 0

    openpose = np.zeros((25, 3))
    openpose[[0, 2, 5, 3, 6, 9, 12, 10, 13], :2] = KP[[0, 6, 5, 8, 7, 12, 11, 14, 13], :2]
    openpose[[0, 2, 5, 3, 6, 9, 12, 10, 13], 2] = [0.8, 0.9, 0.9, 0.85, 0.85, 0.7, 0.7, 0.6, 0.6]
    openpose[4] = [600.0, 10.0, 0.02]  # right wrist, a miss by OpenPose's own 0.05
    (tmp_path / "op_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": openpose.ravel().tolist()}]}))
    kp = read_keypoints(tmp_path / "op_keypoints.json").people[0].keypoints
    assert kp[10, 2] == 0 and kp[8, 2] > 0  # COCO right wrist missing, right elbow seen

    results = KP.copy()
    results[:, 2] = 0.9
    results[LEFT_WRIST] = [590.0, 20.0, 0.1]
    (tmp_path / "results.json").write_text(json.dumps([{"image_id": 1, "keypoints": results.ravel().tolist(), "score": 0.9}]))
    assert read_keypoints(tmp_path / "results.json").people[0].keypoints[LEFT_WRIST, 2] == 0
    # human flags (1 = labelled, hidden) are never thresholded away
    flags = KP.copy()
    flags[:, 2] = 1
    (tmp_path / "flags.json").write_text(json.dumps({"annotations": [{"image_id": 1, "keypoints": flags.ravel().tolist()}]}))
    assert (read_keypoints(tmp_path / "flags.json").people[0].keypoints[:17, 2] > 0).all()
    assert MIN_SCORE["yolo"] == 0.5 and MIN_SCORE["mmpose"] == 0.3


def test_the_mmpose_miss_gives_the_mesh_of_the_joint_marked_missing(tmp_path):
    _mmpose_with_a_missed_wrist(tmp_path / "mmpose.json")
    missing = KP.copy()
    missing[:, 2] = 0.92
    missing[LEFT_WRIST] = 0.0
    (tmp_path / "coco.json").write_text(json.dumps([{"image_id": 1, "keypoints": missing.ravel().tolist(), "score": 0.9}]))
    for name in ("mmpose", "coco"):
        result = subprocess.run([sys.executable, "-m", "gtrs.cli", "predict", str(tmp_path / f"{name}.json"), "--out",
                                 str(tmp_path / name), "--formats", "obj", "--no-render"],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
    read = lambda p: np.array([line.split()[1:4] for line in p.read_text().splitlines() if line.startswith("v ")],  # noqa: E731
                              dtype=float)
    a, b = read(tmp_path / "mmpose" / "mmpose_0.obj"), read(tmp_path / "coco" / "coco_0.obj")
    assert np.linalg.norm(a - b, axis=1).max() < 0.01  # within 1 cm everywhere
    people = json.loads((tmp_path / "mmpose" / "mmpose_people.json").read_text())["people"]
    assert people[0]["reprojection_error_px"] < 10
