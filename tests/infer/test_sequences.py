"""Sequences: every input form, tracking through a missed frame and a crossing, bad frames reported,
and the per-track outputs (BVH frames and frame time, animated GLB valid, parameters)."""
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from gtrs.body.joints import COCO17_NAMES
from gtrs.body.keypoint_formats import OPENPOSE25_NAMES
from gtrs.infer.predict_sequence import predict_sequence
from gtrs.infer.predictor import Reconstructor
from gtrs.readers.sequences import read_sequence
from gtrs.infer.tracking import track_people
from gtrs.mocap.bvh import read_bvh

VALIDATOR = Path(__file__).parents[2] / "tools" / "gltf-validator"


def walkers(anny_body, T=12):
    """(T, 2, 19, 3) COCO-19 keypoints of two people walking across each other (near and far)."""
    out = anny_body(anny_body.identity_rotations(1), joint_set="coco19").joints[0]
    cam = out * torch.tensor([1.0, -1.0, -1.0])
    frames = np.zeros((T, 2, 19, 3))
    for t in range(T):
        s = t / (T - 1)
        for n, (x, depth) in enumerate(((-1.0 + 2 * s, 3.0), (1.0 - 2 * s, 4.5))):  # they cross mid-way
            p = cam + torch.tensor([x, 0.0, depth])
            px = p[:, :2] / p[:, 2:] * 1000 + 500
            frames[t, n, :, :2] = px.numpy()
            frames[t, n, :, 2] = 1.0
    return frames


