"""The start critic on the validation examples of the ambiguity groups (examples.py; never the test split):
`.venv/bin/python docs/ambiguity_refine/critic_groups.py CRITIC.safetensors OUT.json` from the repository root.
Per group and input (exact, detector noise), PA-MPJPE mm: network, single-start refinement, the lifted starts
kept by the objective (reprojection + limits, the choice before the critic), kept by the critic, best candidate."""
import sys, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.eval.probes import _concat_rows, _select_rows
from critic import lifted_candidates
from critic import StartCritic, best_by_critic
from gtrs.fit.multi_start import best_per_person

critic = StartCritic.load(sys.argv[1])
results = {}
for name in AMBIGUITY_GROUPS:
    ex = _concat_rows(kept[name]); B = len(ex["focal"])
    for noisy in (False, True):
        kp = network_inputs(ex, "coco19", torch.full((B,), noisy), torch.Generator().manual_seed(2))
        with torch.no_grad():
            net = model(kp)[0]
        person, bodies, features = lifted_candidates(body, fitter(net), net, kp, ex["focal"], ex["principal"])
        err = pa(rel(bodies.vertices), _select_rows(ex, person))
        single = features[:, -1] > 0.5
        objective = torch.where(single, torch.inf, bodies.terms.reprojection + bodies.terms.limits)
        row = {"network": float(pa(net, ex).mean()), "refine": float(err[single].mean()),
               "lifts_objective": float(err[best_per_person(person, objective, B)].mean()),
               "lifts_critic": float(err[best_by_critic(critic, person, features, B)].mean()),
               "best": float(torch.full((B,), torch.inf).scatter_reduce(0, person, err, "amin").mean())}
        key = f"{name} {'noisy' if noisy else 'exact'}"
        results[key] = row
        print(key, json.dumps({k: round(v, 1) for k, v in row.items()}), flush=True)
json.dump(results, open(sys.argv[2], "w"), indent=1)
