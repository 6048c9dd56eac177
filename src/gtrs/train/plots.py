"""Training curves from a run's ``history.json``."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gtrs.atomic import atomic_path  # noqa: E402


def plot_history(history: list[dict], path: str | Path, title: str = "") -> Path:
    """Loss and validation errors (mm) against training step, to a PNG."""
    steps = [h["step"] for h in history]
    metrics = sorted({k for h in history for k in h if "/" in k})
    fig, (ax_loss, ax_err) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(steps, [h["loss"]["total"] for h in history], marker="o", ms=3)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("training loss (last step of the epoch)")
    ax_loss.set_yscale("log")
    for k in metrics:
        ax_err.plot(steps, [h.get(k, float("nan")) for h in history], marker="o", ms=3, label=k,
                    linestyle="-" if k.startswith("exact") else "--")
    ax_err.set_xlabel("step")
    ax_err.set_ylabel("validation error (mm)")
    ax_err.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return Path(path)
