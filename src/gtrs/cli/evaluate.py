"""`gtrs evaluate`: metrics, probes, the shape probe, smoothing."""
from __future__ import annotations

from pathlib import Path

import typer

from gtrs.cli.app import _check_pose_detector, _fail, app


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
                                              "fitted to it), refine (that body refined to the 2D keypoints) or lifts "
                                              "(refined from several starts: each way a trunk, thigh or "
                                              "shin can point towards or away from the camera)."),
    sequences: bool = typer.Option(False, "--sequences", help="Temporal smoothing on vs off on the split's clips "
                                                              "seen as videos (acceleration error, MPJPE), to "
                                                              "OUT/sequences.{json,md}; --batch-size x --batches caps frames per clip."),
    shape: bool = typer.Option(False, "--shape", help="The shape probe instead: children, women, men, old, heavy, "
                                                      "thin, tall, short bodies (--batch-size of each); rest-pose MPVPE "
                                                      "and height error of the fitted body, to OUT/shape_probe.{json,md,png}."),
    detector: bool = typer.Option(False, "--detector", help="With --photos: score the photo path's person detector "
                                                            "against the human keypoints instead (people found, "
                                                            "PCK, OKS, added people, time; needs gtrs[image]), to "
                                                            "OUT/photo_detection.{json,md}."),
    pose_detector: str = typer.Option("solution", "--pose-detector",
                                      help="With --detector: which photo detector to score: 'solution' (the photo "
                                           "path's: MediaPipe's pose solution, run again with each person found "
                                           "hidden) or 'topdown' (BlazePose's person detector and landmark model "
                                           "run top-down with LiteRT; gtrs.readers.topdown_detector)."),
) -> None:
    """The paper's metrics (MPJPE, PA-MPJPE, MPVPE) with exact and noisy (or detected) 2D input."""
    import tempfile

    from gtrs.eval.baselines import BASELINES

    if detector:
        if photos is None or not photos.is_file():
            _fail("--detector needs --photos ANNOTATIONS.json (COCO keypoint annotations, the images beside it)")
        from gtrs.eval.photo_detection import evaluate_photo_detector, photo_detection_markdown

        _check_pose_detector(pose_detector)
        result = evaluate_photo_detector(photos, method=pose_detector)
        _write_json_and_markdown(out, "photo_detection", result, photo_detection_markdown(result))
        return

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
    from gtrs.synthetic.build import build_dataset

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
        _write_shape_probe(checkpoint, data, out, per_kind=batch_size, seed=seed, label=label, split=split)
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


def _write_shape_probe(checkpoint: Path, data: Path, out: Path, per_kind: int, seed: int, label: Path,
                       split: str = "test") -> None:
    from gtrs.body.anny import AnnyBody
    from gtrs.eval.shape_probe import shape_probe, shape_probe_markdown
    from gtrs.viz.render import mesh_pairs_sheet

    result = shape_probe(checkpoint, data, per_kind=per_kind, seed=seed, split=split)
    meshes = result.pop("meshes")
    report = {"checkpoint": str(checkpoint), "data": str(label), "split": split, "seed": seed, **result}
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
              "ambiguity": runner.ambiguity(batches, batch_size), "visibility": runner.visibility(batches, batch_size)}
    if photos is not None:
        result["photos"] = photo_probe(Reconstructor(runner.model, runner.body), photos, stage=stage)
    _write_json_and_markdown(out, "probes", result, probes_markdown(result))
