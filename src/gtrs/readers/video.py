"""Video files in: frames decoded with PyAV (its wheel ships FFmpeg), keypoints from the bundled
detector in its video (tracking) mode. MediaPipe's pose solution follows one person, so a video gives
one track (the most prominent person); a keypoint sequence from a multi-person detector gives all."""
from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from gtrs.readers.keypoints import KeypointFileError
from gtrs.readers.sequence_input import SequenceInput


def read_video_keypoints(path: Path, fps: float | None = None, show_progress: bool = True,
                         min_visibility: float | None = None):
    """A ``SequenceInput`` of one video: per frame, the detected person (or none); landmarks under
    ``min_visibility`` (default: the detector's) are missing."""
    from gtrs.readers.detector import PoseDetector

    try:
        import av
    except ImportError as e:
        raise ImportError("video input needs PyAV and the detector: pip install 'gtrs[image]'") from e
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as e:
        raise KeypointFileError(f"{path}: not a readable video ({e})") from None
    with container:
        if not container.streams.video:
            raise KeypointFileError(f"{path}: the file has no video stream")
        stream = container.streams.video[0]
        rate = fps or (float(stream.average_rate) if stream.average_rate else 30.0)
        seq = SequenceInput(str(path), [], rate, image_size=(stream.codec_context.width, stream.codec_context.height))
        with PoseDetector(video=True, min_visibility=min_visibility) as detector:
            try:
                for frame in tqdm(container.decode(stream), total=stream.frames or None, desc="detect", unit="frame",
                                  disable=not show_progress):
                    kp = detector.detect(frame.to_ndarray(format="rgb24"))
                    seq.frames.append([kp] if kp is not None and (kp[:, 2] > 0).sum() >= 4 else [])
            except av.error.FFmpegError as e:
                seq.errors.append(f"{path}: decoding stopped at frame {len(seq.frames)} ({e})")
    if not seq.frames:
        raise KeypointFileError(f"{path}: no frame could be decoded")
    return seq
