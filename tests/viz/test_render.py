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


def _square(centre_x: float, depth: float, half: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """A square facing the camera (two triangles), camera-frame metres."""
    v = np.array([[-half, -half, 0], [half, -half, 0], [half, half, 0], [-half, half, 0]]) + [centre_x, 0.0, depth]
    return v, np.array([[0, 1, 2], [0, 2, 3]])


def test_people_overlay_draws_a_nearer_person_over_one_behind_each_in_their_colour(tmp_path):
    from gtrs.viz.render import PERSON_COLORS, overlay_people_on_image

    focal, c = 200.0, np.array([100.0, 100.0])
    near, faces = _square(-0.1, 2.0)  # pixels 60..120 across
    far, _ = _square(0.3, 3.0)  # pixels 100..140 across: behind the near one between 100 and 120
    image = np.full((200, 200, 3), 255, dtype=np.uint8)

    def colour_at(people, x, y, colors=None):
        path = tmp_path / "people.png"
        overlay_people_on_image(image, people, faces, str(path), alpha=1.0, labels=None, **(
            {} if colors is None else {"colors": colors}))
        return np.asarray(Image.open(path).convert("RGB")).astype(int)[y, x]

    def hue(k):  # shading scales a colour; compare directions
        return np.asarray(PERSON_COLORS[k]) / np.linalg.norm(PERSON_COLORS[k])

    for people in ([(near, focal, c), (far, focal, c)], [(far, focal, c), (near, focal, c)]):
        near_k = [p[0] is near for p in people].index(True)
        for x, k in ((110, near_k), (130, 1 - near_k), (70, near_k)):  # overlap, far alone, near alone
            rgb = colour_at(people, x, 100)
            assert np.dot(rgb / np.linalg.norm(rgb), hue(k)) > 0.999, (x, rgb, k)
    rgb = colour_at([(near, focal, c), (far, focal, c)], 130, 100, colors=[4, 7])  # a track keeps its colour
    assert np.dot(rgb / np.linalg.norm(rgb), hue(7)) > 0.999
    assert (colour_at([], image.shape[1] // 2, 100) == 255).all()  # nobody: the image alone


def test_an_overlay_video_draws_each_track_in_its_colour_and_the_nearer_on_top(tmp_path):
    import av

    from gtrs.viz.video_overlay import write_overlay_video

    video = tmp_path / "grey.mp4"
    with av.open(str(video), "w") as sink:
        stream = sink.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 200, 200, "yuv420p"
        for _ in range(3):
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.full((200, 200, 3), 128, np.uint8), format="rgb24")):
                sink.mux(packet)
        for packet in stream.encode():
            sink.mux(packet)
    near, faces = _square(-0.1, 2.0)  # pixels 60..120: track 0, listed first
    far, _ = _square(0.3, 3.0)  # pixels 100..140: track 1, behind track 0 between 100 and 120
    focal, c = 200.0, np.array([100.0, 100.0])
    out = write_overlay_video(video, tmp_path / "overlay.mp4", {t: [(near, focal, c, 0), (far, focal, c, 1)]
                                                               for t in range(3)}, faces, 10, show_progress=False)
    with av.open(str(out)) as drawn:
        frame = next(drawn.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    bluish = lambda rgb: rgb[2] - rgb[0] > 20  # noqa: E731  PERSON_COLORS[0]
    orange = lambda rgb: rgb[0] - rgb[2] > 20  # noqa: E731  PERSON_COLORS[1]
    assert bluish(frame[100, 70]) and orange(frame[100, 130]), (frame[100, 70], frame[100, 130])
    # the overlap (half transparent, so mixed): track 0's blue on top, nearer though listed first (the other
    # way round it is orange, red 60 over blue)
    assert frame[100, 110][2] - frame[100, 110][0] > 8, frame[100, 110]
