"""What runs after the network, for ``gtrs evaluate --stage``: the raw network mesh (``network``),
the body fitted to it (``fit``, ``gtrs.fit.mesh``), or that body refined to the 2D keypoints
(``refine``, ``gtrs.fit.keypoints``), or refined from several starts per person, one for each way
its segments can lie along the lines of sight (``lifts``, ``gtrs.fit.multi_start``). Each stage is a
predictor ``(keypoints, batch) -> vertices`` relative to the pelvis, like the network's output, so
every metric is computed the same way."""
from __future__ import annotations

from typing import Callable

import torch

from gtrs.body.base import BodyModel

Predictor = Callable[[torch.Tensor, dict], torch.Tensor]
STAGES = ("network", "fit", "refine", "lifts")


def staged_predictor(predict: Predictor, body: BodyModel, stage: str) -> Predictor:
    """``predict`` followed by ``stage``."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
    if stage == "network":
        return predict
    from gtrs.fit.mesh import MeshFitter

    fitter = MeshFitter(body)

    def network_vertices(keypoints: torch.Tensor, batch: dict) -> torch.Tensor:
        result = predict(keypoints, batch)
        return result[0] if isinstance(result, tuple) else result

    if stage == "fit":
        return lambda keypoints, batch: fitter(network_vertices(keypoints, batch)).vertices
    from gtrs.fit.keypoints import refine_to_keypoints
    from gtrs.fit.multi_start import refine_with_lifts

    refiner = refine_to_keypoints if stage == "refine" else refine_with_lifts

    def refine(keypoints: torch.Tensor, batch: dict) -> torch.Tensor:
        vertices = network_vertices(keypoints, batch)
        fit = fitter(vertices)
        refined = refiner(body, fit, vertices, keypoints, batch["focal"], batch["principal"])
        pelvis = body.regress_joints(refined.vertices, "h36m17")[:, :1]
        return refined.vertices - pelvis

    return refine
