"""`gtrs train` and `gtrs release`."""
from __future__ import annotations

from pathlib import Path

import typer

from gtrs.cli.app import app


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
def release(
    checkpoint: Path = typer.Option(..., help="Training checkpoint (e.g. runs/cpu_full/best.safetensors)."),
    out: Path = typer.Option(..., help="Where to write the fp16 release file."),
) -> None:
    """Turn a training checkpoint into shippable fp16 weights (no optimizer state)."""
    from gtrs.models.pretrained import release_weights

    path = release_weights(checkpoint, out)
    typer.echo(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")
