"""``gtrs bench predict``: people/s of batch prediction, keypoints in, JSON only and with one mesh
format written (no pictures), on a COCO results file of synthetic people made here."""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

# A standing person facing the camera (COCO-17 pixels with confidences), jittered per person.
PERSON = np.array([300, 100, 2, 310, 95, 2, 290, 95, 2, 320, 100, 2, 280, 100, 2, 340, 150, 2, 260, 150, 2, 350, 210, 2,
                   250, 210, 2, 355, 260, 2, 245, 260, 2, 325, 270, 2, 275, 270, 2, 330, 360, 2, 270, 360, 2, 335, 450,
                   2, 265, 450, 2], dtype=float).reshape(17, 3)


def synthetic_results(path: Path, people: int, seed: int = 0) -> None:
    """A COCO results JSON of ``people`` jittered persons spread over 100 images."""
    rng = np.random.default_rng(seed)
    records = []
    for i in range(people):
        kp = PERSON.copy()
        kp[:, :2] += rng.normal(0, 8, (17, 2)) + rng.uniform(-200, 200, 2)
        records.append({"image_id": i % 100, "category_id": 1, "keypoints": kp.round(1).ravel().tolist(), "score": 0.9})
    path.write_text(json.dumps(records))


CASES = (("JSON only, network mesh", (), "network"), ("JSON + OBJ, network mesh", ("obj",), "network"),
         ("JSON only, fitted body", (), "fit"), ("JSON + OBJ, fitted body", ("obj",), "fit"),
         ("JSON only, network mesh, ONNX Runtime", (), "network"),
         ("JSON only, network mesh, float32", (), "network"))


def _runtime(case: str) -> str:
    """Which network a case runs: ONNX Runtime, PyTorch in float32, or PyTorch at the default precision."""
    return "onnx" if "ONNX" in case else "float32" if "float32" in case else "pytorch"


