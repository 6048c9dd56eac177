"""Scoring the photo detector against human keypoints (issue #31): COCO's OKS, PCK of the torso,
one-to-one matching, added people; and the command on the two annotated photos that ship."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gtrs.body.keypoint_similarity import COCO_SIGMAS, oks
from gtrs.eval.photo_detection import match_people, pck_hits

DEMO = Path(__file__).resolve().parents[2] / "src" / "gtrs" / "demo_data"


def person(x: float, y: float, scale: float = 100.0) -> np.ndarray:
    rng = np.random.default_rng(int(x + y))
    kp = np.zeros((17, 3))
    kp[:, :2] = [x, y] + rng.uniform(-1, 1, (17, 2)) * scale
    kp[:, 2] = 2
    return kp


def annotation(kp: np.ndarray, area: float = 2e4) -> dict:
    seen = kp[kp[:, 2] > 0, :2]
    (x0, y0), (x1, y1) = seen.min(0), seen.max(0)
    return {"keypoints": kp.ravel().tolist(), "area": area, "bbox": [x0, y0, x1 - x0, y1 - y0]}


def test_oks_is_cocos_formula():
    truth = person(200, 200)
    assert oks(truth, truth, 2e4) == pytest.approx(1.0)
    shifted = truth.copy()
    shifted[:, 0] += 10.0
    expected = np.exp(-100.0 / (2 * 2e4 * (2 * COCO_SIGMAS) ** 2)).mean()
    assert oks(shifted, truth, 2e4) == pytest.approx(expected)
    left_out = truth.copy()
    left_out[:5, 2] = 0  # joints the detector left out count as wrong
    assert oks(left_out, truth, 2e4) == pytest.approx(12 / 17)
    unlabelled = truth.copy()
    unlabelled[:5, 2] = 0  # joints nobody labelled do not count
    assert oks(shifted, unlabelled, 2e4) == pytest.approx(
        np.exp(-100.0 / (2 * 2e4 * (2 * COCO_SIGMAS[5:]) ** 2)).mean())


def test_pck_uses_the_torso_diagonal():
    truth = person(0, 0)
    truth[5, :2], truth[12, :2] = (0, 0), (30, 40)  # a 50 px diagonal; the other shorter
    truth[6, :2], truth[11, :2] = (10, 0), (20, 20)
    detected = truth.copy()
    detected[:, 0] += 7.0  # 7 px: beyond 0.1 x 50, within 0.2 x 50
    assert pck_hits(detected, truth, [0, 0, 1, 1], 0.1) == (0, 17)
    assert pck_hits(detected, truth, [0, 0, 1, 1], 0.2) == (17, 17)


def test_matching_is_one_to_one_and_counts_only_real_additions():
    a, b = person(200, 200), person(900, 200)
    merged = (a + b) / 2  # one detection between two people matches neither well
    matches, added = match_people([a + 1.0, b - 1.0, a + 2.0], [annotation(a), annotation(b)], [])
    assert sorted((i, j) for i, j, _ in matches) == [(0, 0), (1, 1)] and added == 1  # a's second copy is added
    _, added = match_people([merged], [annotation(a), annotation(b)], [])
    assert added == 1
    ignored_person = person(500, 800)
    _, added = match_people([ignored_person], [annotation(a)], [annotation(ignored_person)])
    assert added == 0  # on someone annotated with too few keypoints: not an addition


def test_the_command_scores_the_shipped_annotated_photos(tmp_path):
    pytest.importorskip("mediapipe")
    done = subprocess.run([sys.executable, "-m", "gtrs.cli", "evaluate", "--photos",
                           str(DEMO / "coco_keypoints_annotations.json"), "--detector", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "photo_detection.json").read_text())
    assert result["annotated"] == 2 and result["found"] == 2
    assert result["pck@0.2_found"] > 0.85 and result["mean_oks"] > 0.8
    assert len(result["per_photo"]) == 2 and all(r["seconds"] > 0 for r in result["per_photo"])
    assert "| coco_val2017_000000000785_skier.jpg | 1 / 1 |" in (tmp_path / "photo_detection.md").read_text()
    missing = subprocess.run([sys.executable, "-m", "gtrs.cli", "evaluate", "--detector"], capture_output=True,
                             text=True, timeout=120)
    assert missing.returncode == 2 and "--detector needs --photos" in missing.stderr


def test_the_command_scores_the_topdown_detector_too(tmp_path):
    pytest.importorskip("mediapipe")
    pytest.importorskip("ai_edge_litert")
    args = [sys.executable, "-m", "gtrs.cli", "evaluate", "--photos", str(DEMO / "coco_keypoints_annotations.json"),
            "--detector", "--out", str(tmp_path)]
    done = subprocess.run(args + ["--pose-detector", "topdown"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "photo_detection.json").read_text())
    assert result["method"] == "topdown" and result["annotated"] == 2 and result["found"] == 2
    assert result["mean_oks"] > 0.8
    assert "(topdown)" in (tmp_path / "photo_detection.md").read_text()
    wrong = subprocess.run(args + ["--pose-detector", "yolo"], capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "--pose-detector must be one of solution, topdown, got 'yolo'" in wrong.stderr
