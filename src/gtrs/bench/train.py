"""``gtrs bench train``: training samples/s (data generation included) per model config."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch

from gtrs.train.config import TrainConfig
from gtrs.train.loop import Trainer


def bench_train(data_dir: str | Path, configs: tuple[str, ...] = ("cpu", "paper"), batch_size: int = 64,
                steps: int = 50, threads: int = 2, precisions: tuple[str, ...] = ("float32", "bfloat16")) -> list[dict]:
    """Median step time over ``steps`` timed steps (after 2 warm-up steps), per config and training
    precision, in one run: the precisions' steps are interleaved, so a change in the machine's load
    hits them alike. Also times the data generation alone, so its share is visible."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in configs:
            # Each config as it is trained (gtrs/configs/*.yaml): cpu samples a quarter of the faces for
            # the surface losses. Timed in epoch 2, where the edge loss is on.
            trainers = {}
            for precision in precisions:
                cfg = TrainConfig(data=str(data_dir), out=str(Path(tmp) / f"{name}_{precision}"), model=name,
                                  batch_size=batch_size, threads=threads, steps_per_epoch=10_000, epochs=2,
                                  surface_loss_fraction=0.25 if name == "cpu" else 1.0, precision=precision)
                trainers[precision] = Trainer(cfg)
                trainers[precision].step = cfg.steps_per_epoch
                for _ in range(2):
                    trainers[precision].train_step()
            times: dict[str, list[float]] = {p: [] for p in precisions}
            data_times = []
            for _ in range(steps):
                for precision, trainer in trainers.items():
                    start = time.perf_counter()
                    trainer.train_step()
                    times[precision].append(time.perf_counter() - start)
                start = time.perf_counter()
                trainer._batch("train", torch.Generator().manual_seed(0))
                data_times.append(time.perf_counter() - start)
            data = sorted(data_times)[len(data_times) // 2]
            for precision, trainer in trainers.items():
                step = sorted(times[precision])[len(times[precision]) // 2]
                params = sum(p.numel() for p in trainer.model.parameters())
                rows.append({"config": name, "precision": precision, "params": params, "batch": batch_size,
                             "median_step_s": step, "samples_per_s": batch_size / step, "data_share": data / step})
    return rows


def bench_output_conv(batch: int = 32, tokens: int = 25, vertices: int = 13718, repeats: int = 10,
                      threads: int = 2) -> dict:
    """Forward + backward median seconds of the MRM's output convolution over the vertex axis:
    ``VertexAxisConv`` (kept) against ``torch.nn.Conv1d`` with the same weights, in one run.
    Defaults: the cpu config on anny (19 joints + 6 template tokens, 13,718 vertices)."""
    from gtrs.bench.timing import median_seconds
    from gtrs.models.gtrs import VertexAxisConv

    torch.set_num_threads(threads)
    tapwise = VertexAxisConv(tokens, 3)
    conv1d = torch.nn.Conv1d(tokens, 3, kernel_size=3, padding=1)
    conv1d.load_state_dict(tapwise.state_dict())
    x = torch.randn(batch, tokens, vertices, requires_grad=True)

    def step(layer):
        return lambda: layer(x).sum().backward()

    return {"tapwise_s": median_seconds(step(tapwise), repeats), "conv1d_s": median_seconds(step(conv1d), repeats)}
