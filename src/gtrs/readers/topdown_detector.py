"""Photos in: every person's 2D pose from BlazePose's two networks, run top-down (``gtrs[image]``).

MediaPipe's wheel (mediapipe 0.10.14) ships the two networks its pose solution chains: a person
detector (``gtrs.readers.person_detection``) and a landmark model (``gtrs.readers.pose_landmarks``).
We run them ourselves with LiteRT (``ai-edge-litert``), without importing MediaPipe: the detector finds
every person at once (the whole photo and four overlapping tiles), and the wheel's full-range face
detector adds a body below every face it sees; each person's aligned crop goes to the landmark model
(twice: the second time through the model's own alignment points), and a person is kept when the
landmark model agrees one is there (its presence score), shows enough joints, and is not someone
already kept (keypoint similarity, silhouette overlap). The 33 landmarks
become COCO-19 pixels, with the landmark visibility as the confidence and landmarks below
``min_visibility`` marked missing.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from gtrs.body.keypoint_formats import to_coco19
from gtrs.body.keypoint_similarity import oks
from gtrs.readers.detector import MIN_VISIBILITY
from gtrs.readers.person_detection import FACE_DETECTOR, MIN_SCORE, PersonCandidate, PersonDetector
from gtrs.readers.pose_landmarks import LandmarkModel, Roi, roi_from_alignment
from gtrs.readers.native_logs import quiet_native_logs

MIN_PRESENCE = 0.5  # the landmark model's pose-presence score from which a crop holds a person (MediaPipe's)
SAME_PERSON_OKS = 0.5  # two kept people whose keypoints are this alike are one person found twice
SAME_PERSON_IOU = 0.6  # ... or whose silhouettes overlap this much (intersection over union)
FRAGMENT_OVERLAP, FRAGMENT_HEIGHT = 0.8, 0.7  # a person whose silhouette lies this much on a kept one,
# shorter than this share of its height, is part of that person (the legs found on their own)
SILHOUETTE_GRID = 96  # silhouettes are compared on a grid this many cells along the image's long side
# A face seen upright puts the mid-hip 4.0 face-box widths below the face's centre and the body's
# size point 5.3 widths above the hip: medians over the 20 people of ../shared/images whom both the
# person detector (refined by the landmark model) and the face detector found (quartiles 3.9-4.1, 5.1-5.4).
FACE_TO_HIP, FACE_TO_SIZE = 4.0, 5.3
IMAGE_EXTRA = "photo input needs the optional detector: pip install 'gtrs[image]' (mediapipe==0.10.14, ai-edge-litert)"


def blazepose_model_paths() -> tuple[Path, Path, Path]:
    """The person detector, the full landmark model and the full-range face detector inside the
    installed MediaPipe wheel (found without importing MediaPipe, whose import takes seconds)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(IMAGE_EXTRA)
    root = Path(spec.submodule_search_locations[0]) / "modules"
    paths = (root / "pose_detection" / "pose_detection.tflite", root / "pose_landmark" / "pose_landmark_full.tflite",
             root / "face_detection" / "face_detection_full_range_sparse.tflite")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ImportError(f"the installed mediapipe lacks {', '.join(missing)}; {IMAGE_EXTRA}")
    return paths


def litert_interpreter(path: Path, threads: int | None = None):
    """A LiteRT interpreter for one ``.tflite`` model."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as e:
        raise ImportError(IMAGE_EXTRA) from e
    return Interpreter(model_path=str(path), num_threads=threads or min(4, os.cpu_count() or 1))


def roi_from_face(face: PersonCandidate) -> Roi:
    """The body's square for a face (upright: a face alone says little of the body's turn; the landmark
    model's second look straightens it)."""
    x0, y0, x1, y1 = face.box
    width = x1 - x0
    hip = np.array([(x0 + x1) / 2, (y0 + y1) / 2 + FACE_TO_HIP * width])
    return roi_from_alignment(hip, hip - [0.0, FACE_TO_SIZE * width])


