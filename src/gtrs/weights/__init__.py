"""Weights shipped inside the package (see MODEL_CARD.md at the repository root)."""
