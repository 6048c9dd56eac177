"""Opening a results page in the user's browser, where there is a screen to show it on."""
from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path


def has_display() -> bool:
    """True where a browser window can appear: macOS, Windows, or a Linux/BSD session with X11 or Wayland."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_results_page(page: str | Path) -> bool:
    """Open ``page`` in the default browser; False (nothing opened) where there is no display."""
    if not has_display():
        return False
    return webbrowser.open(Path(page).resolve().as_uri())
