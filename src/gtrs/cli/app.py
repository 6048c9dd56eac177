"""The Typer apps of the `gtrs` command and what every verb group shares: one error line, --version."""
from __future__ import annotations

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


def _check_pose_detector(name: str) -> None:
    """--pose-detector, checked before anything runs."""
    from gtrs.readers.pose_detectors import POSE_DETECTORS

    if name not in POSE_DETECTORS:
        _fail(f"--pose-detector must be one of {', '.join(POSE_DETECTORS)}, got {name!r}")


def _print_version(value: bool) -> None:
    if value:
        from gtrs.version import __version__

        typer.echo(f"gtrs {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """gtrs: 3D human body meshes from 2D keypoints (GTRS, ACM MM 2022)."""
