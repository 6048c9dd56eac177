"""``gtrs predict``: keypoint files (or a folder of them) -> meshes, joints and pictures per person."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.infer.io import KeypointFileError, read_keypoints
from gtrs.infer.predictor import Reconstructor
from gtrs.infer.results import MESH_FORMATS


@dataclass
class PredictSummary:
    written: list[Path] = field(default_factory=list)
    people: int = 0
    errors: list[str] = field(default_factory=list)


def input_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".npy"))
        if not files:
            raise KeypointFileError(f"{path}: no .json or .npy keypoint files in this folder")
        return files
    return [path]


def predict(input: str | Path, out: str | Path, joints: str | None = None, focal: float | None = None,
            formats: tuple[str, ...] = MESH_FORMATS, render: bool = True, reconstructor: Reconstructor | None = None,
            show_progress: bool = True, onnx: str | None = None) -> PredictSummary:
    """Reconstruct every person of every keypoint file under ``input`` into ``out``.

    A bad file or record is reported in ``PredictSummary.errors`` and skipped; the rest completes.
    """
    from gtrs.viz.render import render_result_views

    out = Path(out)
    summary = PredictSummary()
    reconstructor = reconstructor or Reconstructor.pretrained(onnx_path=onnx)
    files = input_files(Path(input))
    for path in tqdm(files, desc="predict", unit="file", disable=not show_progress):
        try:
            read = read_keypoints(path, joints)
        except KeypointFileError as e:
            summary.errors.append(str(e))
            continue
        summary.errors.extend(read.errors)
        for k, person in enumerate(read.people):
            result = reconstructor(person.keypoints[None], focal=focal, image_size=person.image_size,
                                   sources=[person.source])[0]
            result.image = person.image
            stem = f"{path.stem}_{k}"
            summary.written += result.save(out, stem, formats)
            if render:
                png = out / f"{stem}_views.png"
                with atomic_path(png) as tmp:
                    render_result_views(result.vertices, result.faces, str(tmp), title=person.source.split("/")[-1])
                summary.written.append(png)
            summary.people += 1
    if summary.people == 0:
        raise KeypointFileError("no person could be reconstructed: " + "; ".join(summary.errors[:3]))
    return summary
