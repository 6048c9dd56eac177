"""``gtrs evaluate``: the paper's metrics for a checkpoint on a data split, with exact and with
detector-noise 2D input; JSON + Markdown report and a per-joint error plot."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gtrs.atomic import atomic_path  # noqa: E402
from gtrs.body.anny import AnnyBody  # noqa: E402
from gtrs.body.joints import H36M17, H36M_EVAL_JOINTS  # noqa: E402
from gtrs.body.mesh_quality import mesh_edges  # noqa: E402
from gtrs.synthetic.build import load_manifest, load_split_clips  # noqa: E402
from gtrs.synthetic.synth import SynthConfig, synthesize_batch  # noqa: E402
from gtrs.eval.baselines import baseline_predictor  # noqa: E402
from gtrs.metrics import (  # noqa: E402
    ANGLE_GROUPS, angle_errors, edge_lengths, mesh_metrics, mpvpe, per_joint_error, torn_meshes)
from gtrs.eval.provenance import header_line, header_markdown, report_header  # noqa: E402
from gtrs.eval.stages import staged_predictor  # noqa: E402
from gtrs.mocap.clips import hdm05_motion_class  # noqa: E402
from gtrs.models.checkpoint import load_model  # noqa: E402
from gtrs.synthetic.pairs import network_inputs  # noqa: E402
from gtrs.synthetic.pairs import targets  # noqa: E402


@dataclass
class Report:
    checkpoint: str  # the checkpoint, or 'baseline: NAME'
    split: str
    examples: int
    metrics: dict[str, float]  # '{exact,noisy}/{mpjpe,pa_mpjpe,mpvpe[,pam_mpjpe]}' -> mm
    per_joint: dict[str, list[float]]  # '{exact,noisy}' -> per H36M joint mean error, mm
    labels: dict[str, str] = field(default_factory=lambda: {"exact": "exact", "noisy": "noisy"})  # row names
    notes: str = ""
    header: dict = field(default_factory=dict)  # gtrs.eval.provenance.report_header
    per_clip: list[dict] = field(default_factory=list)  # worst first: clip, description, frames, metrics
    ms_per_person: dict[str, float] = field(default_factory=dict)  # '{exact,noisy}' -> prediction time
    # 'subject' / 'motion class' -> rows (name, frames, metrics) summed over per_clip, frame-weighted
    groups: dict[str, list[dict]] = field(default_factory=dict)

    def markdown(self) -> str:
        m = self.metrics
        torn, timed = "exact/torn_pct" in m, bool(self.ms_per_person)
        rows = ["| 2D input | MPJPE | PA-MPJPE | MPVPE |" + " torn meshes % |" * torn + " ms / person |" * timed,
                "|---|---|---|---|" + "---|" * (torn + timed)]
        for kind in ("exact", "noisy"):
            rows.append(f"| {self.labels[kind]} | {m[f'{kind}/mpjpe']:.1f} | {m[f'{kind}/pa_mpjpe']:.1f} | "
                        f"{m[f'{kind}/mpvpe']:.1f} |" + (f" {m[f'{kind}/torn_pct']:.1f} |" if torn else "")
                        + (f" {self.ms_per_person.get(kind, float('nan')):.1f} |" if timed else ""))
        text = (f"Checkpoint `{self.checkpoint}`, split `{self.split}`, {self.examples} examples (mm; "
                f"H36M-17 joints regressed from the mesh, 14 evaluation joints).\n\n" + "\n".join(rows) + "\n"
                + (f"\n{self.notes}\n" if self.notes else ""))
        if "exact/angle_all" in m:
            text += ("\n## Joint angles (mean absolute error, degrees; `gtrs.body.joint_angles`, left and right averaged)\n\n"
                     "| 2D input | " + " | ".join(g.replace("_", " ") for g in ANGLE_GROUPS) + " | all |\n"
                     + "|---" * (len(ANGLE_GROUPS) + 2) + "|\n"
                     + "\n".join(f"| {self.labels[kind]} | " + " | ".join(
                         f"{m[f'{kind}/angle_{g}']:.1f}" for g in (*ANGLE_GROUPS, "all")) + " |"
                         for kind in ("exact", "noisy")) + "\n")
        if self.header:
            text = "# Evaluation\n\n" + header_markdown(self.header) + "\n\n" + text
        names = [H36M17.names[j] for j in H36M_EVAL_JOINTS]
        text += ("\n## Per joint (mm, after pelvis alignment)\n\n| joint | exact | noisy |\n|---|---|---|\n"
                 + "\n".join(f"| {n} | {self.per_joint['exact'][j]:.1f} | {self.per_joint['noisy'][j]:.1f} |"
                             for n, j in zip(names, H36M_EVAL_JOINTS)) + "\n")
        for group, group_rows in self.groups.items():
            text += (f"\n## Per {group} (mm)\n\n| {group} | frames | exact MPJPE | exact PA-MPJPE | exact MPVPE | "
                     "noisy MPJPE | noisy PA-MPJPE | noisy MPVPE |\n" + "|---" * 8 + "|\n"
                     + "\n".join(f"| {r['name']} | {r['frames']} | " + " | ".join(
                         f"{r[f'{k}/{m}']:.1f}" for k in ("exact", "noisy") for m in ("mpjpe", "pa_mpjpe", "mpvpe")) + " |"
                         for r in group_rows) + "\n")
        if self.per_clip:
            text += ("\n## Per clip (worst exact PA-MPJPE first; mm)\n\n| clip | description | frames | exact MPJPE | "
                     "exact PA-MPJPE | exact MPVPE | noisy MPJPE | noisy PA-MPJPE | noisy MPVPE |\n" + "|---" * 9 + "|\n"
                     + "\n".join(f"| {c['clip']} | {c['description']} | {c['frames']} | " + " | ".join(
                         f"{c[f'{k}/{m}']:.1f}" for k in ("exact", "noisy") for m in ("mpjpe", "pa_mpjpe", "mpvpe")) + " |"
                         for c in self.per_clip) + "\n")
        return text


class _Totals:
    """Running sums of per-sample metrics (mm) for the exact and the noisy input."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.joints = {"exact": torch.zeros(17), "noisy": torch.zeros(17)}
        self.count = 0
        self.seconds: dict[str, float] = {}  # prediction time per input kind (apart: it never repeats exactly)

    def add(self, kind: str, values: dict[str, torch.Tensor], pred_h36m: torch.Tensor, gt_h36m: torch.Tensor) -> None:
        for k, v in values.items():
            self.sums[f"{kind}/{k}"] = self.sums.get(f"{kind}/{k}", 0.0) + float(v.sum())
        self.joints[kind] += per_joint_error(pred_h36m, gt_h36m).sum(0)

    def report(self, checkpoint, split: str, **kwargs) -> Report:
        return Report(checkpoint=str(checkpoint), split=split, examples=self.count,
                      metrics={k: v / self.count for k, v in self.sums.items()},
                      per_joint={k: (v / self.count).tolist() for k, v in self.joints.items()},
                      ms_per_person={k: 1000 * v / self.count for k, v in self.seconds.items()}, **kwargs)


