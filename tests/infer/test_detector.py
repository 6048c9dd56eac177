"""The bundled detector on a real photo shipped with the package (its keypoints were labelled by
people for COCO), and photo input through `gtrs predict`."""
import json

import numpy as np
import pytest
import torch

from gtrs.demo import demo_file
from gtrs.infer.detector import PoseDetector, load_image
from gtrs.infer.io import KeypointFileError, read_keypoints

pytest.importorskip("mediapipe", reason="photo input is the optional extra gtrs[image]")


def test_detector_finds_the_skier_where_people_labelled_him():
    image = load_image(demo_file("coco_val2017_000000000785_skier.jpg"))
    with PoseDetector() as detector:
        kp = detector.detect(image)
    assert kp.shape == (19, 3)
    truth = read_keypoints(demo_file("coco_keypoints_annotations.json")).people[0].keypoints
    both = (kp[:17, 2] > 0) & (truth[:17, 2] > 0)
    assert both.sum() >= 12
    err = np.linalg.norm(kp[:17][both, :2] - truth[:17][both, :2], axis=1)
    height = np.ptp(truth[truth[:, 2] > 0, 1])
    assert np.median(err) < 0.05 * height, (np.median(err), height)


def test_no_person_and_unreadable_images(tmp_path):
    blank = np.full((240, 320, 3), 127, dtype=np.uint8)
    with PoseDetector() as detector:
        assert detector.detect(blank) is None
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(KeypointFileError, match="broken.jpg: not a readable image"):
        load_image(bad)


def test_predict_on_a_photo_writes_an_overlay(tmp_path, anny_body):
    from gtrs.infer.predict import predict
    from gtrs.infer.predictor import Reconstructor
    from gtrs.models import create_model
    from gtrs.train.loop import front_view_template

    torch.manual_seed(0)
    reconstructor = Reconstructor(create_model("cpu", front_view_template(anny_body)), body=anny_body)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "skier.jpg").write_bytes(demo_file("coco_val2017_000000000785_skier.jpg").read_bytes())
    (tmp_path / "in" / "empty.png").write_bytes(b"")
    summary = predict(tmp_path / "in", tmp_path / "out", reconstructor=reconstructor, show_progress=False)
    assert summary.people == 1 and any("empty.png" in e for e in summary.errors)
    names = {p.name for p in summary.written}
    assert {"skier_0.obj", "skier_0_overlay.png", "skier_0_joints.json"} <= names
    record = json.loads((tmp_path / "out" / "skier_0_joints.json").read_text())
    assert record["image"] == "skier.jpg"
