"""The training loop: synthetic batches from stored mocap poses -> GTRS, the paper's losses,
validation each epoch, atomic checkpoints, exact resume, and torchrun data parallelism.

Single process:   gtrs train CONFIG.yaml [--resume]
Data parallel:    torchrun --nproc_per_node=N -m gtrs.train CONFIG.yaml [--resume]
(gloo on CPU, NCCL on GPU; each rank draws its own examples, DDP averages the gradients.)

Resume is exact: a checkpoint holds the weights, the optimizer state, the step, and the states of
the data generator and of torch's global RNG (dropout), taken at a step boundary.

Faults: a step whose loss or gradient is not finite is skipped (no update) and counted; more than
``max_nonfinite_steps`` in a row stop the run with an error. A checkpoint with non-finite weights is
never written. On ``--resume`` a corrupt or non-finite ``last.safetensors`` is refused with a message
and the run continues from ``best.safetensors`` when that one is sound. Temporary files left by a
save that was killed are removed when a run starts.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import torch
import torch.distributed as dist
from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.body.anny import AnnyBody
from gtrs.synthetic.pairs import FRONT_VIEW, front_view_template, network_inputs, targets  # noqa: F401 (also read from here)
from gtrs.models.inputs import normalize_keypoints
from gtrs.metrics import mesh_metrics
from gtrs.train.plots import plot_history
from gtrs.models import create_model
from gtrs.train.batches import StepSeededBatches, SyntheticBatches, training_inputs
from gtrs.models.checkpoint import model_state, optimizer_state, read_checkpoint, save_checkpoint

CHECKPOINT_FILES = ("last.safetensors", "best.safetensors", "history.json", "curves.png")


class TrainingDivergedError(ValueError):
    """Too many steps in a row had a non-finite loss or gradient."""
from gtrs.train.config import TrainConfig
from gtrs.train.losses import LossWeights, gtrs_loss, joint_loss, mesh_edges
from gtrs.models.precision import resolve_precision

# The camera looking at the body's front: world (Y up, facing +Z) -> camera (Y down, Z forward).
def pose_only(pose_module: torch.nn.Module, keypoints: torch.Tensor) -> torch.Tensor:
    """(B, J, 3) the 3D pose of a network's pose module alone (GTRS's PAM also returns features)."""
    out = pose_module(normalize_keypoints(keypoints))
    return out[0] if isinstance(out, tuple) else out


def selection_score(metrics: dict[str, float], key: str) -> float:
    """The validation value ``key`` names; 'mean/<m>' is the average of 'exact/<m>' and 'noisy/<m>'."""
    kind, metric = key.split("/")
    if kind == "mean":
        return 0.5 * (metrics[f"exact/{metric}"] + metrics[f"noisy/{metric}"])
    return metrics[key]


def learning_rate(cfg: TrainConfig, epoch: int) -> float:
    """Multi-step schedule: lr * gamma^(milestones passed); ``epoch`` counts from 1."""
    return cfg.lr * cfg.gamma ** sum(epoch > m for m in cfg.milestones)


class Trainer:
    """Holds a run's state; ``run()`` trains to the end (or ``max_steps``) and returns the run folder."""

    def __init__(self, cfg: TrainConfig, resume: bool = False) -> None:
        self.cfg = cfg
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        if self.world > 1 and not dist.is_initialized():
            dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        torch.set_num_threads(cfg.threads)
        self.device = torch.device(cfg.device)
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"the config asks for device {cfg.device!r}, but torch sees no CUDA GPU here; use device: cpu")
        torch.manual_seed(cfg.seed)  # identical initial weights on every rank
        self.out = Path(cfg.out)
        if resume and not (self.out / "last.safetensors").is_file():
            raise FileNotFoundError(f"--resume: no checkpoint at {self.out / 'last.safetensors'}")
        self.out.mkdir(parents=True, exist_ok=True)
        for name in CHECKPOINT_FILES:  # temporary files of saves that were killed (gtrs.atomic)
            for stale in self.out.glob(f".{name}.*"):
                stale.unlink(missing_ok=True)
        if cfg.datasets:  # the paper's datasets on SMPL
            from gtrs.datasets.batches import SmplBodies
            from gtrs.datasets.mixture import DatasetMixture

            bodies = SmplBodies(cfg.smpl_dir)
            self.body = bodies.neutral
            self.train_data = DatasetMixture(cfg.data, cfg.datasets, "train", bodies)
            self.val_data = DatasetMixture(cfg.data, (cfg.val_dataset,), "test", bodies)
        else:  # synthetic examples from mocap poses on anny
            self.body = AnnyBody(device=self.device)
            self.batches = SyntheticBatches(cfg, self.body)
        self.stream = None  # with data_workers: (batch, keypoints) per step from worker processes (run())
        self.model = create_model(cfg.model, front_view_template(self.body), cfg.joint_set,
                                  faces=self.body.faces).to(self.device)
        self.autocast_dtype = resolve_precision(cfg.precision, self.device.type)
        if not getattr(self.model, "supports_bfloat16", False):
            if cfg.precision == "bfloat16":
                raise ValueError(f"model {cfg.model!r} cannot train in bfloat16; use precision: float32 or auto")
            self.autocast_dtype = torch.float32
        self.faces = self.body.faces.to(self.device)
        self.edges = mesh_edges(self.body.faces).to(self.device)
        self.h36m_regressor = tuple(t.to(self.device) for t in self.body.compact_regressor("h36m17"))
        params = self.model.pose_module.parameters() if cfg.stage == "pam" else self.model.parameters()
        self.optimizer = torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.step, self.history, self.best = 0, [], math.inf
        self.nonfinite_steps, self.nonfinite_in_a_row = 0, 0
        self.seconds = 0.0  # wall-clock spent in run(), summed over resumes (for max_minutes)
        self.generator = torch.Generator().manual_seed(cfg.seed * 1000 + self.rank)
        if cfg.init_from and not resume:
            tensors, _ = read_checkpoint(cfg.init_from)
            missing, unexpected = self.model.load_state_dict(model_state(tensors), strict=False)
            if unexpected:
                raise ValueError(f"{cfg.init_from} does not fit model {cfg.model!r}: unexpected {unexpected[:5]}")
        if resume:
            self._resume()
        # The PAM stage trains (and synchronises) the pose-lifting module alone.
        trainable = self.model.pose_module if cfg.stage == "pam" else self.model
        self.ddp = torch.nn.parallel.DistributedDataParallel(trainable) if self.world > 1 else trainable
        self.body_device = getattr(self.body, "device", torch.device("cpu"))
        self.writer = None
        if self.rank == 0:
            try:  # the 'train' extra; without it the curves still go to history.json and curves.png
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                tqdm.write("note: tensorboard is not installed (pip install 'gtrs[train]'): no TensorBoard logs")
            else:
                # purge_step drops events logged after the checkpoint a resumed run restarts from
                self.writer = SummaryWriter(str(self.out / "tensorboard"), purge_step=self.step if resume else None)

    # -- checkpoints ------------------------------------------------------------------------------
    def _state(self) -> dict:
        return {"train_config": self.cfg.to_dict(), "model_config": self.model.cfg.to_dict(),
                "model_type": type(self.model).__name__, "step": self.step,
                "epoch": self.step // self.cfg.steps_per_epoch, "history": self.history, "best": self.best,
                "world_size": self.world, "seconds": self.seconds, "nonfinite_steps": self.nonfinite_steps}

    def _rng(self) -> dict[str, torch.Tensor]:
        return {"data": self.generator.get_state(), "torch": torch.get_rng_state()}

    def save(self, name: str = "last.safetensors") -> None:
        if self.rank == 0:
            save_checkpoint(self.out / name, self.model, self.optimizer, self._state(), self._rng())

    def _resume(self) -> None:
        path = self.out / "last.safetensors"
        try:
            tensors, state = self._sound_checkpoint(path)
        except ValueError as problem:
            best = self.out / "best.safetensors"
            try:
                tensors, state = self._sound_checkpoint(best)
            except (FileNotFoundError, ValueError) as e:
                raise ValueError(f"--resume: {problem}; {best} cannot be used either ({e})") from None
            tqdm.write(f"warning: --resume: {problem}; continuing from {best} (step {state['step']})")
        if state["train_config"]["model"] != self.cfg.model:
            raise ValueError(f"{path} was trained with model {state['train_config']['model']!r}, not {self.cfg.model!r}")
        self.model.load_state_dict(model_state(tensors))
        self.optimizer.load_state_dict(optimizer_state(tensors, state))
        self.step, self.history, self.best = state["step"], state["history"], state["best"]
        self.seconds = state.get("seconds", 0.0)
        self.nonfinite_steps = state.get("nonfinite_steps", 0)
        self.generator.set_state(tensors["rng.data"])
        torch.set_rng_state(tensors["rng.torch"])

    @staticmethod
    def _sound_checkpoint(path: Path) -> tuple[dict, dict]:
        """A checkpoint that reads, passes its checksum and holds finite weights; else ValueError."""
        tensors, state = read_checkpoint(path)
        bad = [k for k, v in model_state(tensors).items() if v.is_floating_point() and not torch.isfinite(v).all()]
        if bad:
            raise ValueError(f"{path} holds non-finite weights ({bad[0]})")
        return tensors, state

    # -- one step -------------------------------------------------------------------------------
    def _batch(self, split: str, generator: torch.Generator) -> dict:
        if self.cfg.datasets:
            return (self.train_data if split == "train" else self.val_data).sample(self.cfg.batch_size, generator)
        return self.batches.draw(split, generator)

    def _step_stream(self):
        """Batches of the coming steps from ``data_workers`` worker processes (``StepSeededBatches``)."""
        loader = torch.utils.data.DataLoader(StepSeededBatches(self.cfg, self.step, self.rank), batch_size=None,
                                             num_workers=self.cfg.data_workers, prefetch_factor=4,
                                             pin_memory=self.device.type == "cuda", persistent_workers=False,
                                             # its own generator: the loader's seed draw must not move the
                                             # global RNG (dropout), or a resumed run would differ
                                             generator=torch.Generator())
        return iter(loader)

    def _surface_subset(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The faces and edges the normal/edge losses use this step (all, or a random subset)."""
        fraction = self.cfg.surface_loss_fraction
        if fraction >= 1.0:
            return self.faces, self.edges
        pick = lambda n: torch.randperm(n, generator=self.generator)[: max(1, int(fraction * n))].to(self.device)  # noqa: E731
        return self.faces[pick(len(self.faces))], self.edges[pick(len(self.edges))]

    def train_step(self) -> dict[str, float]:
        cfg = self.cfg
        epoch = self.step // cfg.steps_per_epoch + 1
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(cfg, epoch)
        if self.stream is not None:
            batch, keypoints = next(self.stream)
        else:
            batch = self._batch("train", self.generator)
            keypoints = training_inputs(batch, cfg, self.generator)
        keypoints = keypoints.to(self.device)
        gt_pose, gt_h36m = (t.to(self.device) for t in targets(batch, cfg.joint_set))
        self.model.train()
        if cfg.stage == "pam":
            pose = pose_only(self.ddp, keypoints)
            terms = {"pam_joints": joint_loss(pose, gt_pose)}
            terms["total"] = terms["pam_joints"]
        else:
            bf16 = self.autocast_dtype == torch.bfloat16
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
                vertices, pose = self.ddp(keypoints)
            vertices, pose = vertices.float(), pose.float()
            faces, edges = self._surface_subset()
            weights = LossWeights(edge=cfg.edge_weight, edge_from_epoch=cfg.edge_from_epoch,
                                  mesh_joints=cfg.joint_loss_weight, pam_joints=0.5 * cfg.joint_loss_weight)
            terms = gtrs_loss(vertices, pose, batch["vertices"].to(self.device).float(), gt_pose.float(), self.h36m_regressor,
                              gt_h36m.float(), faces, edges, epoch, weights)
        self.optimizer.zero_grad(set_to_none=True)
        terms["total"].backward()
        if self._finite(terms["total"]):
            self.optimizer.step()
            self.nonfinite_in_a_row = 0
        else:  # skip the update; the step still counts (its data is consumed)
            self.optimizer.zero_grad(set_to_none=True)
            self.nonfinite_steps += 1
            self.nonfinite_in_a_row += 1
            if self.nonfinite_in_a_row > cfg.max_nonfinite_steps:
                raise TrainingDivergedError(
                    f"{self.nonfinite_in_a_row} steps in a row had a non-finite loss or gradient (step {self.step + 1}); "
                    f"stopped. The last sound checkpoint is {self.out / 'last.safetensors'}: lower lr and --resume")
        self.step += 1
        return {k: v.item() for k, v in terms.items()}

    def _finite(self, loss: torch.Tensor) -> bool:
        if not torch.isfinite(loss):
            return False
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        return bool(torch.stack([torch.isfinite(g).all() for g in grads]).all()) if grads else True

    # -- validation -----------------------------------------------------------------------------
    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        """Metrics on fixed val batches (same examples every epoch), exact and noisy 2D input."""
        self.model.eval()
        g = torch.Generator().manual_seed(12345)
        sums: dict[str, float] = {}
        count = 0
        for _ in range(self.cfg.val_batches):
            batch = self._batch("val", g)
            gt_pose, gt_h36m = (t.to(self.device) for t in targets(batch, self.cfg.joint_set))
            gt_vertices = batch["vertices"].to(self.device)
            B = gt_pose.shape[0]
            for name, noisy in (("exact", torch.zeros(B, dtype=torch.bool)), ("noisy", torch.ones(B, dtype=torch.bool))):
                keypoints = network_inputs(batch, self.cfg.joint_set, noisy, g).to(self.device)
                if self.cfg.stage == "pam":  # the mesh decoder is untrained: skip its cost
                    pose = pose_only(self.model.pose_module, keypoints)
                else:
                    vertices, pose = self.model(keypoints)
                m = {f"{name}/pam_mpjpe": 1000 * (pose - gt_pose).norm(dim=-1).mean(-1)}
                if self.cfg.stage == "full":
                    pred_h36m = self.body.regress_joints(vertices.to(self.body_device), "h36m17").to(self.device)
                    m.update({f"{name}/{k}": v for k, v in
                              mesh_metrics(vertices, gt_vertices, pred_h36m, gt_h36m).items()})
                for k, v in m.items():
                    sums[k] = sums.get(k, 0.0) + float(v.sum())
            count += B
        return {k: v / count for k, v in sums.items()}

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> Path:
        cfg = self.cfg
        total = cfg.epochs * cfg.steps_per_epoch
        if cfg.max_steps is not None:
            total = min(total, cfg.max_steps)
        bar = tqdm(total=total, initial=self.step, desc=f"train[{cfg.stage}]", unit="step", disable=self.rank != 0)
        key = cfg.best_metric or ("noisy/pa_mpjpe" if cfg.stage == "full" else "noisy/pam_mpjpe")
        budget = math.inf if cfg.max_minutes is None else 60.0 * cfg.max_minutes
        if cfg.data_workers and self.step < total:
            self.stream = self._step_stream()
        clock = time.monotonic()
        while self.step < total and self.seconds < budget:
            terms = self.train_step()
            now = time.monotonic()
            self.seconds, clock = self.seconds + now - clock, now
            if self.world > 1 and budget < math.inf:  # every rank must stop at the same step
                spent = torch.tensor([self.seconds], dtype=torch.float64)
                dist.all_reduce(spent, op=dist.ReduceOp.MAX)
                self.seconds = float(spent)
            out_of_time = self.seconds >= budget
            bar.update(1)
            if self.writer is not None and self.step % 10 == 0:
                for k, v in terms.items():
                    self.writer.add_scalar(f"train/{k}", v, self.step)
            bar.set_postfix(loss=f"{terms['total']:.4f}", epoch=self.step // cfg.steps_per_epoch + (self.step % cfg.steps_per_epoch > 0))
            end_of_epoch = self.step % cfg.steps_per_epoch == 0
            if end_of_epoch or self.step == total or out_of_time:
                metrics = self.validate()
                record = {"step": self.step, "epoch": math.ceil(self.step / cfg.steps_per_epoch),
                          "lr": self.optimizer.param_groups[0]["lr"], "loss": terms, **metrics}
                self.history.append(record)
                if self.rank == 0:
                    with atomic_path(self.out / "history.json") as tmp:
                        tmp.write_text(json.dumps(self.history, indent=1))
                    plot_history(self.history, self.out / "curves.png", f"{cfg.model} / {cfg.stage}")
                    if self.writer is not None:
                        for k, v in metrics.items():
                            self.writer.add_scalar(f"val/{k}", v, self.step)
                        self.writer.flush()
                    bar.write(" ".join(f"{k}={v:.1f}" for k, v in metrics.items()))
                score = selection_score(metrics, key)
                if score < self.best:
                    self.best = score
                    self.save("best.safetensors")
                self.save()
            elif self.step % cfg.checkpoint_every == 0:
                self.save()
        bar.close()
        self.stream = None  # ends the worker processes
        if self.writer is not None:
            self.writer.close()
        if self.world > 1:
            self._check_replicas()
        return self.out

    def _check_replicas(self) -> None:
        """Record the largest parameter difference between this rank and rank 0 (should be 0)."""
        flat = torch.cat([p.detach().reshape(-1) for p in self.model.parameters()])
        reference = flat.clone()
        dist.broadcast(reference, src=0)
        diff = (flat - reference).abs().max()
        dist.all_reduce(diff, op=dist.ReduceOp.MAX)
        if self.rank == 0:
            state = self._state()
            state["replica_max_abs_diff"] = float(diff)
            save_checkpoint(self.out / "last.safetensors", self.model, self.optimizer, state, self._rng())
        dist.barrier()


def train(cfg: TrainConfig, resume: bool = False) -> Path:
    """Train per ``cfg``; returns the run folder (``last.safetensors``, ``best.safetensors``, ``history.json``)."""
    return Trainer(cfg, resume=resume).run()
