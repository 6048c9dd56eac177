"""Headless mesh rendering with matplotlib (Agg): orthographic views, flat Lambert shading,
painter's-algorithm depth order (``draw_flat_triangles``). No GPU, no display."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import TriMesh  # noqa: E402
from matplotlib.tri import Triangulation  # noqa: E402

# zlib level 1 for pictures written per person: a photo-sized overlay encodes ~3x faster (1200 x 800: 0.49 ->
# 0.17 s) for a ~15% larger file
FAST_PNG = {"compress_level": 1}


def _rotation_x(degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[1.0, 0, 0], [0, c, -s], [0, s, c]])


def _rotation_y(degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[c, 0, s], [0, 1.0, 0], [-s, 0, c]])


# View -> (screen-x axis, screen-y axis, towards-viewer axis) as rows of a rotation (package frame).
VIEWS = {
    "front": np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]),  # viewer on +Z looks at the body's front
    "side": np.array([[0, 0, -1.0], [0, 1.0, 0], [1.0, 0, 0]]),  # viewer on the body's left (+X)
    "back": np.array([[-1.0, 0, 0], [0, 1.0, 0], [0, 0, -1.0]]),
    # viewer front-left and a little above: shows depth in one picture (contact sheets of poses)
    "oblique": _rotation_x(15.0) @ _rotation_y(-35.0),
}


def project_view(points: np.ndarray, view: str) -> np.ndarray:
    """(N, 3) package-frame points -> (N, 3) view coordinates (screen x, screen y, towards viewer)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {sorted(VIEWS)}")
    return np.asarray(points, dtype=np.float64) @ VIEWS[view].T


def draw_mesh(ax, vertices: np.ndarray, faces: np.ndarray, view: str = "front",
              color=(0.55, 0.68, 0.9), offset: tuple[float, float] = (0.0, 0.0)) -> None:
    """Draw a shaded mesh (V, 3) with triangles (F, 3) on a matplotlib Axes (the caller sets its limits)."""
    p = project_view(vertices, view)
    tri = p[np.asarray(faces)]  # (F, 3, 3)
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True) + 1e-12
    light = np.array([0.3, 0.4, 1.0]) / np.linalg.norm([0.3, 0.4, 1.0])
    shade = 0.25 + 0.75 * np.abs(normals @ light)  # two-sided, so winding order does not matter
    order = np.argsort(tri[:, :, 2].mean(axis=1))  # far to near
    colors = np.clip(np.asarray(color)[None] * shade[order, None], 0, 1)
    draw_flat_triangles(ax, tri[order, :, :2] + np.asarray(offset), colors)


def draw_flat_triangles(ax, triangles: np.ndarray, colors: np.ndarray, alpha: float = 1.0) -> None:
    """Fill (F, 3, 2) triangles with one (F, 3) colour each, in the order given (painter's algorithm).

    Drawn as one Gouraud-shaded ``TriMesh`` whose three corners of a triangle share its colour: one
    renderer call for the whole mesh, ~3x faster than a ``PolyCollection`` (which builds a Path per
    triangle). The axes' limits are the caller's to set."""
    points = triangles.reshape(-1, 2)
    mesh = TriMesh(Triangulation(points[:, 0], points[:, 1], np.arange(len(points)).reshape(-1, 3)))
    rgba = np.concatenate([np.repeat(colors, 3, axis=0), np.full((len(points), 1), alpha)], axis=1)
    mesh.set_facecolor(rgba)  # per corner
    ax.add_collection(mesh, autolim=False)


def mesh_contact_sheet(meshes: list[np.ndarray], faces: np.ndarray, titles: list[str], path: str,
                       views: tuple[str, ...] = ("front", "side"), panel_size: float = 2.6) -> None:
    """Render each (V, 3) mesh in each view on a grid (rows: views, columns: meshes) to a PNG."""
    fig, axes = plt.subplots(len(views), len(meshes), figsize=(panel_size * len(meshes), panel_size * 1.5 * len(views)),
                             squeeze=False)
    for col, (verts, title) in enumerate(zip(meshes, titles)):
        for row, view in enumerate(views):
            ax = axes[row][col]
            draw_mesh(ax, verts, faces, view)
            p = project_view(verts, view)
            centre = 0.5 * (p.min(0) + p.max(0))
            half_w = 0.55 * max(np.ptp(p[:, 0]), np.ptp(p[:, 1]) / 1.5)  # panels are 1 wide, 1.5 tall
            ax.set_xlim(centre[0] - half_w, centre[0] + half_w)
            ax.set_ylim(centre[1] - 1.5 * half_w, centre[1] + 1.5 * half_w)
            ax.set_aspect("equal")
            ax.axis("off")
            if row == 0:
                ax.set_title(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110, pil_kwargs=FAST_PNG)
    plt.close(fig)


