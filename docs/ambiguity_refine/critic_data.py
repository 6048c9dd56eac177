"""Candidates for the start critic (critic.py): `.venv/bin/python docs/ambiguity_refine/critic_data.py SPLIT BATCHES
OUT.pt [SEED]` from the repository root. Per batch of 32 synthetic people of SPLIT (every other batch seen as the
ambiguity probe sees people; half exact, half detector-noise keypoints): network, fit, every refined start and the
single-start refinement, with each candidate's features and true PA-MPJPE (mm). Session 16 ran `train 100` (seed
11), `train 100 ... 21` and `val 30` (seed 12)."""
import sys
import torch
sys.path.insert(0, "docs/ambiguity_refine")
from critic import collect_candidates  # noqa: E402
from gtrs.body.anny import AnnyBody  # noqa: E402
from gtrs.fit.mesh import MeshFitter  # noqa: E402
from gtrs.models.checkpoint import load_model  # noqa: E402
from gtrs.synthetic.build import load_split_rotations  # noqa: E402

split, batches, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seed = int(sys.argv[4]) if len(sys.argv) > 4 else {"train": 11, "val": 12}.get(split, 13)
torch.set_num_threads(2)
body = AnnyBody()
model, _ = load_model("src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors")
model.eval()
data = collect_candidates(body, model, MeshFitter(body), load_split_rotations("data/mocap", split), batches,
                          torch.Generator().manual_seed(seed))
torch.save(data, out)
