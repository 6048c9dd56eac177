"""Fitting the body model: to a predicted mesh (``mesh``), and to 2D keypoints (``keypoints``)."""
