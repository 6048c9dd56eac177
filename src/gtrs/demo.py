"""``make demo``: the main job on embedded defaults.

The shipped model reconstructs (1) a few poses of held-out motion capture given as 2D keypoints and
(2) the two photos shipped with the package, from their human-made COCO keypoints. Meshes (OBJ),
joints (JSON), a contact sheet (PNG) and a results page to turn the bodies around in (index.html,
``gtrs view``) go to the output folder. ``gtrs demo --body-only`` renders
the body model in a few poses instead (no network).
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from gtrs.atomic import atomic_path  # noqa: E402
from gtrs.body.joints import COCO19  # noqa: E402

DEMO_POSES = ("t-pose", "walk", "squat")
# One body shape per pose, to show the phenotype space too (order of PHENOTYPE_NAMES).
DEMO_SHAPES = (
    (0.5, 0.75, 0.5, 0.5, 0.5, 0.5),
    (0.0, 0.7, 0.8, 0.3, 0.8, 0.3),
    (1.0, 0.9, 0.3, 0.8, 0.3, 0.5),
)


def demo_file(name: str) -> Path:
    return Path(str(resources.files("gtrs.demo_data") / name))


def render_body_poses(out: str | Path = "demo_out") -> Path:
    """Pose anny in ``DEMO_POSES`` and write ``out/body_poses.png``; returns the PNG path."""
    from gtrs.body.anny import PHENOTYPE_NAMES, AnnyBody
    from gtrs.body.poses import named_pose
    from gtrs.viz.render import mesh_contact_sheet

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


def run_demo(out: str | Path = "demo_out", reconstructor=None) -> Path:
    """Reconstruct the shipped samples; write meshes, joints and ``out/contact_sheet.png`` (returned)."""
    from PIL import Image

    from gtrs.readers.keypoints import read_keypoints
    from gtrs.infer.predictor import Reconstructor
    from gtrs.viz.render import draw_keypoints, draw_overlay, draw_view

    out = Path(out)
    reconstructor = reconstructor or Reconstructor.pretrained()
    rows = []  # (title, keypoints, image or None, result)
    meta = json.loads(demo_file("mocap_keypoints_coco19.json").read_text())
    mocap = np.load(demo_file("mocap_keypoints_coco19.npy"))
    results = reconstructor(mocap, focal=meta["focal_px"], image_size=tuple(meta["image_size"]), sources=meta["frames"])
    rows += [(f"CMU {name}", kp, None, r) for name, kp, r in zip(meta["frames"], mocap, results)]
    photos = read_keypoints(demo_file("coco_keypoints_annotations.json"))
    for person in photos.people:
        result = reconstructor(person.keypoints, image_size=person.image_size, sources=[person.source])[0]
        image = np.asarray(Image.open(demo_file(person.image)).convert("RGB"))
        rows.append((person.image, person.keypoints, image, result))

    for k, (_, _, _, result) in enumerate(rows):
        result.save(out, f"person_{k}", formats=("obj", "glb", "params", "bvh"))
    write_demo_page(out, rows)
    fig, axes = plt.subplots(len(rows), 3, figsize=(9, 3 * len(rows)), squeeze=False)
    for k, (title, kp, image, result) in enumerate(rows):
        draw_keypoints(axes[k][0], kp, COCO19.edges, image)
        axes[k][0].set_title(f"input: {title}", fontsize=8)
        if image is not None:
            draw_overlay(axes[k][1], image, result.vertices, result.faces, result.focal, result.principal)
            axes[k][1].set_title(f"mesh over photo (reprojection {result.reprojection_px:.0f} px)", fontsize=8)
        else:
            draw_view(axes[k][1], result.vertices, result.faces, "front")
            axes[k][1].set_title("mesh, camera view", fontsize=8)
        draw_view(axes[k][2], result.vertices, result.faces, "side")
        axes[k][2].set_title("mesh, side view", fontsize=8)
    fig.tight_layout()
    png = out / "contact_sheet.png"
    with atomic_path(png) as tmp:
        fig.savefig(tmp, dpi=90)
    plt.close(fig)
    return png


def write_demo_page(out: Path, rows: list) -> Path:
    """``out/index.html``: the demo's bodies in 3D beside their photos or keypoints."""
    from gtrs.viz.html_page import write_results_page
    from gtrs.viz.render import overlay_on_image

    bodies = []
    for k, (title, _, image, result) in enumerate(rows):
        overlay = None
        if image is not None:
            overlay = out / f"person_{k}_overlay.png"
            with atomic_path(overlay) as tmp:
                overlay_on_image(image, result.vertices, result.faces, result.focal, result.principal, str(tmp))
        bodies.append(result.page_body(f"person_{k}: {title}", image, overlay))
    return write_results_page(out / "index.html", bodies, "gtrs demo")
