"""Keypoint files with their photo beside them get an overlay, as photos do."""
import json
import shutil

import numpy as np
import pytest
import torch

from gtrs.demo import demo_file
from gtrs.infer.predict import predict
from gtrs.infer.predictor import Reconstructor
from gtrs.models import create_model
from gtrs.train.loop import front_view_template


@pytest.fixture(scope="module")
def reconstructor(anny_body):
    torch.manual_seed(0)
    return Reconstructor(create_model("cpu", front_view_template(anny_body)), body=anny_body)


def test_coco_annotations_and_openpose_files_get_overlays_from_the_image_beside(tmp_path, reconstructor):
    photo = "coco_val2017_000000009483_standing.jpg"
    coco = json.loads(demo_file("coco_keypoints_annotations.json").read_text())
    keep = [a for a in coco["annotations"] if a["image_id"] == 9483]
    (tmp_path / "in").mkdir()
    shutil.copy(demo_file(photo), tmp_path / "in" / photo)
    (tmp_path / "in" / "ann.json").write_text(json.dumps({**coco, "annotations": keep}))
    kp = np.asarray(keep[0]["keypoints"], dtype=float).reshape(17, 3)
    body25 = np.zeros((25, 3))
    for i, j in enumerate([0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11]):
        body25[j] = kp[i]
    (tmp_path / "op").mkdir()
    shutil.copy(demo_file(photo), tmp_path / "op" / "frame.jpg")
    (tmp_path / "op" / "frame_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": body25.ravel().tolist()}]}))
    for folder, name in (("in/ann.json", "ann_0_overlay.png"), ("op/frame_keypoints.json", "frame_keypoints_0_overlay.png")):
        summary = predict(tmp_path / folder, tmp_path / "out", formats=(), reconstructor=reconstructor, mesh="network",
                          show_progress=False)
        assert summary.people == 1 and (tmp_path / "out" / name).is_file(), [p.name for p in summary.written]
    people = json.loads((tmp_path / "out" / "frame_keypoints_people.json").read_text())["people"]
    assert people[0]["image"] == "frame.jpg"
    from PIL import Image

    h, w = np.asarray(Image.open(demo_file(photo))).shape[:2]
    assert people[0]["principal_px"] == [w / 2, h / 2]  # the image found gives the camera's centre


def test_a_folder_reads_the_people_of_a_described_photo_from_its_keypoints_not_the_detector(tmp_path, reconstructor):
    """Photos that a keypoint file beside them describes are that file's pictures: COCO annotations naming
    them (said in a note) and OpenPose's NAME_keypoints.json for NAME.jpg. Other photos stay inputs."""
    photo = "coco_val2017_000000009483_standing.jpg"
    coco = json.loads(demo_file("coco_keypoints_annotations.json").read_text())
    keep = [a for a in coco["annotations"] if a["image_id"] == 9483]
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(demo_file(photo), folder / photo)
    (folder / "ann.json").write_text(json.dumps({**coco, "annotations": keep}))
    shutil.copy(demo_file(photo), folder / "frame.jpg")
    body25 = np.zeros((25, 3))
    kp = np.asarray(keep[0]["keypoints"], dtype=float).reshape(17, 3)
    for i, j in enumerate([0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11]):
        body25[j] = kp[i]
    (folder / "frame_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": body25.ravel().tolist()}]}))
    (folder / "other.png").write_bytes(b"")  # not described by any file: still an input (and unreadable)
    summary = predict(folder, tmp_path / "out", formats=(), reconstructor=reconstructor, mesh="network",
                      show_progress=False, render=False)
    assert summary.people == 2  # one from ann.json, one from frame_keypoints.json; no detections
    assert summary.notes == [f"{folder / 'ann.json'}: the people of {photo} are read from this file, not detected"]
    assert [e.split(":")[0] for e in summary.errors] == [str(folder / "other.png")]
    assert sorted(p.name for p in (tmp_path / "out").glob("*_people.json")) == ["ann_people.json",
                                                                              "frame_keypoints_people.json"]


def test_a_photo_of_several_people_gets_one_overlay_of_everyone(tmp_path, reconstructor):
    pytest.importorskip("mediapipe", reason="photo input is the optional extra gtrs[image]")
    from PIL import Image

    photo = tmp_path / "standing.jpg"  # the man and his reflection: two people
    shutil.copy(demo_file("coco_val2017_000000009483_standing.jpg"), photo)
    summary = predict(photo, tmp_path / "all", formats=(), reconstructor=reconstructor, mesh="network",
                      show_progress=False)
    assert summary.people == 2
    group = tmp_path / "all" / "standing_people_overlay.png"
    assert group in summary.written
    pixels = np.asarray(Image.open(group).convert("RGB")).astype(int)
    assert pixels.shape[:2] == np.asarray(Image.open(photo)).shape[:2]
    image = np.asarray(Image.open(photo).convert("RGB")).astype(int)
    alone = [np.asarray(Image.open(tmp_path / "all" / f"standing_{k}_overlay.png").convert("RGB")).astype(int)
             for k in range(2)]
    drawn = [np.abs(a - image).sum(-1) > 60 for a in alone]  # where person k alone covers the photo
    differs = lambda a, b, where: (np.abs(a - b).sum(-1)[where] > 60).mean()  # noqa: E731
    assert differs(pixels, image, drawn[0]) > 0.9 and differs(pixels, image, drawn[1]) > 0.9  # both drawn
    assert differs(pixels, alone[0], drawn[0]) < 0.2  # person 0 in the one-person overlay's colour
    assert differs(pixels, alone[1], drawn[1]) > 0.5  # person 1 in a colour of their own
    one = predict(photo, tmp_path / "one", formats=(), reconstructor=reconstructor, mesh="network",
                  show_progress=False, person=0)
    assert one.people == 1 and not (tmp_path / "one" / "standing_people_overlay.png").exists()
