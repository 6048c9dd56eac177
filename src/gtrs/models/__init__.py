"""Networks: 2D keypoints -> body mesh. ``create_model(name, ...)`` builds one by name."""
from __future__ import annotations

import torch

from gtrs.body.joints import get_joint_set, graph_adjacency
from gtrs.models.gtrs import GTRS, GTRSConfig, cpu_config, paper_config

CONFIGS = {"paper": paper_config, "cpu": cpu_config}


def create_model(config: str | GTRSConfig, template: torch.Tensor, joint_set: str = "coco19") -> GTRS:
    """A GTRS network for a (V, 3) mesh ``template`` and a joint set; ``config`` is 'paper', 'cpu' or a GTRSConfig."""
    if isinstance(config, str):
        if config not in CONFIGS:
            raise ValueError(f"unknown config {config!r}; expected one of {sorted(CONFIGS)}")
        js = get_joint_set(joint_set)
        config = CONFIGS[config](joint_set=js.name, num_joints=js.num_joints, num_vertices=template.shape[0])
    return GTRS(config, graph_adjacency(get_joint_set(config.joint_set)), template)


__all__ = ["GTRS", "GTRSConfig", "CONFIGS", "create_model"]
