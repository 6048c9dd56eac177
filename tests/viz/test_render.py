import numpy as np
import torch
from PIL import Image

from gtrs.body.poses import named_pose
from gtrs.viz.render import overlay_on_image


def test_overlay_silhouette_covers_the_projected_joints_and_nothing_far_away(anny_body, tmp_path):
    out = anny_body(named_pose("walk", anny_body.bone_names)[None], joint_set="coco19")
    to_cam = torch.tensor([1.0, -1.0, -1.0])  # camera in front of the body, OpenCV axes
    verts = (out.vertices[0] * to_cam + torch.tensor([0.1, 0.0, 3.0])).numpy()
    joints = (out.joints[0] * to_cam + torch.tensor([0.1, 0.0, 3.0])).numpy()
    focal, c = 500.0, np.array([320.0, 240.0])
    image = np.full((480, 640, 3), 255, dtype=np.uint8)
    path = tmp_path / "overlay.png"
    overlay_on_image(image, verts, anny_body.faces.numpy(), focal, c, str(path), alpha=1.0)
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert pixels.shape[:2] == (480, 640)
    covered = (np.abs(pixels - 255).sum(-1) > 30)
    px = np.round(joints[:, :2] / joints[:, 2:] * focal + c).astype(int)
    assert all(covered[y, x] for x, y in px), "a joint's pixel is not covered by the mesh"
    lo, hi = px.min(0) - 60, px.max(0) + 60  # nothing drawn well outside the body
    outside = covered.copy()
    outside[max(lo[1], 0):hi[1], max(lo[0], 0):hi[0]] = False
    assert outside.sum() == 0
    assert 0.02 < covered.mean() < 0.5
