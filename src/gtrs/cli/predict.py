"""`gtrs demo`, `gtrs predict`, `gtrs predict-sequence`, `gtrs view`, `gtrs export-onnx`."""
from __future__ import annotations

import os
from pathlib import Path

import typer

from gtrs.cli.app import _check_pose_detector, _fail, app


# Options that predict and predict-sequence share (one definition each).
DEVICE = typer.Option("cpu", help="Where the network runs: cpu or cuda (the body fit stays on the CPU).")
PRECISION = typer.Option("auto", help="Network precision: auto (bfloat16 where the CPU has bfloat16 instructions, "
                                      "as in training; same accuracy), float32 or bfloat16.")
MIN_CONFIDENCE = typer.Option(None, min=0.0, help="Detector scores under this are misses (default per format: "
                                                  "MMPose/RTMPose and COCO results 0.3, OpenPose 0.05, YOLO-pose 0.5, "
                                                  "photos and videos 0.3; human 0/1/2 flags and .npy kept as given).")
GENDER = typer.Option(None, help="Hold the fitted bodies' gender: male, female, neutral, or 0 (male) to 1 (female). "
                                 "Hints apply to every person of the run.")
AGE = typer.Option(None, help="Hold the fitted bodies' age, in years (anny's calibrated age scale).")
HEIGHT = typer.Option(None, help="Hold the fitted bodies' height, in cm (the rest-pose body).")
WEIGHT = typer.Option(None, help="Hold the fitted bodies' weight, in kg (the body's volume at 980 kg/m^3).")


@app.command()
def demo(
    out: Path = typer.Option(Path("demo_out"), help="Folder for the demo's outputs."),
    body_only: bool = typer.Option(False, help="Only render the body model in a few poses (no network)."),
) -> None:
    """Run the main job on embedded defaults: shipped keypoints and photos -> meshes and a contact sheet."""
    from gtrs.demo import render_body_poses, run_demo

    png = render_body_poses(out) if body_only else run_demo(out)
    typer.echo(f"wrote {png}")
    if not body_only:
        typer.echo(f"results page: {out / 'index.html'} (gtrs view {out})")


def _shape_hints(gender: str | None, age: float | None, height: float | None, weight: float | None):
    """--gender/--age/--height/--weight as ``ShapeHints``; a bad value is one error line."""
    from gtrs.fit.shape_hints import ShapeHints

    try:
        return ShapeHints(ShapeHints.parse_gender(gender), age, height, weight)
    except ValueError as e:
        _fail(str(e).replace("age_years", "--age").replace("height_cm", "--height").replace("weight_kg", "--weight")
              )


