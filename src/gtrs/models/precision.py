"""Training precision: bfloat16 autocast where the CPU has bfloat16 instructions, else float32.

On a CPU with AVX-512 BF16 (or AMX) a bfloat16 matrix product runs several times faster than a
float32 one (this project's 2-core EPYC: ~4x for the MRM vertex head's shape); on a CPU without them
bfloat16 is emulated and slower, so 'auto' checks the CPU flags first. Autocast covers the network's
forward pass; the losses, the optimizer and the master weights stay float32.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import torch

PRECISIONS = ("auto", "float32", "bfloat16")


@lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """True if the CPU reports native bfloat16 arithmetic (Linux /proc/cpuinfo flags)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(name: str, device: str = "cpu") -> torch.dtype:
    """The autocast dtype for ``name`` on ``device`` ('cpu' or 'cuda'): 'auto' is bfloat16 where the
    CPU or GPU has native support, else float32."""
    if name not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {name!r}")
    if name == "auto":
        if device == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
        return torch.bfloat16 if device == "cpu" and cpu_has_bf16() else torch.float32
    return torch.bfloat16 if name == "bfloat16" else torch.float32
