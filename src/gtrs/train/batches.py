"""Where a run's synthetic training batches come from: stored mocap poses (with perturbed, mixed and
generated postures) posed on anny and seen by random cameras (``gtrs.synthetic.synth``).

``SyntheticBatches`` draws a batch from a generator, in the training process. ``StepSeededBatches``
makes the batches in worker processes (``data_workers`` in the config), for a GPU that one CPU
process cannot keep busy: the batch of step s is drawn from a generator seeded by (seed, rank, s)
alone, so the run is reproducible and resumes exactly whatever the number of workers.
"""
from __future__ import annotations

from dataclasses import replace

import torch

from gtrs.body.base import BodyModel
from gtrs.body.skeleton import Skeleton
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.camera import CameraSampling
from gtrs.synthetic.pairs import network_inputs
from gtrs.synthetic.part_mixing import mix_body_parts, part_indices
from gtrs.synthetic.postures import PostureGenerator, perturb_within_limits
from gtrs.synthetic.synth import WIDE_CAMERA, SynthConfig, synthesize_batch
from gtrs.synthetic.visibility import VisibilityConfig
from gtrs.train.config import TrainConfig


def synth_config(cfg: TrainConfig) -> SynthConfig:
    """The synthetic-example settings (views, visibility, bodies) a training config asks for."""
    camera = WIDE_CAMERA if cfg.camera == "wide" else CameraSampling()
    visibility = VisibilityConfig(p_cut=cfg.framing_cut, p_limb=cfg.limb_hidden, p_side=cfg.side_hidden)
    return SynthConfig(camera=camera, visibility=visibility, bodies=cfg.bodies)


def training_inputs(batch: dict, cfg: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """A training batch's network keypoints: detector-noise input for a ``cfg.noisy_input`` share, exact
    for the rest."""
    noisy = torch.rand(cfg.batch_size, generator=generator) < cfg.noisy_input
    return network_inputs(batch, cfg.joint_set, noisy, generator)


class SyntheticBatches:
    """A run's batches of synthetic examples on ``body`` (its splits, views, visibility, postures)."""

    def __init__(self, cfg: TrainConfig, body: BodyModel) -> None:
        self.cfg, self.body = cfg, body
        self.train_rotations = load_split_rotations(cfg.data, "train")
        self.val_rotations = load_split_rotations(cfg.data, "val")
        self.body_parts = part_indices(body.bone_names)  # bone indices for part mixing
        self.synth = synth_config(cfg)
        # validation draws the bodies that `gtrs evaluate` draws (average-centred adults), whatever the
        # training bodies, so the best checkpoint is the best on what evaluation measures
        self.val_synth = replace(self.synth, bodies="adults")
        self.postures = None
        if cfg.generated_poses > 0 or cfg.perturb_degrees > 0:
            self.postures = PostureGenerator(Skeleton.from_body(body), self.train_rotations)

    def draw(self, split: str, generator: torch.Generator) -> dict:
        """One batch of ``cfg.batch_size`` examples of ``split`` ('train': with the posture augmentations)."""
        cfg = self.cfg
        rotations = self.train_rotations if split == "train" else self.val_rotations
        index = torch.randint(0, rotations.shape[0], (cfg.batch_size,), generator=generator)
        poses = rotations[index]
        if split == "train":
            if cfg.perturb_degrees > 0:
                poses = perturb_within_limits(poses, self.postures.limits, cfg.perturb_degrees, generator)
            if cfg.part_mixing > 0:
                poses = mix_body_parts(poses, self.body_parts, cfg.part_mixing, generator)
            if cfg.generated_poses > 0:
                generated = torch.rand(len(poses), generator=generator) < cfg.generated_poses
                if generated.any():
                    poses[generated] = self.postures.sample(int(generated.sum()), generator)[0]
        return synthesize_batch(self.body, poses, generator, self.synth if split == "train" else self.val_synth)


def step_seed(seed: int, rank: int, step: int) -> int:
    """The seed of one step's batch (distinct per run seed, rank and step)."""
    return (seed * 1_000_003 + rank) * 1_000_000_007 + step


class StepSeededBatches(torch.utils.data.IterableDataset):
    """The training batches of steps ``start``, ``start + 1``, ... as (batch, network keypoints), for a
    ``torch.utils.data.DataLoader`` with ``batch_size=None``: worker k of n makes steps k, k + n, ...
    on its own CPU body, and the loader hands them back in step order."""

    def __init__(self, cfg: TrainConfig, start: int, rank: int = 0) -> None:
        self.cfg, self.start, self.rank = cfg, start, rank

    def __iter__(self):
        from gtrs.body.anny import AnnyBody

        info = torch.utils.data.get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        torch.set_num_threads(1)  # one core per worker
        batches = SyntheticBatches(self.cfg, AnnyBody())
        step = self.start + worker
        while True:
            generator = torch.Generator().manual_seed(step_seed(self.cfg.seed, self.rank, step))
            batch = batches.draw("train", generator)
            yield batch, training_inputs(batch, self.cfg, generator)
            step += workers
