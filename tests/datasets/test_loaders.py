"""The paper's dataset loaders and protocol filters on tiny release-format files the tests write."""
import json

import numpy as np
import pytest
import torch

from gtrs.datasets import DatasetFileError, load_records
from gtrs.datasets.batches import SmplBodies, camera_frame_meshes, make_batch
from gtrs.datasets.human36m import load_human36m
from gtrs.datasets.mixture import DatasetMixture, drop_bad_coco_fits, drop_bad_h36m_fits
from tests.datasets.release_factory import BAD_FIT, H36M_FRAMES, MISSING_FIT, write_h36m_detections, write_release


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("release")
    write_release(root)
    return root


@pytest.fixture(scope="module")
def bodies(release):
    return SmplBodies(release / "smpl")


def _subject_frame_cam(name):
    parts = name.split("/")[-1].split("_")
    return int(parts[1]), int(parts[-1].split(".")[0]) - 1, int(parts[7])


def test_human36m_protocol2_test_split_keeps_every_50th_frame_of_s9_s11_all_cameras(release):
    records = load_human36m(release, "test")
    keys = sorted(_subject_frame_cam(r.name) for r in records)
    expected = sorted((s, f, c) for s in (9, 11) for f in H36M_FRAMES if f % 50 == 0 for c in range(1, 5))
    assert keys == expected


def test_human36m_train_split_keeps_every_5th_frame_with_a_fit(release):
    keys = {_subject_frame_cam(r.name) for r in load_human36m(release, "train")}
    expected = {(s, f, c) for s in (1, 5, 6, 7, 8) for f in H36M_FRAMES if f % 5 == 0 for c in range(1, 5)
                if (s, f) != MISSING_FIT}
    assert keys == expected


def test_human36m_training_drops_fits_far_from_the_measured_joints(release, bodies):
    records = load_human36m(release, "train")
    kept = drop_bad_h36m_fits(records, bodies)
    dropped = {_subject_frame_cam(r.name) for r in records} - {_subject_frame_cam(r.name) for r in kept}
    assert dropped == {(*BAD_FIT, cam) for cam in range(1, 5)}


def test_human36m_camera_is_merged_into_the_fit(release, bodies):
    """The mesh built in each camera frame regresses the dataset's own joints (world -> camera)."""
    records = load_human36m(release, "test")[:8]
    vertices = camera_frame_meshes(records, bodies)
    regressed = bodies.neutral.regress_joints(vertices, "h36m17")
    dataset = torch.tensor(np.stack([r.joints_h36m for r in records]), dtype=torch.float32)
    torch.testing.assert_close(regressed, dataset, atol=1e-4, rtol=0)
    batch = make_batch(records, bodies, torch.Generator().manual_seed(0))
    # exact 2D input is the pinhole projection of the dataset joints with the camera's f and c
    r = records[0]
    xy = r.joints_h36m[:, :2] / r.joints_h36m[:, 2:] * r.focal + r.principal
    np.testing.assert_allclose(batch["keypoints2d_h36m"][0].numpy(), xy, atol=1e-2)
    assert batch["joints3d_h36m"][:, 0].abs().max() == 0  # root-relative


def test_human36m_detections_by_name_and_count_mismatch(release):
    records = load_human36m(release, "test")
    write_h36m_detections(release, records)
    detected = load_records("human36m", release, "test", detected=True)
    assert all(r.detected_h36m17.shape == (17, 3) for r in detected)
    path = release / "Human36M" / "absnet_output_on_testset.json"
    data = json.loads(path.read_text())
    data.pop(next(iter(data)))
    path.write_text(json.dumps(data))
    with pytest.raises(DatasetFileError, match=r"absnet_output_on_testset.json: 15 detections for 16 test images"):
        load_records("human36m", release, "test", detected=True)
    write_h36m_detections(release, records)


def test_pw3d_drops_invalid_camera_poses_and_uses_gendered_meshes(release, bodies):
    records = load_records("pw3d", release, "test", detected=True)
    assert len(records) == 10  # 12 people, minus the 2 of the frame whose camera pose is invalid
    assert {r.gender for r in records} == {"male", "female"}
    assert all(r.detected_coco19.shape == (19, 3) for r in records)
    d = records[0].detected_coco19
    np.testing.assert_allclose(d[17, :2], 0.5 * (d[11, :2] + d[12, :2]))  # pelvis from the hips
    gendered = camera_frame_meshes(records[:2], bodies)
    neutral = camera_frame_meshes([type(r)(**{**r.__dict__, "gender": "neutral"}) for r in records[:2]], bodies)
    # the test's male model is 10% larger, the female 10% smaller: each person gets their own
    size = lambda v: (v - v.mean(1, keepdim=True)).norm(dim=-1).mean(-1)  # noqa: E731
    assert records[0].gender == "male" and records[1].gender == "female"
    ratio = size(gendered) / size(neutral)
    assert abs(ratio[0] - 1.1) < 0.02 and abs(ratio[1] - 0.9) < 0.02
    batch = make_batch(records[:4], bodies)
    assert torch.equal(batch["keypoints2d_noisy"], torch.tensor(np.stack([r.detected_coco19 for r in records[:4]]),
                                                               dtype=torch.float32))


def test_coco_keeps_annotated_keypoints_and_drops_bad_fits(release, bodies):
    records = load_records("coco", release, "train")
    assert [r.annotation_id for r in records] == [0, 1]  # the crowd annotation is skipped
    kept = drop_bad_coco_fits(records, bodies)
    assert [r.annotation_id for r in kept] == [0]  # the fit 60 px off its keypoints is dropped
    batch = make_batch(kept, bodies, torch.Generator().manual_seed(0))
    assert batch["keypoints2d_conf"][0, 3] == 0 and batch["keypoints2d_conf"][0, 0] == 1  # the unannotated ear
    assert batch["keypoints2d_noisy"][0, 3, 2] == 0  # and it stays missing in the noisy input
    np.testing.assert_allclose(batch["keypoints2d"][0, :17].numpy(), kept[0].keypoints_coco19[:17, :2], atol=1e-3)


def test_muco_uses_the_closest_person_per_image(release):
    records = load_records("muco", release, "train")
    assert sorted(r.annotation_id for r in records) == [1, 3]


def test_mixture_samples_each_dataset_uniformly(release, bodies):
    mixture = DatasetMixture(release, ("human36m", "muco"), "train", bodies)
    assert len(mixture.records["human36m"]) > 100 * len(mixture.records["muco"])
    g = torch.Generator().manual_seed(0)
    names = [n for _ in range(4) for n in mixture.sample(64, g)["names"]]
    share = sum(n.startswith("augmented_set") for n in names) / len(names)
    assert 0.4 < share < 0.6


def test_missing_files_and_fields_are_named(tmp_path, release):
    with pytest.raises(DatasetFileError, match=r"Human36M_subject9_data.json not found: expected a COCO-style"):
        load_records("human36m", tmp_path, "test")
    broken = tmp_path / "PW3D" / "data"
    broken.mkdir(parents=True)
    data = json.loads((release / "PW3D" / "data" / "3DPW_latest_test.json").read_text())
    del data["annotations"][0]["smpl_param"]["shape"]
    (broken / "3DPW_latest_test.json").write_text(json.dumps(data))
    with pytest.raises(DatasetFileError, match=r"3DPW_latest_test.json: annotation 0.smpl_param has no field 'shape'"):
        load_records("pw3d", tmp_path, "test")
    with pytest.raises(ValueError, match="has no split 'test'"):
        load_records("coco", release, "test")
