"""Literal aliases shared across the package, and the shape conventions.

Shapes in docstrings and comments: B batch, V vertices, F faces, J joints, K bones.
"""
from __future__ import annotations

from typing import Literal, TypeAlias

JointSetName: TypeAlias = Literal["coco17", "coco19", "h36m17"]
KeypointFormat: TypeAlias = Literal["coco17", "coco19", "h36m17", "openpose25", "openpose18", "blazepose33"]
BodyModelName: TypeAlias = Literal["anny", "smpl"]
Split: TypeAlias = Literal["train", "val", "test"]
