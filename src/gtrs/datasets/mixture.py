"""Training and validation batches from one or more of the paper's datasets."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gtrs.datasets.batches import SmplBodies, camera_frame_meshes, make_batch, project_records
from gtrs.datasets.coco import FIT_ERROR_PX, weak_perspective_error
from gtrs.datasets.records import PersonRecord

H36M_FIT_ERROR_MM = 25.0  # the release masks fits further than this from the measured joints
from gtrs.datasets.registry import load_records


def _keep_good_fits(records: list[PersonRecord], bodies: SmplBodies, joint_set: str, error, limit: float,
                    chunk: int = 256) -> list[PersonRecord]:
    """Records whose ``error(record, regressed joints (J, 3) in the camera frame)`` is at most ``limit``."""
    keep = []
    for start in range(0, len(records), chunk):
        part = records[start:start + chunk]
        joints = bodies.neutral.regress_joints(camera_frame_meshes(part, bodies), joint_set)
        keep += [r for r, j in zip(part, joints) if error(r, j) <= limit]
    return keep


def drop_bad_coco_fits(records: list[PersonRecord], bodies: SmplBodies) -> list[PersonRecord]:
    """COCO records whose fit reprojects within ``FIT_ERROR_PX`` of the annotated joints."""
    def error(record, joints):
        projected = project_records(joints[None], [record])[0].numpy()
        return weak_perspective_error(projected, np.asarray(record.keypoints_coco19))

    return _keep_good_fits(records, bodies, "coco19", error, FIT_ERROR_PX)


def drop_bad_h36m_fits(records: list[PersonRecord], bodies: SmplBodies) -> list[PersonRecord]:
    """Human3.6M records whose fit's joints lie within ``H36M_FIT_ERROR_MM`` (mean, after aligning
    the pelvis) of the measured joints."""
    def error(record, joints):
        fit = joints.numpy() - joints[0].numpy()
        measured = record.joints_h36m - record.joints_h36m[0]
        return 1000 * float(np.linalg.norm(fit - measured, axis=1).mean())

    return _keep_good_fits(records, bodies, "h36m17", error, H36M_FIT_ERROR_MM)


class DatasetMixture:
    """Examples drawn as the paper's ``MultipleDatasets``: each item picks a dataset uniformly at
    random, then a record of it uniformly, so small datasets weigh as much as large ones."""

    def __init__(self, root: str | Path, names: tuple[str, ...], split: str, bodies: SmplBodies,
                 detected: bool = False) -> None:
        if not names:
            raise ValueError("DatasetMixture needs at least one dataset name")
        self.bodies = bodies
        self.records: dict[str, list[PersonRecord]] = {}
        for name in names:
            records = load_records(name, root, split, detected)
            if name == "coco":
                records = drop_bad_coco_fits(records, bodies)
            elif name == "human36m" and split == "train":
                records = drop_bad_h36m_fits(records, bodies)
            if not records:
                raise ValueError(f"dataset {name!r} ({split}) under {root} has no usable examples")
            self.records[name] = records
        self.names = tuple(names)

    def __len__(self) -> int:
        return sum(len(r) for r in self.records.values())

    def sample(self, batch_size: int, generator: torch.Generator) -> dict:
        """A random training batch (with detector-style noise on its 2D joints)."""
        which = torch.randint(0, len(self.names), (batch_size,), generator=generator).tolist()
        picks = []
        for d in which:
            records = self.records[self.names[d]]
            picks.append(records[int(torch.randint(0, len(records), (1,), generator=generator))])
        return make_batch(picks, self.bodies, generator)

    def in_order(self, batch_size: int, limit: int | None = None):
        """Every record once (or the first ``limit``), in file order, in batches: for evaluation."""
        records = [r for name in self.names for r in self.records[name]][:limit]
        g = torch.Generator().manual_seed(0)
        for start in range(0, len(records), batch_size):
            yield make_batch(records[start:start + batch_size], self.bodies, g)
