"""`gtrs data ...`: training data from motion capture."""
from __future__ import annotations

from pathlib import Path

import typer

from gtrs.cli.app import _fail, data_app


@data_app.command("build")
def data_build_cmd(
    mocap: Path = typer.Option(..., "--mocap", "--bvh", help="Folder of .bvh and .amc (+ .asf) clips, searched "
                               "recursively; a clip's folder is its subject."),
    out: Path = typer.Option(..., help="Output folder (resumes if it exists)."),
    seed: int = typer.Option(0, help="Seed of the split of subjects that gtrs/synthetic/subject_splits.json does not name."),
    no_probe: bool = typer.Option(False, "--no-probe", help="Keep the posture-probe clips in their subjects' splits."),
    amc_fps: float = typer.Option(None, help="Frame rate of .amc files whose name lacks a _<fps> suffix (HDM05: _120)."),
) -> None:
    """Retarget every clip onto the body at 30 fps, store the poses, split by subject; the posture-probe
    clips (gtrs/synthetic/posture_probe.json) go to the 'probe' split."""
    from gtrs.synthetic.build import build_dataset

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
