"""Keypoint sequences -> per-frame detections (COCO-19), for ``gtrs predict-sequence``.

- a folder of per-frame OpenPose JSON files (as ``--write_json`` names them:
  ``NAME_000000000000_keypoints.json``; any ``*.json`` in the folder, ordered by the number in the name);
- an MMPose / RTMPose per-video JSON: a list of ``{"frame_id", "instances"}``;
- a NumPy array (T, J, 2|3) (one person) or (T, N, J, 2|3) (up to N per frame; rows with no
  confident joint are empty slots);
- a video file (.mp4, .avi, .mov, .mkv), read with PyAV, through the bundled detector in its
  video (tracking) mode (``gtrs[image]``).

A frame file or record that cannot be read is reported in ``errors`` and its frame is left empty; the
sequence goes on.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from gtrs.readers.keypoints import (
    MIN_SCORE,
    KeypointFileError,
    _convert,
    _mmpose_record,
    read_keypoints,
)
from gtrs.readers.sequence_input import SequenceInput
from gtrs.readers.video import read_video_keypoints

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm")
DEFAULT_FPS = 30.0


def _frame_number(path: Path) -> tuple[int, str]:
    numbers = re.findall(r"\d+", path.stem)
    return (int(numbers[-1]) if numbers else -1, path.name)


def read_sequence(path: str | Path, joints: str | None = None, fps: float | None = None,
                  min_confidence: float | None = None, pose_detector: str = "solution") -> SequenceInput:
    """Read a sequence (see the module docstring); ``fps`` overrides the frame rate (default: the
    video's, else 30); ``min_confidence`` the formats' score thresholds (``gtrs.readers.keypoints.MIN_SCORE``);
    ``pose_detector`` the detector for videos (``gtrs.readers.video``)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"), key=_frame_number)
        if not files:
            raise KeypointFileError(f"{path}: no per-frame .json keypoint files in this folder")
        seq = SequenceInput(str(path), [], fps or DEFAULT_FPS)
        for f in files:
            try:
                read = read_keypoints(f, joints, min_confidence)
            except KeypointFileError as e:
                seq.errors.append(str(e))
                seq.frames.append([])
                continue
            seq.errors.extend(read.errors)
            seq.notes.extend(n for n in read.notes if n not in seq.notes)
            seq.frames.append([p.keypoints for p in read.people])
        return seq
    if not path.is_file():
        raise KeypointFileError(f"{path}: no such file or folder")
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return read_video_keypoints(path, fps, min_visibility=min_confidence, pose_detector=pose_detector)
    if path.suffix == ".npy":
        return _read_numpy_sequence(path, joints, fps, min_confidence or MIN_SCORE["numpy"])
    if path.suffix == ".json":
        return _read_mmpose_video(path, joints, fps, MIN_SCORE["mmpose"] if min_confidence is None else min_confidence)
    raise KeypointFileError(f"{path}: expected a folder of per-frame JSON, an MMPose video JSON, a .npy "
                            f"(T, [N,] J, 2|3) array or a video ({', '.join(VIDEO_SUFFIXES)})")


def _read_mmpose_video(path: Path, joints: str | None, fps: float | None, min_score: float) -> SequenceInput:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as e:
        raise KeypointFileError(f"{path}: not valid JSON ({type(e).__name__})") from None
    if not (isinstance(data, list) and data and all(isinstance(r, dict) and "instances" in r for r in data)):
        raise KeypointFileError(f"{path}: expected an MMPose video JSON: a list of {{frame_id, instances}}")
    ids = [r.get("frame_id") if isinstance(r.get("frame_id"), int) and not isinstance(r.get("frame_id"), bool)
           else i for i, r in enumerate(data)]
    count = max(ids) - min(ids) + 1
    if count > 10 * len(data) + 1000:
        raise KeypointFileError(f"{path}: frame ids span {count} frames for {len(data)} records")
    seq = SequenceInput(str(path), [[] for _ in range(count)], fps or DEFAULT_FPS)
    for i, (record, fid) in enumerate(zip(data, ids)):
        instances = record["instances"]
        if not isinstance(instances, list):
            seq.errors.append(f"{path}#frame {fid}: 'instances' must be a list of people, got "
                              f"{type(instances).__name__}; the frame is left empty")
            continue
        for k, inst in enumerate(instances):
            where = f"{path}#frame {fid} instance {k}"
            try:
                kp, _ = _convert(_mmpose_record(inst).get("keypoints"), joints, where, min_score)
            except (KeypointFileError, AttributeError) as e:
                seq.errors.append(str(e) if isinstance(e, KeypointFileError) else f"{where}: not an instance record")
                continue
            seq.frames[fid - min(ids)].append(kp)
    return seq


def _read_numpy_sequence(path: Path, joints: str | None, fps: float | None, min_score: float = 0.0) -> SequenceInput:
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as e:  # numpy raises many types for a damaged file
        raise KeypointFileError(f"{path}: not a readable .npy array ({type(e).__name__})") from None
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iuf" or arr.ndim not in (3, 4):
        raise KeypointFileError(f"{path}: expected a numeric array (T, J, 2|3) or (T, N, J, 2|3), "
                                f"got {getattr(arr, 'shape', type(arr))}")
    if arr.ndim == 3:
        arr = arr[:, None]
    seq = SequenceInput(str(path), [], fps or DEFAULT_FPS)
    for t, people in enumerate(arr):
        frame = []
        for n, person in enumerate(people):
            if person.shape[-1] == 3 and not (person[:, 2] > 0).any():
                continue  # an empty slot
            try:
                frame.append(_convert(person, joints, f"{path}#frame {t} person {n}", min_score)[0])
            except KeypointFileError as e:
                seq.errors.append(str(e))
        seq.frames.append(frame)
    return seq
