"""Posture-family starts (issue #30 item 1's "nearest bodies of the posture families"), on the validation
examples (examples.py; never the test split): `.venv/bin/python docs/ambiguity_refine/family_starts.py` from the
repository root. For each person the library poses (generated sitting, kneeling, squatting, lunging, bending
bodies and captured training poses) whose COCO-19 joints, turned to the placed body's root orientation (and
yawed), best reproject onto the keypoints are added to the lifted starts; prints per group and input the
network, the lifts as shipped, lifts + family starts, and the best start (oracle)."""
import sys, json, math, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.eval.probes import _concat_rows, _select_rows
from gtrs.fit.keypoints import RefineObjective, solve_translation, _coco19_joints
from gtrs.fit.multi_start import MultiStartConfig, lifted_starts, best_per_person
from gtrs.synthetic.postures import PostureGenerator
from gtrs.synthetic.build import load_split_rotations
import roma

cfg = MultiStartConfig()
FAMILIES = ("sit_chair", "sit_floor", "sit_cross_legged", "kneel_both", "kneel_sit_on_heels", "kneel_one", "squat",
            "crouch", "bend_forward", "lunge", "one_leg_raised")
g = torch.Generator().manual_seed(5)
captured = load_split_rotations("data/mocap", "train")
gen = PostureGenerator(skeleton, captured)
lib = torch.cat([gen.sample(256, g, family=f)[0] for f in FAMILIES] + [captured[torch.randperm(len(captured), generator=g)[:2048]].float()])
joints_of = _coco19_joints(body)
with torch.no_grad():
    mean_shape = fitter.mean_shape.expand(len(lib), -1)
    lj = joints_of(lib, mean_shape, torch.zeros(len(lib), 3))
local = (lj - lj[:, 17:18]) @ lib[:, 0]  # (N, 19, 3): R0^T (j - pelvis), row vectors
YAWS = torch.tensor([-45.0, -22.5, 0.0, 22.5, 45.0])
yaw = roma.rotvec_to_rotmat(torch.stack([torch.zeros_like(YAWS), torch.deg2rad(YAWS), torch.zeros_like(YAWS)], -1))


def family_starts(placed, kp, focal, principal, k):
    """(M,) person and (M, K, 3, 3) rotations of each person's k best-reprojecting library poses."""
    B = len(kp)
    persons, rots = [], []
    conf = kp[..., 2].clamp(min=0)
    for b in range(B):
        R = placed.rotations[b, 0] @ yaw  # (Y, 3, 3) root orientations to try
        cand = torch.einsum("yij,nkj->ynki", R, local).reshape(-1, 19, 3)  # (Y*N, 19, 3)
        n = len(cand)
        t = solve_translation(cand, kp[b:b + 1].expand(n, -1, -1), focal[b:b + 1].expand(n), principal[b:b + 1].expand(n, -1))
        j = cand + t[:, None]
        depth = j[..., 2:].clamp(min=0.1)
        px = j[..., :2] / depth * focal[b] + principal[b]
        m = (px - kp[b, :, :2]).norm(dim=-1) * depth[..., 0] / focal[b]
        gm = m.square() * 0.05 ** 2 / (m.square() + 0.05 ** 2)
        score = (conf[b] * gm).sum(-1)
        best = torch.topk(-score, k).indices
        yi, ni = best // len(lib), best % len(lib)
        r = lib[ni].clone()
        r[:, 0] = R[yi]
        persons.append(torch.full((k,), b)); rots.append(r)
    return torch.cat(persons), torch.cat(rots)


results = {}
for name in AMBIGUITY_GROUPS:
    ex = _concat_rows(kept[name]); B = len(ex["focal"])
    for noisy in (False, True):
        kp = network_inputs(ex, "coco19", torch.full((B,), noisy), torch.Generator().manual_seed(2))
        with torch.no_grad(): net = model(kp)[0]
        fit = fitter(net)
        placed = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"], cfg.refine, iterations=cfg.placing_iterations)
        p1, s1 = lifted_starts(body, placed, kp, ex["focal"], ex["principal"], cfg)
        row = {"network": float(pa(net, ex).mean())}
        for k in (0, 2, 4):
            if k:
                p2, r2 = family_starts(placed, kp, ex["focal"], ex["principal"], k)
                from gtrs.fit.mesh import BodyFit
                sh = placed.shape[p2]
                rest = body(r2, sh, torch.zeros(len(p2), 3))
                jj = body.regress_joints(rest.vertices, "coco19")
                tr = solve_translation(jj - jj[:, 17:18], kp[p2], ex["focal"][p2], ex["principal"][p2]) - jj[:, 17]
                out = body(r2, sh, tr)
                person = torch.cat([p1, p2])
                starts = BodyFit(torch.cat([s1.rotations, r2]), torch.cat([s1.shape, sh]), torch.cat([s1.translation, tr]),
                                 torch.cat([s1.vertices, out.vertices]), torch.cat([s1.bone_heads, out.bone_heads]), torch.zeros(len(person)))
            else:
                person, starts = p1, s1
            res = refine_to_keypoints(body, starts, net[person], kp[person], ex["focal"][person], ex["principal"][person],
                                      cfg.refine, iterations=cfg.start_iterations)
            err = pa(rel(res.vertices), _select_rows(ex, person))
            best = best_per_person(person, res.terms.reprojection + res.terms.limits, B)
            row[f"k{k}"] = float(err[best].mean())
            row[f"k{k}_oracle"] = float(torch.stack([err[person == i].min() for i in range(B)]).mean())
            if k:
                row[f"k{k}_picked_family"] = float((best >= len(p1)).float().mean())
        key = f"{name} {'noisy' if noisy else 'exact'}"
        results[key] = row
        print(key, json.dumps({a: round(b, 2) for a, b in row.items()}), flush=True)
json.dump(results, open("docs/ambiguity_refine/family_starts.json", "w"), indent=1)
