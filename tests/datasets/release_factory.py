"""Tiny files in the GTRS/Pose2Mesh release formats (gtrs-reference.md §4), written by the tests.

Ground truth is made consistent on purpose: Human3.6M's world joints are regressed from the world
SMPL mesh of each fit, so a loader that merges the camera into the fit correctly reproduces them.
"""
import json

import numpy as np
import roma
import torch

from gtrs.body.smpl import SmplBody
from tests.smpl_factory import write_synthetic_smpl

H36M_FRAMES = range(0, 61)  # frames 0..60: fits on every 5th; Protocol-2 test keeps 0 and 50
H36M_SUBJECTS = (1, 5, 6, 7, 8, 9, 11)
MISSING_FIT = (1, 10)  # (subject, frame) whose fit is left out: the loader must skip it
BAD_FIT = (5, 20)  # (subject, frame) whose measured joints are ~10 cm from the fit's: dropped in training


def _random_fit(rng, world_pelvis_depth=0.0):
    pose = rng.normal(0, 0.3, 72)
    pose[:3] = [np.pi, 0, 0]  # upright in a y-down camera
    return {"pose": pose.tolist(), "shape": rng.normal(0, 1, 10).tolist(),
            "trans": [float(rng.normal(0, 0.2)), float(rng.normal(0, 0.2)), world_pelvis_depth]}


def camera(rng, k):
    R = roma.rotvec_to_rotmat(torch.as_tensor(rng.normal(0, 0.2, 3))).numpy()
    return {"R": R.tolist(), "t": [float(100 * k), 50.0, 4000.0 + 100 * k], "f": [1145.0, 1144.0], "c": [512.0, 515.0]}


def world_h36m_joints(body: SmplBody, fit: dict) -> np.ndarray:
    """(17, 3) mm: H36M joints regressed from the fit's SMPL mesh in world coordinates."""
    shape = torch.tensor([fit["shape"]], dtype=torch.float32)
    rot = roma.rotvec_to_rotmat(torch.tensor(fit["pose"], dtype=torch.float32).reshape(1, 24, 3))
    pelvis = body.pelvis_from_native(shape, torch.tensor([fit["trans"]], dtype=torch.float32))
    return 1000 * body(rot, shape, pelvis, joint_set="h36m17").joints[0].numpy()


def write_human36m(root, body: SmplBody, seed=0):
    rng = np.random.default_rng(seed)
    folder = root / "Human36M" / "annotations"
    folder.mkdir(parents=True)
    for subject in H36M_SUBJECTS:
        cams = {str(k): camera(rng, k) for k in range(1, 5)}
        images, annotations, joints, fits = [], [], {"2": {"1": {}}}, {"2": {"1": {}}}
        for frame in H36M_FRAMES:
            if frame % 5 == 0 and (subject, frame) != MISSING_FIT:
                fit = _random_fit(rng)
                fits["2"]["1"][str(frame)] = fit
                measured = world_h36m_joints(body, fit)
                if (subject, frame) == BAD_FIT:
                    measured = measured + rng.normal(0, 60, measured.shape)
                joints["2"]["1"][str(frame)] = measured.tolist()
            else:
                joints["2"]["1"][str(frame)] = rng.normal(0, 300, (17, 3)).tolist()
            for cam in range(1, 5):
                image_id = len(images)
                images.append({"id": image_id, "file_name": f"s_{subject:02d}_act_02_subact_01_ca_{cam:02d}/"
                                                           f"s_{subject:02d}_act_02_subact_01_ca_{cam:02d}_{frame + 1:06d}.jpg",
                               "width": 1000, "height": 1002, "subject": subject, "action_idx": 2,
                               "subaction_idx": 1, "frame_idx": frame, "cam_idx": cam})
                annotations.append({"id": image_id, "image_id": image_id, "bbox": [300, 200, 400, 600]})
        for kind, value in (("data", {"images": images, "annotations": annotations}), ("camera", cams),
                            ("joint_3d", joints), ("smpl_param", fits)):
            (folder / f"Human36M_subject{subject}_{kind}.json").write_text(json.dumps(value))


def write_h36m_detections(root, records, shift=3.0):
    """The release's detections file for the given test records (their 2D GT + ``shift`` px)."""
    detections = {}
    for r in records:
        cam = r.joints_h36m
        xy = cam[:, :2] / cam[:, 2:] * r.focal + r.principal
        detections[r.name] = (xy + shift).tolist()
    (root / "Human36M" / "absnet_output_on_testset.json").write_text(json.dumps(detections))


