"""Baselines that need no trained network. Layer: above infer; imports infer and below."""
