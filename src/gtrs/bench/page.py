"""``gtrs bench page``: the results page's size and the time it takes to become interactive in
headless Chromium, for N bodies (each a fitted body from the shipped demo keypoints, with a photo
for every other one, as ``gtrs predict --html`` writes them)."""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from gtrs.demo import demo_file
from gtrs.viz.browser import page_state
from gtrs.viz.html_page import PageBody, write_results_page


def demo_bodies(count: int) -> list[PageBody]:
    """``count`` bodies: the demo's motion-capture people and photo people, repeated."""
    import json

    from gtrs.readers.keypoints import read_keypoints
    from gtrs.infer.predictor import Reconstructor

    reconstructor = Reconstructor.pretrained()
    meta = json.loads(demo_file("mocap_keypoints_coco19.json").read_text())
    mocap = np.load(demo_file("mocap_keypoints_coco19.npy"))
    bodies = []
    size = tuple(meta["image_size"])
    for k, r in enumerate(reconstructor(mocap, focal=meta["focal_px"], image_size=size)):
        bodies.append(r.page_body(f"mocap {k}", image_size=size))
    for person in read_keypoints(demo_file("coco_keypoints_annotations.json")).people:
        r = reconstructor(person.keypoints, image_size=person.image_size)[0]
        photo = np.asarray(Image.open(demo_file(person.image)).convert("RGB"))
        bodies.append(r.page_body(person.image, photo, image_size=person.image_size))
    # each copy a separate picture (as separate photos would be), not one shared
    return [PageBody(**{**b.__dict__, "title": f"{b.title} #{i}",
                        "photo": None if b.photo is None else b.photo.copy()})
            for i, b in enumerate((bodies * (count // len(bodies) + 1))[:count])]


def bench_page(bodies: int = 50, repeats: int = 5) -> dict:
    """{bodies, write_s, size_mb, ready_ms (median from navigation to interactive), script_ms}."""
    people = demo_bodies(bodies)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "index.html"
        start = time.perf_counter()
        write_results_page(page, people, "bench")
        write_s = time.perf_counter() - start
        states = [page_state(page) for _ in range(repeats)]
        size_mb = page.stat().st_size / 1e6
    return {"bodies": bodies, "write_s": write_s, "size_mb": size_mb,
            "ready_ms": statistics.median(float(s["ready-ms"]) for s in states),
            "script_ms": statistics.median(float(s["script-ms"]) for s in states)}
