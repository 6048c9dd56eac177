"""``gtrs predict``: keypoint files (or a folder of them) -> meshes, joints and pictures per person."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.infer.detector import IMAGE_SUFFIXES, PoseDetector, load_image
from gtrs.infer.io import KeypointFileError, Person, ReadResult, read_keypoints
from gtrs.infer.predictor import Reconstructor
from gtrs.infer.results import MESH_FORMATS


@dataclass
class PredictSummary:
    written: list[Path] = field(default_factory=list)
    people: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


INPUT_SUFFIXES = (".json", ".npy", ".txt") + IMAGE_SUFFIXES


def input_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES)
        # an image named like a keypoint file is that file's picture (YOLO labels, overlays), not an input
        keypoint_stems = {p.stem for p in files if p.suffix.lower() not in IMAGE_SUFFIXES}
        files = [p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES or p.stem not in keypoint_stems]
        if not files:
            raise KeypointFileError(f"{path}: no keypoint files (.json, .npy) or images in this folder")
        return files
    if not path.exists():
        raise KeypointFileError(f"{path}: no such file or folder")
    return [path]


def output_stems(files: list[Path]) -> dict[Path, str]:
    """Output name stem per input file: its stem, or stem_extension where two inputs share a stem
    (``a.json`` and ``a.npy`` -> ``a_json``, ``a_npy``), so outputs never collide."""
    stems = [f.stem for f in files]
    return {f: f"{f.stem}_{f.suffix.lstrip('.').lower()}" if stems.count(f.stem) > 1 else f.stem for f in files}


def predict(input: str | Path, out: str | Path, joints: str | None = None, focal: float | None = None,
            formats: tuple[str, ...] = MESH_FORMATS, render: bool = True, reconstructor: Reconstructor | None = None,
            show_progress: bool = True, onnx: str | None = None, frame: str = "viewer",
            overwrite: bool = False) -> PredictSummary:
    """Reconstruct every person of every keypoint file under ``input`` into ``out``.

    A bad file or record is reported in ``PredictSummary.errors`` and skipped; the rest completes.
    Outputs that exist already are not replaced (the person is reported) unless ``overwrite``.
    """
    from gtrs.viz.render import overlay_on_image, render_result_views

    out = Path(out)
    summary = PredictSummary()
    files = input_files(Path(input))
    stems = output_stems(files)
    detector = None
    for path in tqdm(files, desc="predict", unit="file", disable=not show_progress):
        image = None
        try:
            if path.suffix.lower() in IMAGE_SUFFIXES:
                image = load_image(path)
                detector = detector or PoseDetector()
                kp = detector.detect(image)
                if kp is None:
                    raise KeypointFileError(f"{path}: the detector found no person")
                read = ReadResult(people=[Person(source=str(path), keypoints=kp, image=path.name,
                                                 image_size=(image.shape[1], image.shape[0]))])
            else:
                read = read_keypoints(path, joints)
        except KeypointFileError as e:
            summary.errors.append(str(e))
            continue
        summary.errors.extend(read.errors)
        summary.notes.extend(read.notes)
        for k, person in enumerate(read.people):
            if reconstructor is None:  # loaded only once some input is known to be usable
                reconstructor = Reconstructor.pretrained(onnx_path=onnx)
            try:
                result = reconstructor(person.keypoints[None], focal=focal, image_size=person.image_size,
                                       sources=[person.source])[0]
                check_result(result, person.source)
            except ValueError as e:
                summary.errors.append(str(e) if person.source in str(e) else f"{person.source}: {e}")
                continue
            result.image = person.image
            stem = f"{stems[path]}_{k}"
            targets = [out / f"{stem}.{fmt}" for fmt in formats] + [out / f"{stem}_joints.json"]
            existing = [t.name for t in targets if t.exists()]
            if existing and not overwrite:
                summary.errors.append(f"{person.source}: {out / existing[0]} exists; pass --overwrite to replace it")
                continue
            summary.written += result.save(out, stem, formats, frame)
            if render:
                png = out / f"{stem}_views.png"
                with atomic_path(png) as tmp:
                    render_result_views(result.vertices, result.faces, str(tmp), title=person.source.split("/")[-1])
                summary.written.append(png)
                if image is not None:
                    png = out / f"{stem}_overlay.png"
                    with atomic_path(png) as tmp:
                        overlay_on_image(image, result.vertices, result.faces, result.focal, result.principal, str(tmp))
                    summary.written.append(png)
            summary.people += 1
    if detector is not None:
        detector.close()
    if summary.people == 0:
        raise KeypointFileError("no person could be reconstructed: " + ("; ".join(summary.errors[:3]) or "no input"))
    return summary


def check_result(result, source: str) -> None:
    """Refuse (ValueError) a result that must not be written: non-finite numbers, or a body that
    is not in front of the camera."""
    for name in ("vertices", "joints", "translation"):
        if not np.isfinite(getattr(result, name)).all():
            raise ValueError(f"{source}: the reconstruction is not finite ({name}); nothing written")
    if result.translation[2] <= 0 or (result.vertices[:, 2] <= 0).any():
        raise ValueError(f"{source}: the solved camera puts the body behind the camera (focal {result.focal:g} px); "
                         "nothing written")
