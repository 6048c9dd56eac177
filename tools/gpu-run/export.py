"""Model-only copies of a run's checkpoints (weights + state metadata), split to pass the 16 MB file limit."""
import json, subprocess, sys
from pathlib import Path
from safetensors import safe_open
from safetensors.torch import save_file
run, out = Path(sys.argv[1]), Path(sys.argv[2])
for name in ("best", "last"):
    p = run / f"{name}.safetensors"
    if not p.is_file():
        continue
    with safe_open(str(p), framework="pt") as f:
        meta = f.metadata()
        t = {k: f.get_tensor(k) for k in f.keys() if k.startswith("model.")}
    from gtrs.models.checkpoint import tensors_sha256
    meta = {"state": meta["state"], "tensor_sha256": tensors_sha256(t)}
    tmp = Path(f"/tmp/{name}_model.safetensors")
    save_file(t, str(tmp), metadata=meta)
    subprocess.run(["split", "-b", "15m", str(tmp), str(out / f"{name}_model.part")], check=True)
(out / "history.json").write_text((run / "history.json").read_text())
