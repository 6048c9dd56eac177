"""A pose critic: an MLP on a body's main bone heads (in its own hip-and-spine frame, scaled by its
trunk) that ranks a person's depth-mirrored candidates, trained on `pose_critic_data.py` (geometry
only, so 60,000 people instead of the 6,400 refined ones of `critic.py`).

`.venv/bin/python docs/ambiguity_refine/pose_critic.py train TRAIN.pt VAL.pt OUT.pt` fits and reports
the synthetic validation people; `... groups OUT.pt` scores the refined starts that `starts.py` saved for
the validation ambiguity groups (/tmp/starts_GROUP_xy30d10.pt), alone and added to the shipped score."""
import sys
import time

import torch

sys.path.insert(0, "docs/ambiguity_refine")
from pose_critic_data import MAIN_BONES  # noqa: E402

LEFT_RIGHT = [MAIN_BONES.index(n.replace("Left", "Right") if "Left" in n else n.replace("Right", "Left")) for n in MAIN_BONES]
MAX_CANDIDATES = 8


def features(heads: torch.Tensor) -> torch.Tensor:
    """(N, 20, 3) main bone heads -> (N, 57) in the body's frame: origin at the hips, x from the right to
    the left hip, y up the trunk, scaled by the hips-to-neck length."""
    i = {n: k for k, n in enumerate(MAIN_BONES)}
    rel = heads - heads[:, :1]
    x = torch.nn.functional.normalize(heads[:, i["LeftUpLeg"]] - heads[:, i["RightUpLeg"]], dim=-1)
    up = rel[:, i["Neck"]]
    scale = up.norm(dim=-1, keepdim=True)
    y = torch.nn.functional.normalize(up - (up * x).sum(-1, keepdim=True) * x, dim=-1)
    z = torch.cross(x, y, dim=-1)
    frame = torch.stack([x, y, z], dim=1)  # (N, 3, 3) rows: the body's axes
    local = rel @ frame.transpose(-1, -2) / scale[:, None]
    return local[:, 1:].flatten(1)


def mirrored(heads: torch.Tensor) -> torch.Tensor:
    """The left-right mirror image of (N, 20, 3) bone heads (any frame: x negated, sides swapped)."""
    out = heads[:, LEFT_RIGHT].clone()
    out[..., 0] = -out[..., 0]
    return out


class PoseCritic(torch.nn.Module):
    def __init__(self, width: int = 256, depth: int = 3) -> None:
        super().__init__()
        layers, d = [], 57
        for _ in range(depth):
            layers += [torch.nn.Linear(d, width), torch.nn.SiLU()]
            d = width
        self.net = torch.nn.Sequential(*layers, torch.nn.Linear(d, 1))
        self.register_buffer("mean", torch.zeros(57))
        self.register_buffer("std", torch.ones(57))

    def forward(self, heads: torch.Tensor) -> torch.Tensor:
        """(N,) plausibility logits of (N, 20, 3) main bone heads (higher: more likely the true body)."""
        return self.net((features(heads) - self.mean) / self.std)[:, 0]


def grouped(person: torch.Tensor) -> torch.Tensor:
    """(P, MAX_CANDIDATES) candidate indices per person with more than one, -1 padded."""
    counts = torch.bincount(person)
    starts = torch.cumsum(counts, 0) - counts
    keep = torch.nonzero(counts > 1).flatten()
    slots = torch.arange(MAX_CANDIDATES)
    idx = starts[keep, None] + slots
    return torch.where(slots < counts[keep, None], idx, -1)


def ranking_loss(logits: torch.Tensor, err: torch.Tensor, groups: torch.Tensor, temperature: float) -> torch.Tensor:
    valid = groups >= 0
    lg = torch.where(valid, logits[groups.clamp(min=0)], -1e9)
    target = torch.softmax(torch.where(valid, -err[groups.clamp(min=0)] / temperature, -1e9), dim=1)
    return -(target * torch.log_softmax(lg, dim=1)).sum(1).mean()


