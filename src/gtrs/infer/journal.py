"""A run's journal of finished people, so a killed ``gtrs predict`` resumes without losing anyone
(``gtrs predict-sequence`` keeps one of finished tracks the same way, ``.NAME_tracks.journal``).

Beside the outputs, ``.NAME_people.journal`` holds one JSON line per person of input NAME whose
files are all written: ``{"index": k, "record": {...}}`` (k: the person's number in the input,
``NAME_k``; the record: their entry of ``NAME_people.json``). The combined ``NAME_people.json``
is published only when the input is finished, and the journal is removed then. A rerun after a
kill reads the journal: those people go into the combined file as they were, without being
computed again, and the files of people not in it (cut off by the kill) are replaced. A last line
cut off by the kill is ignored.
"""
from __future__ import annotations

import json
import re
from pathlib import Path


def journal_path(people_json: Path) -> Path:
    return people_json.parent / f".{people_json.name.removesuffix('.json')}.journal"


class PeopleJournal:
    """The finished people of one input (see the module docstring)."""

    def __init__(self, path: Path, fresh: bool = False) -> None:
        self.path = path
        self.done: dict[int, dict] = {}
        if fresh:
            path.unlink(missing_ok=True)
        self.resumed = path.is_file()
        if self.resumed:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.done[int(entry["index"])] = entry["record"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut off by the kill
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8")

    def finish(self, index: int, record: dict) -> None:
        """Record person ``index`` as finished (all their files written)."""
        self._file.write(json.dumps({"index": index, "record": record}) + "\n")
        self._file.flush()

    def close(self, remove: bool) -> None:
        """Close; ``remove`` once the combined file is published (or nothing was finished)."""
        if not self._file.closed:
            self._file.close()
        if remove:
            self.path.unlink(missing_ok=True)


def remove_stale_temporaries(folder: Path, stem: str) -> list[Path]:
    """Delete the temporary files a killed run left for input ``stem`` (``.STEM_*.XXXXXXXX[.ext]``,
    as ``gtrs.atomic`` and the people-JSON writer name them); returns them."""
    pattern = re.compile(rf"^\.{re.escape(stem)}_.+\.[a-z0-9_]{{8}}(\.[A-Za-z0-9]+)?$")
    removed = []
    if folder.is_dir():
        for p in folder.iterdir():
            if pattern.match(p.name) and p.is_file() and not p.name.endswith(".journal"):
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed
