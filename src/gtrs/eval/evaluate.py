"""``gtrs evaluate``: the paper's metrics for a checkpoint on a data split, with exact and with
detector-noise 2D input; JSON + Markdown report and a per-joint error plot."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gtrs.atomic import atomic_path  # noqa: E402
from gtrs.body.anny import AnnyBody  # noqa: E402
from gtrs.body.joints import H36M17, H36M_EVAL_JOINTS  # noqa: E402
from gtrs.data.build import load_split_rotations  # noqa: E402
from gtrs.data.synth import SynthConfig, synthesize_batch  # noqa: E402
from gtrs.eval.metrics import mesh_metrics, per_joint_error  # noqa: E402
from gtrs.train.checkpoint import load_model  # noqa: E402
from gtrs.train.loop import network_inputs, targets  # noqa: E402


@dataclass
class Report:
    checkpoint: str
    split: str
    examples: int
    metrics: dict[str, float]  # '{exact,noisy}/{mpjpe,pa_mpjpe,mpvpe,pam_mpjpe}' -> mm
    per_joint: dict[str, list[float]]  # '{exact,noisy}' -> per H36M joint mean error, mm

    def markdown(self) -> str:
        rows = ["| 2D input | MPJPE | PA-MPJPE | MPVPE |", "|---|---|---|---|"]
        for kind in ("exact", "noisy"):
            m = self.metrics
            rows.append(f"| {kind} | {m[f'{kind}/mpjpe']:.1f} | {m[f'{kind}/pa_mpjpe']:.1f} | {m[f'{kind}/mpvpe']:.1f} |")
        return (f"Checkpoint `{self.checkpoint}`, split `{self.split}`, {self.examples} examples (mm; "
                f"H36M-17 joints regressed from the mesh, 14 evaluation joints).\n\n" + "\n".join(rows) + "\n")


@torch.no_grad()
def evaluate(checkpoint: str | Path, data: str | Path, split: str = "test", batches: int = 20, batch_size: int = 64,
             seed: int = 0, show_progress: bool = True) -> Report:
    """Evaluate ``checkpoint`` on ``batches`` fixed-seed synthetic batches of ``split``."""
    model, state = load_model(checkpoint)
    joint_set = model.cfg.joint_set
    body = AnnyBody()
    rotations = load_split_rotations(data, split)
    g = torch.Generator().manual_seed(seed)
    sums: dict[str, float] = {}
    joint_sums = {"exact": torch.zeros(17), "noisy": torch.zeros(17)}
    count = 0
    for _ in tqdm(range(batches), desc=f"evaluate[{split}]", unit="batch", disable=not show_progress):
        index = torch.randint(0, rotations.shape[0], (batch_size,), generator=g)
        batch = synthesize_batch(body, rotations[index], g, SynthConfig())
        gt_pose, gt_h36m = targets(batch, joint_set)
        for kind, noisy in (("exact", False), ("noisy", True)):
            flags = torch.full((batch_size,), noisy)
            vertices, pose = model(network_inputs(batch, joint_set, flags, g))
            pred_h36m = body.regress_joints(vertices, "h36m17")
            values = mesh_metrics(vertices, batch["vertices"], pred_h36m, gt_h36m)
            values["pam_mpjpe"] = 1000 * (pose - gt_pose).norm(dim=-1).mean(-1)
            for k, v in values.items():
                sums[f"{kind}/{k}"] = sums.get(f"{kind}/{k}", 0.0) + float(v.sum())
            joint_sums[kind] += per_joint_error(pred_h36m, gt_h36m).sum(0)
        count += batch_size
    return Report(checkpoint=str(checkpoint), split=split, examples=count,
                  metrics={k: v / count for k, v in sums.items()},
                  per_joint={k: (v / count).tolist() for k, v in joint_sums.items()})


def write_report(report: Report, out: str | Path) -> list[Path]:
    """``out``/evaluation.{json,md} and ``out``/per_joint_error.png; returns the paths."""
    out = Path(out)
    paths = [out / "evaluation.json", out / "evaluation.md", out / "per_joint_error.png"]
    with atomic_path(paths[0]) as tmp:
        tmp.write_text(json.dumps(report.__dict__, indent=1))
    with atomic_path(paths[1]) as tmp:
        tmp.write_text(report.markdown())
    names = [H36M17.names[j] for j in H36M_EVAL_JOINTS]
    fig, ax = plt.subplots(figsize=(9, 3.5))
    x = torch.arange(len(names)).float()
    for shift, kind in ((-0.2, "exact"), (0.2, "noisy")):
        ax.bar(x + shift, [report.per_joint[kind][j] for j in H36M_EVAL_JOINTS], width=0.4, label=f"{kind} 2D")
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylabel("error after pelvis alignment (mm)")
    ax.set_title(f"Per-joint error, {report.split} split")
    ax.legend()
    fig.tight_layout()
    with atomic_path(paths[2]) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return paths
