"""Training data for a pose critic that tells a body from its depth-mirrored siblings, made without the
refinement (geometry only, so there can be many): a true pose (captured training split or generated
posture), seen by a random camera; the same body with every bone turned by noise (a network-like
answer); that answer lifted onto the true keypoints' lines of sight (``gtrs.fit.segment_lifts``) in
every combination the multi-start refinement tries. Each candidate's bone heads and its PA-MPJPE
(on the bone heads) to the truth are kept.

`.venv/bin/python docs/ambiguity_refine/pose_critic_data.py SPLIT PEOPLE OUT [SEED]` from the repository
root (SPLIT: train for fitting, val for choosing)."""
import sys
import time

import roma
import torch

from gtrs.body.anny import AnnyBody
from gtrs.body.skeleton import skeleton_of
from gtrs.eval.probes import AMBIGUITY_CAMERA
from gtrs.fit.multi_start import TRIED_BOTH_WAYS
from gtrs.fit.segment_lifts import SegmentLifter, lift_combinations
from gtrs.metrics import similarity_align
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.camera import CameraSampling, rotation_about, sample_cameras
from gtrs.synthetic.postures import PostureGenerator
from gtrs.synthetic.synth import sample_phenotypes

MAIN_BONES = ("Hips", "LeftUpLeg", "LeftLeg", "LeftFoot", "LeftToeBase", "RightUpLeg", "RightLeg", "RightFoot",
              "RightToeBase", "LowerBack", "Spine", "Spine1", "Neck", "Head", "LeftArm", "LeftForeArm", "LeftHand",
              "RightArm", "RightForeArm", "RightHand")
NOISY_BONES = ("LeftUpLeg", "LeftLeg", "RightUpLeg", "RightLeg", "LowerBack", "Spine", "Spine1", "Neck", "Head",
               "LeftArm", "LeftForeArm", "RightArm", "RightForeArm", "LeftFoot", "RightFoot", "Hips")


def pa_error(pred: torch.Tensor, true: torch.Tensor) -> torch.Tensor:
    """(N,) mean joint distance (metres) after a similarity Procrustes alignment, (N, J, 3) each."""
    return (similarity_align(pred, true) - true).norm(dim=-1).mean(-1)


def main() -> None:
    split, people, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    body = AnnyBody()
    skeleton = skeleton_of(body)
    lifter = SegmentLifter(skeleton)
    allowed = torch.tensor([n in TRIED_BOTH_WAYS for n in lifter.names])
    main_ids = torch.tensor([skeleton.index(b) for b in MAIN_BONES])
    noisy_ids = torch.tensor([skeleton.index(b) for b in NOISY_BONES])
    captured = load_split_rotations("data/mocap", split)
    generator = PostureGenerator(skeleton, captured) if split == "train" else None
    rows = {"person": [], "heads": [], "err": [], "true": []}
    B, made, t0 = 128, 0, time.time()
    while made < people:
        n_gen = B // 2 if generator is not None else 0
        poses = captured[torch.randint(0, len(captured), (B - n_gen,), generator=g)].clone()
        if n_gen:
            poses = torch.cat([poses, generator.sample(n_gen, g)[0]])
        yaw = 2 * torch.pi * torch.rand(B, generator=g)
        poses[:, 0] = rotation_about(torch.tensor([0.0, 1.0, 0.0]).expand(B, 3), yaw) @ poses[:, 0]
        shape = sample_phenotypes(B, g, bodies="mixed")
        high = torch.rand(B, generator=g) < 0.5
        cams_a = sample_cameras(torch.zeros(B, 3), AMBIGUITY_CAMERA, g)
        cams_b = sample_cameras(torch.zeros(B, 3), CameraSampling(), g)
        R = torch.where(high[:, None, None], cams_a.R, cams_b.R)
        t = torch.where(high[:, None], cams_a.t, cams_b.t)
        poses[:, 0] = R @ poses[:, 0]
        # the network-like answer: every main bone turned by noise of a random size per person
        size = 0.05 + 0.2 * torch.rand(B, 1, 1, generator=g)
        noise = roma.rotvec_to_rotmat(size * torch.randn(B, len(noisy_ids), 3, generator=g))
        guess = poses.clone()
        guess[:, noisy_ids] = noise @ guess[:, noisy_ids]
        with torch.no_grad():
            true = body(poses, shape, t)
            rough = body(guess, shape, t)
            true_coco = body.regress_joints(true.vertices, "coco19")
            rough_coco = body.regress_joints(rough.vertices, "coco19")
        rays = torch.nn.functional.normalize(true_coco, dim=-1)  # exact keypoints' lines of sight
        seen = torch.ones(B, 19, dtype=torch.bool)
        nearer = torch.zeros(B, len(lifter.names), dtype=torch.bool)
        _, _, apart = lifter.lift(guess, rough.bone_heads, rough_coco, rays, seen, nearer)
        person, other = lift_combinations(apart, 20.0, 3, allowed)
        _, heads, _ = lifter.lift(guess[person], rough.bone_heads[person], rough_coco[person], rays[person],
                                  seen[person], other)
        heads = heads[:, main_ids]
        true_heads = true.bone_heads[:, main_ids]
        err = pa_error(heads, true_heads[person])
        rows["person"].append(person + made)
        rows["heads"].append(heads.float())
        rows["err"].append(err.float())
        rows["true"].append(true_heads.float())
        made += B
        print(f"{made} people, {sum(len(p) for p in rows['person'])} candidates, {time.time() - t0:.0f} s", flush=True)
    torch.save({k: torch.cat(v) for k, v in rows.items()} | {"bones": MAIN_BONES}, out)


if __name__ == "__main__":
    main()
