"""``gtrs bench sequence``: frames/s of ``predict-sequence`` end to end (read, track, smooth, network,
fit, BVH + animated GLB written; no rendering), keypoints in and video in (detector included)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from gtrs.demo import demo_file


def synthetic_track(frames: int, seed: int = 0) -> np.ndarray:
    """(T, 19, 3) keypoints moving smoothly between the shipped motion-capture samples, with jitter."""
    samples = np.load(demo_file("mocap_keypoints_coco19.npy"))  # (S, 19, 3)
    phase = np.arange(frames) / 30.0 * 0.5  # half a sample per second
    a = np.floor(phase).astype(int) % len(samples)
    w = (phase - np.floor(phase))[:, None, None]
    track = (1 - w) * samples[a] + w * samples[(a + 1) % len(samples)]
    track[..., :2] += np.random.default_rng(seed).normal(0, 2.0, track[..., :2].shape)
    track[..., 2] = 1.0
    return track


def synthetic_video(path: Path, frames: int) -> Path:
    """An mp4 of the shipped photo of a standing person, drifting sideways."""
    import av
    from PIL import Image

    image = np.asarray(Image.open(demo_file("coco_val2017_000000009483_standing.jpg")).convert("RGB"))
    h, w = (image.shape[0] // 2) * 2, (image.shape[1] // 2) * 2
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for t in range(frames):
            frame = np.ascontiguousarray(np.roll(image[:h, :w], 2 * t, axis=1))
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def bench_sequence(frames: int = 900, video_frames: int = 90, repeats: int = 3, threads: int = 2) -> list[dict]:
    """Median frames/s over ``repeats`` runs: keypoints in (the network at the default precision, and
    in float32 as the same-run baseline), and (if the image extra is installed) video in."""
    from gtrs.infer.predict_sequence import predict_sequence
    from gtrs.infer.predictor import Reconstructor

    torch.set_num_threads(threads)
    reconstructor = Reconstructor.pretrained()
    float32 = Reconstructor(reconstructor.model, reconstructor.body, precision="float32")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        np.save(tmp / "track.npy", synthetic_track(frames))
        cases = [("keypoints in", tmp / "track.npy", frames, reconstructor),
                 ("keypoints in, float32", tmp / "track.npy", frames, float32)]
        try:
            cases.append(("video in (detector)", synthetic_video(tmp / "video.mp4", video_frames), video_frames,
                          reconstructor))
        except ImportError:
            pass
        for r in (reconstructor, float32):
            predict_sequence(tmp / "track.npy", tmp / "warm", joints="coco19", formats=("bvh", "glb"),
                             reconstructor=r, show_progress=False, overwrite=True)
        for c, (name, source, n, runner) in enumerate(cases):
            times = []
            for r in range(repeats):
                start = time.perf_counter()
                predict_sequence(source, tmp / f"out_{c}_{r}", joints="coco19" if source.suffix == ".npy" else None,
                                 formats=("bvh", "glb"), reconstructor=runner, show_progress=False)
                times.append(time.perf_counter() - start)
            t = sorted(times)[len(times) // 2]
            rows.append({"case": name, "frames": n, "median_s": t, "frames_per_s": n / t})
    return rows
