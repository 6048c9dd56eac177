"""Write MODEL_CARD.md from measured files (dev tool; no number in the card is typed by hand).

    python tools/write_model_card.py --weights src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors \
        --evaluation evaluation/evaluation.json --curve docs/training_curve.png --bench docs/bench.txt
"""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from gtrs.models.pretrained import training_lineage
from gtrs.models.checkpoint import read_checkpoint


def lineage(weights: str) -> list[dict]:
    """The chain of training runs behind ``weights``, oldest first (recorded in the file at release)."""
    _, state = read_checkpoint(weights)
    return state.get("lineage") or training_lineage(weights)


def run_line(state: dict) -> str:
    tc = state["train_config"]
    extras = [f"edge x {tc.get('edge_weight', 20.0):g} from epoch {tc.get('edge_from_epoch', 2)}"] if tc["stage"] == "full" else []
    if tc.get("part_mixing"):
        extras.append(f"part mixing {tc['part_mixing']:g}")
    if tc.get("noisy_input", 1.0) < 1.0:
        extras.append(f"noisy input {tc['noisy_input']:g}")
    if tc.get("best_metric"):
        extras.append(f"best on {tc['best_metric']}")
    if tc.get("generated_poses"):
        extras.append(f"generated postures {tc['generated_poses']:g}, perturbation {tc.get('perturb_degrees', 0):g} deg, "
                      f"camera {tc.get('camera', 'default')}, framing cut {tc.get('framing_cut', 0):g}, hidden limb "
                      f"{tc.get('limb_hidden', 0):g}, hidden side {tc.get('side_hidden', 0):g}, precision "
                      f"{tc.get('precision', 'float32')}")
    extras.append(f"lr {tc['lr']:g}")
    if tc.get("device", "cpu") != "cpu":
        extras.append(f"on {tc['device']}")
    return (f"`{tc['out']}` (stage {tc['stage']}; {', '.join(extras)}): best at step {state['step']:,} "
            f"x batch {tc['batch_size']} = {state['step'] * tc['batch_size']:,} examples")


def probe_section(after_path: str, before_path: str | None) -> str:
    """Posture-probe PA-MPJPE per posture (before and after) and the visibility probes, as Markdown."""
    after = json.loads(Path(after_path).read_text())
    before = json.loads(Path(before_path).read_text()) if before_path else None
    rows = ["", "## Probes (never trained on; `gtrs evaluate --probes`, `docs/probes/probes.md`)", "",
            "Posture probe (every frame of CMU 13_01, 13_30, 13_31, 01_08, labelled by posture; rows hdm05_*: every "
            "frame of the HDM05 test actor's clips by motion class), PA-MPJPE mm, exact / noisy 2D:", "", "| posture | frames | previous release | this model |", "|---|---|---|---|"]
    for name, m in after["postures"].items():
        b = before["postures"].get(name) if before else None
        prev = f"{b['exact/pa_mpjpe']:.1f} / {b['noisy/pa_mpjpe']:.1f}" if b else "-"
        rows.append(f"| {name} | {m['examples']} | {prev} | {m['exact/pa_mpjpe']:.1f} / {m['noisy/pa_mpjpe']:.1f} |")
    rows += ["", "Visibility probes (test split), PA-MPJPE exact / noisy and torn meshes %:", "",
             "| view | visible joints | previous release | this model | torn % (this model) |", "|---|---|---|---|---|"]
    for name, m in after["visibility"].items():
        b = before["visibility"].get(name) if before else None
        prev = f"{b['exact/pa_mpjpe']:.1f} / {b['noisy/pa_mpjpe']:.1f}" if b else "-"
        rows.append(f"| {name} | {m['exact/visible_joints']:.1f} | {prev} | {m['exact/pa_mpjpe']:.1f} / "
                    f"{m['noisy/pa_mpjpe']:.1f} | {m['exact/torn_pct']:.0f} / {m['noisy/torn_pct']:.0f} |")
    return "\n".join(rows) + "\n"


def _manifest(path: str | None) -> dict | None:
    return json.loads(Path(path).read_text()) if path else None


def _hdm05_trained(manifest: dict | None) -> bool:
    return bool(manifest) and any(c.get("skeleton") == "cmu_acclaim" and c.get("split") == "train"
                                  for c in manifest["clips"])


