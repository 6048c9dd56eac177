"""The pretrained model that ships in the package, and how a training checkpoint becomes one."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import torch

from gtrs.models.checkpoint import load_model, read_checkpoint, save_checkpoint

PRETRAINED_FILE = "gtrs_cpu_coco19_anny.safetensors"


def pretrained_path() -> Path:
    """Path of the shipped weights inside the installed package."""
    return Path(str(resources.files("gtrs.weights") / PRETRAINED_FILE))


def load_pretrained(dtype: torch.dtype = torch.float32):
    """The shipped GTRS network (eval mode) and its state (config, training record)."""
    path = pretrained_path()
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the package was installed without its weights")
    return load_model(path, dtype)


def training_lineage(checkpoint: str | Path) -> list[dict]:
    """The runs behind ``checkpoint``, oldest first: ``{train_config, step, seconds}`` per run. Follows
    ``init_from`` while the files exist; a released file's recorded lineage continues the chain, and a
    path seen twice (a run that started from weights since replaced) ends it."""
    chain, path, seen = [], str(checkpoint), set()
    while path and Path(path).is_file() and str(Path(path).resolve()) not in seen:
        seen.add(str(Path(path).resolve()))
        _, state = read_checkpoint(path)
        if state.get("lineage") and chain:  # a released file: its own record, already complete
            return state["lineage"] + chain[::-1]
        chain.append({"train_config": state.get("train_config", {}), "step": state.get("step"),
                      "seconds": state.get("seconds")})
        path = (state.get("train_config") or {}).get("init_from")
    return chain[::-1]


def release_weights(checkpoint: str | Path, out: str | Path) -> Path:
    """Write ``checkpoint``'s model as fp16 safetensors (mesh template kept fp32) with its configs and
    training record, without optimizer or RNG state: what ships in the package."""
    tensors, state = read_checkpoint(checkpoint)
    model, _ = load_model(checkpoint)
    half = {k: v for k, v in state.items()
            if k in ("model_config", "model_type", "train_config", "step", "epoch", "history", "seconds")}
    half["released_from"] = str(checkpoint)
    # The chain of runs behind these weights, recorded now: the files it follows (init_from) may be
    # overwritten later (a run that started from the shipped weights is released over them).
    half["lineage"] = training_lineage(checkpoint)

    class _Half(torch.nn.Module):
        """A state-dict holder: weights in fp16, the template buffer in fp32."""

        def state_dict(self, *args, **kwargs):
            return {k: (v if k == "mrm.template" or not v.is_floating_point() else v.half())
                    for k, v in model.state_dict().items()}

    save_checkpoint(out, _Half(), None, half)
    del tensors
    return Path(out)
