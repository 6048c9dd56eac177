"""Sample inputs shipped for ``make demo`` (see CREDITS.md in this folder)."""