def mesh_pairs_sheet(pairs: list[tuple[np.ndarray, np.ndarray]], faces: np.ndarray, titles: list[str], path: str,
                     row_titles: tuple[str, str] = ("truth", "reconstructed"), panel_size: float = 1.8) -> None:
    """Front views of (V, 3) mesh pairs, one column per pair (top: first, bottom: second), all drawn
    at one scale with their feet on one line, so sizes compare across the sheet (package frame, Y up)."""
    fig, axes = plt.subplots(2, len(pairs), figsize=(panel_size * len(pairs), panel_size * 3.2), squeeze=False)
    points = [project_view(m, "front") for pair in pairs for m in pair]
    half_w = 0.55 * max(np.ptp(p[:, 0]) for p in points)
    height = max(np.ptp(p[:, 1]) for p in points)
    for col, (pair, title) in enumerate(zip(pairs, titles)):
        for row, verts in enumerate(pair):
            ax = axes[row][col]
            draw_mesh(ax, verts, faces, "front")
            p = project_view(verts, "front")
            centre_x, floor = 0.5 * (p[:, 0].min() + p[:, 0].max()), p[:, 1].min()
            ax.set_xlim(centre_x - half_w, centre_x + half_w)
            ax.set_ylim(floor - 0.03 * height, floor + 1.05 * height)
            ax.set_aspect("equal")
            ax.axis("off")
            ax.set_title(f"{title}: {row_titles[row]}\n{100 * np.ptp(verts[:, 1]):.0f} cm", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# Camera frame (OpenCV) -> package frame for a camera standing in front of the scene: flip Y and Z.
CAMERA_TO_WORLD = np.diag([1.0, -1.0, -1.0])


def render_result_views(vertices_cam: np.ndarray, faces: np.ndarray, path: str, title: str = "") -> None:
    """Front (the camera's own view) and side views of a camera-frame mesh, to a PNG."""
    world = (vertices_cam - vertices_cam.mean(0)) @ CAMERA_TO_WORLD.T
    mesh_contact_sheet([world], faces, [title], path, views=("front", "side"))


# Person k's colour where several people share one overlay (the first is the one-person overlay's).
PERSON_COLORS = ((0.55, 0.68, 0.9), (0.95, 0.66, 0.4), (0.56, 0.8, 0.52), (0.92, 0.52, 0.58), (0.72, 0.6, 0.9),
                 (0.82, 0.68, 0.52), (0.95, 0.68, 0.85), (0.78, 0.78, 0.45), (0.45, 0.82, 0.86), (0.72, 0.72, 0.72))


def _shaded_triangles(vertices_cam: np.ndarray, faces: np.ndarray, focal: float, principal: np.ndarray,
                      color) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A camera-frame mesh's triangles in pixels (F, 3, 2), their depths (F,) and colours lit from the camera (F, 3)."""
    from gtrs.fit.camera import project

    faces = np.asarray(faces)
    px = project(vertices_cam, focal, principal)  # (V, 2) pixels
    tri_cam = vertices_cam[faces]
    normals = np.cross(tri_cam[:, 1] - tri_cam[:, 0], tri_cam[:, 2] - tri_cam[:, 0])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True) + 1e-12
    shade = 0.25 + 0.75 * np.abs(normals[:, 2])
    return px[faces], tri_cam[:, :, 2].mean(axis=1), np.clip(np.asarray(color)[None] * shade[:, None], 0, 1)


def draw_people_overlay(ax, image: np.ndarray, people: list[tuple[np.ndarray, float, np.ndarray]], faces: np.ndarray,
                        alpha: float = 0.6, labels: list[str] | None = None, colors: list[int] | None = None) -> None:
    """Draw every person's camera-frame mesh ``(vertices (V, 3), focal, principal)`` over an (H, W, 3) image:
    the triangles of all of them far to near, so a nearer person hides one behind. Person k is drawn in
    ``PERSON_COLORS[colors[k]]`` (default k; cycling), with ``labels[k]`` above their head when given."""
    h, w = image.shape[:2]
    ax.imshow(image)
    if people:
        rgb = [PERSON_COLORS[k % len(PERSON_COLORS)] for k in (range(len(people)) if colors is None else colors)]
        parts = [_shaded_triangles(v, faces, f, c, rgb[k]) for k, (v, f, c) in enumerate(people)]
        triangles, depth, shaded = (np.concatenate(x) for x in zip(*parts))
        order = np.argsort(-depth)  # far to near
        draw_flat_triangles(ax, triangles[order], shaded[order], alpha)
        for k, label in enumerate(labels or []):
            points = parts[k][0].reshape(-1, 2)
            top = points[np.argmin(points[:, 1])]
            size = max(8.0, h / 60)  # points; at 100 dpi a label is ~2 x size pixels tall with its box
            ax.text(top[0], max(top[1] - 0.01 * h, 2.2 * size), label, ha="center", va="bottom", fontsize=size,
                    bbox={"boxstyle": "round,pad=0.2", "linewidth": 0, "alpha": 0.9,
                          "facecolor": rgb[k]})
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.axis("off")


