"""Person tracks across frames from per-frame detections (COCO-19 keypoints).

Each open track predicts where its keypoints are now (constant velocity from its last two
detections); detections are assigned to tracks by the Hungarian method (scipy) on the mean distance
between predicted and detected keypoints (joints seen in both), in units of the track's size. A pair
further apart than ``max_cost`` is no match: the detection starts a new track. A track missed for
more than ``max_gap`` frames is closed, so a person hidden for a few frames keeps their identity, and
two people crossing keep theirs (their predicted positions pass each other).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass
class Track:
    frames: list[int] = field(default_factory=list)  # frame indices, increasing
    keypoints: list[np.ndarray] = field(default_factory=list)  # (19, 3) per frame in ``frames``

    def predicted(self, frame: int) -> np.ndarray:
        """(19, 3) keypoints expected at ``frame``."""
        last = self.keypoints[-1]
        if len(self.frames) < 2:
            return last
        prev, gap = self.keypoints[-2], self.frames[-1] - self.frames[-2]
        both = (last[:, 2] > 0) & (prev[:, 2] > 0)
        velocity = np.where(both[:, None], (last[:, :2] - prev[:, :2]) / gap, 0.0)
        out = last.copy()
        out[:, :2] += velocity * (frame - self.frames[-1])
        return out

    def size(self) -> float:
        kp = self.keypoints[-1]
        seen = kp[kp[:, 2] > 0, :2]
        return float(max(np.ptp(seen, axis=0).max(), 1.0)) if len(seen) else 1.0

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """Keypoints for every frame from the first to the last ((T, 19, 3), gaps filled by linear
        interpolation between the detections around them) and which frames were detected (T,)."""
        frames = np.asarray(self.frames)
        kp = np.stack(self.keypoints)
        span = np.arange(frames[0], frames[-1] + 1)
        out = np.empty((len(span), kp.shape[1], 3))
        for j in range(kp.shape[1]):
            seen = kp[:, j, 2] > 0
            if not seen.any():
                out[:, j] = 0.0
                continue
            for c in range(2):
                out[:, j, c] = np.interp(span, frames[seen], kp[seen, j, c])
            out[:, j, 2] = np.interp(span, frames[seen], kp[seen, j, 2])
            # beyond a joint's first/last sighting, it stays missing rather than frozen
            out[(span < frames[seen][0]) | (span > frames[seen][-1]), j, 2] = 0.0
        return out, np.isin(span, frames)


def _cost(track: Track, frame: int, detection: np.ndarray) -> float:
    pred = track.predicted(frame)
    both = (pred[:, 2] > 0) & (detection[:, 2] > 0)
    if both.sum() < 2:
        return np.inf
    return float(np.linalg.norm(pred[both, :2] - detection[both, :2], axis=1).mean() / track.size())


def track_people(frames: list[list[np.ndarray]], max_gap: int = 10, max_cost: float = 0.5) -> list[Track]:
    """Tracks (longest first) from ``frames``: per frame, a list of (19, 3) COCO-19 detections."""
    open_tracks: list[Track] = []
    closed: list[Track] = []
    for t, detections in enumerate(frames):
        still_open = []
        for tr in open_tracks:
            (still_open if t - tr.frames[-1] <= max_gap else closed).append(tr)
        open_tracks = still_open
        cost = np.array([[_cost(tr, t, d) for d in detections] for tr in open_tracks]).reshape(len(open_tracks),
                                                                                               len(detections))
        matched = set()
        if cost.size:
            rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, 1e9))
            for r, c in zip(rows, cols):
                if cost[r, c] <= max_cost:
                    open_tracks[r].frames.append(t)
                    open_tracks[r].keypoints.append(detections[c])
                    matched.add(c)
        for c, d in enumerate(detections):
            if c not in matched:
                open_tracks.append(Track([t], [d]))
    tracks = closed + open_tracks
    return sorted(tracks, key=lambda tr: (-len(tr.frames), tr.frames[0]))
