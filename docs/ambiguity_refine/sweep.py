"""Single-start refinement weights on the validation examples (examples.py), exact and detector-noise 2D:
`.venv/bin/python docs/ambiguity_refine/sweep.py` from the repository root -> sweep.json."""
import json, sys, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.eval.probes import _concat_rows, _select_rows
configs = {
 "shipped": RefineConfig(),
 "m10": RefineConfig(robust_m=0.10),
 "m20": RefineConfig(robust_m=0.20),
 "d30": RefineConfig(network_3d=30.0),
 "d10": RefineConfig(network_3d=10.0),
 "d0": RefineConfig(network_3d=0.0),
 "xy30d10": RefineConfig(network_3d=10.0, network_xy=30.0),
 "m10d10": RefineConfig(robust_m=0.10, network_3d=10.0),
 "m10d10xy30": RefineConfig(robust_m=0.10, network_3d=10.0, network_xy=30.0),
 "m20d10xy30": RefineConfig(robust_m=0.20, network_3d=10.0, network_xy=30.0),
 "m10d10_it80": RefineConfig(robust_m=0.10, network_3d=10.0, iterations=80),
}
out = {}
for name in AMBIGUITY_GROUPS:
    ex = _concat_rows(kept[name]); B = len(ex["focal"])
    for kind in ("exact", "noisy"):
        kp = network_inputs(ex, "coco19", torch.full((B,), kind == "noisy"), torch.Generator().manual_seed(2))
        with torch.no_grad(): net = model(kp)[0]
        fit = fitter(net)
        row = {"network": float(pa(net, ex).mean()), "fit": float(pa(fit.vertices - body.regress_joints(fit.vertices, "h36m17")[:, :1], ex).mean())}
        for cname, cfg in configs.items():
            ref = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"], cfg)
            row[cname] = float(pa(rel(ref.vertices), ex).mean())
        out[f"{name}/{kind}"] = row
        print(name, kind, json.dumps({k: round(v, 1) for k, v in row.items()}), flush=True)
json.dump(out, open("docs/ambiguity_refine/sweep.json", "w"), indent=1)
