"""``gtrs bench data``: synthetic training examples per second."""
from __future__ import annotations

from pathlib import Path

import torch

from gtrs.bench.timing import median_seconds
from gtrs.body.anny import AnnyBody
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.synth import synthesize_batch


def bench_data(data_dir: str | Path, batch: int = 256, repeats: int = 5, threads: int = 2) -> dict:
    """Median time of one ``synthesize_batch`` (2D + 3D joints + full mesh + noise) at ``batch``,
    and of the body forward alone (the baseline inside it), measured in the same run."""
    torch.set_num_threads(threads)
    body = AnnyBody()
    rotations = load_split_rotations(data_dir, "train")
    g = torch.Generator().manual_seed(0)
    pick = lambda: rotations[torch.randint(0, rotations.shape[0], (batch,), generator=g)]  # noqa: E731
    seconds = median_seconds(lambda: synthesize_batch(body, pick(), g), repeats)
    with torch.no_grad():
        body_only = median_seconds(lambda: body(pick(), body.default_shape(batch)), repeats)
    return {"batch": batch, "median_ms": 1000 * seconds, "examples_per_s": batch / seconds,
            "body_only_per_s": batch / body_only}
