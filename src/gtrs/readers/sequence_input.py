"""A keypoint sequence as read from any input (``gtrs.readers.sequences``, ``gtrs.readers.video``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SequenceInput:
    source: str
    frames: list[list[np.ndarray]]  # per frame, the (19, 3) detections
    fps: float
    image_size: tuple[int, int] | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