def picked(logits: torch.Tensor, err: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    valid = groups >= 0
    lg = torch.where(valid, logits[groups.clamp(min=0)], -1e9)
    return err[groups.clamp(min=0)].gather(1, lg.argmax(1, keepdim=True))[:, 0]


def train(train_file: str, val_file: str, out: str, steps: int = 6000, width: int = 256, depth: int = 3,
          temperature: float = 0.005) -> None:
    torch.manual_seed(0)
    tr, va = torch.load(train_file), torch.load(val_file)
    heads = torch.cat([tr["heads"], mirrored(tr["heads"])])
    err = torch.cat([tr["err"], tr["err"]])
    person = torch.cat([tr["person"], tr["person"] + int(tr["person"].max()) + 1])
    groups = grouped(person)
    critic = PoseCritic(width, depth)
    f = features(heads)
    critic.mean.copy_(f.mean(0))
    critic.std.copy_(f.std(0).clamp(min=0.02))  # near-constant features (the lower back sits on the hips) must not blow up
    vg = grouped(va["person"])
    verr = va["err"]
    print(f"train people {len(groups)}, val people {len(vg)}; val nearer {verr[vg[:, 0]].mean() * 1e3:.2f} mm, "
          f"oracle {torch.where(vg >= 0, verr[vg.clamp(min=0)], 9.0).min(1).values.mean() * 1e3:.2f} mm")
    opt = torch.optim.AdamW(critic.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    t0 = time.time()
    for step in range(steps + 1):
        if step % 1000 == 0:
            with torch.no_grad():
                vpick = picked(critic(va["heads"]), verr, vg).mean() * 1e3
            print(f"step {step}: val picked {vpick:.2f} mm ({time.time() - t0:.0f} s)", flush=True)
        if step == steps:
            break
        batch = groups[torch.randint(0, len(groups), (512,))]
        flat = batch.clamp(min=0).flatten()
        logits = critic(heads[flat]).view(batch.shape)
        local = torch.arange(batch.numel()).view(batch.shape)
        loss = ranking_loss(logits.flatten(), err[flat], torch.where(batch >= 0, local, -1), temperature)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    torch.save(critic.state_dict() | {"width": torch.tensor(width), "depth": torch.tensor(depth)}, out)


def load(path: str) -> PoseCritic:
    state = torch.load(path)
    critic = PoseCritic(int(state.pop("width")), int(state.pop("depth")))
    critic.load_state_dict(state)
    return critic.eval()


def groups_report(path: str) -> None:
    critic = load(path)
    bones = None
    from gtrs.body.anny import AnnyBody
    from gtrs.body.skeleton import skeleton_of
    skeleton = skeleton_of(AnnyBody())
    bones = torch.tensor([skeleton.index(b) for b in MAIN_BONES])
    for g in ("thigh_towards_camera", "trunk_towards_camera", "shin_towards_camera", "no_segment_towards_camera"):
        d = torch.load(f"/tmp/starts_{g}_xy30d10.pt")
        person, err, T = d["person"], d["err"], d["terms"]
        B = int(person.max()) + 1
        with torch.no_grad():
            logit = critic(d["bone_heads"][:, bones].float()).double()

        def pick(score):
            return float(torch.stack([err[person == i][torch.argmin(score[person == i])] for i in range(B)]).mean())
        base = T["reprojection"] + T["limits"]
        row = {"oracle": float(torch.stack([err[person == i].min() for i in range(B)]).mean()),
               "single": float(d["single_err"].mean()), "shipped": pick(base), "critic": pick(-logit)}
        for w in (0.001, 0.003, 0.01, 0.03, 0.1):
            row[f"+{w}"] = pick(base - w * logit)
        print(g, " ".join(f"{k} {v:.1f}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3], sys.argv[4], *(int(a) for a in sys.argv[5:]))
    else:
        groups_report(sys.argv[2])
