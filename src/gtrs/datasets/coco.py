"""COCO 2017 keypoints with the SMPLify fits of the Pose2Mesh release (a training set).

    ROOT/COCO/annotations/person_keypoints_train2017.json   the official COCO annotations
    ROOT/COCO/annotations/coco_smplify_train.json           {ann_id: {smpl_param {pose, shape},
                                                              cam_param {s, t (2)}}}

The 2D input is the human-annotated keypoints; the target is the fitted mesh, root-relative (the
fit has only a weak-perspective camera: pixels = s * X + t, X in metres). Fits whose reprojection
error on the visible joints exceeds 3 px in a 64-pixel crop of the box are dropped (the release
masks the mesh of such fits; we do not train on them at all).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gtrs.body.keypoint_formats import to_coco19
from gtrs.datasets.records import PersonRecord, array, field, read_json, smpl_fit

FIT_ERROR_PX = 3.0  # in a 64 x 64 crop
CROP = 64.0


def load_coco(root: str | Path) -> list[PersonRecord]:
    """Single-person records with an SMPLify fit (crowd and keypoint-less annotations skipped)."""
    folder = Path(root) / "COCO" / "annotations"
    kp_path = folder / "person_keypoints_train2017.json"
    fit_path = folder / "coco_smplify_train.json"
    data = read_json(kp_path, "COCO person keypoints (images, annotations)")
    fits = read_json(fit_path, "{annotation id: {smpl_param, cam_param}} (Pose2Mesh release)")
    images = {img["id"]: img for img in field(data, "images", kp_path, "the file")}
    records = []
    for ann in field(data, "annotations", kp_path, "the file"):
        where = f"annotation {ann.get('id')}"
        if ann.get("iscrowd", 0) or ann.get("num_keypoints", 1) == 0:
            continue
        fit = fits.get(str(field(ann, "id", kp_path, where)))
        if fit is None:
            continue
        keypoints = array(field(ann, "keypoints", kp_path, where), (17, 3), kp_path, f"{where}.keypoints")
        keypoints[:, 2] = keypoints[:, 2] > 0  # COCO visibility 1/2 -> 1
        in_fits = f"[{ann['id']}]"  # the fit file is keyed by annotation id
        pose, shape, _ = smpl_fit(field(fit, "smpl_param", fit_path, in_fits), fit_path, f"{in_fits}.smpl_param",
                                  with_trans=False)
        cam = field(fit, "cam_param", fit_path, in_fits)
        img = images.get(ann["image_id"], {})
        records.append(PersonRecord(
            dataset="coco", name=str(img.get("file_name", ann["image_id"])), smpl_pose=pose, smpl_shape=shape,
            trans=np.zeros(3), projection="weak", keypoints_coco19=to_coco19(keypoints, "coco17"), annotation_id=int(ann["id"]),
            focal=np.array([float(field(cam, "s", fit_path, f"{in_fits}.cam_param"))] * 2),
            principal=array(field(cam, "t", fit_path, f"{in_fits}.cam_param"), (2,), fit_path, f"{in_fits}.cam_param.t")))
    return records


def weak_perspective_error(projected: np.ndarray, keypoints: np.ndarray) -> float:
    """Mean distance (pixels of a 64-pixel crop of the joints' box) between the fit's projected
    COCO joints (19, 2) and the visible annotated ones (19, 3); inf if fewer than 4 are visible."""
    visible = keypoints[:, 2] > 0
    if visible.sum() < 4:
        return float("inf")
    xy = keypoints[visible, :2]
    size = max(float((xy.max(0) - xy.min(0)).max()), 1.0)
    return float(np.linalg.norm(projected[visible] - xy, axis=1).mean() * CROP / size)
