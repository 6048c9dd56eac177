"""Photos in: a bundled 2D pose detector (MediaPipe Pose, optional extra ``gtrs[image]``).

MediaPipe's legacy Pose solution (mediapipe 0.10.14, model inside the wheel, runs offline on the
CPU) finds one person per image and returns 33 BlazePose landmarks; we convert them to COCO-19
pixels, with MediaPipe's visibility as the confidence and landmarks below ``min_visibility`` marked
missing.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gtrs.body.keypoint_formats import to_coco19
from gtrs.infer.io import KeypointFileError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def load_image(path: str | Path) -> np.ndarray:
    """(H, W, 3) uint8 RGB; a clear error for unreadable files."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError) as e:
        raise KeypointFileError(f"{path}: not a readable image ({e})") from None
    except Image.DecompressionBombError as e:
        raise KeypointFileError(f"{path}: image too large to open safely ({e})") from None


class PoseDetector:
    """``detect(image) -> (19, 3) COCO-19 keypoints in pixels, or None if no person is found``."""

    def __init__(self, model_complexity: int = 1, min_visibility: float = 0.3) -> None:
        try:
            import mediapipe as mp
        except ImportError as e:
            raise ImportError("photo input needs the optional detector: pip install 'gtrs[image]' "
                              "(mediapipe==0.10.14)") from e
        self._pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=model_complexity)
        self.min_visibility = min_visibility

    def detect(self, image: np.ndarray) -> np.ndarray | None:
        result = self._pose.process(np.ascontiguousarray(image))
        if result.pose_landmarks is None:
            return None
        h, w = image.shape[:2]
        lm = np.array([(p.x * w, p.y * h, p.visibility) for p in result.pose_landmarks.landmark])  # (33, 3)
        lm[:, 2] = np.where(lm[:, 2] >= self.min_visibility, lm[:, 2], 0.0)
        return to_coco19(lm, "blazepose33")

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> "PoseDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
