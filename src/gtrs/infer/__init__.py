"""Inference: keypoint files in, meshes and pictures out."""
