"""Evaluation: the paper's metrics and the evaluate command."""
