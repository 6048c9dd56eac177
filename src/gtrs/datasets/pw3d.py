"""3DPW in the Pose2Mesh release layout (built by its ``3dpw2coco.py``), test protocol of §6.

    ROOT/PW3D/data/3DPW_latest_{train,validation,test}.json
        images:      id, file_name, sequence, frame_idx, width, height, cam_param {focal, princpt}
        annotations: id, image_id, person_id, smpl_param {pose (root in the camera frame), shape,
                     trans (camera frame), gender}, bbox, [campose_valid]
    ROOT/PW3D/data/darkpose_3dpw_{test,validation}set_output.json
        [{annotation_id, keypoints (17 x 3 COCO)}], detected 2D (optional)

Instances whose camera pose is not valid (``campose_valid`` 0, on the annotation or its image)
are dropped. Ground truth is the gendered SMPL mesh.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gtrs.body.keypoint_formats import to_coco19
from gtrs.datasets.records import DatasetFileError, PersonRecord, array, field, read_json, smpl_fit

SPLITS = ("train", "validation", "test")


def load_pw3d(root: str | Path, split: str = "test", detected: bool = False) -> list[PersonRecord]:
    """Records of ``split``; ``detected`` attaches the DarkPose detections of the release."""
    if split not in SPLITS:
        raise ValueError(f"3DPW split must be one of {SPLITS}, got {split!r}")
    folder = Path(root) / "PW3D" / "data"
    path = folder / f"3DPW_latest_{split}.json"
    data = read_json(path, "a COCO-style dict with 'images' and 'annotations' (Pose2Mesh's 3dpw2coco.py)")
    images = {img["id"]: img for img in field(data, "images", path, "the file")}
    records = []
    for ann in field(data, "annotations", path, "the file"):
        where = f"annotation {ann.get('id')}"
        img = images.get(field(ann, "image_id", path, where))
        if img is None:
            raise DatasetFileError(f"{path}: {where} names image {ann['image_id']}, which is not in 'images'")
        if not ann.get("campose_valid", img.get("campose_valid", 1)):
            continue
        image = f"image {img['id']}"
        cam = field(img, "cam_param", path, image)
        param = field(ann, "smpl_param", path, where)
        pose, shape, trans = smpl_fit(param, path, f"{where}.smpl_param")
        gender = str(param.get("gender", "neutral"))
        gender = {"m": "male", "f": "female"}.get(gender, gender)
        name = f"{img.get('sequence', '')}/{field(img, 'file_name', path, image)}"
        records.append(PersonRecord(
            dataset="pw3d", name=f"{name}#{ann.get('person_id', 0)}", smpl_pose=pose, smpl_shape=shape,
            trans=trans, gender=gender,
            focal=array(field(cam, "focal", path, f"{image}.cam_param"), (2,), path, f"{image}.cam_param.focal"),
            principal=array(field(cam, "princpt", path, f"{image}.cam_param"), (2,), path, f"{image}.cam_param.princpt"),
            annotation_id=int(field(ann, "id", path, where))))
    if detected:
        attach_detections(records, folder / f"darkpose_3dpw_{split}set_output.json")
    return records


def attach_detections(records: list[PersonRecord], path: Path) -> None:
    """Attach DarkPose COCO-17 detections (+ derived pelvis and neck) by annotation id."""
    entries = read_json(path, "a list of {annotation_id, keypoints (17 x 3)}")
    if not isinstance(entries, list):
        raise DatasetFileError(f"{path}: expected a list of {{annotation_id, keypoints}}")
    by_id = {}
    for i, entry in enumerate(entries):
        by_id[int(field(entry, "annotation_id", path, f"entry {i}"))] = array(
            field(entry, "keypoints", path, f"entry {i}"), (17, 3), path, f"entry {i}.keypoints")
    missing = [r.annotation_id for r in records if r.annotation_id not in by_id]
    if missing:
        raise DatasetFileError(f"{path}: no detection for {len(missing)} of {len(records)} annotations "
                               f"(first ids {missing[:5]})")
    for r in records:
        r.detected_coco19 = to_coco19(np.asarray(by_id[r.annotation_id]), "coco17")
