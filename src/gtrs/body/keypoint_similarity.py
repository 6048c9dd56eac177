"""COCO's object keypoint similarity (OKS): how alike two people's COCO-17 keypoints are."""
from __future__ import annotations

import numpy as np

# COCO's per-keypoint OKS sigmas (cocoeval.py), COCO-17 order
COCO_SIGMAS = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89]) / 10.0


def oks(detected: np.ndarray, annotated: np.ndarray, area: float) -> float:
    """COCO's object keypoint similarity of (17, 3) detected keypoints (confidence 0: left out) with
    (17, 3) annotated ones (v > 0: labelled), for a person of ``area`` pixels^2."""
    labelled = annotated[:, 2] > 0
    if not labelled.any():
        return 0.0
    d2 = ((detected[:, :2] - annotated[:, :2]) ** 2).sum(-1)
    k2 = (2 * COCO_SIGMAS) ** 2
    similarity = np.exp(-d2 / (2 * max(area, 1.0) * k2))
    similarity[detected[:, 2] <= 0] = 0.0
    return float(similarity[labelled].mean())
