"""Video files in: frames decoded with PyAV (its wheel ships FFmpeg), keypoints from the bundled
detector. The default ('solution') runs MediaPipe's pose solution in its video (tracking) mode, which
follows one person, so a video gives one track (the most prominent person); 'topdown'
(``gtrs.readers.topdown_detector``) finds every person in every frame, and the tracker links them."""
from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from gtrs.readers.keypoints import KeypointFileError
from gtrs.readers.sequence_input import SequenceInput


def read_video_keypoints(path: Path, fps: float | None = None, show_progress: bool = True,
                         min_visibility: float | None = None, pose_detector: str = "solution"):
    """A ``SequenceInput`` of one video: per frame, the detected people (``pose_detector`` 'solution': the
    one person MediaPipe follows, or none; 'topdown': everyone found); landmarks under ``min_visibility``
    (default: the detector's) are missing."""
    from gtrs.readers.detector import PoseDetector
    from gtrs.readers.pose_detectors import POSE_DETECTORS, check_pose_detector

    check_pose_detector(pose_detector)

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
        if pose_detector == "solution":
            detector = PoseDetector(video=True, min_visibility=min_visibility)
            people_in = lambda image: [kp for kp in [detector.detect(image)] if kp is not None]  # noqa: E731
        else:
            detector = POSE_DETECTORS[pose_detector](min_visibility=min_visibility)
            people_in = detector.detect_all
        with detector:
            try:
                for frame in tqdm(container.decode(stream), total=stream.frames or None, desc="detect", unit="frame",
                                  disable=not show_progress):
                    people = people_in(frame.to_ndarray(format="rgb24"))
                    seq.frames.append([kp for kp in people if (kp[:, 2] > 0).sum() >= 4])
            except av.error.FFmpegError as e:
                seq.errors.append(f"{path}: decoding stopped at frame {len(seq.frames)} ({e})")
    if not seq.frames:
        raise KeypointFileError(f"{path}: no frame could be decoded")
    return seq
