"""The fitted bodies drawn over the video they came from, as an MP4 (PyAV): every track's mesh in
each frame where the track exists, shaded by the camera's light, half transparent, each track in its
own colour, a nearer body hiding one behind."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gtrs.atomic import atomic_path  # noqa: E402
from gtrs.viz.render import draw_people_overlay  # noqa: E402


def write_overlay_video(video: str | Path, out: str | Path,
                        meshes: dict[int, list[tuple[np.ndarray, float, np.ndarray, int]]],
                        faces: np.ndarray, fps: float, show_progress: bool = True) -> Path:
    """``meshes``: frame index -> [(camera-frame vertices (V, 3), focal, principal (2,), track), ...]; a
    track keeps its colour (``PERSON_COLORS[track]``) in every frame."""
    import av

    out = Path(out)
    with av.open(str(video)) as source, atomic_path(out) as tmp:
        stream_in = source.streams.video[0]
        with av.open(str(tmp), "w", format="mp4") as sink:
            stream = None
            frames = source.decode(stream_in)
            for t, frame in enumerate(tqdm(frames, desc="overlay", unit="frame", disable=not show_progress)):
                image = frame.to_ndarray(format="rgb24")
                h, w = image.shape[:2]
                if stream is None:
                    stream = sink.add_stream("libx264", rate=round(fps))
                    stream.width, stream.height, stream.pix_fmt = w - w % 2, h - h % 2, "yuv420p"
                fig = plt.figure(figsize=(w / 100, h / 100), dpi=100)
                here = meshes.get(t, [])
                draw_people_overlay(fig.add_axes([0, 0, 1, 1]), image, [m[:3] for m in here], faces,
                                    colors=[m[3] for m in here])
                fig.canvas.draw()
                drawn = np.asarray(fig.canvas.buffer_rgba())[:h - h % 2, :w - w % 2, :3]
                plt.close(fig)
                for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(drawn), format="rgb24")):
                    sink.mux(packet)
            if stream is not None:
                for packet in stream.encode():
                    sink.mux(packet)
    return out