def motion_text(path: str | None) -> str:
    """The training motion, from the data manifest."""
    manifest = _manifest(path)
    if manifest is None:
        return "- Motion: see the lineage below.\n"
    frames, subjects = manifest["split_frames"], manifest["splits"]
    clips = sum(c["status"] == "ok" for c in manifest["clips"])
    hdm = ("and HDM05 (Acclaim ASF/AMC, actors bd, bk, dg, mm: squats, picking things up from the floor, lying "
           "down and getting up, kicks, hops, reaching high; 120 fps resampled to 30) " if _hdm05_trained(manifest) else "")
    return (f"- Motion: CMU motion capture (subjects 01-13 as shipped in `../shared/mocap`, BVH) {hdm}"
            f"retargeted onto anny (`gtrs data build --mocap`; {clips} clips at 30 fps), split by person: "
            f"train {', '.join(subjects['train'])} ({frames['train']:,} frames); validation "
            f"{', '.join(subjects['val'])} ({frames['val']:,}); test {', '.join(subjects['test'])} "
            f"({frames['test']:,}). The posture-probe clips (CMU 13_01, 13_30, 13_31, 01_08: sitting, squats, "
            "bending) are out of every split. Half of the training poses come from 19 generated posture "
            "families inside anatomical joint limits (`docs/postures/`), captured poses are perturbed inside "
            "the limits, and views span elevations -30..75 degrees with framing cuts and hidden limbs or sides "
            "(README, \"Training data\").\n")


def bodies_text(tc: dict) -> str:
    if tc.get("bodies") == "every":
        return ("anny's whole range in the last run: both genders and in between, children to the old, light to "
                "heavy, short to tall")
    return "average-centred adults"


def licence_text(path: str | None) -> str:
    text = ("Training data: CMU Graphics Lab Motion Capture Database (mocap.cs.cmu.edu; created with funding "
            "from NSF EIA-0196217). Body model: anny (Apache-2.0, CC0 assets).")
    if _hdm05_trained(_manifest(path)):
        return ("Weights: trained on HDM05, which is published under Creative Commons Attribution-ShareAlike 3.0: "
                "the weights are shared under CC BY-SA 3.0 (credit HDM05; whatever is made from them and "
                "redistributed is shared under the same licence); the code stays Apache-2.0. HDM05: M. Mueller, "
                "T. Roeder, M. Clausen, B. Eberhardt, B. Krueger, A. Weber, \"Documentation Mocap Database HDM05\", "
                "Technical Report CG-2007-2, Universitaet Bonn, June 2007. " + text)
    return "Weights: Apache-2.0 like the code. " + text


def before_after(before_path: str | None, after_path: str) -> str:
    if not before_path:
        return ""
    b = json.loads(Path(before_path).read_text())["metrics"]
    a = json.loads(Path(after_path).read_text())["metrics"]
    cell = lambda m, k: f"{m[f'{k}/mpjpe']:.1f} / {m[f'{k}/pa_mpjpe']:.1f} / {m[f'{k}/mpvpe']:.1f}"  # noqa: E731
    return ("\nPrevious release on the same examples (MPJPE / PA-MPJPE / MPVPE): exact "
            f"{cell(b, 'exact')} -> {cell(a, 'exact')}; noisy {cell(b, 'noisy')} -> {cell(a, 'noisy')}.\n")


def hdm05_section(after_path: str | None, before_path: str | None) -> str:
    """The HDM05 test actor, overall and per motion class, before and after."""
    if not after_path:
        return ""
    after = json.loads(Path(after_path).read_text())
    before = json.loads(Path(before_path).read_text()) if before_path else None
    a = after["metrics"]
    rows = ["", f"## HDM05 test actor mm ({after['examples']} synthetic examples, mm)", "",
            f"Exact 2D: MPJPE {a['exact/mpjpe']:.1f}, PA-MPJPE {a['exact/pa_mpjpe']:.1f}, MPVPE {a['exact/mpvpe']:.1f}; "
            f"detector noise: {a['noisy/mpjpe']:.1f} / {a['noisy/pa_mpjpe']:.1f} / {a['noisy/mpvpe']:.1f}. "
            "Target: exact PA-MPJPE <= 55, every class better than the previous release.", "",
            "| motion class | frames | previous release exact / noisy PA-MPJPE | this model |", "|---|---|---|---|"]
    prev = {r["name"]: r for r in before["groups"]["motion class"]} if before else {}
    for r in after["groups"]["motion class"]:
        b = prev.get(r["name"])
        old = f"{b['exact/pa_mpjpe']:.1f} / {b['noisy/pa_mpjpe']:.1f}" if b else "-"
        rows.append(f"| {r['name']} | {r['frames']} | {old} | {r['exact/pa_mpjpe']:.1f} / {r['noisy/pa_mpjpe']:.1f} |")
    return "\n".join(rows) + "\n"


