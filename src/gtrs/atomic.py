"""Atomic file writes: write to a temporary file in the same folder, then rename over the target,
so a reader never sees a half-written file and a crash never destroys the previous version."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, on error it is removed.
    The temporary name is hidden (a leading dot) and ends in ``suffix`` (default: the target's suffix,
    which some writers need; pass ".tmp" where a reader globbing the suffix must never see it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix or path.suffix or ".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp (and some writers that recreate the file) leave 0600; give the result the
        # permissions a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class StreamedFile:
    """A text file written piece by piece (``.file``) under a hidden temporary name beside ``path``:
    ``publish()`` gives it its name complete, ``drop()`` removes it, so readers never see a partial file."""

    def __init__(self, path: str | Path, newline: str | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        self.tmp = Path(tmp)
        self.file = os.fdopen(fd, "w", newline=newline)

    def publish(self) -> Path:
        self.file.close()
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.path)
        return self.path

    def drop(self) -> None:
        """Remove the temporary file (also when closing it fails, as on a full disk)."""
        try:
            self.file.close()
        except OSError:
            pass
        self.tmp.unlink(missing_ok=True)
