"""Formats in: every keypoint file format (keypoints.py), big JSON lists read one record at a time
(json_stream.py), keypoint sequences (sequences.py, sequence_input.py), videos (video.py) and the
bundled photo detector (detector.py). Used by the inference pipeline (``gtrs.infer``)."""