def shape_section(after_path: str | None, before_path: str | None) -> str:
    """Shape-probe rest-pose MPVPE and height error per body kind, before and after."""
    if not after_path:
        return ""
    after = json.loads(Path(after_path).read_text())["kinds"]
    before = json.loads(Path(before_path).read_text())["kinds"] if before_path else {}
    rows = ["", "## Shape probe (`gtrs evaluate --shape`, exact 2D; rest-pose MPVPE mm / height error cm)", "",
            "| bodies | true height cm | previous release | this model |", "|---|---|---|---|"]
    for kind, m in after.items():
        b = before.get(kind)
        old = f"{b['exact/rest_mpvpe_mm']:.1f} / {b['exact/height_abs_err_cm']:.1f}" if b else "-"
        rows.append(f"| {kind} | {m['true_height_cm']:.0f} | {old} | {m['exact/rest_mpvpe_mm']:.1f} / "
                    f"{m['exact/height_abs_err_cm']:.1f} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--weights", required=True)
    p.add_argument("--evaluation", required=True)
    p.add_argument("--curve", required=True)
    p.add_argument("--bench", required=True)
    p.add_argument("--cpu-hours", type=float, required=True, help="wall-clock hours of both stages on 2 cores")
    p.add_argument("--gpu", default="", help="GPU time behind the release, in words (e.g. '23.5 minutes on one H100')")
    p.add_argument("--val-evaluation", required=True, help="evaluation.json of the val split")
    p.add_argument("--probes", help="probes.json of gtrs evaluate --probes (this model)")
    p.add_argument("--probes-before", help="probes.json of the previous release, for the before/after table")
    p.add_argument("--earlier", default="", help="a sentence on runs older than the recorded lineage")
    p.add_argument("--manifest", help="manifest.json of the data the last run trained on (its splits and sources)")
    p.add_argument("--evaluation-hdm05", help="evaluation.json of the HDM05 test actor (gtrs evaluate --subject mm)")
    p.add_argument("--evaluation-hdm05-before", help="the same for the previous release")
    p.add_argument("--evaluation-before", help="evaluation.json of the previous release on the CMU test subject")
    p.add_argument("--shape", help="shape_probe.json (gtrs evaluate --shape) of this model")
    p.add_argument("--shape-before", help="shape_probe.json of the previous release")
    p.add_argument("--out", default="MODEL_CARD.md")
    args = p.parse_args()
    _, state = read_checkpoint(args.weights)
    ev = json.loads(Path(args.evaluation).read_text())
    tc, mc = state["train_config"], state["model_config"]
    m = ev["metrics"]
    vm = json.loads(Path(args.val_evaluation).read_text())["metrics"]
    val = (f"MPJPE {vm['exact/mpjpe']:.1f}, PA-MPJPE {vm['exact/pa_mpjpe']:.1f}, MPVPE {vm['exact/mpvpe']:.1f} mm "
           f"(noisy: {vm['noisy/mpjpe']:.1f} / {vm['noisy/pa_mpjpe']:.1f} / {vm['noisy/mpvpe']:.1f})")
    edges = [f"{1000 * r['loss']['edge']:.1f}" for r in state["history"] if "edge" in r["loss"]] or ["-"]
    runs = "\n".join(f"  {i}. {run_line(st)}" for i, st in enumerate(lineage(args.weights), 1))
    mixed_input = "" if tc["noisy_input"] >= 1.0 else (
        f"- Unlike the paper (detector noise on every training input), the last run fed exact keypoints to "
        f"{100 * (1 - tc['noisy_input']):.0f}% of its examples, which trades noisy-input accuracy for exact-input "
        f"accuracy; compare the exact and noisy rows above with the previous release's before relying on either.\n")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    size = Path(args.weights).stat().st_size / 2**20
    probes = probe_section(args.probes, args.probes_before) if args.probes else ""
    card = f"""# Model card: `{Path(args.weights).name}`

The GTRS network that ships in the package (`gtrs.models.pretrained.load_pretrained()`,
`Reconstructor.pretrained()`). {size:.1f} MiB, fp16 weights (mesh template fp32). Written by
`tools/write_model_card.py` from the files named below (commit {commit}).

## What it does
COCO-19 2D keypoints in pixels (x, y, confidence) -> the anny body mesh (13,718 vertices) in the
camera's orientation, pelvis-relative, metres, plus the 3D pose of the 19 input joints.

## Network
Config `{tc['model']}` ({mc['skeleton_blocks']} + {mc['learned_blocks']} parallel Blocks per G_Block,
{mc['mrm_depth']} cross blocks, {mc['template_tokens']} template tokens, embedding {mc['embed_dim']},
{mc['num_heads']} heads). The paper's network is the `paper` config (same code).

## Training
{motion_text(args.manifest)}- Every example is generated on the fly: random body shape ({bodies_text(tc)}), heading, perspective camera and
  mirror flip; input keypoints with the PoseFix-style detector noise model for the fraction
  `noisy_input` of the examples (the paper: all), exact projections for the rest.
- Losses: the paper's (vertex, normal, edge length, mesh-joint and PAM-joint terms) with Adam.
- This release, about {args.cpu_hours:.1f} hours on the 2-core CPU{(' and ' + args.gpu) if args.gpu else ''} in all, came from these runs, each
  started from the weights of the one before:{(' ' + args.earlier) if args.earlier else ''}
{runs}

![training curve]({args.curve})

## Test metrics (held-out CMU subject 02, {ev['examples']} synthetic examples, mm)
H36M-17 joints regressed from the predicted mesh, 14 evaluation joints, pelvis-aligned (as the paper).

| 2D input | MPJPE | PA-MPJPE | MPVPE |
|---|---|---|---|
| exact | {m['exact/mpjpe']:.1f} | {m['exact/pa_mpjpe']:.1f} | {m['exact/mpvpe']:.1f} |
| detector noise | {m['noisy/mpjpe']:.1f} | {m['noisy/pa_mpjpe']:.1f} | {m['noisy/mpvpe']:.1f} |

Targets (issue tracker): exact PA-MPJPE <= 45, MPVPE <= 95; noisy PA-MPJPE <= 60, MPVPE <= 130.
Reproduce: `gtrs evaluate --checkpoint {args.weights} --data DATA --split test --subject 02`.
Validation split: exact {val}.
{before_after(args.evaluation_before, args.evaluation)}{hdm05_section(args.evaluation_hdm05, args.evaluation_hdm05_before)}{shape_section(args.shape, args.shape_before)}{probes}
## Speed (this machine, 2 cores)
```
{Path(args.bench).read_text().strip()}
```

## Known limits
- Short training: far from converged and far from the paper's accuracy; treat it as a working
  baseline, not a finished model. Training continues with `gtrs train {Path(tc['out']).name} --resume`.
- The surface is noisy at the millimetre scale (spiky hands and feet): almost every predicted mesh has
  more than 1% of its edges stretched or shrunk over 3x against the template, anny's smallest edges
  (eyes, fingers, toes) being under 1 mm, so by that definition nearly all meshes count as torn (probes).
  Training edge-length error in the last run went from {edges[0]} to {edges[-1]} mm.
{mixed_input}- Trained on captured motion of a few people plus generated postures; only synthetic keypoints, never
  a real detector's output.
- Body shape is poorly observable from 2D joints (the shape probe above); `--gender`, `--age`,
  `--height`, `--weight` hold what the user knows.
- The test numbers are on synthetic views of held-out motion, not on Human3.6M or 3DPW, so they are
  not comparable to the paper's table.

## Licences
{licence_text(args.manifest)}
"""
    Path(args.out).write_text(card)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
