"""Training pairs synthesised from motion capture: cameras, detector noise, visibility, postures,
the mocap -> (2D keypoints, mesh) sampler, storage (``gtrs data build``). Layer: above mocap."""
