"""Inference: the pipeline from keypoints or photos to people (Reconstructor, predict, sequences,
tracking, resuming killed runs). Formats in live in ``gtrs.readers``, files out in ``gtrs.writers``.
Layer: above writers; imports writers and below."""
