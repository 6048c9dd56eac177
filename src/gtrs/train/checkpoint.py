"""Former home of checkpoint reading and writing, now ``gtrs.models.checkpoint`` (below training, so
evaluation and inference read checkpoints without importing training). Kept as an alias."""
from gtrs.models.checkpoint import (  # noqa: F401
    NonFiniteError,
    load_model,
    model_state,
    optimizer_state,
    read_checkpoint,
    save_checkpoint,
    tensors_sha256,
)
