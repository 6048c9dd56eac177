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
from gtrs.readers.keypoints import KeypointFileError
from gtrs.readers.native_logs import quiet_native_logs

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


MIN_VISIBILITY = 0.3  # landmarks MediaPipe sees less surely than this are misses (--min-confidence)


class PoseDetector:
    """``detect(image) -> (19, 3) COCO-19 keypoints in pixels, or None if no person is found``."""

    def __init__(self, model_complexity: int = 1, min_visibility: float | None = None, video: bool = False) -> None:
        """``video``: MediaPipe's tracking mode (frames of one video in order; the person found in one
        frame is followed into the next) instead of searching every image afresh."""
        try:
            import mediapipe as mp
        except ImportError as e:
            raise ImportError("photo input needs the optional detector: pip install 'gtrs[image]' "
                              "(mediapipe==0.10.14)") from e
        with quiet_native_logs():
            self._pose = mp.solutions.pose.Pose(static_image_mode=not video, model_complexity=model_complexity)
        self.min_visibility = MIN_VISIBILITY if min_visibility is None else min_visibility

    def detect(self, image: np.ndarray) -> np.ndarray | None:
        with quiet_native_logs():  # MediaPipe's first call prints C++ notices; errors still show
            result = self._pose.process(np.ascontiguousarray(image))
        if result.pose_landmarks is None:
            return None
        h, w = image.shape[:2]
        lm = np.array([(p.x * w, p.y * h, p.visibility) for p in result.pose_landmarks.landmark])  # (33, 3)
        lm[:, 2] = np.where(lm[:, 2] >= self.min_visibility, lm[:, 2], 0.0)
        return to_coco19(lm, "blazepose33")

    def detect_all(self, image: np.ndarray, max_people: int = 10, min_joints: int = 6) -> list[np.ndarray]:
        """Every person found, largest first: (19, 3) COCO-19 keypoints each.

        MediaPipe's pose solution finds one person per call. So each person found is hidden (the box
        of their keypoints, a little enlarged, filled with the image's mean colour) and the search
        runs again, over the whole image and then over half-width windows, where smaller people are
        found more easily. A detection far smaller than the largest one (under a quarter of its
        height: a fragment of someone already found) ends the search in that window.
        """
        h, w = image.shape[:2]
        work = np.array(image, copy=True)
        fill = image.reshape(-1, image.shape[-1]).mean(0).astype(image.dtype)
        people: list[np.ndarray] = []
        windows = [(0, w)] + [(int(a * w), int(min(1.0, a + 0.5) * w)) for a in (0.0, 0.25, 0.5)]
        for x0, x1 in windows:
            while len(people) < max_people:
                kp = self.detect(np.ascontiguousarray(work[:, x0:x1]))
                if kp is None or (kp[:, 2] > 0).sum() < min_joints:
                    break
                kp[:, 0] = np.where(kp[:, 2] > 0, kp[:, 0] + x0, kp[:, 0])
                seen = kp[kp[:, 2] > 0, :2]
                (bx0, by0), (bx1, by1) = seen.min(0), seen.max(0)
                if people and by1 - by0 < 0.25 * max(np.ptp(p[p[:, 2] > 0, 1]) for p in people):
                    break
                people.append(kp)
                pw, ph = bx1 - bx0, by1 - by0
                work[int(max(0, by0 - 0.25 * ph)):int(min(h, by1 + 0.1 * ph)),
                     int(max(0, bx0 - 0.15 * pw)):int(min(w, bx1 + 0.15 * pw))] = fill
        return sorted(people, key=lambda p: -np.ptp(p[p[:, 2] > 0, 1]))

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> "PoseDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
