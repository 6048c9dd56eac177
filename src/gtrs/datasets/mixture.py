"""Training and validation batches from one or more of the paper's datasets."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gtrs.datasets.batches import SmplBodies, camera_frame_meshes, make_batch, project_records
from gtrs.datasets.coco import FIT_ERROR_PX, weak_perspective_error
from gtrs.datasets.records import PersonRecord
from gtrs.datasets.registry import load_records

H36M_FIT_ERROR_MM = 25.0  # the release masks fits further than this from the measured joints


def _keep_good_fits(records: list[PersonRecord], bodies: SmplBodies, joint_set: str, error, limit: float,
                    chunk: int = 256) -> list[PersonRecord]:
    """Records whose ``error(records, regressed joints (B, J, 3) in the camera frame)`` (one value per
    record) is at most ``limit``; SMPL runs in chunks of ``chunk`` records."""
    keep = []
    for start in range(0, len(records), chunk):
        part = records[start:start + chunk]
        joints = bodies.neutral.regress_joints(camera_frame_meshes(part, bodies), joint_set)
        keep += [r for r, e in zip(part, error(part, joints)) if e <= limit]
    return keep


def drop_bad_coco_fits(records: list[PersonRecord], bodies: SmplBodies) -> list[PersonRecord]:
    """COCO records whose fit reprojects within ``FIT_ERROR_PX`` of the annotated joints."""
    def error(part, joints):
        projected = project_records(joints, part).numpy()
        return [weak_perspective_error(p, np.asarray(r.keypoints_coco19)) for r, p in zip(part, projected)]

    return _keep_good_fits(records, bodies, "coco19", error, FIT_ERROR_PX)


def drop_bad_h36m_fits(records: list[PersonRecord], bodies: SmplBodies) -> list[PersonRecord]:
    """Human3.6M records whose fit's joints lie within ``H36M_FIT_ERROR_MM`` (mean, after aligning
    the pelvis) of the measured joints."""
    def error(part, joints):
        fit = (joints - joints[:, :1]).numpy()
        measured = np.stack([r.joints_h36m - r.joints_h36m[:1] for r in part])
        return 1000 * np.linalg.norm(fit - measured, axis=-1).mean(-1)

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
