"""Do the joint limits pull true poses away? The single-start refinement with the shipped anatomical
limit boxes, with boxes widened to where the training poses go (union with their 0.5-99.5 percentiles),
and with no limits; on the validation ambiguity groups (examples.py), the posture probe's sit_or_squat
frames and ordinary validation frames, exact and detector-noise 2D. PA-MPJPE mm.
`.venv/bin/python docs/ambiguity_refine/observed_limits.py` from the repository root."""
import sys, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.fit.keypoints import _joint_limits
from gtrs.eval.probes import _concat_rows
from gtrs.eval.probes import posture_label
from gtrs.synthetic.postures import PostureGenerator

L = _joint_limits(body)
shipped = (L.low.clone(), L.high.clone())
g = torch.Generator().manual_seed(0)
cap = load_split_rotations("data/mocap", "train")
gen = torch.cat([PostureGenerator(skeleton, cap).sample(4096, g)[0] for _ in range(4)])
data = torch.cat([cap[torch.randint(0, len(cap), (16384,), generator=g)].float(), gen.float()])
swing = L.to_angles(data.double())[..., :2].float()
variants = {}
for q in (0.005, 0.02):
    lo, hi = shipped[0].clone(), shipped[1].clone()
    lo[:, :2] = torch.minimum(lo[:, :2], torch.quantile(swing, q, dim=0))
    hi[:, :2] = torch.maximum(hi[:, :2], torch.quantile(swing, 1 - q, dim=0))
    variants[f"observed{q}"] = (lo, hi)
variants = {"shipped": shipped, **variants, "none": (torch.full_like(shipped[0], -9.0), torch.full_like(shipped[1], 9.0))}

sets = {n: _concat_rows(kept[n]) for n in AMBIGUITY_GROUPS}
probe = load_split_rotations("data/mocap", PROBE)
sit = probe[torch.tensor([l == "sit_or_squat" for l in posture_label(skeleton, probe)])]
val = load_split_rotations("data/mocap", "val")
g = torch.Generator().manual_seed(3)
sets["sit_or_squat (probe)"] = synthesize_batch(body, sit[torch.randperm(len(sit), generator=g)[:128]], g, SynthConfig())
sets["ordinary (val)"] = synthesize_batch(body, val[torch.randperm(len(val), generator=g)[:128]], g, SynthConfig())
out = {}
for name, ex in sets.items():
    B = len(ex["focal"])
    for noisy in (False, True):
        kp = network_inputs(ex, "coco19", torch.full((B,), noisy), torch.Generator().manual_seed(2))
        with torch.no_grad():
            net = model(kp)[0]
        fit = fitter(net)
        row = {"network": float(pa(net, ex).mean())}
        for v, (lo, hi) in variants.items():
            L.low.copy_(lo); L.high.copy_(hi)
            ref = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"])
            row[v] = float(pa(rel(ref.vertices), ex).mean())
        L.low.copy_(shipped[0]); L.high.copy_(shipped[1])
        key = f"{name} {'noisy' if noisy else 'exact'}"
        out[key] = row
        print(key, B, " ".join(f"{k} {v:.1f}" for k, v in row.items()), flush=True)
json.dump(out, open("docs/ambiguity_refine/observed_limits.json", "w"), indent=1)
