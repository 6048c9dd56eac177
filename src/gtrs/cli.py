"""The ``gtrs`` command: a thin typed mirror of the Python API (one public function per verb)."""
from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="gtrs: 3D human body meshes from 2D keypoints (GTRS, ACM MM 2022).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks on this machine (medians).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@app.command()
def demo(out: Path = typer.Option(Path("demo_out"), help="Folder for the demo's outputs.")) -> None:
    """Run the main job on embedded defaults and write pictures to OUT."""
    from gtrs.demo import run_demo

    png = run_demo(out)
    typer.echo(f"wrote {png}")


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


if __name__ == "__main__":
    app()
