"""Is the single-start refinement converged? Its Adam steps and rate on the validation groups of
examples.py, the posture probe's sit_or_squat frames and ordinary validation frames, exact and
detector-noise 2D. PA-MPJPE mm. `.venv/bin/python docs/ambiguity_refine/refine_steps.py` from the repository root."""
import sys, json, torch
sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403

variants = {"40 x 0.01 (shipped)": (40, 0.01), "80 x 0.01": (80, 0.01), "40 x 0.02": (40, 0.02), "120 x 0.01": (120, 0.01)}


def steps(n, lr):
    return lambda fit, net, kp, ex: refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"],
                                                        RefineConfig(lr=lr), iterations=n)


compare_refinements({v: steps(n, lr) for v, (n, lr) in variants.items()}, "docs/ambiguity_refine/refine_steps.json")
