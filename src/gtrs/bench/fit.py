"""``gtrs bench fit``: time per person of the network, the body fit to its mesh, the refinement to the
keypoints and the refinement from several starts (``gtrs.fit.multi_start``), on one batch of test-split
people (medians), with how close the fit comes."""
from __future__ import annotations

from pathlib import Path

import torch

from gtrs.bench.timing import median_seconds
from gtrs.body.anny import AnnyBody
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.pairs import network_inputs
from gtrs.synthetic.synth import SynthConfig, synthesize_batch
from gtrs.fit.keypoints import refine_to_keypoints
from gtrs.fit.mesh import MeshFitter
from gtrs.fit.multi_start import refine_with_lifts
from gtrs.models.pretrained import load_pretrained


def bench_fit(data: str | Path, batch: int = 64, repeats: int = 5, threads: int = 2) -> list[dict]:
    """Rows {stage, batch, ms_per_person[, median_mm]}: network, fit, refine, lifts (exact 2D, seed 0)."""
    torch.set_num_threads(threads)
    body = AnnyBody()
    model, _ = load_pretrained()
    model.eval()
    g = torch.Generator().manual_seed(0)
    rotations = load_split_rotations(data, "test")
    examples = synthesize_batch(body, rotations[torch.randint(0, len(rotations), (batch,), generator=g)], g, SynthConfig())
    keypoints = network_inputs(examples, "coco19", torch.zeros(batch, dtype=torch.bool), g)
    fitter = MeshFitter(body)
    with torch.no_grad():
        network = median_seconds(lambda: model(keypoints), repeats)
        vertices, _ = model(keypoints)
        fit_s = median_seconds(lambda: fitter(vertices), repeats, warmup=1)
        fit = fitter(vertices)
    refine_s = median_seconds(lambda: refine_to_keypoints(body, fit, vertices, keypoints, examples["focal"],
                                                          examples["principal"]), max(1, repeats // 2), warmup=0)
    lifts_s = median_seconds(lambda: refine_with_lifts(body, fit, vertices, keypoints, examples["focal"],
                                                       examples["principal"]), 1, warmup=0)
    return [{"stage": "network", "batch": batch, "ms_per_person": 1000 * network / batch},
            {"stage": "fit", "batch": batch, "ms_per_person": 1000 * fit_s / batch,
             "median_mm": float((fit.vertices - vertices).norm(dim=-1).median() * 1000)},
            {"stage": "refine", "batch": batch, "ms_per_person": 1000 * refine_s / batch},
            {"stage": "lifts", "batch": batch, "ms_per_person": 1000 * lifts_s / batch}]
