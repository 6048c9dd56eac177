"""The shape probe with and without the fit's shape prior, on validation poses (issue #30 item 4).

Run from the repository root after `gtrs data build --mocap ../shared/mocap --out data/mocap`:
    python docs/shape_prior/compare_priors.py 0     # the mesh alone decides gender and age
    python docs/shape_prior/compare_priors.py 1     # the prior as shipped (anny: gender, age pulled with 10)
    python docs/shape_prior/compare_priors.py 0.1   # a tenth of it
"""
import sys
import time

from gtrs.eval.shape_probe import shape_probe
from gtrs.fit.mesh import MeshFitConfig

scale = float(sys.argv[1])
start = time.time()
result = shape_probe("src/gtrs/weights/gtrs_cpu_coco19_anny.safetensors", "data/mocap", per_kind=32, batch_size=32,
                     show_progress=False, split="val", fit_config=MeshFitConfig(body_prior=scale))
print(f"body_prior {scale}: {time.time() - start:.0f} s")
for kind, v in result["kinds"].items():
    print(f"{kind:6s} rest MPVPE exact/noisy {v['exact/rest_mpvpe_mm']:.1f}/{v['noisy/rest_mpvpe_mm']:.1f} mm, "
          f"height error {v['exact/height_abs_err_cm']:.1f}/{v['noisy/height_abs_err_cm']:.1f} cm, "
          f"age {v['true_age']:.2f} -> {v['exact/fitted_age']:.2f}, gender {v['true_gender']:.2f} -> {v['exact/fitted_gender']:.2f}")
