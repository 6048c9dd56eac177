"""``gtrs evaluate --sequences``: temporal smoothing on vs off, on held-out motion-capture clips seen as
videos (one body and one camera per clip, detector noise drawn per frame; ``synthesize_clip``).

Per setting: MPJPE and PA-MPJPE (mm, the paper's H36M evaluation joints) of the fitted body, and the
acceleration error (mm/frame^2) against the true motion. The network and the fit are the product's
(``gtrs.fit.sequence``); only the smoothing differs.
"""
from __future__ import annotations

from pathlib import Path

import torch
from tqdm import tqdm

from gtrs.body.anny import AnnyBody
from gtrs.synthetic.build import load_split_clips
from gtrs.synthetic.synth import synthesize_clip
from gtrs.fit.mesh import MeshFitter
from gtrs.fit.sequence import SmoothingConfig, fit_sequence
from gtrs.metrics import acceleration_error, mpjpe, pa_mpjpe
from gtrs.models.checkpoint import load_model

CLIP_FPS = 30.0  # the stored clips keep the BVH files' 30 frames per second


def evaluate_smoothing(checkpoint: str | Path, data: str | Path, split: str = "test", max_frames: int = 300,
                       max_clips: int | None = None, seed: int = 0, settings: dict[str, SmoothingConfig] | None = None,
                       show_progress: bool = True) -> dict:
    """{setting: {mpjpe, pa_mpjpe, accel_error, frames}} over the clips of ``split`` (the first
    ``max_clips``, at most ``max_frames`` frames each), noisy 2D input, the same noise for every setting."""
    settings = settings or {"off": SmoothingConfig(enabled=False), "on": SmoothingConfig()}
    body = AnnyBody()
    model, _ = load_model(checkpoint)
    model.eval()
    fitter = MeshFitter(body)
    network = lambda kp: model(kp)[0]  # noqa: E731
    sums = {name: {"mpjpe": 0.0, "pa_mpjpe": 0.0, "accel_error": 0.0, "frames": 0, "accel_frames": 0}
            for name in settings}
    g = torch.Generator().manual_seed(seed)
    clips = load_split_clips(data, split)[:max_clips]
    for clip, rotations in tqdm(clips, desc=f"sequences[{split}]", disable=not show_progress):
        clip_data = synthesize_clip(body, rotations[:max_frames], g)
        keypoints = clip_data["keypoints2d_noisy"].double().numpy()
        gt = clip_data["joints3d_h36m"]
        for name, cfg in settings.items():
            fit = fit_sequence(network, body, keypoints, CLIP_FPS, cfg, fitter=fitter)
            pred = body.regress_joints(fit.vertices, "h36m17")
            s = sums[name]
            s["mpjpe"] += float(mpjpe(pred, gt).sum())
            s["pa_mpjpe"] += float(pa_mpjpe(pred, gt).sum())
            s["frames"] += len(pred)
            if len(pred) > 2:
                s["accel_error"] += float(acceleration_error(pred, gt).sum())
                s["accel_frames"] += len(pred) - 2
    return {name: {"mpjpe": s["mpjpe"] / s["frames"], "pa_mpjpe": s["pa_mpjpe"] / s["frames"],
                   "accel_error": s["accel_error"] / max(1, s["accel_frames"]), "frames": s["frames"]}
            for name, s in sums.items()}


def sequences_markdown(result: dict) -> str:
    """The smoothing table of ``gtrs evaluate --sequences``."""
    rows = ["| smoothing | frames | MPJPE (mm) | PA-MPJPE (mm) | acceleration error (mm/frame^2) |", "|---|---|---|---|---|"]
    for name, m in result["settings"].items():
        rows.append(f"| {name} | {m['frames']} | {m['mpjpe']:.1f} | {m['pa_mpjpe']:.1f} | {m['accel_error']:.1f} |")
    return (f"# Temporal smoothing, split `{result['split']}`\n\nCheckpoint `{result['checkpoint']}`; every clip of the "
            f"split seen as a video (one body, one camera; detector noise per frame), at most "
            f"{result['max_frames_per_clip']} frames per clip, seed {result['seed']}; the fitted body's H36M joints.\n\n"
            + "\n".join(rows) + "\n")
