"""gtrs: 3D human body meshes from 2D keypoints (GTRS, ACM MM 2022) on an open body model.

Coordinate convention used everywhere in the package (see README, "Conventions"):
- units are metres;
- the body/world frame is right-handed and Y-up; a body at rest faces +Z and its left side is +X
  (the SMPL and BVH convention);
- the camera frame is OpenCV's: X right, Y down, Z forward (into the scene);
- pixel coordinates have their origin at the top-left corner of the image, x right, y down.
"""
from gtrs.version import __version__

__all__ = ["Reconstructor", "read_people", "__version__"]


def __getattr__(name: str):
    """``from gtrs import Reconstructor`` (or ``read_people``, the Parquet results as a pandas table)
    without importing torch and the body model at ``import gtrs``."""
    if name == "Reconstructor":
        from gtrs.infer.predictor import Reconstructor

        return Reconstructor
    if name == "read_people":
        from gtrs.writers.parquet import read_people

        return read_people
    raise AttributeError(f"module 'gtrs' has no attribute {name!r}")
