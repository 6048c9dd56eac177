"""Self-describing checkpoints in one safetensors file, written atomically.

Tensors: ``model.*`` (weights), ``optim.<param>.<key>`` (optimizer state), ``rng.*`` (generator
states). Metadata (strings): ``state`` = JSON with the train config, model config, epoch, step,
optimizer param groups, scheduler state, metrics and the package version; ``tensor_sha256`` = a
checksum of every tensor's bytes, checked on reading (files from before it was added have none and
are read unchecked). A model can be rebuilt from the file alone (``load_model``).

A checkpoint whose model weights hold NaN or inf is never written (``NonFiniteError``).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from gtrs.atomic import atomic_path
from gtrs.version import __version__


class NonFiniteError(ValueError):
    """Weights hold NaN or inf: such a checkpoint is not written."""


def tensors_sha256(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over the names, dtypes, shapes and bytes of ``tensors`` (in name order)."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def save_checkpoint(path: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None,
                    state: dict, rng: dict[str, torch.Tensor] | None = None, dtype: torch.dtype | None = None) -> None:
    """Write model (+ optimizer, RNG) tensors and a JSON ``state`` to ``path`` atomically, with a
    checksum; raises ``NonFiniteError`` (writing nothing) if a model weight is NaN or inf."""
    tensors = {f"model.{k}": (v.to(dtype) if dtype is not None and v.is_floating_point() else v).detach().cpu().contiguous()
               for k, v in model.state_dict().items()}
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise NonFiniteError(f"refusing to write {path}: non-finite values in {', '.join(bad[:3])}"
                             + (f" and {len(bad) - 3} more tensors" if len(bad) > 3 else ""))
    meta = dict(state)
    meta["gtrs_version"] = __version__
    if optimizer is not None:
        opt = optimizer.state_dict()
        for pid, pstate in opt["state"].items():
            for key, value in pstate.items():
                tensors[f"optim.{pid}.{key}"] = torch.as_tensor(value).detach().cpu().contiguous()
        meta["optimizer_param_groups"] = opt["param_groups"]
    for name, value in (rng or {}).items():
        tensors[f"rng.{name}"] = value.contiguous()
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"state": json.dumps(meta), "tensor_sha256": tensors_sha256(tensors)})


def read_checkpoint(path: str | Path) -> tuple[dict[str, torch.Tensor], dict]:
    """All tensors and the decoded state of a checkpoint; clear errors for missing or foreign files."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} not found")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # safetensors raises its own error types for corrupt files
        raise ValueError(f"{path} is not a readable safetensors checkpoint: {e}") from None
    if "state" not in meta:
        raise ValueError(f"{path} is not a gtrs checkpoint (no 'state' metadata)")
    if "tensor_sha256" in meta and tensors_sha256(tensors) != meta["tensor_sha256"]:
        raise ValueError(f"{path} is corrupt: its tensors do not match the checksum written with them")
    try:
        return tensors, json.loads(meta["state"])
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is corrupt: its state metadata is not JSON ({e})") from None


def model_state(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}


def optimizer_state(tensors: dict[str, torch.Tensor], state: dict) -> dict:
    """Rebuild an optimizer ``state_dict`` from a checkpoint."""
    per_param: dict[int, dict] = {}
    for k, v in tensors.items():
        if k.startswith("optim."):
            _, pid, key = k.split(".", 2)
            per_param.setdefault(int(pid), {})[key] = v
    return {"state": per_param, "param_groups": state["optimizer_param_groups"]}


def load_model(path: str | Path, dtype: torch.dtype = torch.float32):
    """Rebuild a network from a checkpoint alone (config + weights; GTRS's template is in its weights,
    Pose2Mesh's graph hierarchy is rebuilt from the body's faces)."""
    from gtrs.body.joints import get_joint_set, graph_adjacency
    from gtrs.models.gtrs import GTRS, GTRSConfig

    tensors, state = read_checkpoint(path)
    if "model_config" not in state:
        raise ValueError(f"{path} has no model_config: not a gtrs model checkpoint")
    weights = {k: v.to(dtype) if v.is_floating_point() else v for k, v in model_state(tensors).items()}
    if state.get("model_type", "GTRS") == "Pose2Mesh":
        from gtrs.body.anny import AnnyBody
        from gtrs.models.pose2mesh import pose2mesh_for_body

        cfg = state["model_config"]
        overrides = {k: cfg[k] for k in ("posenet_width", "posenet_blocks", "dropout", "cheb_order")}
        if "faces" not in weights:  # checkpoints before the faces were stored: anny, the only body then
            weights["faces"] = AnnyBody().faces
        model = pose2mesh_for_body(weights["faces"].numpy(), cfg["num_vertices"], cfg["joint_set"], **overrides)
    else:
        cfg = GTRSConfig(**state["model_config"])
        model = GTRS(cfg, graph_adjacency(get_joint_set(cfg.joint_set)), weights["mrm.template"])
    model.load_state_dict(weights)
    return model.eval(), state