def _check_device_and_precision(device: str, precision: str) -> None:
    """--device and --precision, checked before anything runs."""
    from gtrs.models.precision import PRECISIONS

    if precision not in PRECISIONS:
        _fail(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if not (device == "cpu" or device == "cuda" or (device.startswith("cuda:") and device[5:].isdigit())):
        _fail(f"--device must be cpu, cuda or cuda:N, got {device!r}")
    if device != "cpu":
        import torch

        if not torch.cuda.is_available():
            _fail(f"--device {device}: no CUDA GPU is available here (torch {torch.__version__})")


@app.command()
def predict(
    input: Path = typer.Argument(..., help="A keypoint file (.json: COCO results/annotations, OpenPose, MMPose; "
                                           ".txt: YOLO-pose with its image beside it; .npy), "
                                           "a photo (.jpg/.png; needs gtrs[image]), or a folder of them."),
    out: Path = typer.Option(Path("predictions"), help="Output folder."),
    joints: str = typer.Option(None, help="Keypoint layout: coco17|coco19|openpose25|openpose18|blazepose33|halpe26|"
                                          "wholebody133|h36m17 (default: from the file format or the joint count)."),
    focal: float = typer.Option(None, help="Focal length in pixels (default: the image's larger side, if known)."),
    formats: str = typer.Option("obj,ply,glb,params,bvh", help="Files to write per person, comma-separated: obj, ply, "
                                "glb (a skinned, rigged GLB for the fitted body), params (body parameters JSON), bvh "
                                "(the rig's skeleton); or 'none' (NAME_people.json only, the fastest). angles: also NAME_angles.csv, "
                                "every person's joint angles (a row each). parquet: every "
                                "person as one row of OUT/people.parquet instead of NAME_people.json (needs gtrs[parquet])."),
    mesh: str = typer.Option("fit", help="fit: the body model fitted to the network's mesh (a valid, rigged body "
                                         "every time); network: the network's raw vertices (faster; no params, "
                                         "plain GLB, no BVH; can tear on unusual input)."),
    refine: bool = typer.Option(None, "--refine/--no-refine",
                                help="Adjust the fitted body to the keypoints (better with accurate keypoints, e.g. "
                                     "human-annotated, and a little with a detector's; ~3x the fit's time). Default: "
                                     "on for photos, off for keypoint files and --formats parquet / --engine ray "
                                     "(fastest for many people)."),
    lifts: bool = typer.Option(False, "--lifts", help="With --refine: refine from several starts per person, one for "
                                                      "each way the trunk, thighs and shins can point towards or away "
                                                      "from the camera (human-annotated keypoints only: worse with "
                                                      "detector noise; ~6x slower)."),
    render: bool = typer.Option(None, help="Write front/side pictures per person (default: yes, except for "
                                           "--engine ray and --formats parquet, which write no pictures)."),
    frame: str = typer.Option("viewer", help="Axes of the written meshes and joints: viewer (+Y up, facing +Z: "
                                             "upright in glTF viewers and Blender) or camera (OpenCV: y down, z forward)."),
    overwrite: bool = typer.Option(False, help="Replace outputs that exist already (else those people are skipped)."),
    person: int = typer.Option(None, min=0, help="Photos: reconstruct only this person (0 = the largest found); "
                                                 "default: every person the detector finds."),
    onnx: Path = typer.Option(None, help="Run the network with ONNX Runtime from this file (gtrs export-onnx)."),
    html: bool = typer.Option(False, "--html", help="Also write OUT/index.html: every body in 3D to turn around, "
                                                    "beside its photo or keypoints (one self-contained file)."),
    engine: str = typer.Option("local", help="local: this process; ray: an actor pool on a Ray cluster (needs "
                                             "gtrs[ray]; see README, 'Many machines'). Both take --formats parquet."),
    address: str = typer.Option(None, help="--engine ray: the cluster to join (e.g. 10.0.0.5:6379, or 'auto'); "
                                           "default: a local Ray started for this run."),
    workers: int = typer.Option(None, min=1, help="--engine ray: actors, each with the model loaded once "
                                                  "(default: one per CPU of the cluster)."),
    block_size: int = typer.Option(1024, min=1, help="--engine ray and --formats parquet: people per block (one task, "
                                                     "one Parquet part)."),
    mesh_column: bool = typer.Option(False, "--mesh-column", help="--formats parquet: also put each mesh's vertices "
                                                                  "in the table (13,718 x 3 floats per person)."),
    device: str = DEVICE,
    precision: str = PRECISION,
    min_confidence: float = MIN_CONFIDENCE,
    gender: str = GENDER,
    age: float = AGE,
    height: float = HEIGHT,
    weight: float = WEIGHT,
) -> None:
    """Reconstruct a 3D body mesh for every person in the keypoint files."""
    import math

    from gtrs.export.onnx import OnnxModelError
    from gtrs.infer.predict import predict as run_predict
    from gtrs.infer.predictor import MESH_SOURCES
    from gtrs.writers.results import ANGLES_FORMAT, OUTPUT_FORMATS

    # options are checked before anything is read or written
    from gtrs.infer.table_job import ENGINES, TABLE_FORMATS

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip() and f.strip().lower() != "none")
    known = OUTPUT_FORMATS + (ANGLES_FORMAT,) + TABLE_FORMATS
    unknown = [f for f in chosen if f not in known]
    if unknown:
        _fail(f"--formats: unknown {', '.join(unknown)}; choose from {', '.join(known)}")
    if engine not in ENGINES:
        _fail(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    table_job = engine == "ray" or "parquet" in chosen
    if ANGLES_FORMAT in chosen and "parquet" in chosen:
        _fail("--formats angles writes NAME_angles.csv beside NAME_people.json; with parquet the table's "
              "joint_angles_deg column holds them")
    if not table_job:
        for option, given in (("--address", address), ("--workers", workers)):
            if given is not None:
                _fail(f"{option} is an option of --engine ray")
        if mesh_column:
            _fail("--mesh-column needs --formats parquet")
    elif render or html:
        _fail(f"{'--render' if render else '--html'} is not available with "
              f"{'--engine ray' if engine == 'ray' else '--formats parquet'} (they write no pictures or page)")
    if mesh_column and "parquet" not in chosen:
        _fail("--mesh-column needs --formats parquet")
    if mesh not in MESH_SOURCES:
        _fail(f"--mesh must be one of {', '.join(MESH_SOURCES)}, got {mesh!r}")
    if refine and mesh != "fit":
        _fail("--refine needs --mesh fit")
    if lifts and not refine:
        _fail("--lifts needs --refine")
    refine = "lifts" if lifts else refine  # None: per input (photos refined, keypoint files not)
    if frame not in ("viewer", "camera"):
        _fail(f"--frame must be viewer or camera, got {frame!r}")
    if focal is not None and not (math.isfinite(focal) and focal > 0):
        _fail(f"--focal must be a positive number of pixels, got {focal}")
    _check_device_and_precision(device, precision)
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file; give a folder")
    probe = next((p for p in [out, *out.parents] if p.exists()), Path("."))
    if not os.access(probe, os.W_OK):
        _fail(f"--out {out}: {probe} is not writable")
    reconstructor = None
    if onnx is not None:
        if not onnx.is_file():
            _fail(f"--onnx {onnx}: no such file")
        from gtrs.infer.predictor import Reconstructor

        try:
            reconstructor = Reconstructor.pretrained(device=device, onnx_path=str(onnx), precision=precision)
        except OnnxModelError as e:
            _fail(f"--onnx {onnx}: {e}")
    hints = _shape_hints(gender, age, height, weight)
    if table_job:
        from gtrs.infer.table_job import predict_table

        try:
            summary = predict_table(input, out, chosen, engine, address, workers, block_size, joints, focal, frame,
                                    mesh, refine, hints, person, min_confidence, mesh_column, overwrite, device,
                                    precision, str(onnx) if onnx else None, reconstructor=reconstructor)
        except ImportError as e:
            _fail(str(e))
    else:
        summary = run_predict(input, out, joints, focal, chosen, True if render is None else render,
                              reconstructor=reconstructor, frame=frame, overwrite=overwrite, person=person, mesh=mesh,
                              refine=refine, html=html, device=device, precision=precision,
                              min_confidence=min_confidence, hints=hints)
    for note in summary.notes:
        typer.echo(f"note: {note}", err=True)
    for error in summary.errors:
        typer.echo(f"skipped: {error}", err=True)
    skipped = f", {len(summary.errors)} skipped (reasons above, on stderr)" if summary.errors else ""
    resumed = f" ({summary.resumed} finished by the interrupted run before)" if summary.resumed else ""
    typer.echo(f"{summary.people} people{resumed} -> {len(summary.written)} files in {out}{skipped}")
    if html:
        typer.echo(f"results page: {out / 'index.html'} (gtrs view {out})")


@app.command()
def view(
    folder: Path = typer.Argument(Path("demo_out"), help="A results folder holding index.html (gtrs predict --html, "
                                                         "gtrs demo), or the page itself."),
) -> None:
    """Open a results page in the web browser (prints its path where there is no display)."""
    from gtrs.viz.open_page import open_results_page

    page = folder / "index.html" if folder.is_dir() else folder
    if not page.is_file() or page.suffix.lower() not in (".html", ".htm"):
        _fail(f"{folder}: no results page there (make one with gtrs predict --html or gtrs demo)")
    opened = open_results_page(page)
    typer.echo(f"{'opened' if opened else 'no display here; open this file in a browser:'} {page.resolve()}")


@app.command("predict-sequence")
def predict_sequence_cmd(
    input: Path = typer.Argument(..., help="A video (.mp4/.avi/.mov/.mkv; needs gtrs[image]), a folder of per-frame "
                                           "OpenPose JSON, an MMPose per-video JSON, or a .npy (T, [N,] J, 2|3)."),
    out: Path = typer.Option(Path("sequence"), help="Output folder."),
    joints: str = typer.Option(None, help="Keypoint layout (as for predict)."),
    fps: float = typer.Option(None, help="Frames per second (default: the video's, else 30)."),
    focal: float = typer.Option(None, help="Focal length in pixels (default: the frame's larger side, if known)."),
    smooth: bool = typer.Option(True, help="Temporal smoothing (One Euro) of the keypoints and the meshes."),
    min_cutoff: float = typer.Option(None, help="Smoothing of the keypoints: the One Euro cutoff in Hz when still "
                                                "(lower = smoother; default from validation, see README)."),
    formats: str = typer.Option("bvh,glb,params,angles", help="Per track: bvh, glb (skinned, animated), params "
                                "(.npz), angles (joint angles per frame, .csv); mp4 adds the bodies drawn over the "
                                "video (video input)."),
    frame: str = typer.Option("viewer", help="viewer (+Y up, facing +Z) or camera (OpenCV axes)."),
    max_gap: int = typer.Option(10, min=0, help="Frames a person may go undetected and keep their track."),
    overwrite: bool = typer.Option(False, help="Replace outputs that exist already."),
    html: bool = typer.Option(False, "--html", help="Also write OUT/index.html: each track's animated body to turn "
                                                    "around and play (one self-contained file)."),
    device: str = DEVICE,
    precision: str = PRECISION,
    min_confidence: float = MIN_CONFIDENCE,
    gender: str = GENDER,
    age: float = AGE,
    height: float = HEIGHT,
    weight: float = WEIGHT,
    pose_detector: str = typer.Option("solution", "--pose-detector",
                                      help="For a video: 'solution' (MediaPipe's pose solution following one "
                                           "person: one track) or 'topdown' (every person in every frame, "
                                           "tracked; slower: see docs/photo_detection)."),
) -> None:
    """Track every person through a video or keypoint sequence; write one animated body per track."""
    from dataclasses import replace

    from gtrs.fit.sequence import SmoothingConfig
    from gtrs.infer.predict_sequence import SEQUENCE_FORMATS, predict_sequence

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in SEQUENCE_FORMATS]
    if unknown or not chosen:
        _fail(f"--formats: choose from {', '.join(SEQUENCE_FORMATS)}")
    if frame not in ("viewer", "camera"):
        _fail(f"--frame must be viewer or camera, got {frame!r}")
    for option, value in (("--fps", fps), ("--focal", focal), ("--min-cutoff", min_cutoff)):
        if value is not None and not (value > 0 and value < float("inf")):
            _fail(f"{option} must be a positive number, got {value}")
    _check_device_and_precision(device, precision)
    _check_pose_detector(pose_detector)
    smoothing = SmoothingConfig(enabled=smooth)
    if min_cutoff is not None:
        smoothing = replace(smoothing, keypoints=replace(smoothing.keypoints, min_cutoff=min_cutoff))
    summary = predict_sequence(input, out, joints, fps, focal, smoothing, chosen, frame, max_gap=max_gap,
                               overwrite=overwrite, html=html, device=device, precision=precision,
                               min_confidence=min_confidence, hints=_shape_hints(gender, age, height, weight),
                               pose_detector=pose_detector)
    for note in summary.notes:
        typer.echo(f"note: {note}", err=True)
    for error in summary.errors:
        typer.echo(f"skipped: {error}", err=True)
    skipped = f", {len(summary.errors)} skipped (reasons above, on stderr)" if summary.errors else ""
    typer.echo(f"{summary.tracks} tracks, {summary.frames} frames -> {len(summary.written)} files in {out}{skipped}")


@app.command("export-onnx")
def export_onnx_cmd(
    out: Path = typer.Option(Path("gtrs.onnx"), help="ONNX file to write."),
    checkpoint: Path = typer.Option(None, help="A checkpoint (default: the shipped model)."),
) -> None:
    """Export the network to ONNX (dynamic batch), check it, and compare ONNX Runtime with PyTorch."""
    from gtrs.export.onnx import export_onnx
    from gtrs.models.checkpoint import load_model
    from gtrs.models.pretrained import load_pretrained

    model, _ = load_model(checkpoint) if checkpoint else load_pretrained()
    report = export_onnx(model, out, num_joints=model.cfg.num_joints)
    typer.echo(f"wrote {out}: ONNX Runtime vs PyTorch max vertex difference {report['max_vertex_diff_m']:.2e} m")
