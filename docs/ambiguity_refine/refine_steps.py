"""Is the single-start refinement converged? Its Adam steps and rate on the validation groups of
examples.py, the posture probe's sit_or_squat frames and ordinary validation frames, exact and
detector-noise 2D. PA-MPJPE mm. `.venv/bin/python docs/ambiguity_refine/refine_steps.py` from the repository root."""
import sys, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.eval.probes import _concat_rows, posture_label

sets = {n: _concat_rows(kept[n]) for n in AMBIGUITY_GROUPS}
probe = load_split_rotations("data/mocap", PROBE)
sit = probe[torch.tensor([l == "sit_or_squat" for l in posture_label(skeleton, probe)])]
val = load_split_rotations("data/mocap", "val")
g = torch.Generator().manual_seed(3)
sets["sit_or_squat (probe)"] = synthesize_batch(body, sit[torch.randperm(len(sit), generator=g)[:128]], g, SynthConfig())
sets["ordinary (val)"] = synthesize_batch(body, val[torch.randperm(len(val), generator=g)[:128]], g, SynthConfig())
variants = {"40 x 0.01 (shipped)": (40, 0.01), "80 x 0.01": (80, 0.01), "40 x 0.02": (40, 0.02), "120 x 0.01": (120, 0.01)}
out = {}
for name, ex in sets.items():
    B = len(ex["focal"])
    for noisy in (False, True):
        kp = network_inputs(ex, "coco19", torch.full((B,), noisy), torch.Generator().manual_seed(2))
        with torch.no_grad():
            net = model(kp)[0]
        fit = fitter(net)
        row = {"network": float(pa(net, ex).mean())}
        for v, (steps, lr) in variants.items():
            ref = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"], RefineConfig(lr=lr), iterations=steps)
            row[v] = float(pa(rel(ref.vertices), ex).mean())
        key = f"{name} {'noisy' if noisy else 'exact'}"
        out[key] = row
        print(key, B, " ".join(f"{k} {v:.1f}" for k, v in row.items()), flush=True)
json.dump(out, open("docs/ambiguity_refine/refine_steps.json", "w"), indent=1)
