"""``gtrs predict --engine ray`` and ``--formats parquet``: a whole dataset of people as one table job.

The driver reads the inputs once and cuts their people into blocks (``gtrs.infer.blocks``); an engine
turns each block into a Parquet part: ``local`` (this process, one block after another) or ``ray``
(an actor pool on a Ray cluster, ``gtrs.infer.ray_engine``). Parts land in ``OUT/people.parquet/``
(with ``--formats parquet``; ``gtrs.writers.parquet``), else in a hidden work folder from which each
input's ``NAME_people.json`` is written at the end, exactly as ``gtrs predict`` writes it.

Killed and rerun, a job resumes: ``_gtrs_job.json`` in the dataset folder names its inputs (path,
size, modification time) and options, and a rerun of the same job computes only the blocks without a
part. Bad files and records are reported as ``gtrs predict`` reports them (and a block's are kept in
its part's metadata, so a resumed job reports them too); they never stop the job.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.fit.shape_hints import ShapeHints
from gtrs.infer.blocks import BLOCK_SIZE, BlockOutcome, BlockTask, BlockWorker, ReadLog, iter_blocks
from gtrs.infer.predict import PredictSummary, input_files, output_stems
from gtrs.readers.keypoints import KeypointFileError
from gtrs.writers.parquet import iter_part_records, part_files, part_metadata, write_part
from gtrs.writers.results import ANGLES_FORMAT, BODY_FORMATS, MESH_FORMATS, PEOPLE_RECORD_KEYS, PeopleJsonWriter

ENGINES = ("local", "ray")
TABLE_FORMATS = ("parquet",)
JOB_FILE = "_gtrs_job.json"


class TableJobError(KeypointFileError):
    """A job that cannot start as asked (the message says why and what to pass)."""


def predict_table(input: str | Path, out: str | Path, formats: tuple[str, ...] = ("parquet",), engine: str = "local",
                  address: str | None = None, workers: int | None = None, block_size: int = BLOCK_SIZE,
                  joints: str | None = None, focal: float | None = None, frame: str = "viewer", mesh: str = "fit",
                  refine: bool | str | None = None, hints: ShapeHints | None = None, person: int | None = None,
                  min_confidence: float | None = None, vertices: bool = False, overwrite: bool = False,
                  device: str = "cpu", precision: str = "auto", onnx: str | None = None,
                  show_progress: bool = True, reconstructor=None) -> PredictSummary:
    """Reconstruct every person under ``input`` as a table job (see the module docstring). ``formats``:
    'parquet' for ``OUT/people.parquet`` (else one ``NAME_people.json`` per input), plus any mesh and
    body formats, written per person beside it. ``vertices``: meshes as a column of the table.
    ``reconstructor``: a model already loaded, for the local engine (Ray actors load their own)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, got {block_size}")
    out = Path(out)
    summary = PredictSummary()
    files = input_files(Path(input), summary.notes)
    stems = output_stems(files)
    table = "parquet" in formats
    folder = out / ("people.parquet" if table else ".people_blocks")
    if not table:
        kept = []
        for path in files:
            people_json = out / f"{stems[path]}_people.json"
            if people_json.exists() and not overwrite:
                summary.errors.append(f"{path}: {people_json} exists; pass --overwrite to replace it")
            else:
                kept.append(path)
        files = kept
    file_formats = tuple(f for f in formats if f in MESH_FORMATS + BODY_FORMATS)
    refine = False if refine is None else refine  # a table job is for many people: the fit alone unless asked
    task = BlockTask(frame=frame, focal=focal, mesh=mesh, refine=refine, hints=hints, mesh_formats=file_formats,
                     out=str(out.resolve()), vertices=vertices, device=device, precision=precision, onnx=onnx)
    job = {"inputs": [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in files],
           "block_size": block_size, "joints": joints, "person": person, "min_confidence": min_confidence,
           "task": {k: v for k, v in asdict(task).items() if k not in ("device", "precision", "onnx", "out")} |
           {"out": str(out.resolve())}}
    job = json.loads(json.dumps(job))  # as it reads back from the file
    done = _start_or_resume(folder, job, overwrite)

    log = ReadLog()
    bar = tqdm(total=0, desc=f"predict ({engine})", unit="person", disable=not show_progress)
    try:
        def on_done(outcome: BlockOutcome) -> None:
            write_part(folder / _part_name(outcome.index), outcome.part)
            bar.update(outcome.size)

        def todo():
            for block in iter_blocks(files, stems, block_size, joints, min_confidence, person, log):
                bar.total += len(block.people)
                bar.refresh()
                if block.index in done:
                    bar.update(len(block.people))
                    continue
                yield block

        if engine == "ray":
            from gtrs.infer.ray_engine import run_blocks_on_ray

            run_blocks_on_ray(todo(), task, on_done, address=address, workers=workers)
        else:
            worker = None
            for block in todo():
                worker = worker or BlockWorker(task, reconstructor)  # the model: once some input is usable
                on_done(worker.run(block))
    finally:
        bar.close()
    summary.errors += log.errors
    summary.notes += log.notes
    parts = part_files(folder)
    for part in parts:
        meta = part_metadata(part)
        summary.errors += meta.get("errors", [])
        summary.people += meta["rows"]
        if _part_index(part) in done:  # finished by the job that was killed
            summary.resumed += meta["rows"]
    if summary.people == 0:
        raise KeypointFileError("no person could be reconstructed: " + ("; ".join(summary.errors[:3]) or "no input"))
    if table:
        _write_job(folder, job | {"complete": True})
        summary.written += parts
    else:
        summary.written += _write_people_json(parts, out, stems, files, frame, ANGLES_FORMAT in formats)
        shutil.rmtree(folder, ignore_errors=True)
    return summary


