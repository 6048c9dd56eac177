"""Former home of the paper's metrics, now ``gtrs.metrics`` (below training and evaluation, which
both use them). Kept as an alias."""
from gtrs.metrics import (  # noqa: F401
    TORN_SHARE,
    acceleration_error,
    distorted_edge_share,
    edge_lengths,
    mesh_metrics,
    mpjpe,
    mpvpe,
    pa_mpjpe,
    per_joint_error,
    similarity_align,
    torn_meshes,
)
