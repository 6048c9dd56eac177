"""The joint limits the refinement uses: the anatomical boxes of ``gtrs.body.joint_limits``, widened to
where real and generated training poses go.

The anatomical boxes are single published angles, and captured people leave them on every frame:
retargeted onto anny, every training pose exceeds some box (the elbow's few degrees of sideways
swing, since a captured upper arm's twist is arbitrary; the spine, neck and head bent forward beyond
their single-bone ranges). Pulled back into the boxes, true poses come out wrong; widened to the 0.5-99.5 percentiles
of the poses the network trains on (half captured, half generated postures, like the pose prior),
the single-start refinement lands 0.7-1.7 mm nearer the truth with exact keypoints and 0.2-0.6 mm
with a detector's, in every group measured (docs/ambiguity_refine/observed_limits.py).

The widened boxes ship with the package (``data/observed_limits.npz``, with the bone names they are
for); rebuild them with ``python -m gtrs.fit.observed_limits --data data/mocap`` (fixed seed). A body
whose bones are not those (SMPL) keeps the anatomical boxes.
"""
from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from gtrs.body.joint_limits import JointLimits
from gtrs.body.skeleton import Skeleton

LIMITS_FILE = "observed_limits.npz"


def widen_to_poses(limits: JointLimits, rotations: torch.Tensor, quantile: float = 0.005) -> tuple[torch.Tensor, torch.Tensor]:
    """(K, 3) low and high angles (radians): ``limits``' boxes widened, in swing (flex, abduct), to the
    ``quantile`` and ``1 - quantile`` of (N, K, 3, 3) poses; twist stays as it is."""
    swing = limits.to_angles(rotations.double())[..., :2].float()
    low, high = limits.low.clone(), limits.high.clone()
    low[:, :2] = torch.minimum(low[:, :2], torch.quantile(swing, quantile, dim=0))
    high[:, :2] = torch.maximum(high[:, :2], torch.quantile(swing, 1 - quantile, dim=0))
    return low, high


def refinement_limits(skeleton: Skeleton, path: str | Path | None = None) -> JointLimits:
    """Joint limits with the shipped widened boxes where they are for ``skeleton``'s bones, else the
    anatomical ones."""
    limits = JointLimits(skeleton)
    source = resources.files("gtrs.fit") / "data" / LIMITS_FILE if path is None else Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing; rebuild it with `python -m gtrs.fit.observed_limits --data DATA`")
    with source.open("rb") as f:
        d = np.load(f)
        names, low, high = [str(n) for n in d["names"]], d["low"], d["high"]
    if names == list(skeleton.names):
        limits.low, limits.high = torch.as_tensor(low, dtype=torch.float32), torch.as_tensor(high, dtype=torch.float32)
    return limits


def main(argv: list[str] | None = None) -> None:
    """Build the shipped boxes from a dataset made by ``gtrs data build``."""
    from gtrs.body.anny import AnnyBody
    from gtrs.body.skeleton import skeleton_of
    from gtrs.synthetic.postures import training_pose_mix

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--samples", type=int, default=32_768)
    parser.add_argument("--out", type=Path, default=Path(str(resources.files("gtrs.fit") / "data" / LIMITS_FILE)))
    args = parser.parse_args(argv)
    skeleton = skeleton_of(AnnyBody())
    poses = training_pose_mix(args.data, args.samples, torch.Generator().manual_seed(0), skeleton)
    low, high = widen_to_poses(JointLimits(skeleton), poses)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, names=np.array(skeleton.names), low=low.numpy(), high=high.numpy())
    print(f"wrote {args.out}: boxes of {len(skeleton.names)} bones from {len(poses)} poses")


if __name__ == "__main__":
    main()