def _openpose(kp19):
    body25 = np.zeros((25, 3))
    for i, name in enumerate(COCO17_NAMES):
        body25[OPENPOSE25_NAMES.index(name)] = kp19[i]
    return {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": body25.reshape(-1).tolist()}]}


def test_openpose_folder_with_a_bad_frame_and_tracking_through_a_miss_and_a_crossing(anny_body, tmp_path):
    frames = walkers(anny_body)
    for t, people in enumerate(frames):
        record = {"version": 1.3, "people": [_openpose(p)["people"][0] for n, p in enumerate(people)
                                              if not (t == 4 and n == 0)]}  # person 0 missed in frame 4
        (tmp_path / f"clip_{t:012d}_keypoints.json").write_text(json.dumps(record))
    (tmp_path / f"clip_{7:012d}_keypoints.json").write_text("{not json")  # a damaged frame file
    seq = read_sequence(tmp_path)
    assert len(seq.frames) == 12 and seq.frames[7] == [] and len(seq.frames[4]) == 1
    assert len(seq.errors) == 1 and "clip_000000000007_keypoints.json" in seq.errors[0]
    tracks = track_people(seq.frames, max_gap=3)
    assert len(tracks) == 2
    for track in tracks:
        dense, detected = track.dense()
        assert len(dense) == 12 and (~detected).sum() in (1, 2)
        # identity kept through the crossing: the x of the pelvis keeps moving the same way
        xs = dense[:, 17, 0]
        assert np.all(np.diff(xs) > 0) or np.all(np.diff(xs) < 0)


def test_mmpose_video_json_and_numpy_forms(anny_body, tmp_path):
    frames = walkers(anny_body, T=6)
    video = [{"frame_id": t, "instances": [{"keypoints": p[:17, :2].tolist(), "keypoint_scores": p[:17, 2].tolist()}
                                           for p in people]} for t, people in enumerate(frames)]
    video[2]["instances"].append({"keypoints": "oops"})
    (tmp_path / "video.json").write_text(json.dumps(video))
    seq = read_sequence(tmp_path / "video.json", fps=25)
    assert seq.fps == 25 and [len(f) for f in seq.frames] == [2] * 6 and len(seq.errors) == 1
    np.save(tmp_path / "many.npy", frames)
    np.save(tmp_path / "one.npy", frames[:, 0])
    assert [len(f) for f in read_sequence(tmp_path / "many.npy", joints="coco19").frames] == [2] * 6
    assert [len(f) for f in read_sequence(tmp_path / "one.npy", joints="coco19").frames] == [1] * 6


@pytest.fixture(scope="module")
def shipped(anny_body):
    r = Reconstructor.pretrained()
    r.body = anny_body
    return r


def test_sequence_outputs_bvh_animated_glb_and_params(anny_body, shipped, tmp_path):
    frames = walkers(anny_body, T=10)
    np.save(tmp_path / "walk.npy", frames)
    summary = predict_sequence(tmp_path / "walk.npy", tmp_path / "out", joints="coco19", fps=25.0,
                               reconstructor=shipped, show_progress=False)
    assert summary.tracks == 2 and summary.frames == 20
    motion = read_bvh(tmp_path / "out" / "walk_track0.bvh")
    assert motion.num_frames == 10 and motion.frame_time == pytest.approx(1 / 25, rel=1e-6)
    params = np.load(tmp_path / "out" / "walk_track0_params.npz")
    assert params["rotations"].shape == (10, anny_body.num_bones, 3, 3) and params["detected"].all()
    # the BVH's root follows the params' root (centimetres), and the body walks along x
    positions, _ = motion.forward_kinematics(scale=0.01)
    assert np.abs(positions[:, 0] - params["root"]).max() < 1e-4
    assert abs(params["root"][-1, 0] - params["root"][0, 0]) > 0.5
    import csv

    from gtrs.body.joint_angles import ANGLE_NAMES

    with open(tmp_path / "out" / "walk_track0_angles.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["frame", "time_s", "detected", *ANGLE_NAMES] and len(rows) == 10
    assert [int(r["frame"]) for r in rows] == list(range(10)) and float(rows[5]["time_s"]) == pytest.approx(0.2)
    assert all(r["detected"] == "1" for r in rows)
    knees = np.array([[float(r["left_knee_flexion"]), float(r["right_knee_flexion"])] for r in rows])
    assert 0 <= knees.min() and knees.max() < 45  # the walkers glide in the rest pose: near-straight legs
    assert max(float(r["trunk_lean"]) for r in rows) < 30  # and upright
    report = json.loads(subprocess.run(["node", str(VALIDATOR / "validate.mjs"), str(tmp_path / "out" / "walk_track0.glb")],
                                       capture_output=True, text=True, check=True).stdout)
    assert report["issues"]["numErrors"] == 0 and report["info"]["animationCount"] == 1


def _standing_video(tmp_path, av):
    """A short video made here from the shipped photo of a standing person, drifting sideways."""
    from PIL import Image

    from gtrs.demo import demo_file

    image = np.asarray(Image.open(demo_file("coco_val2017_000000009483_standing.jpg")).convert("RGB"))
    h, w = (image.shape[0] // 2) * 2, (image.shape[1] // 2) * 2
    path = tmp_path / "standing.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for t in range(8):
            frame = np.roll(image[:h, :w], 3 * t, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path, image, h, w


def test_video_file_through_the_detector(tmp_path, shipped):
    av = pytest.importorskip("av")
    path, image, h, w = _standing_video(tmp_path, av)
    seq = read_sequence(path)
    assert seq.fps == pytest.approx(24) and len(seq.frames) == 8 and seq.image_size == (w, h)
    assert sum(len(f) > 0 for f in seq.frames) >= 6
    summary = predict_sequence(path, tmp_path / "out", reconstructor=shipped, show_progress=False,
                               formats=("bvh", "mp4"))
    assert summary.tracks == 1 and (tmp_path / "out" / "standing_track0.bvh").is_file()
    with av.open(str(tmp_path / "out" / "standing_overlay.mp4")) as overlay:
        drawn = [f.to_ndarray(format="rgb24") for f in overlay.decode(video=0)]
    assert len(drawn) == 8 and drawn[0].shape == (h, w, 3)
    original = image[:h, :w].astype(float)
    assert np.abs(drawn[0].astype(float) - original).mean() > 2.0  # a body is drawn over the frame


def test_every_person_of_a_video_with_the_topdown_detector(tmp_path, shipped):
    av = pytest.importorskip("av")
    pytest.importorskip("ai_edge_litert")
    path, _, h, w = _standing_video(tmp_path, av)
    one = read_sequence(path)
    every = read_sequence(path, pose_detector="topdown")
    assert len(every.frames) == 8 and max(len(f) for f in one.frames) == 1
    # the man and his reflection in the window behind him: the top-down detector sees both
    assert sum(len(f) >= 2 for f in every.frames) >= 6
    summary = predict_sequence(path, tmp_path / "out", reconstructor=shipped, show_progress=False,
                               formats=("bvh",), pose_detector="topdown")
    assert summary.tracks == 2 and (tmp_path / "out" / "standing_track1.bvh").is_file()
    with pytest.raises(ValueError, match="pose_detector must be one of solution, topdown"):
        read_sequence(path, pose_detector="yolo")


def test_nothing_to_track_is_one_clear_error(tmp_path, shipped):
    np.save(tmp_path / "short.npy", np.zeros((3, 19, 3)))
    from gtrs.readers.keypoints import KeypointFileError

    with pytest.raises(KeypointFileError, match="no person tracked"):
        predict_sequence(tmp_path / "short.npy", tmp_path / "out", joints="coco19", reconstructor=shipped,
                         show_progress=False)


def test_a_killed_sequence_run_resumes_and_completes(anny_body, shipped, tmp_path):
    np.save(tmp_path / "walk.npy", walkers(anny_body, T=8))
    out = tmp_path / "out"
    run = lambda: predict_sequence(tmp_path / "walk.npy", out, joints="coco19", fps=25.0,  # noqa: E731
                                   formats=("bvh", "params"), reconstructor=shipped, show_progress=False)
    whole = run()
    assert whole.tracks == 2 and not (out / ".walk_tracks.journal").exists()
    # as a kill leaves it: track 0 journaled, track 1 cut off after its BVH, a temporary file
    (out / "walk_track1_params.npz").unlink()
    (out / ".walk_tracks.journal").write_text(json.dumps({"index": 0, "record": {"stem": "walk_track0"}}) + "\n")
    (out / ".walk_track1.bvh.abcd1234.bvh").write_text("half")
    resumed = run()
    assert resumed.tracks == 2 and resumed.resumed == 1 and not resumed.errors
    assert (out / "walk_track1_params.npz").is_file() and (out / "walk_track1.bvh").is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert "exists" in run().errors[0]  # a finished job is not silently redone
