"""Networks: 2D keypoints -> body mesh. ``create_model(name, ...)`` builds one by name.

Every model maps pixel keypoints (B, J, 2|3) to (vertices (B, V, 3), pose3d (B, J, 3)) and names
its pose-lifting part ``pose_module`` (pre-trained alone in the 'pam' stage).
"""
from __future__ import annotations

import numpy as np
import torch

from gtrs.body.joints import get_joint_set, graph_adjacency
from gtrs.models.gtrs import GTRS, GTRSConfig, cpu_config, cpu_missing_channel_config, paper_config

CONFIGS = {"paper": paper_config, "cpu": cpu_config, "cpu_missing": cpu_missing_channel_config}
MODEL_NAMES = ("paper", "cpu", "cpu_missing", "pose2mesh")


def create_model(config: str | GTRSConfig, template: torch.Tensor, joint_set: str = "coco19",
                 faces: np.ndarray | torch.Tensor | None = None) -> torch.nn.Module:
    """A network for a (V, 3) mesh ``template``: 'paper', 'cpu' or 'cpu_missing' (GTRS), a GTRSConfig, or
    'pose2mesh' (the baseline; needs the mesh ``faces`` to build its graph hierarchy)."""
    if config == "pose2mesh":
        from gtrs.models.pose2mesh import pose2mesh_for_body

        if faces is None:
            raise ValueError("the pose2mesh model needs the body's faces")
        return pose2mesh_for_body(np.asarray(faces), template.shape[0], joint_set)
    if isinstance(config, str):
        if config not in CONFIGS:
            raise ValueError(f"unknown model {config!r}; expected one of {list(MODEL_NAMES)}")
        js = get_joint_set(joint_set)
        config = CONFIGS[config](joint_set=js.name, num_joints=js.num_joints, num_vertices=template.shape[0])
    return GTRS(config, graph_adjacency(get_joint_set(config.joint_set)), template)


__all__ = ["GTRS", "GTRSConfig", "CONFIGS", "MODEL_NAMES", "create_model"]
