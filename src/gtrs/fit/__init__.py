"""Fitting the body model: the camera solve (``camera``), to a predicted mesh (``mesh``), with what the
user knows (``shape_hints``), and to 2D keypoints (``keypoints``). Layer: above models."""
