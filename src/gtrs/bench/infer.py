"""``gtrs bench infer``: network latency (one frame) and batched throughput, PyTorch and ONNX Runtime."""
from __future__ import annotations

import tempfile
from pathlib import Path

import torch

from gtrs.bench.timing import median_seconds
from gtrs.export.onnx import OnnxModel, export_onnx


def bench_infer(model: torch.nn.Module, threads: int = 2, repeats: int = 21, batch: int = 256) -> list[dict]:
    """Median single-frame latency and batch-``batch`` meshes/s for PyTorch and ONNX Runtime, same run."""
    torch.set_num_threads(threads)
    model = model.eval()
    J = model.cfg.num_joints
    one = torch.rand(1, J, 3) * 400
    many = torch.rand(batch, J, 3) * 400
    one[..., 2] = many[..., 2] = 1.0
    rows = []
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        path = Path(tmp) / "m.onnx"
        export_onnx(model, path, num_joints=J, check=False)
        runtimes = {"pytorch": model, "onnxruntime": OnnxModel(path, threads=threads)}
        for name, run in runtimes.items():
            latency = median_seconds(lambda: run(one), repeats, warmup=3)
            batched = median_seconds(lambda: run(many), max(3, repeats // 4), warmup=1)
            rows.append({"runtime": name, "latency_ms": 1000 * latency, "batch": batch,
                         "meshes_per_s": batch / batched})
    return rows
