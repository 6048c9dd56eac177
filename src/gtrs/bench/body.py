"""``gtrs bench body``: body-model throughput (meshes/s) by batch size."""
from __future__ import annotations

import torch

from gtrs.bench.timing import median_seconds
from gtrs.body import create_body
from gtrs.body.h36m_regressor import random_rotations


def bench_body(batch_sizes: tuple[int, ...] = (1, 64, 256), repeats: int = 7, threads: int = 2,
               body_name: str = "anny", joint_set: str = "coco19") -> list[dict]:
    """Time ``body(rotations, shape, joint_set=...)`` without gradients; one row per batch size.

    The baseline row per batch is the same call without joint regression, measured in the same run.
    """
    torch.set_num_threads(threads)
    body = create_body(body_name)
    g = torch.Generator().manual_seed(0)
    rows = []
    for batch in batch_sizes:
        rotations = random_rotations(batch, body.num_bones, 30.0, g).to(body.dtype)
        shape = torch.rand(batch, body.shape_dim, generator=g).to(body.dtype)
        with torch.no_grad():
            seconds = median_seconds(lambda: body(rotations, shape, joint_set=joint_set), repeats)
            mesh_only = median_seconds(lambda: body(rotations, shape), repeats)
        rows.append({"body": body_name, "batch": batch, "threads": threads, "median_ms": 1000 * seconds,
                     "meshes_per_s": batch / seconds, "mesh_only_meshes_per_s": batch / mesh_only})
    return rows
