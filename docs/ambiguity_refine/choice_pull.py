"""Does the network's pull bias the choice among starts? Each start refined with the shipped weak pull
(across 30, depth 10) and with weaker or no depth pull; the start kept by reprojection + limit excess
under each, and that start's body under the shipped pull ("chosen unpulled, finished pulled").
Validation ambiguity groups (examples.py), exact 2D, PA-MPJPE mm.
`.venv/bin/python docs/ambiguity_refine/choice_pull.py GROUPS` from the repository root."""
import sys, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from starts import starts_from
from gtrs.eval.probes import _concat_rows, _select_rows
from gtrs.fit.multi_start import best_per_person

configs = {"xy30d10": RefineConfig(network_3d=10.0, network_xy=30.0), "xy30d0": RefineConfig(network_3d=0.0, network_xy=30.0),
           "xy10d0": RefineConfig(network_3d=0.0, network_xy=10.0), "xy0d0": RefineConfig(network_3d=0.0, network_xy=0.0)}
out = {}
for name in sys.argv[1].split(","):
    ex = _concat_rows(kept[name]); B = len(ex["focal"])
    kp = network_inputs(ex, "coco19", torch.zeros(B, dtype=torch.bool), torch.Generator().manual_seed(2))
    with torch.no_grad(): net = model(kp)[0]
    fit = fitter(net)
    first = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"], iterations=10)
    person, start = starts_from(first, kp, ex["focal"], ex["principal"], 20.0, 3)
    sub = _select_rows(ex, person)
    errs, keptidx = {}, {}
    for label, c in configs.items():
        res = refine_to_keypoints(body, start, net[person], kp[person], ex["focal"][person], ex["principal"][person], c, iterations=30)
        errs[label] = pa(rel(res.vertices), sub)
        keptidx[label] = best_per_person(person, res.terms.reprojection + res.terms.limits, B)
    row = {}
    for label in configs:
        row[f"{label} oracle"] = float(torch.stack([errs[label][person == i].min() for i in range(B)]).mean())
        row[f"{label} kept"] = float(errs[label][keptidx[label]].mean())
        row[f"chosen {label}, finished xy30d10"] = float(errs["xy30d10"][keptidx[label]].mean())
    out[name] = row
    print(name, json.dumps({k: round(v, 1) for k, v in row.items()}), flush=True)
json.dump(out, open("docs/ambiguity_refine/choice_pull.json", "w"), indent=1)
