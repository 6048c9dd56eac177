"""MuCo-3DHP (composited multi-person MPI-INF-3DHP) with the release's SMPL fits (a training set).

    ROOT/MuCo/data/MuCo-3DHP.json    images {id, file_name, f, c}; annotations {id, image_id,
                                     keypoints_cam (21 x 3 mm), keypoints_img, bbox}
    ROOT/MuCo/data/smpl_param.json   {annotation id: {pose, shape, trans (camera frame, m)}}

Only the person closest to the camera in each image is used (the others are often occluded).
"""
from __future__ import annotations

from pathlib import Path

from gtrs.datasets.records import DatasetFileError, PersonRecord, array, field, read_json, smpl_fit


def load_muco(root: str | Path) -> list[PersonRecord]:
    """One record per image: its closest person that has an SMPL fit."""
    folder = Path(root) / "MuCo" / "data"
    path, fit_path = folder / "MuCo-3DHP.json", folder / "smpl_param.json"
    data = read_json(path, "a COCO-style dict with 'images' and 'annotations' (MuCo-3DHP)")
    fits = read_json(fit_path, "{annotation id: {pose, shape, trans}}")
    images = {img["id"]: img for img in field(data, "images", path, "the file")}
    closest: dict[int, tuple[float, dict]] = {}
    for ann in field(data, "annotations", path, "the file"):
        where = f"annotation {ann.get('id')}"
        joints = array(field(ann, "keypoints_cam", path, where), (21, 3), path, f"{where}.keypoints_cam")
        depth = float(joints[:, 2].mean())
        image_id = field(ann, "image_id", path, where)
        if image_id not in closest or depth < closest[image_id][0]:
            closest[image_id] = (depth, ann)
    records = []
    for image_id, (_, ann) in closest.items():
        fit = fits.get(str(ann["id"]))
        if fit is None:
            continue
        img = images.get(image_id)
        if img is None:
            raise DatasetFileError(f"{path}: annotation {ann['id']} names image {image_id}, which is not in 'images'")
        pose, shape, trans = smpl_fit(fit, fit_path, f"[{ann['id']}]")
        records.append(PersonRecord(
            dataset="muco", name=str(img.get("file_name", image_id)), smpl_pose=pose, smpl_shape=shape, trans=trans,
            focal=array(field(img, "f", path, f"image {image_id}"), (2,), path, f"image {image_id}.f"),
            principal=array(field(img, "c", path, f"image {image_id}"), (2,), path, f"image {image_id}.c"),
            annotation_id=int(ann["id"])))
    return records
