"""`gtrs bench ...`: benchmarks on this machine."""
from __future__ import annotations

from pathlib import Path

import typer

from gtrs.cli.app import _fail, bench_app


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
    parquet: bool = typer.Option(False, "--parquet", help="With --memory: the Parquet dataset instead of JSON."),
    engine: str = typer.Option(None, help="ray: instead, the local engines against Ray with 1 and 2 workers, JSON "
                                          "only and Parquet, fitted body (needs gtrs[ray])."),
) -> None:
    """Batch prediction people/s, keypoints in: JSON only, and JSON + one mesh format, with the raw
    network mesh and with the fitted body (medians); or, with --memory, peak memory against people;
    or, with --engine ray, the engines against each other."""
    from gtrs.bench.predict import bench_engines, bench_predict, bench_predict_memory

    if engine is not None:
        if engine != "ray":
            _fail(f"--engine: only ray is benchmarked against the local engines, got {engine!r}")
        for r in bench_engines(people, repeats, threads=threads):
            extra = "".join(f", {k} {r[k]:.1f}" for k in ("ray_start_s", "block_overhead_ms") if k in r)
            typer.echo(f"{r['engine']:30s} {r['output']:8s} {r['people']} people: median {r['median_s']:.2f} s -> "
                       f"{r['people_per_s']:.0f} people/s{extra}")
        return

    if memory:
        for r in bench_predict_memory(threads=threads, output="parquet" if parquet else "json"):
            typer.echo(f"{r['people']:7d} people ({r['file_mb']:.1f} MB of COCO results): peak memory "
                       f"{r['peak_mb']:.0f} MB, {r['people_per_s']:.0f} people/s, {r['out_mb']:.1f} MB of {r['output']}")
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
    """Time per person of the network, the body fit, the 2D refinement and the refinement from several starts
    (medians, same run; the last once)."""
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
