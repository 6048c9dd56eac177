"""Every person in a photo: BlazePose's person detector (``pose_detection.tflite`` from MediaPipe's wheel),
and BlazeFace's full-range face detector for people whose body the person detector does not see.

The detector is an SSD over 2,254 fixed anchors on a 224 x 224 letterboxed image (pixels scaled to
[-1, 1]). Each anchor regresses a box (around the face) and four alignment keypoints: 0 the mid-hip,
1 a point whose distance from it gives the full body's size and whose direction gives its rotation,
2 the mid-shoulder and 3 the same for the upper body. We decode it as MediaPipe's calculators do
(``SsdAnchorsCalculator``, ``TensorsToDetectionsCalculator``, non-maximum suppression, letterbox
removal; options of ``pose_detection_cpu.pbtxt`` but for the two below), and run it over the whole photo and
over overlapping tiles, so that people small in the frame are seen at a useful size too. The face
detector (``face_detection_full_range_sparse.tflite``, 192 x 192, one anchor per cell of a 48 x 48 map,
6 face keypoints) is decoded the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCORE_CLIP = 100.0
# MediaPipe keeps detections from score 0.5 and merges boxes overlapping by IoU 0.3 (weighted). Chosen
# on the CC BY photos of ../shared/images (the skiers group, the baseball and soccer photos), not on
# the evaluation photos: a lower score finds people in groups (the landmark model's presence score
# and the duplicate checks of gtrs.readers.topdown_detector then drop what is not a person), and plain NMS at
# IoU 0.5 keeps people standing close apart instead of averaging two of them into one.
NMS_IOU = 0.5
MIN_SCORE = 0.3


@dataclass(frozen=True)
class SsdModel:
    """What decoding one of MediaPipe's SSD detectors needs: its input size, its feature maps as
    (stride, anchors per cell), its keypoint count, and the score it is used from."""

    input_size: int
    feature_maps: tuple[tuple[int, int], ...]
    keypoints: int
    min_score: float


# pose_detection_cpu.pbtxt: 5 layers at strides 8, 16, 32, 32, 32, aspect ratio 1 plus the interpolated
# scale (2 anchors per layer and cell); layers that share a stride share a feature map
POSE_DETECTOR = SsdModel(224, ((8, 2), (16, 2), (32, 6)), 4, MIN_SCORE)
# face_detection_full_range.pbtxt: one layer at stride 4, no interpolated scale; MediaPipe's score 0.6
FACE_DETECTOR = SsdModel(192, ((4, 1),), 6, 0.6)
INPUT_SIZE = POSE_DETECTOR.input_size


def ssd_anchor_centres(model: SsdModel = POSE_DETECTOR) -> np.ndarray:
    """(N, 2) anchor centres in [0, 1] (x, y), in the model's output order (2,254 for the pose detector:
    28 x 28 x 2 + 14 x 14 x 2 + 7 x 7 x 6). ``SsdAnchorsCalculator`` with fixed anchor size: every
    anchor is 1 x 1, so only the centres matter."""
    centres = []
    for stride, per_cell in model.feature_maps:
        cells = model.input_size // stride
        ys, xs = np.meshgrid((np.arange(cells) + 0.5) / cells, (np.arange(cells) + 0.5) / cells, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], -1)  # (cells^2, 2), row by row
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


@dataclass
class PersonCandidate:
    """One detection in image pixels: ``score`` in [0, 1], the face ``box`` (x0, y0, x1, y1) and the
    ``keypoints`` (K, 2): the pose detector's 4 alignment keypoints, or the face detector's 6."""

    score: float
    box: np.ndarray
    keypoints: np.ndarray


def letterbox(image: np.ndarray, size: int = INPUT_SIZE) -> tuple[np.ndarray, float, tuple[float, float]]:
    """The (size, size, 3) float input in [-1, 1] (black bars keep the aspect ratio), the scale from
    image pixels to input pixels and the (x, y) offset of the image inside the input."""
    from PIL import Image

    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.BILINEAR), dtype=np.float32)
    canvas = np.zeros((size, size, 3), np.float32)
    ox, oy = (size - nw) // 2, (size - nh) // 2
    canvas[oy:oy + nh, ox:ox + nw] = resized
    return canvas / 127.5 - 1.0, scale, (ox, oy)


def decode(regressors: np.ndarray, logits: np.ndarray, anchors: np.ndarray, min_score: float,
           size: int = INPUT_SIZE) -> np.ndarray:
    """Rows (score, x0, y0, x1, y1, kx0, ky0, ...) in input pixels for the anchors scoring ``min_score``
    or more; ``regressors`` (N, 4 + 2K) (x, y, w, h offsets in input pixels, then K keypoints),
    ``logits`` (N,), ``anchors`` (N, 2) in [0, 1] of a ``size``-pixel input."""
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)))
    keep = scores >= min_score
    reg, anc, scores = regressors[keep], anchors[keep] * size, scores[keep]
    cx, cy = reg[:, 0] + anc[:, 0], reg[:, 1] + anc[:, 1]
    half_w, half_h = reg[:, 2] / 2, reg[:, 3] / 2
    kps = reg[:, 4:].copy()
    kps[:, 0::2] += anc[:, :1]  # x
    kps[:, 1::2] += anc[:, 1:]  # y
    return np.concatenate([scores[:, None], np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], -1),
                           kps], -1)


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one (4,) box with (N, 4) boxes (x0, y0, x1, y1)."""
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = lambda b: np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)  # noqa: E731
    return inter / np.maximum(area(box) + area(boxes) - inter, 1e-9)


