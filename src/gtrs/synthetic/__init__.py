"""Training data: cameras, detector noise, the mocap -> (2D keypoints, mesh) sampler, storage."""
