"""The ``gtrs`` command: a thin typed mirror of the Python API (one public function per verb)."""
from __future__ import annotations

import os
from pathlib import Path

import typer

app = typer.Typer(help="gtrs: 3D human body meshes from 2D keypoints (GTRS, ACM MM 2022).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks on this machine (medians).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
data_app = typer.Typer(help="Training data from motion capture.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _fail(message: str) -> None:
    """A usage error: one line on stderr, exit code 2 (bad files and values raised as ValueError or
    FileNotFoundError end the same way, in ``main``)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _print_version(value: bool) -> None:
    if value:
        from gtrs import __version__

        typer.echo(f"gtrs {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """gtrs: 3D human body meshes from 2D keypoints (GTRS, ACM MM 2022)."""


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


@bench_app.command("body")
def bench_body_cmd(
    batch: list[int] = typer.Option([1, 64, 256], help="Batch sizes to time."),
    repeats: int = typer.Option(7, min=1, help="Timed repeats per batch size (median reported)."),
    threads: int = typer.Option(2, min=1, help="torch threads."),
) -> None:
    """Body-model throughput (meshes/s) at each batch size."""
    from gtrs.bench.body import bench_body

    rows = bench_body(tuple(batch), repeats=repeats, threads=threads)
    typer.echo(f"{'body':6s} {'batch':>5s} {'median ms':>10s} {'meshes/s':>9s} {'(mesh only)':>12s}")
    for r in rows:
        typer.echo(f"{r['body']:6s} {r['batch']:5d} {r['median_ms']:10.1f} {r['meshes_per_s']:9.0f} "
                   f"{r['mesh_only_meshes_per_s']:12.0f}")


@bench_app.command("data")
def bench_data_cmd(
    data: Path = typer.Option(..., help="A folder made by `gtrs data build`."),
    batch: int = typer.Option(256, min=1),
    repeats: int = typer.Option(5, min=1),
    threads: int = typer.Option(2, min=1),
) -> None:
    """Synthetic examples/s (2D + 3D joints + full mesh) at a batch size."""
    from gtrs.bench.data import bench_data

    r = bench_data(data, batch, repeats, threads)
    typer.echo(f"batch {r['batch']}: median {r['median_ms']:.0f} ms -> {r['examples_per_s']:.0f} examples/s "
               f"(body forward alone: {r['body_only_per_s']:.0f}/s, same run)")


@bench_app.command("infer")
def bench_infer_cmd(
    checkpoint: Path = typer.Option(None, help="A checkpoint (default: the shipped model)."),
    threads: int = typer.Option(2, min=1),
    repeats: int = typer.Option(21, min=3),
    batch: int = typer.Option(256, min=1),
) -> None:
    """Single-frame latency (median) and batched meshes/s, PyTorch vs ONNX Runtime."""
    from gtrs.bench.infer import bench_infer
    from gtrs.models.checkpoint import load_model
    from gtrs.models.pretrained import load_pretrained

    model, _ = load_model(checkpoint) if checkpoint else load_pretrained()
    for r in bench_infer(model, threads, repeats, batch):
        typer.echo(f"{r['runtime']:12s} latency {r['latency_ms']:6.1f} ms   batch {r['batch']}: {r['meshes_per_s']:6.0f} meshes/s")


@bench_app.command("predict")
def bench_predict_cmd(
    people: int = typer.Option(1000, min=1, help="Synthetic people in the COCO results file."),
    repeats: int = typer.Option(3, min=1),
    threads: int = typer.Option(2, min=1),
    memory: bool = typer.Option(False, "--memory", help="Instead: peak memory for 1,000, 10,000 and 100,000 people "
                                "(JSON only, network mesh; one fresh process each; ~10 min)."),
) -> None:
    """Batch prediction people/s, keypoints in: JSON only, and JSON + one mesh format, with the raw
    network mesh and with the fitted body (medians); or, with --memory, peak memory against people."""
    from gtrs.bench.predict import bench_predict, bench_predict_memory

    if memory:
        for r in bench_predict_memory(threads=threads):
            typer.echo(f"{r['people']:7d} people ({r['file_mb']:.1f} MB of COCO results): peak memory "
                       f"{r['peak_mb']:.0f} MB, {r['people_per_s']:.0f} people/s")
        return
    for r in bench_predict(people, repeats, threads):
        typer.echo(f"{r['case']:38s}  {r['people']} people: median {r['median_s']:.2f} s -> {r['people_per_s']:.0f} people/s")


@bench_app.command("fit")
def bench_fit_cmd(
    data: Path = typer.Option(..., help="A folder made by `gtrs data build` (its test split is used)."),
    batch: int = typer.Option(64, min=1),
    repeats: int = typer.Option(5, min=1),
    threads: int = typer.Option(2, min=1),
) -> None:
    """Time per person of the network, the body fit and the 2D refinement (medians, same run)."""
    from gtrs.bench.fit import bench_fit

    typer.echo("stage    batch  ms/person  median distance to the network's mesh")
    for r in bench_fit(data, batch, repeats, threads):
        extra = f"  {r['median_mm']:.1f} mm" if "median_mm" in r else ""
        typer.echo(f"{r['stage']:8s} {r['batch']:5d}  {r['ms_per_person']:9.1f}{extra}")


@bench_app.command("page")
def bench_page_cmd(
    bodies: int = typer.Option(50, min=1, help="Bodies on the page (half with a photo)."),
    repeats: int = typer.Option(5, min=1, help="Page loads in headless Chromium (median reported)."),
) -> None:
    """Size of the results page and its time to become interactive in headless Chromium."""
    from gtrs.bench.page import bench_page

    r = bench_page(bodies, repeats)
    typer.echo(f"{r['bodies']} bodies: {r['size_mb']:.1f} MB written in {r['write_s']:.2f} s; interactive "
               f"{r['ready_ms']:.0f} ms after navigation (median of {repeats}; its script {r['script_ms']:.0f} ms)")


@bench_app.command("sequence")
def bench_sequence_cmd(
    frames: int = typer.Option(900, min=3, help="Frames of the synthetic keypoint track (900 = 30 s at 30 fps)."),
    video_frames: int = typer.Option(90, min=3, help="Frames of the synthetic video."),
    repeats: int = typer.Option(3, min=1),
    threads: int = typer.Option(2, min=1),
) -> None:
    """predict-sequence frames/s end to end (BVH + animated GLB out), keypoints in and video in (medians)."""
    from gtrs.bench.sequence import bench_sequence

    for r in bench_sequence(frames, video_frames, repeats, threads):
        typer.echo(f"{r['case']:22s} {r['frames']} frames: median {r['median_s']:.2f} s -> {r['frames_per_s']:.0f} frames/s")


@bench_app.command("report")
def bench_report_cmd(
    data: Path = typer.Option(..., help="A folder made by `gtrs data build` (its test split is used)."),
    gtrs_checkpoint: Path = typer.Option(None, "--gtrs", help="GTRS checkpoint (default: the shipped model)."),
    pose2mesh: Path = typer.Option(None, help="A trained Pose2Mesh checkpoint (row left out if not given)."),
    out: Path = typer.Option(Path("bench_report"), help="Folder for report.md and the plot."),
    batches: int = typer.Option(4, min=1),
) -> None:
    """One Markdown report: GTRS vs Pose2Mesh vs optimisation vs mean pose, measured in this run."""
    from gtrs.bench.report import bench_report
    from gtrs.models.pretrained import pretrained_path

    path = bench_report(data, gtrs_checkpoint or pretrained_path(), pose2mesh, out, batches)
    typer.echo(path.read_text())


@data_app.command("build")
def data_build_cmd(
    mocap: Path = typer.Option(..., "--mocap", "--bvh", help="Folder of .bvh and .amc (+ .asf) clips, searched "
                               "recursively; a clip's folder is its subject."),
    out: Path = typer.Option(..., help="Output folder (resumes if it exists)."),
    seed: int = typer.Option(0, help="Seed of the split of subjects that gtrs/data/subject_splits.json does not name."),
    no_probe: bool = typer.Option(False, "--no-probe", help="Keep the posture-probe clips in their subjects' splits."),
    amc_fps: float = typer.Option(None, help="Frame rate of .amc files whose name lacks a _<fps> suffix (HDM05: _120)."),
) -> None:
    """Retarget every clip onto the body at 30 fps, store the poses, split by subject; the posture-probe
    clips (gtrs/data/posture_probe.json) go to the 'probe' split."""
    from gtrs.data.build import build_dataset

    if amc_fps is not None and not 1 <= amc_fps <= 10000:
        _fail(f"--amc-fps must be a frame rate between 1 and 10000, got {amc_fps}")
    result = build_dataset(mocap, out, seed=seed, holdout={} if no_probe else None, amc_fps=amc_fps)
    for name, reason in result.skipped.items():
        typer.echo(f"skipped {name}: {reason}", err=True)
    for split in ("train", "val", "test"):
        typer.echo(f"{split:5s}: {result.split_frames[split]:6d} frames, subjects {', '.join(result.split_subjects[split])}")
    typer.echo(f"probe: {result.split_frames['probe']:6d} frames (posture-probe clips, in no split)")
    typer.echo(f"wrote {out / 'manifest.json'}")


@data_app.command("postures")
def data_postures_cmd(
    data: Path = typer.Option(..., help="A folder made by `gtrs data build` (its train split seeds the families)."),
    out: Path = typer.Option(Path("postures"), help="Folder for one PNG per family."),
    per_family: int = typer.Option(64, min=1, help="Samples per family."),
    family: list[str] = typer.Option(None, help="Only these families (default: all)."),
    seed: int = typer.Option(0),
) -> None:
    """Contact sheets of the generated training postures, one PNG per family."""
    from gtrs.viz.posture_sheets import write_posture_sheets

    paths = write_posture_sheets(data, out, per_family, seed, family or None)
    typer.echo(f"wrote {len(paths)} sheets to {out}")


@data_app.command("fidelity")
def data_fidelity_cmd(
    mocap: Path = typer.Option(..., "--mocap", "--bvh", help="Folder of .bvh and .amc (+ .asf) clips."),
    out: Path = typer.Option(Path("retarget_fidelity.md"), help="Markdown table to write."),
    amc_fps: float = typer.Option(None, help="Frame rate of .amc files whose name lacks a _<fps> suffix."),
) -> None:
    """Retargeting fidelity: captured joints vs body joints after one scale per clip (mm)."""
    from gtrs.atomic import atomic_path
    from gtrs.mocap.report import fidelity_markdown, fidelity_report

    results, skipped = fidelity_report(mocap, amc_fps=amc_fps)
    table = fidelity_markdown(results)
    with atomic_path(out) as tmp:
        tmp.write_text(table + "\n")
    typer.echo(table.splitlines()[-1])
    for name, reason in skipped.items():
        typer.echo(f"skipped {name}: {reason}", err=True)
    typer.echo(f"wrote {out}")


@app.command()
def train(
    config: Path = typer.Argument(..., help="A YAML file of training fields, or a packaged config by name "
                                             "(cpu_pam, cpu_full, paper, pam_h36m, gtrs_h36m, pam_3dpw, gtrs_3dpw, ...)."),
    resume: bool = typer.Option(False, help="Continue from OUT/last.safetensors."),
    max_steps: int = typer.Option(None, help="Stop after this many steps in total."),
    data: str = typer.Option(None, help="Override the config's data folder."),
    smpl_dir: str = typer.Option(None, help="Override the config's SMPL folder (paper-dataset configs)."),
    device: str = typer.Option(None, help="Override the config's device: cpu or cuda (network and body model)."),
) -> None:
    """Train GTRS on synthetic mocap data or the paper's datasets (torchrun: python -m gtrs.train)."""
    from gtrs.train.config import TrainConfig
    from gtrs.train.loop import train as run_training

    cfg = TrainConfig.from_yaml(config, max_steps=max_steps, data=data, smpl_dir=smpl_dir, device=device)
    out = run_training(cfg, resume=resume)
    typer.echo(f"checkpoints in {out}")


@app.command()
def evaluate(
    checkpoint: Path = typer.Option(None, help="A .safetensors checkpoint (or give --baseline)."),
    data: Path = typer.Option(None, help="A folder made by `gtrs data build`, or with --dataset the release's "
                                         "data/ folder (Human36M/, PW3D/, ...)."),
    split: str = typer.Option(None, help="train, val, test, probe or all (synthetic data); default test, with "
                                         "--mocap all."),
    subject: list[str] = typer.Option(None, help="Only this capture subject's clips (a clip's folder: 02, mm); repeatable."),
    dataset: str = typer.Option(None, help="Run the paper's protocol on this dataset's test split: human36m or pw3d."),
    smpl_dir: Path = typer.Option(None, help="With --dataset: the folder of SMPL model files and joint regressors."),
    limit: int = typer.Option(None, min=1, help="With --dataset: evaluate the first N test examples only."),
    batches: int = typer.Option(20, min=1, help="Random batches (ignored with --all-frames)."),
    batch_size: int = typer.Option(64, min=1),
    seed: int = typer.Option(0, help="Seed of the frame sampling, body shapes, views and noise."),
    all_frames: bool = typer.Option(False, "--all-frames", help="Every stored frame of the split once, in order."),
    baseline: str = typer.Option(None, help="Evaluate a baseline instead of a checkpoint: rest, mean or optimization."),
    mocap: Path = typer.Option(None, "--mocap", "--bvh", help="A folder of .bvh / .amc clips instead of --data: built "
                               "as `gtrs data build` would (into a temporary folder), then evaluated with every "
                               "option as --data."),
    amc_fps: float = typer.Option(None, help="With --mocap: frame rate of .amc files whose name lacks a _<fps> suffix."),
    out: Path = typer.Option(Path("evaluation"), help="Folder for the JSON, Markdown and PNG."),
    probes: bool = typer.Option(False, "--probes", help="Run the posture, visibility (and with --photos, photo) "
                                                        "probes instead, to OUT/probes.{json,md}."),
    photos: Path = typer.Option(None, help="With --probes: a COCO keypoint annotations JSON of real photos."),
    stage: str = typer.Option("network", help="What follows the network: network (its raw mesh), fit (the body "
                                              "fitted to it) or refine (that body refined to the 2D keypoints)."),
    sequences: bool = typer.Option(False, "--sequences", help="Temporal smoothing on vs off on the split's clips "
                                                              "seen as videos (acceleration error, MPJPE), to "
                                                              "OUT/sequences.{json,md}; --batch-size x --batches caps frames per clip."),
    shape: bool = typer.Option(False, "--shape", help="The shape probe instead: children, women, men, old, heavy, "
                                                      "thin, tall, short bodies (--batch-size of each); rest-pose MPVPE "
                                                      "and height error of the fitted body, to OUT/shape_probe.{json,md,png}."),
) -> None:
    """The paper's metrics (MPJPE, PA-MPJPE, MPVPE) with exact and noisy (or detected) 2D input."""
    import tempfile

    from gtrs.eval.baselines import BASELINES

    if (checkpoint is None) == (baseline is None):
        _fail("give either --checkpoint or --baseline")
    if baseline is not None and baseline not in BASELINES:
        _fail(f"--baseline must be one of {', '.join(BASELINES)}, got {baseline!r}")
    if (data is None) == (mocap is None):
        _fail("give --data (a built dataset) or --mocap (a folder of clips), not both")
    from gtrs.eval.stages import STAGES

    if stage not in STAGES:
        _fail(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    if photos is not None and not photos.is_file():  # checked before minutes of probes, not after
        _fail(f"--photos {photos}: no such file (a COCO keypoint annotations JSON)")
    split = split or ("all" if mocap is not None else "test")
    if mocap is None:
        _evaluate_data(checkpoint, data, split, subject, dataset, smpl_dir, limit, batches, batch_size, seed,
                       all_frames, baseline, out, probes, photos, stage, sequences, shape, source=None)
        return
    from gtrs.data.build import build_dataset

    with tempfile.TemporaryDirectory() as tmp:
        build_dataset(mocap, tmp, show_progress=True, amc_fps=amc_fps)
        _evaluate_data(checkpoint, Path(tmp), split, subject, dataset, smpl_dir, limit, batches, batch_size, seed,
                       all_frames, baseline, out, probes, photos, stage, sequences, shape, source=mocap)


def _evaluate_data(checkpoint, data: Path, split: str, subjects, dataset, smpl_dir, limit, batches: int,
                   batch_size: int, seed: int, all_frames: bool, baseline, out: Path, probes: bool, photos, stage: str,
                   sequences: bool, shape: bool, source: Path | None) -> None:
    """``gtrs evaluate`` on a built dataset; ``source`` names the clip folder it was built from, if any."""
    from gtrs.eval.evaluate import evaluate as run_evaluation
    from gtrs.eval.evaluate import evaluate_dataset, write_report

    label = source if source is not None else data
    if shape:
        if checkpoint is None:
            _fail("--shape needs --checkpoint")
        _write_shape_probe(checkpoint, data, out, per_kind=batch_size, seed=seed, label=label)
        return
    if probes:
        _write_probes(checkpoint, data, out, photos, batches, batch_size, stage, label=label)
        return
    if sequences:
        _write_sequences(checkpoint, data, split, out, max_frames=batch_size * batches, seed=seed, label=label)
        return
    if dataset is None:
        report = run_evaluation(checkpoint, data, split, batches, batch_size, seed, all_frames=all_frames,
                                baseline=baseline, stage=stage, subjects=subjects or None, source=source)
    elif smpl_dir is None:
        _fail("--dataset needs --smpl-dir (SMPL model files + J_regressor_*.npy)")
    else:
        report = evaluate_dataset(checkpoint, data, dataset, smpl_dir, batch_size, limit)
    paths = write_report(report, out)
    typer.echo(report.markdown())
    typer.echo("wrote " + ", ".join(str(p) for p in paths))


def _write_sequences(checkpoint: Path, data: Path, split: str, out: Path, max_frames: int, seed: int,
                     label: Path | None = None) -> None:
    from gtrs.eval.sequences import evaluate_smoothing, sequences_markdown

    result = {"checkpoint": str(checkpoint), "data": str(label or data), "split": split, "max_frames_per_clip": max_frames,
              "seed": seed, "settings": evaluate_smoothing(checkpoint, data, split, max_frames=max_frames, seed=seed)}
    _write_json_and_markdown(out, "sequences", result, sequences_markdown(result))


def _write_shape_probe(checkpoint: Path, data: Path, out: Path, per_kind: int, seed: int, label: Path) -> None:
    from gtrs.body.anny import AnnyBody
    from gtrs.eval.shape_probe import shape_probe, shape_probe_markdown
    from gtrs.viz.render import mesh_pairs_sheet

    result = shape_probe(checkpoint, data, per_kind=per_kind, seed=seed)
    meshes = result.pop("meshes")
    report = {"checkpoint": str(checkpoint), "data": str(label), "seed": seed, **result}
    _write_json_and_markdown(out, "shape_probe", report, shape_probe_markdown(result, str(checkpoint)))
    mesh_pairs_sheet(list(meshes.values()), AnnyBody().faces.numpy(), list(meshes), str(out / "shape_probe.png"),
                     row_titles=("truth", "from its 2D keypoints"))
    typer.echo(f"wrote {out / 'shape_probe.png'}")


def _write_json_and_markdown(out: Path, name: str, result: dict, text: str) -> None:
    """``out/name.json`` and ``out/name.md`` (atomically), the Markdown echoed."""
    import json

    from gtrs.atomic import atomic_path

    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / f"{name}.json") as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    with atomic_path(out / f"{name}.md") as tmp:
        tmp.write_text(text)
    typer.echo(text)
    typer.echo(f"wrote {out / f'{name}.json'}, {out / f'{name}.md'}")


def _write_probes(checkpoint: Path, data: Path, out: Path, photos: Path | None, batches: int, batch_size: int,
                  stage: str = "network", label: Path | None = None) -> None:
    from gtrs.eval.probes import ProbeRunner, photo_probe, probes_markdown
    from gtrs.infer.predictor import Reconstructor

    runner = ProbeRunner(checkpoint, data, stage)
    result = {"checkpoint": str(checkpoint), "data": str(label or data), "stage": stage, "postures": runner.postures(batch_size),
              "visibility": runner.visibility(batches, batch_size)}
    if photos is not None:
        result["photos"] = photo_probe(Reconstructor(runner.model, runner.body), photos, stage=stage)
    _write_json_and_markdown(out, "probes", result, probes_markdown(result))


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
                                "(the rig's skeleton); or 'none' (NAME_people.json only, the fastest)."),
    mesh: str = typer.Option("fit", help="fit: the body model fitted to the network's mesh (a valid, rigged body "
                                         "every time); network: the network's raw vertices (faster; no params, "
                                         "plain GLB, no BVH; can tear on unusual input)."),
    refine: bool = typer.Option(False, help="Adjust the fitted body to the keypoints (better with accurate "
                                            "keypoints, e.g. human-annotated; slower)."),
    render: bool = typer.Option(True, help="Write front/side pictures per person."),
    frame: str = typer.Option("viewer", help="Axes of the written meshes and joints: viewer (+Y up, facing +Z: "
                                             "upright in glTF viewers and Blender) or camera (OpenCV: y down, z forward)."),
    overwrite: bool = typer.Option(False, help="Replace outputs that exist already (else those people are skipped)."),
    person: int = typer.Option(None, min=0, help="Photos: reconstruct only this person (0 = the largest found); "
                                                 "default: every person the detector finds."),
    onnx: Path = typer.Option(None, help="Run the network with ONNX Runtime from this file (gtrs export-onnx)."),
    html: bool = typer.Option(False, "--html", help="Also write OUT/index.html: every body in 3D to turn around, "
                                                    "beside its photo or keypoints (one self-contained file)."),
    device: str = typer.Option("cpu", help="Where the network runs: cpu or cuda (the body fit stays on the CPU)."),
    precision: str = typer.Option("auto", help="Network precision: auto (bfloat16 where the CPU has bfloat16 "
                                               "instructions, as in training; same accuracy), float32 or bfloat16."),
    min_confidence: float = typer.Option(None, min=0.0, help="Detector scores under this are misses (default per "
                                          "format: MMPose/RTMPose and COCO results 0.3, OpenPose 0.05, YOLO-pose 0.5, "
                                          "photos and videos 0.3; human 0/1/2 flags and .npy kept as given)."),
    gender: str = typer.Option(None, help="Hold the fitted bodies' gender: male, female, neutral, or 0 (male) to "
                                          "1 (female). Hints apply to every person of the run."),
    age: float = typer.Option(None, help="Hold the fitted bodies' age, in years (anny's calibrated age scale)."),
    height: float = typer.Option(None, help="Hold the fitted bodies' height, in cm (the rest-pose body)."),
    weight: float = typer.Option(None, help="Hold the fitted bodies' weight, in kg (the body's volume at 980 kg/m^3)."),
) -> None:
    """Reconstruct a 3D body mesh for every person in the keypoint files."""
    import math

    from gtrs.export.onnx import OnnxModelError
    from gtrs.infer.predict import predict as run_predict
    from gtrs.infer.predictor import MESH_SOURCES
    from gtrs.infer.results import OUTPUT_FORMATS

    # options are checked before anything is read or written
    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip() and f.strip().lower() != "none")
    unknown = [f for f in chosen if f not in OUTPUT_FORMATS]
    if unknown:
        _fail(f"--formats: unknown {', '.join(unknown)}; choose from {', '.join(OUTPUT_FORMATS)}")
    if mesh not in MESH_SOURCES:
        _fail(f"--mesh must be one of {', '.join(MESH_SOURCES)}, got {mesh!r}")
    if refine and mesh != "fit":
        _fail("--refine needs --mesh fit")
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
    summary = run_predict(input, out, joints, focal, chosen, render, reconstructor=reconstructor, frame=frame,
                          overwrite=overwrite, person=person, mesh=mesh, refine=refine, html=html, device=device,
                          precision=precision, min_confidence=min_confidence,
                          hints=_shape_hints(gender, age, height, weight))
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
    formats: str = typer.Option("bvh,glb,params", help="Per track: bvh, glb (skinned, animated), params (.npz); "
                                "mp4 adds the bodies drawn over the video (video input)."),
    frame: str = typer.Option("viewer", help="viewer (+Y up, facing +Z) or camera (OpenCV axes)."),
    max_gap: int = typer.Option(10, min=0, help="Frames a person may go undetected and keep their track."),
    overwrite: bool = typer.Option(False, help="Replace outputs that exist already."),
    html: bool = typer.Option(False, "--html", help="Also write OUT/index.html: each track's animated body to turn "
                                                    "around and play (one self-contained file)."),
    device: str = typer.Option("cpu", help="Where the network runs: cpu or cuda (the body fit stays on the CPU)."),
    precision: str = typer.Option("auto", help="Network precision: auto (bfloat16 where the CPU has bfloat16 "
                                               "instructions, as in training; same accuracy), float32 or bfloat16."),
    min_confidence: float = typer.Option(None, min=0.0, help="Detector scores under this are misses (default per "
                                          "format: MMPose/RTMPose and COCO results 0.3, OpenPose 0.05, YOLO-pose 0.5, "
                                          "photos and videos 0.3; human 0/1/2 flags and .npy kept as given)."),
    gender: str = typer.Option(None, help="Hold the fitted bodies' gender: male, female, neutral, or 0 (male) to "
                                          "1 (female). Hints apply to every person of the run."),
    age: float = typer.Option(None, help="Hold the fitted bodies' age, in years (anny's calibrated age scale)."),
    height: float = typer.Option(None, help="Hold the fitted bodies' height, in cm (the rest-pose body)."),
    weight: float = typer.Option(None, help="Hold the fitted bodies' weight, in kg (the body's volume at 980 kg/m^3)."),
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
    smoothing = SmoothingConfig(enabled=smooth)
    if min_cutoff is not None:
        smoothing = replace(smoothing, keypoints=replace(smoothing.keypoints, min_cutoff=min_cutoff))
    summary = predict_sequence(input, out, joints, fps, focal, smoothing, chosen, frame, max_gap=max_gap,
                               overwrite=overwrite, html=html, device=device, precision=precision,
                               min_confidence=min_confidence, hints=_shape_hints(gender, age, height, weight))
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


