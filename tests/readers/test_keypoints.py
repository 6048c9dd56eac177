import json

import numpy as np
import pytest

from gtrs.body.keypoint_formats import SOURCE_LAYOUTS
from gtrs.readers.keypoints import KeypointFileError, read_keypoints


def person(layout, seed=0):
    rng = np.random.default_rng(seed)
    kp = np.concatenate([rng.uniform(100, 500, (len(SOURCE_LAYOUTS[layout]), 2)), np.full((len(SOURCE_LAYOUTS[layout]), 1), 0.9)], 1)
    return kp


def test_coco_results_json(tmp_path):
    people = [person("coco17", s) for s in range(3)]
    path = tmp_path / "results.json"
    path.write_text(json.dumps([{"image_id": 7, "category_id": 1, "keypoints": p.reshape(-1).tolist(), "score": 0.9}
                                for p in people]))
    result = read_keypoints(path)
    assert len(result.people) == 3 and not result.errors
    np.testing.assert_allclose(result.people[1].keypoints[:17], people[1])
    assert result.people[0].image == "7" and result.people[0].source.endswith("#0")


def test_coco_annotation_json_takes_image_names_and_sizes_and_skips_empty(tmp_path):
    data = {"images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}],
            "annotations": [{"id": 10, "image_id": 1, "keypoints": person("coco17").reshape(-1).tolist(), "num_keypoints": 17},
                            {"id": 11, "image_id": 1, "keypoints": [0] * 51, "num_keypoints": 0}]}
    path = tmp_path / "ann.json"
    path.write_text(json.dumps(data))
    result = read_keypoints(path)
    assert len(result.people) == 1
    assert result.people[0].image == "a.jpg" and result.people[0].image_size == (640, 480)


@pytest.mark.parametrize("layout", ["openpose25", "openpose18"])
def test_openpose_json_detects_body25_and_coco18(tmp_path, layout):
    kp = person(layout)
    path = tmp_path / "frame_keypoints.json"
    path.write_text(json.dumps({"version": 1.3, "people": [{"pose_keypoints_2d": kp.reshape(-1).tolist()}]}))
    result = read_keypoints(path)
    names = SOURCE_LAYOUTS[layout]
    np.testing.assert_allclose(result.people[0].keypoints[5], kp[names.index("left_shoulder")])


@pytest.mark.parametrize("count, layout", [(17, "coco17"), (19, "coco19"), (25, "openpose25"), (33, "blazepose33")])
def test_numpy_arrays_of_any_known_layout(tmp_path, count, layout):
    arr = np.stack([person(layout, 1), person(layout, 2)])[..., :2]  # (N, J, 2): confidence 1
    path = tmp_path / "kp.npy"
    np.save(path, arr)
    result = read_keypoints(path)
    assert len(result.people) == 2 and result.people[0].keypoints.shape == (19, 3)
    assert np.all(result.people[0].keypoints[:17, 2] == 1.0)


def test_a_bad_record_is_reported_and_skipped(tmp_path):
    good = person("coco17").reshape(-1).tolist()
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([{"keypoints": good}, {"keypoints": good[:50]}, {"score": 1}, {"keypoints": good}]))
    result = read_keypoints(path)
    assert len(result.people) == 2 and len(result.errors) == 2
    assert "mixed.json#1" in result.errors[0] and "mixed.json#2: missing field 'keypoints'" in result.errors[1]


@pytest.mark.parametrize("content, suffix, message", [
    ("", ".json", "the file is empty"),
    ("{not json", ".json", r"not valid JSON \(line 1"),
    ('{"foo": 1}', ".json", "unknown JSON layout"),
    ("[1, 2]", ".json", "no usable person"),
    ("hello", ".csv", r"expected a .json, .npy or .txt \(YOLO-pose\)"),
    ("0 0.5 0.5 0.1 0.1", ".txt", "put its image"),  # YOLO-pose labels need their image
])
def test_unusable_files_name_the_file_and_problem(tmp_path, content, suffix, message):
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    with pytest.raises(KeypointFileError, match=message) as info:
        read_keypoints(path)
    assert str(path) in str(info.value)


def test_wrong_joint_count_nan_and_forced_layout(tmp_path):
    path = tmp_path / "odd.npy"
    np.save(path, np.ones((1, 21, 2)))
    with pytest.raises(KeypointFileError, match="21 joints match no known layout"):
        read_keypoints(path)
    nan = np.ones((1, 17, 2))
    nan[0, 3] = np.nan
    np.save(path, nan)
    with pytest.raises(KeypointFileError, match="NaN"):
        read_keypoints(path)
    np.save(path, person("coco17")[None])
    with pytest.raises(KeypointFileError, match="layout openpose25 has 25 joints, got 17"):
        read_keypoints(path, joints="openpose25")
