"""Keep the detectors' C++ chatter out of the user's terminal.

MediaPipe and LiteRT print a few lines straight to file descriptor 2 on their first run (an XNNPACK
notice, absl's "before InitializeLog" warning, a feedback-manager warning per graph) and MediaPipe
triggers a protobuf deprecation warning; none of it is about the user's input, and it lands in the
middle of the progress bar. ``quiet_native_logs`` catches descriptor 2 around a detector call and
passes on every line except those known ones, so a real error from the C++ side still shows.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator

# Each seen with mediapipe 0.10.14 and ai-edge-litert 2.3.0 on the CPU, on every first detection.
NATIVE_NOISE = tuple(re.compile(p) for p in (
    r"INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.$",
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$",
    r"W\d{4} [\d:. ]+\d+ inference_feedback_manager\.cc:\d+\] Feedback manager requires a model with a "
    r"single signature inference\.",
))
PROTOBUF_DEPRECATION = r"SymbolDatabase\.GetPrototype\(\) is deprecated"


def is_native_noise(line: str) -> bool:
    """True for a line of ``NATIVE_NOISE`` (without its line ending)."""
    return any(p.match(line) for p in NATIVE_NOISE)


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Run the block with descriptor 2 caught in a temporary file; afterwards every caught line but
    ``NATIVE_NOISE`` is written to stderr, in order. Without a descriptor 2 or a temporary file (a full
    disk), the block runs unfiltered."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        caught = tempfile.TemporaryFile()
    except OSError:
        os.close(saved)
        yield
        return
    with caught:
        os.dup2(caught.fileno(), 2)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=PROTOBUF_DEPRECATION, category=UserWarning)
                yield
        finally:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines = caught.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not is_native_noise(line.rstrip("\r\n")))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