def network_predictor(model) -> Callable[[torch.Tensor, dict], tuple[torch.Tensor, torch.Tensor]]:
    return lambda keypoints, batch: model(keypoints)


def _evaluate_batch(predict, body, batch: dict, totals: _Totals, g: torch.Generator, joint_set: str = "coco19",
                    smpl_centred: bool = False, torn=None) -> dict[str, dict[str, torch.Tensor]]:
    """Add one batch to ``totals``; returns the per-example metrics {kind: {metric: (B,)}}.
    ``predict(keypoints, batch)`` returns vertices, or (vertices, 3D pose of the input joints)."""
    gt_pose, gt_h36m = targets(batch, joint_set)
    gt_coco19 = body.regress_joints(batch["vertices"], "coco19")
    B = gt_pose.shape[0]
    out = {}
    for kind, noisy in (("exact", False), ("noisy", True)):
        keypoints = network_inputs(batch, joint_set, torch.full((B,), noisy), g)
        start = time.perf_counter()
        result = predict(keypoints, batch)
        seconds = time.perf_counter() - start
        vertices, pose = result if isinstance(result, tuple) else (result, None)
        pred_h36m = body.regress_joints(vertices, "h36m17")
        values = mesh_metrics(vertices, batch["vertices"], pred_h36m, gt_h36m)
        values.update(angle_errors(body.regress_joints(vertices, "coco19"), gt_coco19))
        totals.seconds[kind] = totals.seconds.get(kind, 0.0) + seconds
        if torn is not None:
            values["torn_pct"] = 100.0 * torn(vertices).float()
        if smpl_centred:  # the paper centres both SMPL meshes on SMPL's own pelvis for MPVPE
            values["mpvpe"] = mpvpe(vertices, batch["vertices"], body.smpl_pelvis(vertices), batch["vertices_smpl_root"])
        if pose is not None:
            values["pam_mpjpe"] = 1000 * (pose - gt_pose).norm(dim=-1).mean(-1)
        totals.add(kind, values, pred_h36m, gt_h36m)
        out[kind] = values
    totals.count += B
    return out


