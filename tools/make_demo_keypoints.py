"""Regenerate src/gtrs/demo_data/mocap_keypoints_coco19.{npy,json} from a built dataset (dev tool).

    python tools/make_demo_keypoints.py data/cmu

Takes frames of the held-out test subject, poses an average adult on them, and projects the COCO-19
joints with a fixed camera in front of the person (1000 px image, focal 1200 px).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import roma
import torch

from gtrs.body.anny import AnnyBody
from gtrs.synthetic.build import load_manifest
from gtrs.synthetic.camera import look_at, project

CLIPS = (("02_05", 0.35), ("02_03", 0.5), ("02_04", 0.6), ("02_06", 0.3))  # (clip, position in the clip)


def main(data_dir: str) -> None:
    manifest = load_manifest(data_dir)
    test = {c["clip"] for c in manifest["clips"] if c.get("split") == "test"}
    body = AnnyBody()
    rotations, names = [], []
    for clip, where in CLIPS:
        if clip not in test:
            raise SystemExit(f"{clip} is not in the test split of {data_dir}")
        with np.load(Path(data_dir) / "poses" / f"{clip}.npz") as data:
            q = torch.as_tensor(data["quaternions"])
        frame = int(where * (len(q) - 1))
        r = roma.unitquat_to_rotmat(torch.cat([q[frame, :, 1:], q[frame, :, :1]], -1))
        # Face the camera: remove the clip's heading (rotation about Y) from the root.
        heading = torch.atan2(r[0, 0, 2], r[0, 2, 2])
        c, s = torch.cos(-heading), torch.sin(-heading)
        undo = torch.tensor([[c, 0, s], [0, 1, 0], [-s, 0, c]], dtype=r.dtype)
        r[0] = undo @ r[0]
        rotations.append(r)
        names.append(f"{clip} frame {frame}")
    out = body(torch.stack(rotations).float(), joint_set="coco19")
    eye = torch.tensor([[0.0, 0.2, 3.2]]).expand(len(CLIPS), 3)
    R, t = look_at(eye, torch.zeros_like(eye))
    cam = out.joints @ R.transpose(1, 2) + t[:, None]
    px = project(cam, torch.full((len(CLIPS),), 1200.0), torch.full((len(CLIPS), 2), 500.0))
    keypoints = torch.cat([px, torch.ones_like(px[..., :1])], -1).numpy().astype(np.float32)
    folder = Path(__file__).resolve().parents[1] / "src" / "gtrs" / "demo_data"
    np.save(folder / "mocap_keypoints_coco19.npy", keypoints)
    (folder / "mocap_keypoints_coco19.json").write_text(json.dumps(
        {"frames": names, "image_size": [1000, 1000], "focal_px": 1200.0, "layout": "coco19"}, indent=1))
    print(f"wrote {len(names)} people to {folder}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/cmu")