def bench_predict(people: int = 1000, repeats: int = 3, threads: int = 2,
                  cases: tuple[tuple[str, tuple[str, ...], str], ...] = CASES) -> list[dict]:
    """Median wall-clock people/s over ``repeats`` runs per case (name, formats, mesh), in one run
    (the model loaded once). The PyTorch cases run at the default precision (bfloat16 autocast where
    the CPU has it) except the one named float32, the same-run baseline."""
    from gtrs.infer.predict import predict
    from gtrs.infer.predictor import Reconstructor

    from gtrs.export.onnx import export_onnx

    torch.set_num_threads(threads)
    pytorch = Reconstructor.pretrained()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "results.json"
        synthetic_results(source, people)
        runtimes = {"pytorch": pytorch}
        if any(_runtime(name) == "float32" for name, _, _ in cases):
            runtimes["float32"] = Reconstructor(pytorch.model, pytorch.body, precision="float32")
        if any(_runtime(name) == "onnx" for name, _, _ in cases):  # the network exported once, run by ONNX Runtime
            export_onnx(pytorch.model, Path(tmp) / "gtrs.onnx", num_joints=pytorch.model.cfg.num_joints, check=False)
            runtimes["onnx"] = Reconstructor(pytorch.model, pytorch.body, onnx_path=str(Path(tmp) / "gtrs.onnx"))
        for r in runtimes.values():  # first-call costs (and the fitter's set-up) out of the timing
            predict(source, Path(tmp) / "warm", formats=("obj",), render=False, reconstructor=r, show_progress=False,
                    overwrite=True)
        for name, formats, mesh in cases:
            reconstructor = runtimes[_runtime(name)]
            times = []
            for r in range(repeats):
                out = Path(tmp) / f"out_{r}"
                start = time.perf_counter()
                summary = predict(source, out, formats=formats, render=False, reconstructor=reconstructor,
                                  show_progress=False, mesh=mesh)
                times.append(time.perf_counter() - start)
                assert summary.people == people
                shutil.rmtree(out)
            t = sorted(times)[len(times) // 2]
            rows.append({"case": name, "people": people, "median_s": t, "people_per_s": people / t})
    return rows


MEMORY_SCRIPT = """
import resource, sys, time, torch
from pathlib import Path
from gtrs.bench.predict import synthetic_results
from gtrs.infer.predict import predict
from gtrs.infer.table_job import predict_table
torch.set_num_threads(int(sys.argv[3]))
source, out = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
if sys.argv[4] == "parquet":
    summary = predict_table(source, out, ("parquet",), show_progress=False, mesh="network")
else:
    summary = predict(source, out, formats=(), render=False, show_progress=False, mesh="network")
seconds = time.perf_counter() - start
print(summary.people, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_predict_memory(sizes: tuple[int, ...] = (1000, 10_000, 100_000), threads: int = 2,
                         output: str = "json") -> list[dict]:
    """Peak resident memory of ``gtrs predict`` (JSON only, or with ``output='parquet'`` the Parquet
    dataset; network mesh), one fresh process per size of a synthetic COCO results file: flat memory
    means the peak does not grow with the people."""
    import subprocess
    import sys

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for people in sizes:
            source = Path(tmp) / f"results_{people}.json"
            synthetic_results(source, people)
            done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(source), str(Path(tmp) / f"out_{people}"),
                                   str(threads), output], capture_output=True, text=True, check=True)
            count, seconds, peak_kb = done.stdout.split()[-3:]
            assert int(count) == people
            rows.append({"people": people, "file_mb": source.stat().st_size / 1e6, "peak_mb": int(peak_kb) / 1024,
                         "people_per_s": people / float(seconds), "output": output,
                         "out_mb": sum(p.stat().st_size for p in (Path(tmp) / f"out_{people}").rglob("*")) / 1e6})
            source.unlink()
    return rows


def bench_engines(people: int = 1000, repeats: int = 3, workers: tuple[int, ...] = (1, 2), block_size: int = 128,
                  threads: int = 2) -> list[dict]:
    """People/s of one job, local engines against Ray with each number of ``workers``, in one run and on
    one synthetic COCO results file, for JSON only and for Parquet, both with the fitted body (medians
    of ``repeats``). A Ray job's time includes starting its actors (each loads the model); the Ray
    runtime itself is started once (``ray_start_s``). ``block_overhead_ms``: the time a Ray job spends
    per block, from the same job cut into blocks of 8 against blocks of ``block_size``."""
    import logging

    from gtrs.infer.predict import predict
    from gtrs.infer.predictor import Reconstructor
    from gtrs.infer.table_job import predict_table
    from gtrs.infer.ray_engine import ray_module

    torch.set_num_threads(threads)
    ray = ray_module()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "results.json"
        synthetic_results(source, people)
        reconstructor = Reconstructor.pretrained()
        predict(source, Path(tmp) / "warm", formats=(), render=False, reconstructor=reconstructor, show_progress=False)

        def timed(run) -> float:
            times = []
            for r in range(repeats):
                out = Path(tmp) / f"out_{r}"
                start = time.perf_counter()
                summary = run(out)
                times.append(time.perf_counter() - start)
                assert summary.people == people
                shutil.rmtree(out)
            return sorted(times)[len(times) // 2]

        def row(engine: str, output: str, seconds: float, **extra) -> None:
            rows.append({"engine": engine, "output": output, "people": people, "median_s": seconds,
                         "people_per_s": people / seconds, **extra})

        row("predict (local, one process)", "JSON", timed(lambda out: predict(
            source, out, formats=(), render=False, reconstructor=reconstructor, show_progress=False)))
        for output, formats in (("JSON", ()), ("Parquet", ("parquet",))):
            row("table job, local engine", output, timed(lambda out: predict_table(
                source, out, formats, block_size=block_size, show_progress=False)))
        start = time.perf_counter()
        ray.init(address="local", num_cpus=max(workers), include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING)
        ray_start = time.perf_counter() - start
        try:
            for n in workers:
                for output, formats in (("JSON", ()), ("Parquet", ("parquet",))):
                    row(f"Ray, {n} worker{'s' if n > 1 else ''}", output, timed(lambda out: predict_table(
                        source, out, formats, engine="ray", workers=n, block_size=block_size, show_progress=False)),
                        ray_start_s=ray_start)
            small = timed(lambda out: predict_table(source, out, ("parquet",), engine="ray", workers=max(workers),
                                                    block_size=8, show_progress=False))
            large = rows[-1]["median_s"]
            extra_blocks = -(-people // 8) - -(-people // block_size)
            rows[-1]["block_overhead_ms"] = 1000 * (small - large) / extra_blocks
        finally:
            ray.shutdown()
    return rows
