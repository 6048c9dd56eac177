"""Validation examples of the ambiguity groups (the probe split + the validation split, never the test split),
seen as the ambiguity probe sees them; imported by sweep.py and starts.py. `QUOTA` examples per group (64)."""
import sys, time, json
import torch
from gtrs.body.anny import AnnyBody
from gtrs.body.skeleton import Skeleton
from gtrs.eval.probes import towards_camera_label, _facing_camera, _select_rows, _concat_rows, AMBIGUITY_CAMERA, AMBIGUITY_GROUPS
from gtrs.synthetic.build import PROBE, load_split_rotations
from gtrs.synthetic.synth import SynthConfig, synthesize_batch
from gtrs.synthetic.pairs import network_inputs, targets
from gtrs.models.checkpoint import load_model
from gtrs.fit.mesh import MeshFitter, BodyFit
from gtrs.fit.keypoints import refine_to_keypoints, RefineConfig
from gtrs.metrics import mesh_metrics

torch.manual_seed(0)
QUOTA = 64
body = AnnyBody()
model, _ = load_model("src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors")
rot = torch.cat([load_split_rotations("data/mocap", PROBE), load_split_rotations("data/mocap", "val")])
g = torch.Generator().manual_seed(1)
kept = {n: [] for n in AMBIGUITY_GROUPS}; counts = dict.fromkeys(AMBIGUITY_GROUPS, 0)
for _ in range(200):
    if min(counts.values()) >= QUOTA: break
    poses = rot[torch.randint(0, len(rot), (64,), generator=g)].clone()
    batch = synthesize_batch(body, poses, g, SynthConfig(camera=AMBIGUITY_CAMERA))
    jc = batch["joints3d"] + batch["root_cam"][:, None]
    labels = towards_camera_label(jc); facing = _facing_camera(jc)
    for n in AMBIGUITY_GROUPS:
        rows = torch.nonzero(torch.tensor([l == n for l in labels]) & facing).flatten()[:QUOTA - counts[n]]
        if len(rows): kept[n].append(_select_rows(batch, rows)); counts[n] += len(rows)
fitter = MeshFitter(body)
skeleton = Skeleton.from_body(body)


def pa(verts, batch):
    _, gt = targets(batch, "coco19")
    return mesh_metrics(verts, batch["vertices"], body.regress_joints(verts, "h36m17"), gt)["pa_mpjpe"]


def rel(v):
    return v - body.regress_joints(v, "h36m17")[:, :1]


def group_and_posture_sets(n: int = 128, seed: int = 3) -> dict:
    """The ambiguity groups' examples, plus ``n`` posture-probe sit_or_squat frames and ``n`` ordinary
    validation frames seen by the usual cameras (observed_limits.py, refine_steps.py)."""
    from gtrs.eval.probes import posture_label
    sets = {name: _concat_rows(kept[name]) for name in AMBIGUITY_GROUPS}
    probe = load_split_rotations("data/mocap", PROBE)
    sit = probe[torch.tensor([label == "sit_or_squat" for label in posture_label(skeleton, probe)])]
    val = load_split_rotations("data/mocap", "val")
    g = torch.Generator().manual_seed(seed)
    sets["sit_or_squat (probe)"] = synthesize_batch(body, sit[torch.randperm(len(sit), generator=g)[:n]], g, SynthConfig())
    sets["ordinary (val)"] = synthesize_batch(body, val[torch.randperm(len(val), generator=g)[:n]], g, SynthConfig())
    return sets


def compare_refinements(variants: dict, out_path: str) -> None:
    """For every set of ``group_and_posture_sets`` and both 2D inputs, the network's PA-MPJPE and each
    variant's: ``variants`` maps a name to refine(fit, network_vertices, keypoints, examples) -> RefinedBody.
    Printed, and written to ``out_path`` (JSON)."""
    out = {}
    for name, ex in group_and_posture_sets().items():
        B = len(ex["focal"])
        for noisy in (False, True):
            kp = network_inputs(ex, "coco19", torch.full((B,), noisy), torch.Generator().manual_seed(2))
            with torch.no_grad():
                net = model(kp)[0]
            fit = fitter(net)
            row = {"network": float(pa(net, ex).mean())}
            for v, refine in variants.items():
                row[v] = float(pa(rel(refine(fit, net, kp, ex).vertices), ex).mean())
            key = f"{name} {'noisy' if noisy else 'exact'}"
            out[key] = row
            print(key, B, " ".join(f"{k} {v:.1f}" for k, v in row.items()), flush=True)
    json.dump(out, open(out_path, "w"), indent=1)
