"""One self-contained HTML page of results: per body the photo (or a plot of its 2D keypoints), the
mesh drawn over the photo, and a 3D view to turn around (three.js, bundled in the package).

The page opens from disk with no server and fetches nothing: three.js (``web/three-bundle.min.js``,
built by ``tools/html-viewer``), the page's script and every body are inside the file. Meshes are
stored compactly: positions as int16 over each body's bounding box (under 0.05 mm of error for a
person), the triangle list once per distinct topology, pictures as JPEG at most ``PICTURE_SIDE`` px.
"""
from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

from gtrs.atomic import atomic_path
from gtrs.version import __version__

THREE_VERSION = "0.187.0"  # tools/html-viewer/package.json
PICTURE_SIDE = 720  # pixels, the longer side of an embedded picture
MAX_BODIES = 200  # a page beyond this shows the first ones (a note says how many were left out)


@dataclass
class PageBody:
    """One person as the page shows it; 3D arrays in viewer axes (+Y up, facing +Z), metres."""

    title: str
    vertices: np.ndarray  # (V, 3)
    faces: np.ndarray  # (F, 3)
    joints3d: np.ndarray  # (J, 3)
    keypoints2d: np.ndarray  # (J, 3) pixels and confidence (0: not seen)
    image_size: tuple[int, int]  # (width, height) of the picture the keypoints are in
    photo: str | Path | np.ndarray | None = None  # the input picture, if any
    overlay: str | Path | None = None  # a picture of the mesh over the photo (PNG), if any
    meta: str = ""


@dataclass
class PageSequence:
    """One tracked person of a sequence: its animated, skinned GLB (viewer axes) and keypoints per frame."""

    title: str
    glb: bytes
    keypoints2d: np.ndarray  # (T, J, 3) pixels and confidence, one row per frame of the animation
    fps: float
    root: np.ndarray  # (T, 3) where the body's root is in each frame (to frame the view)
    image_size: tuple[int, int]
    meta: str = ""


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def quantise_positions(vertices: np.ndarray) -> tuple[np.ndarray, list[float], float]:
    """(V, 3) float -> int16 codes, offset (3,) and step, with ``offset + step * code`` = vertex."""
    lo, hi = vertices.min(0), vertices.max(0)
    offset = (lo + hi) / 2
    step = max(float((hi - lo).max()) / 65000.0, 1e-9)
    codes = np.round((vertices - offset) / step).astype(np.int16)
    return codes, [float(x) for x in offset], step


def person_box(keypoints: np.ndarray, image_size: tuple[int, int], margin: float = 0.4) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixels around the seen keypoints, ``margin`` of the person's size
    added on every side, inside the image; the whole image when fewer than 2 keypoints are seen."""
    w, h = image_size
    seen = keypoints[keypoints[:, 2] > 0, :2] if keypoints.shape[1] > 2 else keypoints[:, :2]
    if len(seen) < 2:
        return 0, 0, int(w), int(h)
    lo, hi = seen.min(0), seen.max(0)
    pad = margin * max(float((hi - lo).max()), 1.0)
    left, top = max(0, int(lo[0] - pad)), max(0, int(lo[1] - pad))
    right, bottom = min(int(w), int(np.ceil(hi[0] + pad))), min(int(h), int(np.ceil(hi[1] + pad)))
    if right - left < 2 or bottom - top < 2:
        return 0, 0, int(w), int(h)
    return left, top, right, bottom


def picture_data_url(picture: str | Path | np.ndarray, side: int = PICTURE_SIDE,
                     box: tuple[int, int, int, int] | None = None) -> str:
    """A picture (file or (H, W, 3) array), cut to ``box`` if given, as a JPEG data URL whose longer
    side is at most ``side`` px."""
    image = Image.open(picture) if isinstance(picture, (str, Path)) else Image.fromarray(np.asarray(picture))
    image = image.convert("RGB")
    if box is not None:
        image = image.crop(box)
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def page_data(bodies: list[PageBody | PageSequence]) -> dict:
    """The page's JSON: shared triangle lists and pictures, and per body its compact mesh."""
    faces: dict[bytes, int] = {}
    pictures: dict[str, int] = {}
    data: dict = {"faces": [], "images": [], "bodies": []}

    def picture(p, box) -> int | None:
        if p is None:
            return None
        key = (str(p) if isinstance(p, (str, Path)) else f"array:{id(p)}") + f"@{box}"
        if key not in pictures:
            pictures[key] = len(data["images"])
            data["images"].append(picture_data_url(p, box=box))
        return pictures[key]

    for body in bodies:
        if isinstance(body, PageSequence):
            data["bodies"].append(_sequence_record(body))
            continue
        tri = np.asarray(body.faces, dtype=np.uint32)
        key = tri.tobytes()
        if key not in faces:
            faces[key] = len(data["faces"])
            data["faces"].append(_b64(tri))
        # centred on the mesh's bounding box, so every view turns about the body
        centre = (body.vertices.min(0) + body.vertices.max(0)) / 2
        codes, offset, step = quantise_positions(body.vertices - centre)
        keypoints = np.asarray(body.keypoints2d, dtype=float).copy()
        size, box = body.image_size, None
        if body.photo is not None or body.overlay is not None:  # the picture cut to this person
            box = person_box(keypoints, body.image_size)
            keypoints[:, :2] -= box[:2]
            size = (box[2] - box[0], box[3] - box[1])
        data["bodies"].append({
            "title": body.title, "meta": body.meta, "faces": faces[key], "positions": _b64(codes),
            "offset": offset, "scale": step,
            "joints3d": np.round(body.joints3d - centre, 4).tolist(),
            "keypoints": np.round(keypoints, 1).tolist(),
            "image_size": [int(size[0]), int(size[1])],
            "photo": picture(body.photo, box), "overlay": picture(body.overlay, box),
        })
    return data


