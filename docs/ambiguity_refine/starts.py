"""Multi-start refinement from segment lifts on the validation examples (examples.py), exact 2D:
`.venv/bin/python docs/ambiguity_refine/starts.py 64 thigh_towards_camera,trunk_towards_camera` from the repository
root. Prints per group: the network, the single-start refinement, the best raw lifted start (oracle), and after
refining every start: the oracle, the nearer-place start, and the start each score keeps; saves every start's
terms and errors to /tmp/starts_GROUP_xy30d10.pt for scores.py."""
import sys, time, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.eval.probes import _concat_rows, _select_rows
from gtrs.fit.segment_lifts import SegmentLifter, keypoint_rays, lift_combinations, SEGMENTS
lifter = SegmentLifter(skeleton)
ALLOWED = torch.tensor([n in ("trunk", "left_thigh", "right_thigh", "left_shin", "right_shin") for n in lifter.names])
def starts_from(first, kp, focal, principal, min_deg, max_seg):
    rays = keypoint_rays(kp, focal, principal); seen = kp[..., 2] > 0
    B = kp.shape[0]
    joints = body.regress_joints(first.vertices, "coco19")
    _, _, apart = lifter.lift(first.rotations, first.bone_heads, joints, rays, seen, torch.zeros(B, len(lifter.names), dtype=torch.bool))
    person, masks = lift_combinations(apart, min_deg, max_seg, ALLOWED)
    rots, heads, _ = lifter.lift(first.rotations[person], first.bone_heads[person], joints[person], rays[person], seen[person], masks)
    with torch.no_grad():
        out = body(rots, first.shape[person], first.translation[person])
    return person, BodyFit(rots, first.shape[person], first.translation[person], out.vertices, out.bone_heads, torch.zeros(len(person)))
scores = {"total": lambda t: t.total(), "no_depth": lambda t: t.total() - t.network_depth,
          "rep_prior_lim": lambda t: t.reprojection + t.pose_prior + t.limits, "prior_lim": lambda t: t.pose_prior + t.limits + 0.2 * t.reprojection}
def main():
    for name in sys.argv[2].split(","):
        ex = _concat_rows(kept[name]); B = len(ex["focal"])
        kp = network_inputs(ex, "coco19", torch.zeros(B, dtype=torch.bool), torch.Generator().manual_seed(2))
        with torch.no_grad(): net = model(kp)[0]
        fit = fitter(net)
        row = {"n": B, "network": float(pa(net, ex).mean())}
        ref = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"])
        row["refine"] = float(pa(rel(ref.vertices), ex).mean())
        first = refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"], iterations=10)
        person, start = starts_from(first, kp, ex["focal"], ex["principal"], 20.0, 3)
        row["starts"] = len(person) / B
        sub = _select_rows(ex, person)
        row["lifted_raw_oracle"] = float(torch.stack([pa(rel(start.vertices), sub)[person == i].min() for i in range(B)]).mean())
        for label, c2 in (("xy30d10", RefineConfig(network_3d=10.0, network_xy=30.0)),):
            t0 = time.time()
            res = refine_to_keypoints(body, start, net[person], kp[person], ex["focal"][person], ex["principal"][person], c2, iterations=30)
            err = pa(rel(res.vertices), sub)
            row[f"{label}_t"] = time.time() - t0
            row[f"{label}_oracle"] = float(torch.stack([err[person == i].min() for i in range(B)]).mean())
            row[f"{label}_nearest"] = float(torch.stack([err[person == i][0] for i in range(B)]).mean())
            for sname, sf in scores.items():
                s = sf(res.terms)
                row[f"{label}_{sname}"] = float(torch.stack([err[person == i][torch.argmin(s[person == i])] for i in range(B)]).mean())
            torch.save({"person": person, "err": err, "terms": {k: getattr(res.terms, k) for k in ("reprojection", "network_xy", "network_depth", "pose_prior", "limits", "shape")},
                        "raw_err": pa(rel(start.vertices), sub), "rotations": res.rotations, "bone_heads": res.bone_heads, "single_err": pa(rel(ref.vertices), ex), "single_heads": ref.bone_heads, "single_terms": {k: getattr(ref.terms, k) for k in ("reprojection", "limits")}}, f"/tmp/starts_{name}_{label}.pt")
        print(name, json.dumps({k: round(v, 1) for k, v in row.items()}), flush=True)


if __name__ == "__main__":
    main()
