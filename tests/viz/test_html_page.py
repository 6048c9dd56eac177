"""The results page: compact, safe to embed, and drawn by real headless Chromium (Debian's package)."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from gtrs.viz.browser import page_state, screenshot
from gtrs.viz.html_page import PageBody, page_data, person_box, quantise_positions, write_results_page

VIEW_BACKGROUND = np.array([0xE9, 0xEE, 0xF3])  # .view in page.css


@pytest.fixture(scope="module")
def rest_body(anny_body):
    """(vertices, faces, coco19 joints) of anny at rest, in viewer axes (+Y up, facing +Z)."""
    with torch.no_grad():
        vertices = anny_body().vertices
        joints = anny_body.regress_joints(vertices, "coco19")
    return vertices[0].numpy(), anny_body.faces.numpy(), joints[0].numpy()


def keypoints_of(joints: np.ndarray) -> np.ndarray:
    """A front view of 3D joints as 2D keypoints in a 1000 px image (y down), all seen."""
    return np.column_stack([500 + 400 * joints[:, 0], 700 - 400 * joints[:, 1], np.ones(len(joints))])


def test_positions_round_trip_within_a_twentieth_of_a_millimetre(rest_body):
    vertices = rest_body[0]
    codes, offset, step = quantise_positions(vertices)
    assert codes.dtype == np.int16
    back = np.asarray(offset) + step * codes.astype(np.float64)
    assert np.abs(back - vertices).max() < 5e-5


def test_page_data_shares_triangles_and_photos_and_cuts_photos_to_the_person(rest_body):
    vertices, faces, joints = rest_body
    photo = np.full((1000, 1000, 3), 200, dtype=np.uint8)
    kp = keypoints_of(joints)
    bodies = [PageBody(f"p{k}", vertices + k, faces, joints + k, kp, (1000, 1000), photo=photo) for k in range(3)]
    data = page_data(bodies)
    assert len(data["faces"]) == 1 and len(data["images"]) == 1  # one topology, one photo (same person box)
    body = data["bodies"][0]
    box = person_box(kp, (1000, 1000))
    assert body["image_size"] == [box[2] - box[0], box[3] - box[1]]
    assert np.allclose(np.array(body["keypoints"])[:, :2] + box[:2], kp[:, :2], atol=0.05)
    # the mesh is centred on its box, so each view turns about its body
    assert np.allclose(np.array(data["bodies"][2]["offset"]), 0, atol=1e-3)


def test_the_page_is_one_file_that_fetches_nothing_and_escapes_what_it_embeds(tmp_path, rest_body):
    vertices, faces, joints = rest_body
    title = "</script><script>alert(1)</script>"
    page = write_results_page(tmp_path / "index.html",
                              [PageBody(title, vertices, faces, joints, keypoints_of(joints), (1000, 1000))], title)
    text = page.read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text)  # everything inline
    assert len(re.findall(r"<script", text)) == 3 and "alert(1)</script>" not in text
    payload = re.search(r'<script type="application/json" id="gtrs-data">(.*?)</script>', text, re.S).group(1)
    assert json.loads(payload)["bodies"][0]["title"] == title


def _body_pixels(png, rect) -> np.ndarray:
    left, top, width, height = (int(v) for v in rect.split(","))
    region = np.asarray(Image.open(png).convert("RGB"))[top + 2:top + height - 30, left + 2:left + width - 2]
    return np.abs(region.astype(int) - VIEW_BACKGROUND).sum(-1) > 30  # True where something is drawn


def test_chromium_shows_the_body_and_turning_the_view_changes_it(tmp_path, rest_body):
    vertices, faces, joints = rest_body
    photo = np.random.default_rng(0).integers(0, 255, (600, 800, 3), dtype=np.uint8)
    bodies = [PageBody("front", vertices, faces, joints, keypoints_of(joints), (1000, 1000)),
              PageBody("photo", vertices, faces, joints, keypoints_of(joints), (800, 600), photo=photo)]
    page = write_results_page(tmp_path / "index.html", bodies, "test")
    state = page_state(page)
    assert int(state["ready-ms"]) > 0 and state["view0"]
    front = screenshot(page, tmp_path / "front.png")
    turned = screenshot(page, tmp_path / "turned.png", fragment="rotate=90")
    seen_front, seen_turned = _body_pixels(front, state["view0"]), _body_pixels(turned, state["view0"])
    # the body covers a good part of its view, and less of it seen from the side
    assert 0.05 < seen_front.mean() < 0.6
    assert 0.01 < seen_turned.mean() < seen_front.mean()
    assert (seen_front != seen_turned).mean() > 0.02


def test_predict_html_and_view_from_the_command_line(tmp_path):
    from gtrs.demo import demo_file

    gtrs = [sys.executable, "-m", "gtrs.cli"]
    out = tmp_path / "out"
    done = subprocess.run([*gtrs, "predict", str(demo_file("coco_keypoints_annotations.json")), "--out", str(out),
                           "--formats", "none", "--mesh", "network", "--no-render", "--html"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    text = (out / "index.html").read_text()
    payload = json.loads(re.search(r'id="gtrs-data">(.*?)</script>', text, re.S).group(1))
    assert len(payload["bodies"]) == 2 and len(payload["images"]) == 2  # both photo people, with their photos
    people = json.loads((out / "coco_keypoints_annotations_people.json").read_text())["people"]
    for body, person in zip(payload["bodies"], people):  # each card says the person's main joint angles
        angles = person["joint_angles_deg"]
        assert f"knee flexion {angles['left_knee_flexion']:.0f} / {angles['right_knee_flexion']:.0f}" in body["meta"]
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    shown = subprocess.run([*gtrs, "view", str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert shown.returncode == 0 and str((out / "index.html").resolve()) in shown.stdout
    missing = subprocess.run([*gtrs, "view", str(tmp_path / "nothing")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no results page" in missing.stderr and "Traceback" not in missing.stderr


def test_a_sequence_page_plays_each_track_from_its_animated_glb(tmp_path, anny_body):
    from gtrs.infer.predict_sequence import predict_sequence
    from gtrs.infer.predictor import Reconstructor
    from tests.infer.test_sequences import walkers

    np.save(tmp_path / "walk.npy", walkers(anny_body, T=10))
    reconstructor = Reconstructor.pretrained()
    reconstructor.body = anny_body
    summary = predict_sequence(tmp_path / "walk.npy", tmp_path / "out", joints="coco19", fps=25.0, formats=("bvh",),
                               reconstructor=reconstructor, show_progress=False, html=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "walk_track0.bvh", "walk_track1.bvh"]
    page = tmp_path / "out" / "index.html"
    payload = json.loads(re.search(r'id="gtrs-data">(.*?)</script>', page.read_text(), re.S).group(1))
    assert [len(b["frames"]) for b in payload["bodies"]] == [10, 10] and all(b["glb"] for b in payload["bodies"])
    state = page_state(page, wait_ms=10000)
    assert "error" not in state and state["view0"]
    first = _body_pixels(screenshot(page, tmp_path / "first.png"), state["view0"])
    last = _body_pixels(screenshot(page, tmp_path / "last.png", fragment="frame=9"), state["view0"])
    assert first.mean() > 0.01 and last.mean() > 0.01
    assert (first != last).mean() > 0.01  # the walker has moved across the view
