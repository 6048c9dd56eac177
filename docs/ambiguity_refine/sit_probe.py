"""The posture probe's sit_or_squat frames (every one, in order, as ProbeRunner.postures draws them) by stage."""
import json, sys, time, torch
from gtrs.eval.probes import ProbeRunner, posture_label, _Sums
from gtrs.body.skeleton import Skeleton
from gtrs.synthetic.build import PROBE, load_split_rotations
from gtrs.synthetic.synth import SynthConfig, synthesize_batch
out = {}
for stage in sys.argv[1].split(","):
    t0 = time.time()
    r = ProbeRunner("src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors", "data/mocap", stage)
    rotations = load_split_rotations("data/mocap", PROBE)
    labels = posture_label(Skeleton.from_body(r.body), rotations)
    rows = torch.tensor([l == "sit_or_squat" for l in labels])
    rotations = rotations[rows]
    sums, g = _Sums(), torch.Generator().manual_seed(0)
    for start in range(0, len(rotations), 64):
        chunk = rotations[start:start + 64]
        for kind, m in r._batch_metrics(synthesize_batch(r.body, chunk, g, SynthConfig()), g).items():
            sums.add("sit_or_squat", {f"{kind}/{k}": v for k, v in m.items()})
        sums.count("sit_or_squat", len(chunk))
    out[stage] = {**sums.means()["sit_or_squat"], "seconds": time.time() - t0}
    print(stage, {k: round(v, 1) for k, v in out[stage].items() if "pa_mpjpe" in k or "mpvpe" in k or "torn" in k}, flush=True)
json.dump(out, open(sys.argv[2], "w"), indent=1)
