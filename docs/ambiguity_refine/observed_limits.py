"""Do the joint limits pull true poses away? The single-start refinement with the anatomical limit
boxes (shipped before session 17), with boxes widened to where the training poses go (union with their 0.5-99.5 percentiles),
and with no limits; on the validation ambiguity groups (examples.py), the posture probe's sit_or_squat
frames and ordinary validation frames, exact and detector-noise 2D. PA-MPJPE mm.
`.venv/bin/python docs/ambiguity_refine/observed_limits.py` from the repository root."""
import sys, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403
from gtrs.fit.keypoints import _joint_limits
from gtrs.body.joint_limits import JointLimits
from gtrs.fit.observed_limits import widen_to_poses
from gtrs.synthetic.postures import PostureGenerator

L = _joint_limits(body)  # the refinement's own boxes, set per variant below
current = (L.low.clone(), L.high.clone())
A = JointLimits(skeleton)
shipped = (A.low.clone(), A.high.clone())  # the anatomical boxes
g = torch.Generator().manual_seed(0)
cap = load_split_rotations("data/mocap", "train")
gen = torch.cat([PostureGenerator(skeleton, cap).sample(4096, g)[0] for _ in range(4)])
data = torch.cat([cap[torch.randint(0, len(cap), (16384,), generator=g)].float(), gen.float()])
variants = {f"observed{q}": widen_to_poses(A, data, q) for q in (0.005, 0.02)}
variants = {"anatomical": shipped, **variants, "none": (torch.full_like(shipped[0], -9.0), torch.full_like(shipped[1], 9.0))}



def with_boxes(lo, hi):
    def refine(fit, net, kp, ex):
        L.low.copy_(lo); L.high.copy_(hi)
        try:
            return refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"])
        finally:
            L.low.copy_(current[0]); L.high.copy_(current[1])
    return refine


compare_refinements({v: with_boxes(lo, hi) for v, (lo, hi) in variants.items()}, "docs/ambiguity_refine/observed_limits.json")
