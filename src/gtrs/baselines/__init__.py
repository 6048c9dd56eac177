"""Baselines that need no trained network."""