def _part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


def _part_index(path: Path) -> int:
    return int(path.name[5:11])


def _start_or_resume(folder: Path, job: dict, overwrite: bool) -> set[int]:
    """Prepare the dataset folder for ``job``: the block numbers already done (a resumed job), or none."""
    manifest = folder / JOB_FILE
    if folder.exists() and overwrite:
        shutil.rmtree(folder)
    elif manifest.is_file():
        try:
            earlier = json.loads(manifest.read_text())
        except ValueError:
            earlier = {}
        if earlier.get("complete"):
            raise TableJobError(f"{folder} exists; pass --overwrite to replace it")
        if {k: v for k, v in earlier.items() if k != "complete"} != job:
            raise TableJobError(f"{folder} holds an unfinished job with other inputs or options; rerun that job to "
                                "finish it, or pass --overwrite to start this one")
    elif folder.exists() and any(folder.iterdir()):
        raise TableJobError(f"{folder} exists; pass --overwrite to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".part-*.tmp"):  # parts a killed job was writing
        stale.unlink(missing_ok=True)
    _write_job(folder, job | {"complete": False})
    return {_part_index(p) for p in part_files(folder)}


def _write_job(folder: Path, job: dict) -> None:
    with atomic_path(folder / JOB_FILE) as tmp:
        tmp.write_text(json.dumps(job, indent=1))


def _write_people_json(parts: list[Path], out: Path, stems: dict[Path, str], files: list[Path],
                       frame: str, angles: bool = False) -> list[Path]:
    """One ``NAME_people.json`` per input from the parts (an input's people are consecutive rows), with
    ``angles`` also its ``NAME_angles.csv``."""
    by_input = {str(p): p for p in files}
    written, writer, current = [], None, None
    for part in parts:
        for row in iter_part_records(part, ["input", *PEOPLE_RECORD_KEYS]):
            if row["input"] != current:
                if writer is not None:
                    writer.close()
                    written += writer.paths
                current = row["input"]
                path = by_input[current]
                writer = PeopleJsonWriter(out / f"{stems[path]}_people.json", current, frame, angles=angles)
            writer.add({k: row[k] for k in PEOPLE_RECORD_KEYS})
    if writer is not None:
        writer.close()
        written += writer.paths
    return written