def draw_overlay(ax, image: np.ndarray, vertices_cam: np.ndarray, faces: np.ndarray, focal: float,
                 principal: np.ndarray, alpha: float = 0.6) -> None:
    """Draw the perspective projection of a camera-frame mesh over an (H, W, 3) image on an Axes."""
    draw_people_overlay(ax, image, [(vertices_cam, focal, principal)], faces, alpha)


def overlay_on_image(image: np.ndarray, vertices_cam: np.ndarray, faces: np.ndarray, focal: float,
                     principal: np.ndarray, path: str, alpha: float = 0.6) -> None:
    """``draw_overlay`` to a PNG of the image's own size."""
    overlay_people_on_image(image, [(vertices_cam, focal, principal)], faces, path, alpha)


def overlay_people_on_image(image: np.ndarray, people: list[tuple[np.ndarray, float, np.ndarray]], faces: np.ndarray,
                            path: str, alpha: float = 0.6, labels: list[str] | None = None,
                            colors: list[int] | None = None) -> None:
    """``draw_people_overlay`` to a PNG of the image's own size."""
    h, w = image.shape[:2]
    fig = plt.figure(figsize=(w / 100, h / 100), dpi=100)
    draw_people_overlay(fig.add_axes([0, 0, 1, 1]), image, people, faces, alpha, labels, colors)
    fig.savefig(path, dpi=100, pil_kwargs=FAST_PNG)
    plt.close(fig)


def draw_keypoints(ax, keypoints: np.ndarray, edges, image: np.ndarray | None = None,
                   size: tuple[int, int] | None = None) -> None:
    """2D keypoints (J, 3) and their skeleton edges, over ``image`` if given; y points down."""
    if image is not None:
        ax.imshow(image)
    visible = keypoints[:, 2] > 0
    for i, j in edges:
        if visible[i] and visible[j]:
            ax.plot(keypoints[[i, j], 0], keypoints[[i, j], 1], "-", color="tab:orange", lw=2)
    ax.plot(keypoints[visible, 0], keypoints[visible, 1], "o", color="tab:red", ms=3)
    if image is None:
        lo, hi = keypoints[visible, :2].min(0), keypoints[visible, :2].max(0)
        pad = 0.15 * (hi - lo).max()
        ax.set_xlim(lo[0] - pad, hi[0] + pad)
        ax.set_ylim(hi[1] + pad, lo[1] - pad)
        ax.set_aspect("equal")
    ax.axis("off")


def draw_view(ax, vertices_cam: np.ndarray, faces: np.ndarray, view: str) -> None:
    """A camera-frame mesh in a package view ('front' = the camera's own view, 'side'), framed."""
    world = (vertices_cam - vertices_cam.mean(0)) @ CAMERA_TO_WORLD.T
    draw_mesh(ax, world, faces, view)
    p = project_view(world, view)
    centre = 0.5 * (p.min(0) + p.max(0))
    half = 0.55 * max(np.ptp(p[:, 0]), np.ptp(p[:, 1]))
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)
    ax.set_aspect("equal")
    ax.axis("off")


def mesh_grid(meshes: list[np.ndarray], faces: np.ndarray, path: str, title: str = "", columns: int = 8,
              view: str = "oblique", panel_size: float = 1.5) -> None:
    """Render (V, 3) meshes on a grid of ``columns`` in one view (e.g. 64 samples on 8 x 8) to a PNG."""
    rows = -(-len(meshes) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(panel_size * columns, panel_size * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, verts in zip(axes.flat, meshes):
        draw_mesh(ax, verts, faces, view)
        p = project_view(verts, view)
        centre, half = 0.5 * (p.min(0) + p.max(0)), 0.55 * np.ptp(p[:, :2], axis=0).max()
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
        ax.set_aspect("equal")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    save_palette_png(image, path)


def save_palette_png(image: np.ndarray, path: str, colors: int = 64) -> None:
    """An (H, W, 3) uint8 picture as a palette PNG (flat-shaded renders need few colours; ~3x smaller)."""
    from PIL import Image

    Image.fromarray(image).quantize(colors=colors).save(path, optimize=True)
