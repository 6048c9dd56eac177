"""``gtrs bench report``: GTRS, Pose2Mesh, the optimisation baseline and a mean-pose baseline
measured in one run on this machine: parameters, FLOPs, CPU latency and throughput, and test-split
accuracy with exact and noisy 2D input; plus the paper's cost ratios on SMPL-sized models."""
from __future__ import annotations

import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from gtrs.atomic import atomic_path  # noqa: E402
from gtrs.baselines.optimization import FitConfig, fit_keypoints  # noqa: E402
from gtrs.bench.timing import median_seconds  # noqa: E402
from gtrs.body.anny import AnnyBody  # noqa: E402
from gtrs.body.joints import COCO19, graph_adjacency  # noqa: E402
from gtrs.synthetic.build import load_split_rotations  # noqa: E402
from gtrs.synthetic.synth import SynthConfig, synthesize_batch  # noqa: E402
from gtrs.metrics import mesh_metrics  # noqa: E402
from gtrs.models import create_model  # noqa: E402
from gtrs.models.coarsening import GraphHierarchy  # noqa: E402
from gtrs.models.pose2mesh import Pose2Mesh, Pose2MeshConfig  # noqa: E402
from gtrs.models.checkpoint import load_model  # noqa: E402
from gtrs.synthetic.pairs import network_inputs  # noqa: E402
from gtrs.train.loop import front_view_template  # noqa: E402


@dataclass
class Row:
    name: str
    params: int | None = None
    gflops: float | None = None
    latency_ms: float | None = None
    per_s: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)


def flops_per_sample(model: torch.nn.Module, num_joints: int = 19) -> float:
    """GFLOP of one forward pass (torch.utils.flop_counter; sparse products are not counted)."""
    kp = torch.rand(1, num_joints, 3) * 300
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.eval()(kp)
    return counter.get_total_flops() / 1e9