def weighted_nms(rows: np.ndarray, iou: float = NMS_IOU, weighted: bool = True) -> np.ndarray:
    """MediaPipe's weighted non-maximum suppression: the best-scoring row absorbs every row overlapping
    it by more than ``iou``; its box and keypoints become their score-weighted mean (``weighted``; else
    they stay its own: plain NMS), its score stays."""
    width = rows.shape[1]
    rows = rows[np.argsort(-rows[:, 0], kind="stable")]
    kept = []
    while len(rows):
        overlap = box_iou(rows[0, 1:5], rows[:, 1:5]) > iou
        overlap[0] = True
        group = rows[overlap]
        merged = group[0].copy()
        if weighted:
            merged[1:] = (group[:, :1] * group[:, 1:]).sum(0) / group[:, 0].sum()
        kept.append(merged)
        rows = rows[~overlap]
    return np.array(kept) if kept else np.zeros((0, width))


def tiles(width: int, height: int, overlap: float = 0.25, size: int = INPUT_SIZE) -> list[tuple[int, int, int, int]]:
    """The whole image, then a 2 x 2 grid of overlapping windows (x0, y0, x1, y1) when the image is
    big enough for a quarter of it to hold a person the whole-image pass sees too small."""
    windows = [(0, 0, width, height)]
    if max(width, height) >= 2 * size:
        tw, th = int(width * (0.5 + overlap / 2)), int(height * (0.5 + overlap / 2))
        for y0 in (0, height - th):
            for x0 in (0, width - tw):
                windows.append((x0, y0, x0 + tw, y0 + th))
    return windows


class PersonDetector:
    """``detect(image) -> [PersonCandidate]``, best score first, over the whole image and its tiles
    (the pose detector: 4 alignment keypoints; or, given ``FACE_DETECTOR``, faces: 6 face keypoints)."""

    def __init__(self, interpreter, min_score: float | None = None, nms_iou: float = NMS_IOU, weighted: bool = False,
                 model: SsdModel = POSE_DETECTOR) -> None:
        self._net = interpreter
        interpreter.allocate_tensors()
        self._input = interpreter.get_input_details()[0]["index"]
        outputs = sorted(interpreter.get_output_details(), key=lambda d: d["shape"][-1])
        self._logits, self._regressors = outputs[0]["index"], outputs[1]["index"]  # (1, N, 1), (1, N, 4 + 2K)
        self.model = model
        self._anchors = ssd_anchor_centres(model)
        self.min_score = model.min_score if min_score is None else min_score
        self.nms_iou, self.weighted = nms_iou, weighted

    def _run(self, image: np.ndarray, origin: tuple[int, int]) -> np.ndarray:
        size = self.model.input_size
        tensor, scale, (ox, oy) = letterbox(image, size)
        self._net.set_tensor(self._input, tensor[None])
        self._net.invoke()
        rows = decode(self._net.get_tensor(self._regressors)[0], self._net.get_tensor(self._logits)[0, :, 0],
                      self._anchors, self.min_score, size)
        rows[:, 1::2] = (rows[:, 1::2] - ox) / scale + origin[0]  # x of the box corners and keypoints
        rows[:, 2::2] = (rows[:, 2::2] - oy) / scale + origin[1]  # y
        return rows

    def detect(self, image: np.ndarray) -> list[PersonCandidate]:
        h, w = image.shape[:2]
        rows = [self._run(np.ascontiguousarray(image[y0:y1, x0:x1]), (x0, y0))
                for x0, y0, x1, y1 in tiles(w, h, size=self.model.input_size)]
        merged = weighted_nms(np.concatenate(rows), self.nms_iou, self.weighted)
        return [PersonCandidate(float(r[0]), r[1:5].copy(), r[5:].reshape(-1, 2).copy()) for r in merged]
