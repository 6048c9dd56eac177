"""Training: losses, batches, the loop (single process or torchrun data-parallel), plots.
Layer: above baselines; imports baselines and below."""
