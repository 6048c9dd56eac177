"""The posture probe's families by refinement stage, on every STEP-th frame (the probe split's clips,
then the test split's HDM05 clips by motion class), as `ProbeRunner.postures` draws them otherwise:
`.venv/bin/python docs/ambiguity_refine/posture_families.py refine,lifts STEP OUT.json` from the repository root."""
import json, sys, time
import torch
from gtrs.body.skeleton import Skeleton
from gtrs.eval.probes import ProbeRunner, _Sums, hdm05_motion_class, posture_label
from gtrs.synthetic.build import PROBE, load_split_clips, load_split_rotations
from gtrs.synthetic.synth import SynthConfig, synthesize_batch

stages, step, out_path = sys.argv[1].split(","), int(sys.argv[2]), sys.argv[3]
out = {}
for stage in stages:
    t0 = time.time()
    r = ProbeRunner("src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors", "data/mocap", stage)
    rotations = load_split_rotations(r.data, PROBE)
    labels = posture_label(Skeleton.from_body(r.body), rotations)
    hdm05 = [(c, rot) for c, rot in load_split_clips(r.data, "test") if hdm05_motion_class(c)]
    rotations = torch.cat([rotations] + [rot for _, rot in hdm05])
    labels = labels + [f"hdm05_{hdm05_motion_class(c)}" for c, rot in hdm05 for _ in range(len(rot))]
    rotations, labels = rotations[::step], labels[::step]
    sums, g = _Sums(), torch.Generator().manual_seed(0)
    for start in range(0, len(rotations), 64):
        chunk, chunk_labels = rotations[start:start + 64], labels[start:start + 64]
        metrics = r._batch_metrics(synthesize_batch(r.body, chunk, g, SynthConfig()), g)
        for group in set(chunk_labels) | {"all"}:
            rows = torch.tensor([lab == group or group == "all" for lab in chunk_labels])
            for kind, m in metrics.items():
                sums.add(group, {f"{kind}/{k}": v[rows] for k, v in m.items()})
            sums.count(group, int(rows.sum()))
    out[stage] = {**sums.means(), "seconds": time.time() - t0}
    print(stage, f"{time.time() - t0:.0f} s", {k: (round(v["exact/pa_mpjpe"], 1), round(v["noisy/pa_mpjpe"], 1))
                                                 for k, v in out[stage].items() if isinstance(v, dict)}, flush=True)
json.dump(out, open(out_path, "w"), indent=1)
