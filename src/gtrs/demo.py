"""``make demo``: the main job on embedded defaults.

Until the pretrained network ships, the demo poses the default body (anny) in a few named poses
and body shapes and renders them to a contact sheet.
"""
from __future__ import annotations

from pathlib import Path

import torch

from gtrs.atomic import atomic_path
from gtrs.body.anny import PHENOTYPE_NAMES, AnnyBody
from gtrs.body.poses import named_pose
from gtrs.viz.render import mesh_contact_sheet

DEMO_POSES = ("t-pose", "walk", "squat")
# One body shape per pose, to show the phenotype space too (order of PHENOTYPE_NAMES).
DEMO_SHAPES = (
    (0.5, 0.75, 0.5, 0.5, 0.5, 0.5),
    (0.0, 0.7, 0.8, 0.3, 0.8, 0.3),
    (1.0, 0.9, 0.3, 0.8, 0.3, 0.5),
)


def run_demo(out: str | Path = "demo_out") -> Path:
    """Pose anny in ``DEMO_POSES`` and write ``out/body_poses.png``; returns the PNG path."""
    out = Path(out)
    body = AnnyBody()
    rotations = torch.stack([named_pose(p, body.bone_names) for p in DEMO_POSES])
    shape = torch.tensor(DEMO_SHAPES, dtype=body.dtype)
    with torch.no_grad():
        vertices = body(rotations, shape).vertices.numpy()
    titles = [f"{pose}\n" + "\n".join(", ".join(f"{n} {v:.1f}" for n, v in zip(PHENOTYPE_NAMES[i:i + 3], shp[i:i + 3]))
                                    for i in (0, 3))
              for pose, shp in zip(DEMO_POSES, DEMO_SHAPES)]
    png = out / "body_poses.png"
    with atomic_path(png) as tmp:
        mesh_contact_sheet(list(vertices), body.faces.numpy(), titles, str(tmp))
    return png
