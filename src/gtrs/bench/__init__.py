"""Benchmarks (``gtrs bench ...``): medians of repeated timings on this machine. Layer: below cli only."""
