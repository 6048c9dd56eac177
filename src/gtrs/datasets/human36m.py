"""Human3.6M in the Pose2Mesh/GTRS release layout, with the paper's Protocol 2 (gtrs-reference.md §4, §6).

    ROOT/Human36M/annotations/Human36M_subject{S}_data.json        COCO-style images + annotations
    ROOT/Human36M/annotations/Human36M_subject{S}_camera.json      {cam: {R, t (mm), f, c}}
    ROOT/Human36M/annotations/Human36M_subject{S}_joint_3d.json    {action: {subaction: {frame: 17x3 mm world}}}
    ROOT/Human36M/annotations/Human36M_subject{S}_smpl_param.json  {action: {subaction: {frame: {pose, shape, trans}}}}
    ROOT/Human36M/absnet_output_on_testset.json                    detected 2D (test, optional)

Protocol 2: train on S1, S5, S6, S7, S8 every 5th frame; test on S9, S11 every 50th frame, all
four cameras. Frames without an SMPL fit are skipped (the fits exist every 5th frame); training
also drops fits far from the measured joints (``gtrs.datasets.mixture.drop_bad_h36m_fits``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gtrs.datasets.records import DatasetFileError, PersonRecord, array, field, read_json, smpl_fit

TRAIN_SUBJECTS = (1, 5, 6, 7, 8)
TEST_SUBJECTS = (9, 11)
FRAME_STEP = {"train": 5, "test": 50}
DETECTIONS_FILE = "absnet_output_on_testset.json"


def protocol2_subjects(split: str) -> tuple[int, ...]:
    """The subjects of ``split`` ('train' or 'test') under Protocol 2."""
    if split not in FRAME_STEP:
        raise ValueError(f"Human3.6M split must be 'train' or 'test', got {split!r}")
    return TRAIN_SUBJECTS if split == "train" else TEST_SUBJECTS


def _annotation_file(root: Path, subject: int, kind: str) -> Path:
    return root / "Human36M" / "annotations" / f"Human36M_subject{subject}_{kind}.json"


def load_human36m(root: str | Path, split: str, detected: bool = False) -> list[PersonRecord]:
    """Protocol-2 records of ``split``; ``detected`` attaches the release's detected test 2D joints."""
    root = Path(root)
    subjects, step = protocol2_subjects(split), FRAME_STEP[split]
    records: list[PersonRecord] = []
    for subject in subjects:
        data_path = _annotation_file(root, subject, "data")
        data = read_json(data_path, "a COCO-style dict with 'images' and 'annotations' (Pose2Mesh release)")
        cam_path = _annotation_file(root, subject, "camera")
        cameras = read_json(cam_path, "{camera index: {R, t, f, c}}")
        joints_path = _annotation_file(root, subject, "joint_3d")
        joints = read_json(joints_path, "{action: {subaction: {frame: 17 x 3 joints in mm}}}")
        smpl_path = _annotation_file(root, subject, "smpl_param")
        fits = read_json(smpl_path, "{action: {subaction: {frame: {pose, shape, trans}}}}")
        images = {img["id"]: img for img in field(data, "images", data_path, "the file")}
        for ann in field(data, "annotations", data_path, "the file"):
            image_id = field(ann, "image_id", data_path, f"annotation {ann.get('id')}")
            if image_id not in images:
                raise DatasetFileError(f"{data_path}: annotation {ann.get('id')} names image {image_id}, "
                                       "which is not in 'images'")
            img = images[image_id]
            where = f"image {image_id}"
            frame = int(field(img, "frame_idx", data_path, where))
            if frame % step:
                continue
            action, subaction = str(field(img, "action_idx", data_path, where)), str(field(img, "subaction_idx", data_path, where))
            fit = fits.get(action, {}).get(subaction, {}).get(str(frame))
            if fit is None:  # no SMPLify-X fit for this frame
                continue
            cam_key = str(field(img, "cam_idx", data_path, where))
            cam = field(cameras, cam_key, cam_path, "the file")
            R = array(field(cam, "R", cam_path, f"camera {cam_key}"), (3, 3), cam_path, f"camera {cam_key}.R")
            t = array(field(cam, "t", cam_path, f"camera {cam_key}"), (3,), cam_path, f"camera {cam_key}.t") / 1000
            try:
                world = joints[action][subaction][str(frame)]
            except KeyError:
                raise DatasetFileError(f"{joints_path}: no joints for action {action}, subaction {subaction}, "
                                       f"frame {frame} ({where} of {data_path.name})") from None
            world = array(world, (17, 3), joints_path, f"[{action}][{subaction}][{frame}]") / 1000
            pose, shape, trans = smpl_fit(fit, smpl_path, f"[{action}][{subaction}][{frame}]")
            records.append(PersonRecord(
                dataset="human36m", name=str(field(img, "file_name", data_path, where)), smpl_pose=pose,
                smpl_shape=shape, trans=trans, camera_R=R, camera_t=t,
                focal=array(field(cam, "f", cam_path, f"camera {cam_key}"), (2,), cam_path, f"camera {cam_key}.f"),
                principal=array(field(cam, "c", cam_path, f"camera {cam_key}"), (2,), cam_path, f"camera {cam_key}.c"),
                joints_h36m=world @ R.T + t, annotation_id=ann.get("id")))
    if detected:
        attach_detections(records, root / "Human36M" / DETECTIONS_FILE)
    return records


def attach_detections(records: list[PersonRecord], path: Path) -> None:
    """Attach ``{image name: 17 x 2+ joints}`` detections. Matched by image name when every name is
    a key; otherwise, as the release does, sorted by name and matched by position (counts must agree)."""
    detections = read_json(path, "{image name: 17 x 2 (or 17 x 3) detected H36M joints}")
    if not isinstance(detections, dict):
        raise DatasetFileError(f"{path}: expected a mapping of image name -> 17 joints")
    names = [r.name for r in records]
    if all(n in detections for n in names):
        values = [detections[n] for n in names]
    elif len(detections) == len(records):
        values = [detections[k] for k in sorted(detections)]
    else:
        raise DatasetFileError(f"{path}: {len(detections)} detections for {len(records)} test images, and the "
                               "image names do not match: the file must cover exactly the Protocol-2 test set")
    for record, value in zip(records, values):
        kp = np.asarray(value, dtype=np.float64)
        if kp.ndim != 2 or kp.shape[0] != 17 or kp.shape[1] not in (2, 3):
            raise DatasetFileError(f"{path}: detection for {record.name} must be 17 x 2 or 17 x 3, got {kp.shape}")
        if kp.shape[1] == 2:
            kp = np.concatenate([kp, np.ones((17, 1))], axis=1)
        record.detected_h36m17 = kp
