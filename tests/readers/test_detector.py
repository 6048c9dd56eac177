"""The bundled detector on a real photo shipped with the package (its keypoints were labelled by
people for COCO), and photo input through `gtrs predict`."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from gtrs.demo import demo_file
from gtrs.readers.detector import PoseDetector, load_image
from gtrs.readers.keypoints import KeypointFileError, read_keypoints

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


SHARED = Path(__file__).resolve().parents[3] / "shared" / "images"


@pytest.mark.skipif(not (SHARED / "commons_kamil_vacek_20200627_soccer.jpg").is_file(), reason="needs ../shared/images")
def test_every_person_in_a_photo_is_found_largest_first():
    with PoseDetector() as detector:
        soccer = detector.detect_all(load_image(SHARED / "commons_kamil_vacek_20200627_soccer.jpg"))
        skiers = detector.detect_all(load_image(SHARED / "coco_val2017_000000541055_skiers_group.jpg"))
        single = detector.detect_all(load_image(demo_file("coco_val2017_000000000785_skier.jpg")))
    assert len(soccer) == 2 and len(single) == 1 and 4 <= len(skiers) <= 5
    for people in (soccer, skiers):
        heights = [np.ptp(p[p[:, 2] > 0, 1]) for p in people]
        assert heights == sorted(heights, reverse=True)
        centres = sorted(np.median(p[p[:, 2] > 0, 0]) for p in people)
        assert min(np.diff(centres)) > 20  # different people, not one person twice


def test_predict_reconstructs_every_person_of_a_photo_or_the_one_asked(tmp_path, anny_body):
    from gtrs.infer.predict import predict

    photo = demo_file("coco_val2017_000000009483_standing.jpg")
    summary = predict(photo, tmp_path / "all", formats=("obj",), render=False, show_progress=False)
    report = json.loads((tmp_path / "all" / f"{photo.stem}_people.json").read_text())
    assert summary.people == len(report["people"]) >= 1
    assert report["people"][0]["source"].endswith("#person 0")
    one = predict(photo, tmp_path / "one", formats=("obj",), render=False, show_progress=False, person=0)
    assert one.people == 1
    with pytest.raises(KeypointFileError, match="--person 9 asked"):
        predict(photo, tmp_path / "none", render=False, show_progress=False, person=9)


def test_photos_are_refined_by_default_and_keypoint_files_are_not(tmp_path, anny_body):
    from gtrs.infer.predict import predict
    from gtrs.infer.predictor import Reconstructor
    from gtrs.models import create_model
    from gtrs.train.loop import front_view_template

    torch.manual_seed(0)
    reconstructor = Reconstructor(create_model("cpu", front_view_template(anny_body)), body=anny_body)
    (tmp_path / "in").mkdir()
    # the photo under a name the annotations do not give (else it is their picture, not an input)
    (tmp_path / "in" / "skier.jpg").write_bytes(demo_file("coco_val2017_000000000785_skier.jpg").read_bytes())
    (tmp_path / "in" / "coco_keypoints_annotations.json").write_bytes(demo_file("coco_keypoints_annotations.json").read_bytes())

    def meshes(out, **kwargs):
        predict(tmp_path / "in", tmp_path / out, formats=(), render=False, reconstructor=reconstructor,
                show_progress=False, **kwargs)
        return {f.name.split("_")[-2]: {p["mesh"] for p in json.loads(f.read_text())["people"]}
                for f in (tmp_path / out).glob("*_people.json")}

    assert meshes("default") == {"skier": {"fit + refine"}, "annotations": {"fit"}}
    assert meshes("off", refine=False) == {"skier": {"fit"}, "annotations": {"fit"}}
    assert meshes("on", refine=True) == {"skier": {"fit + refine"}, "annotations": {"fit + refine"}}
    assert meshes("network", mesh="network") == {"skier": {"network"}, "annotations": {"network"}}