def _height(kp: np.ndarray) -> float:
    seen = kp[kp[:, 2] > 0, 1]
    return float(np.ptp(seen)) if len(seen) else 0.0


class TopDownPoseDetector:
    """``detect_all(image) -> [(19, 3) COCO-19 keypoints in pixels]``, largest person first."""

    def __init__(self, min_visibility: float | None = None, min_score: float = MIN_SCORE,
                 min_presence: float = MIN_PRESENCE) -> None:
        detector_path, landmark_path, face_path = blazepose_model_paths()
        with quiet_native_logs():  # LiteRT announces its XNNPACK delegate on stderr
            self._persons = PersonDetector(litert_interpreter(detector_path), min_score=min_score)
            self._faces = PersonDetector(litert_interpreter(face_path), model=FACE_DETECTOR)
            self._landmarks = LandmarkModel(litert_interpreter(landmark_path))
        self.min_visibility = MIN_VISIBILITY if min_visibility is None else min_visibility
        self.min_presence = min_presence

    def detect_all(self, image: np.ndarray, max_people: int = 10, min_joints: int = 6) -> list[np.ndarray]:
        """Every person found (at most ``max_people``, each with ``min_joints`` or more keypoints), largest first."""
        image = np.ascontiguousarray(image)
        h, w = image.shape[:2]
        grid = SILHOUETTE_GRID / max(h, w)
        candidates = []
        # every body the person detector sees, then a body below every face (people whose hips are
        # hidden, sitting behind a desk or in a crowd, are often seen by their face only)
        rois = ([roi_from_alignment(*c.keypoints[:2]) for c in self._persons.detect(image)]
                + [roi_from_face(f) for f in self._faces.detect(image)])
        for roi in rois:
            found = self._landmarks.landmarks(image, roi)
            if found.presence < self.min_presence:
                continue
            # a second look through the landmark model's own alignment: the detector's points are
            # rough for people it sees partly, and two detections of one person converge here
            found = self._landmarks.landmarks(image, found.refined_roi())
            if found.presence < self.min_presence:
                continue
            points = found.points.copy()
            points[:, 2] = np.where(points[:, 2] >= self.min_visibility, points[:, 2], 0.0)
            kp = to_coco19(points, "blazepose33")
            if (kp[:, 2] > 0).sum() >= min_joints:
                candidates.append((_height(kp), kp, found.silhouette(h, w, grid)))
        # tallest first, so the people kept stay largest first; a person whose keypoints match one
        # already kept is that person again, and one whose silhouette lies on a taller kept one is a
        # fragment of it (its legs, say)
        candidates.sort(key=lambda c: -c[0])
        people: list[tuple[float, np.ndarray, np.ndarray]] = []
        for height, kp, mask in candidates:
            if not any(self._same_person(height, kp, mask, *other) for other in people):
                people.append((height, kp, mask))
        return [kp for _, kp, _ in people[:max_people]]

    @staticmethod
    def _same_person(height: float, kp: np.ndarray, mask: np.ndarray,
                     kept_height: float, kept_kp: np.ndarray, kept_mask: np.ndarray) -> bool:
        """Whether a candidate (no taller than the kept person) is that person found again or a part of them."""
        if oks(kp[:17], kept_kp[:17], max(height, 1.0) ** 2 / 2) > SAME_PERSON_OKS:
            return True
        shared = (mask & kept_mask).sum()
        if shared > SAME_PERSON_IOU * max(1, (mask | kept_mask).sum()):
            return True
        return height < FRAGMENT_HEIGHT * kept_height and shared > FRAGMENT_OVERLAP * max(1, mask.sum())

    def detect(self, image: np.ndarray) -> np.ndarray | None:
        """The largest person, or None."""
        people = self.detect_all(image, max_people=1)
        return people[0] if people else None

    def close(self) -> None:
        self._persons = self._faces = self._landmarks = None

    def __enter__(self) -> "TopDownPoseDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