@app.command()
def release(
    checkpoint: Path = typer.Option(..., help="Training checkpoint (e.g. runs/cpu_full/best.safetensors)."),
    out: Path = typer.Option(..., help="Where to write the fp16 release file."),
) -> None:
    """Turn a training checkpoint into shippable fp16 weights (no optimizer state)."""
    from gtrs.models.pretrained import release_weights

    path = release_weights(checkpoint, out)
    typer.echo(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")


@bench_app.command("train")
def bench_train_cmd(
    data: Path = typer.Option(..., help="A folder made by `gtrs data build`."),
    config: list[str] = typer.Option(["cpu", "paper"], help="Model configs to time."),
    batch: int = typer.Option(32, min=1),
    steps: int = typer.Option(50, min=1, help="Timed steps per config and precision (median reported)."),
    threads: int = typer.Option(2, min=1),
    precision: list[str] = typer.Option(["float32", "bfloat16"], help="Training precisions to compare."),
) -> None:
    """Training samples/s per model config and precision, data generation included (medians)."""
    from gtrs.bench.train import bench_output_conv, bench_train

    rows = bench_train(data, tuple(config), batch, steps, threads, tuple(precision))
    for r in rows:
        typer.echo(f"{r['config']:6s} {r['precision']:9s} params {r['params']:>10,d}  batch {r['batch']}  "
                   f"step {r['median_step_s']:.3f} s  {r['samples_per_s']:.1f} samples/s  "
                   f"(data generation {100 * r['data_share']:.0f}% of a step)")
    for name in dict.fromkeys(r["config"] for r in rows):
        speed = {r["precision"]: r["samples_per_s"] for r in rows if r["config"] == name}
        if "float32" in speed and "bfloat16" in speed:
            typer.echo(f"{name}: bfloat16 / float32 = {speed['bfloat16'] / speed['float32']:.2f}x (same run)")
    conv = bench_output_conv(batch, threads=threads)
    typer.echo(f"MRM output conv, forward+backward, batch {batch}: tap-wise {1000 * conv['tapwise_s']:.0f} ms, "
               f"torch Conv1d {1000 * conv['conv1d_s']:.0f} ms ({conv['conv1d_s'] / conv['tapwise_s']:.2f}x)")


def main() -> None:
    """The ``gtrs`` entry point: bad input of any command (a missing or corrupt file, a wrong value)
    ends in one ``error:`` line on stderr and exit code 2, never a traceback."""
    try:
        app()
    except (FileNotFoundError, ValueError, ImportError) as e:  # the package's error types are ValueErrors;
        typer.echo(f"error: {e}", err=True)  # ImportError: an optional extra is not installed
        raise SystemExit(2) from None
    except OSError as e:  # a full disk, a folder that cannot be written, a path through a file
        typer.echo(f"error: {os_error_line(e)}", err=True)
        raise SystemExit(2) from None


def os_error_line(e: OSError) -> str:
    """One line for an OSError: what failed, on which path, and what to do."""
    import errno

    where = f"{e.filename}: " if e.filename else ""
    hint = {errno.ENOSPC: "the disk is full; free space and run the same command again: finished work is kept",
            errno.EDQUOT: "the disk quota is used up; free space and run the same command again",
            errno.EACCES: "no permission to write there; choose another --out or change its permissions",
            errno.EPERM: "not permitted; choose another --out or change its permissions",
            errno.EROFS: "the file system is read-only; choose another --out",
            errno.ENOTDIR: "a part of this path is a file, not a folder; choose another --out",
            errno.EISDIR: "this is a folder, a file was expected"}.get(e.errno, "")
    return f"{where}{e.strerror or e}" + (f" ({hint})" if hint else "")


if __name__ == "__main__":
    main()