def _sequence_record(seq: PageSequence) -> dict:
    lo, hi = seq.root.min(0), seq.root.max(0)
    # the body spans about 2 m around its root; the view also takes in where the root travels
    extent = (hi - lo) + np.array([1.0, 2.0, 1.0])
    return {"title": seq.title, "meta": seq.meta, "glb": base64.b64encode(seq.glb).decode("ascii"),
            "frames": np.round(np.asarray(seq.keypoints2d, dtype=float), 1).tolist(), "fps": float(seq.fps),
            "centre": [float(x) for x in (lo + hi) / 2], "extent": [float(x) for x in extent],
            "image_size": [int(seq.image_size[0]), int(seq.image_size[1])], "photo": None, "overlay": None}


def _asset(name: str) -> str:
    return resources.files("gtrs.viz").joinpath("web", name).read_text(encoding="utf-8")


def write_results_page(path: str | Path, bodies: list[PageBody | PageSequence], title: str = "gtrs results",
                       total: int | None = None) -> Path:
    """Write the page (atomically) for ``bodies`` (the first ``MAX_BODIES``); ``total``: how many
    people the run had, when more than the page shows."""
    path = Path(path)
    total = len(bodies) if total is None else total
    shown = bodies[:MAX_BODIES]
    summary = f"{len(shown)} {'body' if len(shown) == 1 else 'bodies'}"
    if total > len(shown):
        summary += f" (the first of {total}; the rest are in the result files)"
    # no '<' at all inside the JSON: '</script' would end its element early, '<!--' would change parsing
    payload = json.dumps(page_data(shown), separators=(",", ":")).replace("<", "\\u003c")
    script = _asset("page.js")
    text = _asset("page.html")
    for key, value in (("{{VERSION}}", __version__), ("{{TITLE}}", html.escape(title)),
                       ("{{SUMMARY}}", html.escape(summary)), ("{{STYLE}}", _asset("page.css")),
                       ("{{THREE_VERSION}}", THREE_VERSION)):
        text = text.replace(key, value)
    # the large parts last, so no placeholder text inside them is ever replaced
    head, rest = text.split("{{DATA}}")
    middle, tail = rest.split("{{THREE}}")
    before_script, after_script = tail.split("{{SCRIPT}}")
    three = _asset("three-bundle.min.js").replace("</script", "<\\/script")
    with atomic_path(path) as tmp:
        tmp.write_text(head + payload + middle + three + before_script + script + after_script, encoding="utf-8")
    return path
