"""Training: losses, checkpoints, the loop (single process or torchrun data-parallel)."""
