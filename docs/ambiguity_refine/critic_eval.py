"""Train the start critic on critic_data.py's train candidates and compare on its val candidates:
`.venv/bin/python docs/ambiguity_refine/critic_eval.py TRAIN.pt VAL.pt [OUT.safetensors|-] [STEPS]`
(candidates written by critic_data.py)."""
import sys, torch
sys.path.insert(0, "docs/ambiguity_refine")
from critic import CriticTraining, best_by_critic, train_critic

train, val = torch.load(sys.argv[1]), torch.load(sys.argv[2])
cfg = CriticTraining(steps=int(sys.argv[4]) if len(sys.argv) > 4 else 3000)
critic = train_critic(train["features"], train["errors"], train["person"], cfg, show_progress=False)


def report(d, name):
    person, err, single, noisy = d["person"], d["errors"], d["single"], d["noisy"]
    P = int(person.max()) + 1
    pick = best_by_critic(critic, person, d["features"], P)
    f = d["features"]
    # the shipped choice among the lifted starts: lowest reprojection + limits (log1p features 0 and 4)
    score = torch.expm1(f[:, -6]) + torch.expm1(f[:, -2])
    score = torch.where(single, torch.inf, score)
    order = torch.argsort(score); grouped = order[torch.argsort(person[order], stable=True)]
    counts = torch.bincount(person, minlength=P); shipped = grouped[torch.cumsum(counts, 0) - counts]
    single_idx = torch.nonzero(single).flatten()[torch.argsort(person[single])]
    oracle = torch.full((P,), torch.inf).scatter_reduce(0, person, err, "amin")
    pnoisy = torch.zeros(P, dtype=torch.bool); pnoisy[person] = noisy
    for label, m in (("exact", ~pnoisy), ("noisy", pnoisy)):
        print(f"{name} {label} people {int(m.sum())}: single {err[single_idx][m].mean():.1f} lifts {err[shipped][m].mean():.1f} "
              f"critic {err[pick][m].mean():.1f} oracle {oracle[m].mean():.1f} critic-picked-single {single[pick][m].float().mean():.2f}")


report(train, "train")
report(val, "val")
if len(sys.argv) > 3 and sys.argv[3] != "-":
    from safetensors.torch import save_file
    save_file(critic.state_dict(), sys.argv[3])
