"""Training and validation batches from one or more of the paper's datasets."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gtrs.datasets.batches import SmplBodies, camera_frame_meshes, make_batch, project_records
from gtrs.datasets.coco import FIT_ERROR_PX, weak_perspective_error
from gtrs.datasets.records import PersonRecord
from gtrs.datasets.registry import load_records


def drop_bad_coco_fits(records: list[PersonRecord], bodies: SmplBodies, chunk: int = 256) -> list[PersonRecord]:
    """COCO records whose fit reprojects within ``FIT_ERROR_PX`` of the annotated joints."""
    keep = []
    for start in range(0, len(records), chunk):
        part = records[start:start + chunk]
        joints = bodies.neutral.regress_joints(camera_frame_meshes(part, bodies), "coco19")
        projected = project_records(joints, part).numpy()
        keep += [r for r, p in zip(part, projected)
                 if weak_perspective_error(p, np.asarray(r.keypoints_coco19)) <= FIT_ERROR_PX]
    return keep


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