def _frame_batches(frames: int, batches: int, batch_size: int, all_frames: bool, g: torch.Generator):
    if all_frames:
        for start in range(0, frames, batch_size):
            yield torch.arange(start, min(start + batch_size, frames))
    else:
        for _ in range(batches):
            yield torch.randint(0, frames, (batch_size,), generator=g)


@torch.no_grad()
def evaluate(checkpoint: str | Path | None, data: str | Path, split: str = "test", batches: int = 20,
             batch_size: int = 64, seed: int = 0, show_progress: bool = True, all_frames: bool = False,
             baseline: str | None = None, stage: str = "network", subjects: list[str] | None = None,
             source: str | Path | None = None) -> Report:
    """Evaluate ``checkpoint`` (or the named ``baseline``, see ``gtrs.eval.baselines``) on ``split``
    (only the clips of ``subjects``, if given; ``source`` names the folder the data came from in the
    report, when it is not ``data`` itself).

    Frames: ``batches`` fixed-seed random batches drawn with replacement, or with ``all_frames`` every
    stored frame once, in order. Each frame gets a random body shape, view and noise from ``seed``.
    ``stage``: what follows the network (``gtrs.eval.stages``); every report also gives the
    torn-mesh rate and the time per person of the prediction."""
    body = AnnyBody()
    if baseline is not None:
        predict, label, checkpoint = baseline_predictor(baseline, body, data), f"baseline: {baseline}", None
    else:
        model, _ = load_model(checkpoint)
        predict, label = staged_predictor(network_predictor(model), body, stage), "network"
        if stage != "network":
            label = f"network + {stage}"
    edges = mesh_edges(body.faces)
    template_lengths = edge_lengths(body.template()[None], edges)[0]
    clips = load_split_clips(data, split, subjects)
    rotations = torch.cat([r for _, r in clips])
    clip_of = torch.cat([torch.full((len(r),), i) for i, (_, r) in enumerate(clips)])
    g = torch.Generator().manual_seed(seed)
    totals, per_clip = _Totals(), {}
    total = -(-len(rotations) // batch_size) if all_frames else batches
    for index in tqdm(_frame_batches(len(rotations), batches, batch_size, all_frames, g), total=total,
                      desc=f"evaluate[{split}]", unit="batch", disable=not show_progress):
        values = _evaluate_batch(predict, body, synthesize_batch(body, rotations[index], g, SynthConfig()), totals, g,
                                 torn=lambda v: torn_meshes(v, template_lengths, edges))
        for i, c in enumerate(clip_of[index].tolist()):
            sums = per_clip.setdefault(c, {"frames": 0})
            sums["frames"] += 1
            for kind, m in values.items():
                for k, v in m.items():
                    sums[f"{kind}/{k}"] = sums.get(f"{kind}/{k}", 0.0) + float(v[i])
    sampling = ("all frames in order" if all_frames else f"{batches * batch_size} random frames with replacement")
    header = report_header(data, split, len(rotations), sampling, seed, label, checkpoint, SynthConfig(), source=source)
    if subjects:
        header["subjects"] = list(subjects)
    descriptions = clip_descriptions(data)
    subject_of = {c["clip"]: c["subject"] for c in load_manifest(data)["clips"]}
    clip_rows = [{"clip": clips[c][0], "subject": subject_of.get(clips[c][0], ""),
                  "description": descriptions.get(clips[c][0], ""), "frames": s["frames"],
                  **{k: v / s["frames"] for k, v in s.items() if k != "frames"}} for c, s in per_clip.items()]
    clip_rows.sort(key=lambda r: -r["exact/pa_mpjpe"])
    groups = {"subject": group_rows(clip_rows, lambda r: r["subject"])}
    if any(hdm05_motion_class(r["clip"]) for r in clip_rows):
        groups["motion class"] = group_rows(clip_rows, lambda r: hdm05_motion_class(r["clip"]) or "other (not HDM05)")
    return totals.report(checkpoint or label, split, header=header, per_clip=clip_rows, groups=groups)


def group_rows(clip_rows: list[dict], key: Callable[[dict], str]) -> list[dict]:
    """Per-clip rows summed into one row per ``key`` (frame-weighted means), sorted by name."""
    sums: dict[str, dict] = {}
    for r in clip_rows:
        g = sums.setdefault(key(r), {"frames": 0})
        g["frames"] += r["frames"]
        for k, v in r.items():
            if "/" in k:
                g[k] = g.get(k, 0.0) + v * r["frames"]
    return [{"name": name, "frames": g["frames"], **{k: v / g["frames"] for k, v in g.items() if k != "frames"}}
            for name, g in sorted(sums.items())]


def clip_descriptions(data: str | Path) -> dict[str, str]:
    """Clip -> description: from a CMU-INDEX.md in (or beside, or one level inside) the mocap folder
    the data was built from, and HDM05 clips by their motion class (``hdm05_motion_class``)."""
    try:
        manifest = load_manifest(data)
    except FileNotFoundError:
        return {}
    found = {c["clip"]: f"HDM05 {hdm05_motion_class(c['clip'])}" for c in manifest["clips"]
             if hdm05_motion_class(c["clip"])}
    mocap_dir = manifest.get("mocap_dir") or manifest.get("bvh_dir")
    if not mocap_dir:
        return found
    for index in (Path(mocap_dir) / "CMU-INDEX.md", Path(mocap_dir).parent / "CMU-INDEX.md",
                  Path(mocap_dir) / "cmu" / "CMU-INDEX.md"):
        if index.is_file():
            found.update(re.findall(r"^(\d+_\d+)\s+(.+?)\s*$", index.read_text(errors="replace"), flags=re.M))
            break
    return found


# The paper's published rows (gtrs-reference.md §3.1), to print next to a reproduction.
PAPER_NUMBERS = {
    "human36m": "GTRS paper, detected 2D: MPJPE 64.3, PA-MPJPE 45.4; ground-truth 2D: 50.6 / 34.4.",
    "pw3d": "GTRS paper, detected 2D: MPJPE 88.5, PA-MPJPE 58.9, MPVPE 106.2; ground-truth 2D: 53.8 / 34.5 / 61.6.",
}


@torch.no_grad()
def evaluate_dataset(checkpoint: str | Path, root: str | Path, dataset: str, smpl_dir: str | Path,
                     batch_size: int = 64, limit: int | None = None, show_progress: bool = True) -> Report:
    """The paper's protocol (gtrs-reference.md §6) on the test split of ``dataset`` ('human36m' or
    'pw3d') from the release files under ``root``, with SMPL from ``smpl_dir``: ground-truth 2D
    input and the release's detected 2D input."""
    from gtrs.datasets.batches import SmplBodies
    from gtrs.datasets.mixture import DatasetMixture

    if dataset not in PAPER_NUMBERS:
        raise ValueError(f"the paper evaluates on {sorted(PAPER_NUMBERS)}, not {dataset!r}")
    model, _ = load_model(checkpoint)
    bodies = SmplBodies(smpl_dir)
    if model.cfg.num_vertices != bodies.neutral.num_vertices:
        raise ValueError(f"{checkpoint} predicts {model.cfg.num_vertices} vertices; SMPL has "
                         f"{bodies.neutral.num_vertices}: evaluate a model trained on SMPL (gtrs train gtrs_h36m / gtrs_3dpw)")
    data = DatasetMixture(root, (dataset,), "test", bodies, detected=True)
    totals, g = _Totals(), torch.Generator().manual_seed(0)
    total = len(data) if limit is None else min(limit, len(data))
    for batch in tqdm(data.in_order(batch_size, limit), total=-(-total // batch_size), desc=f"evaluate[{dataset}]",
                      unit="batch", disable=not show_progress):
        _evaluate_batch(network_predictor(model), bodies.neutral, batch, totals, g, model.cfg.joint_set, smpl_centred=True)
    # The release's detections are H36M-17 for Human3.6M and COCO-17 for 3DPW; a model of the other
    # joint set gets synthetic detector noise instead, and the row says so.
    detected = (dataset, model.cfg.joint_set) in (("human36m", "h36m17"), ("pw3d", "coco19"))
    noisy = "detected 2D" if detected else "synthetic-noise 2D (the release's detections are another joint set)"
    return totals.report(checkpoint, f"{dataset} test", labels={"exact": "ground-truth 2D", "noisy": noisy},
                         notes=PAPER_NUMBERS[dataset])


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
    if report.header:
        fig.suptitle(header_line(report.header), fontsize=7)
    ax.legend()
    fig.tight_layout()
    with atomic_path(paths[2]) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return paths
