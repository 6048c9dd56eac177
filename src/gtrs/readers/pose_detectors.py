"""The photo detectors by name, for ``--pose-detector``: each ``POSE_DETECTORS[name](min_visibility=...)``
has ``detect_all(image)`` (every person, largest first, COCO-19 pixels) and is a context manager."""
from __future__ import annotations

from gtrs.readers.detector import PoseDetector


def _topdown(**kwargs):
    from gtrs.readers.topdown_detector import TopDownPoseDetector  # LiteRT loads only when asked for

    return TopDownPoseDetector(**kwargs)


# 'solution': MediaPipe's pose solution, run again with each person found hidden (gtrs.readers.detector);
# 'topdown': BlazePose's person detector, face detector and landmark model (gtrs.readers.topdown_detector)
POSE_DETECTORS = {"solution": PoseDetector, "topdown": _topdown}


def check_pose_detector(name: str) -> str:
    """``name`` if it is a key of ``POSE_DETECTORS``, else a ValueError naming the choices."""
    if name not in POSE_DETECTORS:
        raise ValueError(f"pose_detector must be one of {', '.join(POSE_DETECTORS)}, got {name!r}")
    return name
