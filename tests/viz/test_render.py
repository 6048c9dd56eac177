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


def test_flat_triangles_fill_with_one_colour_each_and_the_later_one_on_top(tmp_path):
    import matplotlib.pyplot as plt

    from gtrs.viz.render import draw_flat_triangles

    triangles = np.array([[[0, 0], [10, 0], [0, 10]], [[2, 2], [12, 2], [2, 12]]], dtype=float)
    colors = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    fig = plt.figure(figsize=(1.2, 1.2), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    draw_flat_triangles(ax, triangles, colors)
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 12)
    ax.axis("off")
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    plt.close(fig)

    def at(x, y):  # data coordinates -> the pixel's colour (image rows run downwards)
        return pixels[int(round((12 - y) / 12 * 119)), int(round(x / 12 * 119))]

    assert np.abs(at(1, 1) - [255, 0, 0]).max() <= 3  # the first triangle alone: red, flat
    assert np.abs(at(0.5, 8) - [255, 0, 0]).max() <= 3
    assert np.abs(at(4, 4) - [0, 0, 255]).max() <= 3  # where both lie, the later one (blue) is on top
    assert np.abs(at(9, 4) - [0, 0, 255]).max() <= 3
    assert np.abs(at(11, 11) - [255, 255, 255]).max() <= 3  # outside both: the white figure
