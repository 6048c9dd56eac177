import json, sys, time
from gtrs.eval.probes import ProbeRunner
stage, section, out = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.time()
r = ProbeRunner("src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors", "data/mocap", stage)
res = getattr(r, section)(batches=int(sys.argv[4]) if len(sys.argv) > 4 else 20, batch_size=64)
json.dump({"stage": stage, "section": section, "seconds": time.time() - t0, "result": res}, open(out, "w"), indent=1)
print("done", time.time() - t0)