def smpl_sized_cost() -> dict[str, float]:
    """Params and FLOPs of the paper's GTRS and of Pose2Mesh on SMPL (6,890 vertices), COCO-19."""
    gtrs = create_model("paper", torch.zeros(6890, 3), "coco19")
    sizes = [12288 // 2 ** i for i in range(8)]
    hierarchy = GraphHierarchy([sp.identity(n, format="csr") * 0.0 for n in sizes], np.arange(6890))
    p2m = Pose2Mesh(Pose2MeshConfig(num_vertices=6890), graph_adjacency(COCO19), hierarchy)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    return {"gtrs_params": count(gtrs), "p2m_params": count(p2m),
            "gtrs_gflops": flops_per_sample(gtrs), "p2m_gflops": flops_per_sample(p2m)}


def training_summary(state: dict) -> str:
    """What a checkpoint says of its training: stage, steps x batch, wall-clock time if recorded."""
    tc = state.get("train_config") or {}
    if "step" not in state or not tc:
        return "no training record in the checkpoint"
    text = (f"stage {tc.get('stage', '?')}, {state['step']:,} steps x {tc.get('batch_size', '?')} "
            f"= {state['step'] * tc.get('batch_size', 0):,} examples, data `{tc.get('data', '?')}`")
    if state.get("seconds"):
        text += f", {state['seconds'] / 60:.0f} min of wall-clock"
    if tc.get("max_minutes"):
        text += f" (budget {tc['max_minutes']:g} min)"
    return text


@torch.no_grad()
def accuracy(predict, batches: list[dict], body: AnnyBody) -> dict[str, float]:
    """Mean metrics (mm) over ``batches`` for ``predict(keypoints) -> vertices``, exact and noisy input."""
    sums: dict[str, float] = {}
    count = 0
    g = torch.Generator().manual_seed(1)
    for batch in batches:
        B = batch["vertices"].shape[0]
        gt_h36m = batch["joints3d_h36m"]
        for kind, noisy in (("exact", False), ("noisy", True)):
            vertices = predict(network_inputs(batch, "coco19", torch.full((B,), noisy), g), batch)
            pred = body.regress_joints(vertices, "h36m17")
            for k, v in mesh_metrics(vertices, batch["vertices"], pred, gt_h36m).items():
                sums[f"{kind}/{k}"] = sums.get(f"{kind}/{k}", 0.0) + float(v.sum())
        count += B
    return {k: v / count for k, v in sums.items()}


def bench_report(data: str | Path, gtrs_checkpoint: str | Path, pose2mesh_checkpoint: str | Path | None,
                 out: str | Path, batches: int = 4, batch_size: int = 32, fit_people: int = 8,
                 fit_iterations: int = 200, threads: int = 2) -> Path:
    """Measure every row and write ``out``/report.md and ``out``/accuracy_vs_cost.png."""
    torch.set_num_threads(threads)
    out = Path(out)
    body = AnnyBody()
    rotations = load_split_rotations(data, "test")
    g = torch.Generator().manual_seed(0)
    test = [synthesize_batch(body, rotations[torch.randint(0, len(rotations), (batch_size,), generator=g)], g,
                             SynthConfig()) for _ in range(batches)]
    rows = []
    models = [("GTRS (shipped, cpu config)", gtrs_checkpoint)]
    if pose2mesh_checkpoint:
        models.append(("Pose2Mesh", pose2mesh_checkpoint))
    trained = []
    for name, ckpt in models:
        model, state = load_model(ckpt)
        trained.append(f"- {name}: {training_summary(state)}")
        one = torch.rand(1, 19, 3) * 300
        many = torch.rand(64, 19, 3) * 300
        with torch.no_grad():
            latency = median_seconds(lambda: model(one), 11)
            batched = median_seconds(lambda: model(many), 3)
        rows.append(Row(name, sum(p.numel() for p in model.parameters()), flops_per_sample(model), 1000 * latency,
                        64 / batched, accuracy(lambda kp, _b: model(kp)[0], test, body)))

    template = front_view_template(body)
    rows.append(Row("mean pose (the template, facing the camera)", 0, 0.0, None, None,
                    accuracy(lambda kp, b: template.expand(kp.shape[0], -1, -1), test, body)))

    fit_batches = [{k: (v[:fit_people] if torch.is_tensor(v) else v) for k, v in test[0].items()}]

    def fit(kp, batch):
        result = fit_keypoints(body, kp, batch["focal"], batch["principal"], FitConfig(iterations=fit_iterations))
        pelvis = body.regress_joints(result["vertices"], "h36m17")[:, :1]
        return result["vertices"] - pelvis

    start = time.perf_counter()
    fit_metrics = accuracy(fit, fit_batches, body)
    per_person = (time.perf_counter() - start) / (2 * fit_people)
    rows.append(Row(f"optimisation fit ({fit_iterations} iterations, {fit_people} people)", 0, None,
                    1000 * per_person, 1 / per_person, fit_metrics))

    cost = smpl_sized_cost()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Benchmark report", "",
        f"Machine: {platform.processor() or platform.machine()}, {threads} threads, torch {torch.__version__}; "
        f"commit {commit or 'unknown'}. Data: `{data}`, test split (held-out subjects), "
        f"{batches * batch_size} synthetic examples (optimisation: the first {fit_people}).", "",
        "| model | params | GFLOP/sample | latency ms (1) | meshes/s | exact MPJPE | exact PA-MPJPE | exact MPVPE "
        "| noisy MPJPE | noisy PA-MPJPE | noisy MPVPE |",
        "|---" * 11 + "|"]
    fmt = lambda v, f: "-" if v is None else format(v, f)  # noqa: E731
    for r in rows:
        m = r.metrics
        lines.append(f"| {r.name} | {fmt(r.params, ',')} | {fmt(r.gflops, '.3f')} | {fmt(r.latency_ms, '.1f')} | "
                     f"{fmt(r.per_s, '.0f' if r.per_s is None or r.per_s >= 10 else '.2f')} | " + " | ".join(f"{m[k]:.1f}" for k in (
                         "exact/mpjpe", "exact/pa_mpjpe", "exact/mpvpe", "noisy/mpjpe", "noisy/pa_mpjpe", "noisy/mpvpe"))
                     + " |")
    lines += ["", "Training of the networks (last stage, from their checkpoints):", "", *trained]
    lines += ["", "Cost on SMPL-sized models (6,890 vertices, COCO-19), as in the paper:", "",
              "| | GTRS (paper config) | Pose2Mesh | ratio | paper's ratio |", "|---|---|---|---|---|",
              f"| params | {cost['gtrs_params']:,} | {cost['p2m_params']:,} | "
              f"{100 * cost['gtrs_params'] / cost['p2m_params']:.1f}% | 10.2% |",
              f"| GFLOP/sample | {cost['gtrs_gflops']:.3f} | {cost['p2m_gflops']:.3f} (dense ops only) | "
              f"{100 * cost['gtrs_gflops'] / cost['p2m_gflops']:.1f}% | 2.5% |", ""]
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "report.md") as tmp:
        tmp.write_text("\n".join(lines) + "\n")
    fig, ax = plt.subplots(figsize=(6, 4))
    for r in rows:
        if r.gflops is not None:
            ax.scatter(max(r.gflops, 1e-3), r.metrics["noisy/pa_mpjpe"], s=40)
            ax.annotate(r.name.split(" (")[0], (max(r.gflops, 1e-3), r.metrics["noisy/pa_mpjpe"]), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("GFLOP per sample (log)")
    ax.set_ylabel("PA-MPJPE with noisy 2D (mm)")
    fig.tight_layout()
    with atomic_path(out / "accuracy_vs_cost.png") as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return out / "report.md"
