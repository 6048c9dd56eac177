"""Export to deployment formats."""
