"""Screenshot a GLB as three.js shows it, in headless Chromium (Debian's `chromium`).

    python tools/glb-viewer/screenshot.py person.glb out.png [--yaw 30]

Needs `npm ci --prefix tools/glb-viewer` (three.js) and chromium. The page and the file are served
from a temporary folder on localhost (module scripts do not load from file://)."""
from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from gtrs.viz.browser import FLAGS as CHROMIUM_FLAGS

HERE = Path(__file__).parent
FLAGS = list(CHROMIUM_FLAGS)  # the package's own headless-Chromium settings (software WebGL)


def screenshot(glb: Path, png: Path, yaw: float = 0.0, size: tuple[int, int] = (700, 900)) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copy(HERE / "view.html", root / "view.html")
        (root / "node_modules").symlink_to((HERE / "node_modules").resolve())
        shutil.copy(glb, root / "body.glb")
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/view.html?file=body.glb&yaw={yaw}"
        try:
            subprocess.run(["chromium", *FLAGS, f"--user-data-dir={root / 'profile'}", f"--window-size={size[0]},{size[1]}",
                            "--virtual-time-budget=15000", f"--screenshot={png.resolve()}", url],
                           check=True, capture_output=True, timeout=120)
        finally:
            server.shutdown()
    return png


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("glb", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--yaw", type=float, default=0.0)
    args = parser.parse_args()
    print(screenshot(args.glb, args.png, args.yaw))
