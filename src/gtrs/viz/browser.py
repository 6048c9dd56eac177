"""Headless Chromium (Debian's ``chromium``) for looking at results pages: screenshots, and the time
a page takes to become interactive. Used by the tests and ``gtrs bench page``; needs the browser."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# Software WebGL (SwiftShader): the same pixels with or without a GPU.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")


def chromium() -> str:
    """The browser's command; FileNotFoundError naming the package where it is missing."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    raise FileNotFoundError("no chromium found: install Debian's package (apt-get install chromium)")


def _run(page: Path, args: list[str], size: tuple[int, int], fragment: str, timeout: float) -> str:
    url = Path(page).resolve().as_uri() + (f"#{fragment}" if fragment else "")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                               *args, url], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed on {page}: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def screenshot(page: str | Path, png: str | Path, size: tuple[int, int] = (1200, 900), fragment: str = "",
               timeout: float = 120.0) -> Path:
    """A PNG of ``page`` as headless Chromium shows it (``fragment``: the URL's #part, e.g. 'rotate=90')."""
    _run(Path(page), ["--virtual-time-budget=10000", f"--screenshot={Path(png).resolve()}"], size, fragment, timeout)
    return Path(png)


def page_state(page: str | Path, size: tuple[int, int] = (1200, 900), fragment: str = "",
               timeout: float = 120.0, wait_ms: int | None = None) -> dict[str, str]:
    """The ``data-*`` attributes the page's script sets on <body> once it is interactive
    (``ready-ms``: milliseconds from navigation to that moment; ``view0``: the first 3D view's
    rectangle in CSS pixels). Runs in real time, so ``ready-ms`` is a wall-clock measurement, unless
    ``wait_ms`` lets the page run that much virtual time first (pages that load GLBs asynchronously)."""
    wait = [f"--virtual-time-budget={wait_ms}"] if wait_ms else []
    dom = _run(Path(page), [*wait, "--dump-dom"], size, fragment, timeout)
    body = re.search(r"<body([^>]*)>", dom)
    return dict(re.findall(r'data-([a-z0-9-]+)="([^"]*)"', body.group(1))) if body else {}