def write_pw3d(root, seed=1):
    """Test split: 2 sequences x 3 frames x 2 people; sequence 'b' frame 2 has an invalid camera pose."""
    rng = np.random.default_rng(seed)
    folder = root / "PW3D" / "data"
    folder.mkdir(parents=True)
    images, annotations, detections = [], [], []
    for sequence in ("a", "b"):
        for frame in range(3):
            image_id = len(images)
            images.append({"id": image_id, "file_name": f"image_{frame:05d}.jpg", "sequence": f"downtown_{sequence}",
                           "frame_idx": frame, "width": 1080, "height": 1920,
                           "cam_param": {"focal": [1961.0, 1969.0], "princpt": [540.0, 960.0]}})
            for person, gender in enumerate(("m", "f")):
                fit = _random_fit(rng, world_pelvis_depth=4.0)
                ann_id = len(annotations)
                annotations.append({"id": ann_id, "image_id": image_id, "person_id": person,
                                    "smpl_param": {**fit, "gender": gender}, "bbox": [100, 100, 500, 1400],
                                    "campose_valid": int(not (sequence == "b" and frame == 2))})
                kp = np.concatenate([rng.uniform(200, 800, (17, 2)), rng.uniform(0.5, 1, (17, 1))], axis=1)
                detections.append({"annotation_id": ann_id, "keypoints": kp.tolist()})
    (folder / "3DPW_latest_test.json").write_text(json.dumps({"images": images, "annotations": annotations}))
    (folder / "darkpose_3dpw_testset_output.json").write_text(json.dumps(detections))


def write_coco(root, body: SmplBody, seed=2):
    """Three people: a good fit, a fit far from its keypoints, and a crowd annotation (no fit)."""
    rng = np.random.default_rng(seed)
    folder = root / "COCO" / "annotations"
    folder.mkdir(parents=True)
    images = [{"id": 7, "file_name": "000000000007.jpg", "width": 640, "height": 480}]
    annotations, fits = [], {}
    for ann_id, kind in enumerate(("good", "bad", "crowd")):
        fit = _random_fit(rng)
        shape = torch.tensor([fit["shape"]], dtype=torch.float32)
        rot = roma.rotvec_to_rotmat(torch.tensor(fit["pose"], dtype=torch.float32).reshape(1, 24, 3))
        joints = body(rot, shape, body.rest_pelvis(shape), joint_set="coco17").joints[0, :, :2].numpy()
        s, t = 200.0, np.array([320.0, 240.0])
        kp = joints * s + t
        if kind == "bad":
            kp = kp + rng.normal(0, 60, kp.shape)
        visibility = np.full((17, 1), 2.0)
        visibility[3] = 0  # one ear not annotated
        kp = np.concatenate([kp * (visibility > 0), visibility], axis=1)
        annotations.append({"id": ann_id, "image_id": 7, "keypoints": kp.reshape(-1).tolist(), "num_keypoints": 16,
                            "iscrowd": int(kind == "crowd"), "bbox": [100, 50, 300, 400], "category_id": 1})
        if kind != "crowd":
            fits[str(ann_id)] = {"smpl_param": {"pose": fit["pose"], "shape": fit["shape"]},
                                 "cam_param": {"s": s, "t": t.tolist()}}
    (folder / "person_keypoints_train2017.json").write_text(json.dumps({"images": images, "annotations": annotations}))
    (folder / "coco_smplify_train.json").write_text(json.dumps(fits))


def write_muco(root, seed=3):
    """Two images with two people each; the closer one (smaller depth) of each has id 2k + 1."""
    rng = np.random.default_rng(seed)
    folder = root / "MuCo" / "data"
    folder.mkdir(parents=True)
    images, annotations, fits = [], [], {}
    for image_id in range(2):
        images.append({"id": image_id, "file_name": f"augmented_set/mpi_inf_3dhp_{image_id}.jpg",
                       "f": [1500.0, 1500.0], "c": [1024.0, 1024.0], "width": 2048, "height": 2048})
        for k, depth in enumerate((5000.0, 3000.0)):
            ann_id = 2 * image_id + k
            cam = np.concatenate([rng.normal(0, 300, (21, 2)), depth + rng.normal(0, 100, (21, 1))], axis=1)
            annotations.append({"id": ann_id, "image_id": image_id, "keypoints_cam": cam.tolist(),
                                "keypoints_img": rng.uniform(0, 2048, (21, 2)).tolist(), "bbox": [0, 0, 10, 10]})
            fits[str(ann_id)] = _random_fit(rng, world_pelvis_depth=depth / 1000)
    (folder / "MuCo-3DHP.json").write_text(json.dumps({"images": images, "annotations": annotations}))
    (folder / "smpl_param.json").write_text(json.dumps(fits))


@torch.no_grad()
def write_release(root):
    """Every dataset + a synthetic SMPL folder at ``root``/smpl; returns the SmplBody."""
    (root / "smpl").mkdir(parents=True)
    write_synthetic_smpl(root / "smpl")
    write_synthetic_smpl(root / "smpl", regressors=False, gender="male", scale=1.1)
    write_synthetic_smpl(root / "smpl", regressors=False, gender="female", scale=0.9)
    body = SmplBody(root / "smpl")
    write_human36m(root, body)
    write_pw3d(root)
    write_coco(root, body)
    write_muco(root)
    return body
