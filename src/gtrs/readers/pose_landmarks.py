"""One person's 33 landmarks: BlazePose's landmark model (``pose_landmark_full.tflite``) on an aligned crop.

The person detector's alignment keypoints give a rotated square around the body (MediaPipe's
``PoseDetectionToRoi``: centred on the mid-hip, side twice the hip-to-size-point distance, turned so
the body stands upright, enlarged 1.25 times). The crop is resampled to 256 x 256 (pixels in [0, 1]);
the model returns 39 landmarks (x, y in crop pixels, z, visibility and presence logits; the first 33
are BlazePose's), a pose-presence score, and more we do not use. The landmarks are mapped back through
the same rotation and scale. Left and right come from the model, which sees the whole body, so a
person seen from behind keeps their own left and right.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CROP_SIZE = 256
ROI_SCALE = 1.25


@dataclass
class Roi:
    """A rotated square in image pixels: centre (x, y), side, rotation (radians; 0 = upright)."""

    centre: np.ndarray
    side: float
    rotation: float

    def crop_to_image(self) -> np.ndarray:
        """(2, 3) affine map from crop pixels (0..256) to image pixels."""
        c, s = np.cos(self.rotation), np.sin(self.rotation)
        k = self.side / CROP_SIZE
        rot = np.array([[c, -s], [s, c]]) * k
        return np.concatenate([rot, (self.centre - rot @ np.full(2, CROP_SIZE / 2))[:, None]], 1)


def roi_from_alignment(hip: np.ndarray, size_point: np.ndarray, scale: float = ROI_SCALE) -> Roi:
    """The body's square from the detector's mid-hip and size/rotation keypoints (pixels); the
    rotation turns the hip-to-size-point direction to straight up (MediaPipe's target angle 90 deg)."""
    d = size_point - hip
    rotation = np.pi / 2 - np.arctan2(-d[1], d[0])
    rotation = (rotation + np.pi) % (2 * np.pi) - np.pi
    return Roi(np.asarray(hip, float), float(2 * np.hypot(*d) * scale), float(rotation))


def crop(image: np.ndarray, roi: Roi) -> np.ndarray:
    """The (256, 256, 3) float crop in [0, 1] of ``roi`` (outside the image: black)."""
    from PIL import Image

    m = roi.crop_to_image()  # PIL's AFFINE data maps output to input coordinates (both pixel-corner based)
    data = (m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2])
    out = Image.fromarray(image).transform((CROP_SIZE, CROP_SIZE), Image.AFFINE, data=data,
                                           resample=Image.BILINEAR, fillcolor=(0, 0, 0))
    return np.asarray(out, dtype=np.float32) / 255.0


@dataclass
class Landmarks:
    """33 BlazePose landmarks (33, 3): x, y in image pixels and visibility in [0, 1]; the model's
    pose-presence score; the ROI they were found in; and the model's own alignment points (its
    mid-hip and size point, (2, 2) pixels) for a better ROI (MediaPipe tracks with them); and the
    person's silhouette in the crop, (256, 256) bool (the model's segmentation)."""

    points: np.ndarray
    presence: float
    roi: Roi
    alignment: np.ndarray
    mask: np.ndarray

    def silhouette(self, height: int, width: int, scale: float) -> np.ndarray:
        """The silhouette on a (round(height * scale), round(width * scale)) grid over the image."""
        gh, gw = max(1, round(height * scale)), max(1, round(width * scale))
        gy, gx = np.mgrid[0:gh, 0:gw]
        pts = np.stack([(gx.ravel() + 0.5) / scale, (gy.ravel() + 0.5) / scale], -1)  # image pixels
        m = self.roi.crop_to_image()
        uv = np.floor((pts - m[:, 2]) @ np.linalg.inv(m[:, :2]).T).astype(int)  # crop pixels
        inside = ((uv >= 0) & (uv < CROP_SIZE)).all(-1)
        out = np.zeros(len(pts), bool)
        out[inside] = self.mask[uv[inside, 1], uv[inside, 0]]
        return out.reshape(gh, gw)

    def refined_roi(self) -> Roi:
        """The ROI the landmark model's own alignment points give."""
        return roi_from_alignment(*self.alignment)


class LandmarkModel:
    """``landmarks(image, roi) -> Landmarks``."""

    def __init__(self, interpreter) -> None:
        self._net = interpreter
        interpreter.allocate_tensors()
        self._input = interpreter.get_input_details()[0]["index"]
        by_size = {int(np.prod(d["shape"])): d["index"] for d in interpreter.get_output_details()}
        # (1, 195) = 39 x 5; (1, 1); (1, 256, 256, 1) segmentation logits
        self._points, self._presence, self._mask = by_size[195], by_size[1], by_size[CROP_SIZE * CROP_SIZE]

    def landmarks(self, image: np.ndarray, roi: Roi) -> Landmarks:
        self._net.set_tensor(self._input, crop(image, roi)[None])
        self._net.invoke()
        raw = self._net.get_tensor(self._points).reshape(39, 5)  # 33 landmarks, 2 alignment points, 4 more
        m = roi.crop_to_image()
        xy = raw[:, :2] @ m[:, :2].T + m[:, 2]
        visibility = 1.0 / (1.0 + np.exp(-raw[:33, 3].astype(np.float64)))
        presence = float(np.ravel(self._net.get_tensor(self._presence))[0])
        mask = self._net.get_tensor(self._mask)[0, :, :, 0] > 0
        return Landmarks(np.concatenate([xy[:33], visibility[:, None]], -1), presence, roi, xy[33:35], mask)
