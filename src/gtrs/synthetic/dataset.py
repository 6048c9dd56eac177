"""A torch dataset of synthetic examples generated on the fly from stored poses."""
from __future__ import annotations

from pathlib import Path

import torch

from gtrs.body.base import BodyModel
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.synth import SynthConfig, synthesize_batch


class SyntheticPoseDataset(torch.utils.data.IterableDataset):
    """Yields batches (dicts, see ``synthesize_batch``) of ``batch_size`` examples from ``split``.

    Poses are drawn uniformly from the split's frames; body shapes, orientations, cameras, flips and
    detector noise are drawn afresh each time. ``seed`` makes the stream reproducible;
    ``batches_per_epoch`` bounds one pass.
    """

    def __init__(self, data_dir: str | Path, split: str, body: BodyModel, batch_size: int = 256,
                 batches_per_epoch: int = 100, seed: int = 0, cfg: SynthConfig = SynthConfig()) -> None:
        super().__init__()
        self.rotations = load_split_rotations(data_dir, split)
        self.body, self.batch_size, self.batches_per_epoch = body, batch_size, batches_per_epoch
        self.seed, self.cfg, self.epoch = seed, cfg, 0

    def __len__(self) -> int:
        return self.batches_per_epoch

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        for _ in range(self.batches_per_epoch):
            index = torch.randint(0, self.rotations.shape[0], (self.batch_size,), generator=g)
            yield synthesize_batch(self.body, self.rotations[index], g, self.cfg)
