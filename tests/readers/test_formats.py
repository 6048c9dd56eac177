"""Keypoint files exactly as the tools write them: MMPose / RTMPose (image and video), Halpe-26,
COCO-WholeBody-133, YOLO-pose .txt, Human3.6M-17 arrays; layouts read from a joint count are said."""
import json
import subprocess
import sys

import numpy as np
from PIL import Image

from gtrs.readers.keypoints import read_keypoints

PERSON = np.array([300, 100, 2, 310, 95, 2, 290, 95, 2, 320, 100, 2, 280, 100, 2, 340, 150, 2, 260, 150, 2, 350, 210, 2,
                   250, 210, 2, 355, 260, 2, 245, 260, 2, 325, 270, 2, 275, 270, 2, 330, 360, 2, 270, 360, 2, 335, 450, 2,
                   265, 450, 2], dtype=float).reshape(17, 3)
SCORES = np.linspace(0.5, 0.95, 17)


def _mmpose_instance(kp, scores):
    return {"keypoints": kp[:, :2].tolist(), "keypoint_scores": scores.tolist(), "bbox": [[240.0, 90.0, 360.0, 460.0]],
            "bbox_score": 0.98}


def test_mmpose_image_json_gives_the_same_mesh_as_coco_results(tmp_path, anny_body):
    folder = tmp_path / "in"
    folder.mkdir()
    coco = PERSON.copy()
    coco[:, 2] = SCORES
    (folder / "coco.json").write_text(json.dumps([{"image_id": 1, "category_id": 1, "keypoints": coco.ravel().tolist(),
                                                   "score": 0.9}]))
    (folder / "mmpose.json").write_text(json.dumps([_mmpose_instance(PERSON, SCORES)]))
    a, b = read_keypoints(folder / "coco.json"), read_keypoints(folder / "mmpose.json")
    assert len(b.people) == 1 and not b.errors
    np.testing.assert_allclose(a.people[0].keypoints, b.people[0].keypoints)
    result = subprocess.run([sys.executable, "-m", "gtrs.cli", "predict", str(folder), "--out", str(tmp_path / "out"),
                             "--formats", "obj", "--no-render"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "coco_0.obj").read_text() == (tmp_path / "out" / "mmpose_0.obj").read_text()


def test_mmpose_video_json_reads_every_instance_of_every_frame(tmp_path):
    frames = [{"frame_id": f, "instances": [_mmpose_instance(PERSON + [10 * f, 0, 0], SCORES),
                                            _mmpose_instance(PERSON + [200, 5 * f, 0], SCORES)]} for f in range(3)]
    frames[1]["instances"].append({"keypoints": [[1, 2]], "keypoint_scores": [0.5, 0.5]})  # malformed
    path = tmp_path / "video.json"
    path.write_text(json.dumps(frames))
    read = read_keypoints(path)
    assert len(read.people) == 6 and len(read.errors) == 1 and "frame 1 instance 2" in read.errors[0]
    assert read.people[2].source.endswith("#frame 1 instance 0")
    np.testing.assert_allclose(read.people[2].keypoints[0, :2], PERSON[0, :2] + [10, 0])


def test_halpe_wholebody_and_h36m_layouts(tmp_path):
    halpe = np.zeros((26, 3))
    halpe[:17] = PERSON
    halpe[19] = [300, 270, 1]  # Halpe's own mid-hip
    halpe[[11, 12], 2] = 0  # both hips missing: the pelvis comes from the mid-hip joint
    np.save(tmp_path / "halpe.npy", halpe)
    kp = read_keypoints(tmp_path / "halpe.npy").people[0].keypoints
    np.testing.assert_allclose(kp[17], [300, 270, 1])
    whole = np.zeros((133, 3))
    whole[:17] = PERSON
    whole[17:, :2] = 5000.0  # face and hands are ignored
    np.save(tmp_path / "whole.npy", whole)
    kp = read_keypoints(tmp_path / "whole.npy").people[0].keypoints
    np.testing.assert_allclose(kp[:17], PERSON)
    np.save(tmp_path / "seventeen.npy", PERSON)
    read = read_keypoints(tmp_path / "seventeen.npy")
    assert read.notes == [f"{tmp_path / 'seventeen.npy'}: 17 joints read as coco17 (pass --joints h36m17 if they "
                          "are in that order)"]
    h36m = read_keypoints(tmp_path / "seventeen.npy", joints="h36m17")
    assert not h36m.notes and (h36m.people[0].keypoints[1:5, 2] == 0).all()  # H36M has no eyes or ears


def test_yolo_pose_txt_is_scaled_by_its_image(tmp_path):
    folder = tmp_path / "run"
    (folder / "labels").mkdir(parents=True)
    Image.new("RGB", (640, 480)).save(folder / "frame.jpg")
    norm = PERSON.copy()
    norm[:, 0] /= 640
    norm[:, 1] /= 480
    norm[:, 2] = SCORES
    line = "0 0.47 0.57 0.19 0.77 " + " ".join(f"{v:.6f}" for v in norm.ravel())
    (folder / "labels" / "frame.txt").write_text(line + "\n" + "0 0.5 0.5 0.1 0.1 1 2 3\n")
    read = read_keypoints(folder / "labels" / "frame.txt")
    assert len(read.people) == 1 and "line 2" in read.errors[0]
    np.testing.assert_allclose(read.people[0].keypoints[:17, :2], PERSON[:, :2], atol=1e-3)
    assert read.people[0].image_size == (640, 480)
    (folder / "labels" / "lonely.txt").write_text(line)
    try:
        read_keypoints(folder / "labels" / "lonely.txt")
    except ValueError as e:
        assert "put its image" in str(e)
    else:
        raise AssertionError("a YOLO file without its image was read")
