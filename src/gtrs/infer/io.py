"""Former home of the keypoint readers, now ``gtrs.readers.keypoints``. Kept as an alias."""
from gtrs.readers.json_stream import iter_json_array  # noqa: F401
from gtrs.readers.keypoints import (  # noqa: F401
    MIN_SCORE,
    KeypointFileError,
    Person,
    ReadResult,
    read_keypoints,
    read_keypoints_in_chunks,
)
