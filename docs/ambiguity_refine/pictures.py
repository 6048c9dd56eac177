"""Side views (as seen from the camera's left) of validation examples whose thighs or trunk point at the
camera: truth, network, single-start refinement, ambiguity-aware refinement (exact 2D), with each one's
PA-MPJPE; front view (the camera's) of the truth first. `.venv/bin/python docs/ambiguity_refine/pictures.py`
from the repository root -> docs/ambiguity_refine/side_views.png."""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, "docs/ambiguity_refine")
from examples import *  # noqa: F401,F403,E402
from gtrs.eval.probes import _concat_rows, _select_rows  # noqa: E402
from gtrs.fit.multi_start import refine_with_lifts  # noqa: E402
from gtrs.viz.render import draw_view  # noqa: E402

rows = []
for name, n in (("thigh_towards_camera", 5), ("trunk_towards_camera", 3)):
    ex = _select_rows(_concat_rows(kept[name]), torch.arange(n))
    kp = network_inputs(ex, "coco19", torch.zeros(n, dtype=torch.bool), torch.Generator().manual_seed(2))
    with torch.no_grad():
        net = model(kp)[0]
    fit = fitter(net)
    single = rel(refine_to_keypoints(body, fit, net, kp, ex["focal"], ex["principal"]).vertices)
    lifts = rel(refine_with_lifts(body, fit, net, kp, ex["focal"], ex["principal"]).vertices)
    for i in range(n):
        meshes = [ex["vertices"][i], net[i], single[i], lifts[i]]
        errors = [pa(m[None], _select_rows(ex, torch.tensor([i])))[0] for m in meshes]
        rows.append((name, meshes, errors))
faces = body.faces.numpy()
fig, axes = plt.subplots(len(rows), 5, figsize=(10, 2.3 * len(rows)))
for r, (name, meshes, errors) in enumerate(rows):
    draw_view(axes[r, 0], meshes[0].numpy(), faces, "front")
    axes[r, 0].set_title(f"{name.split('_')[0]}: camera view", fontsize=8)
    for c, (label, m, e) in enumerate(zip(("truth", "network", "refine", "lifts"), meshes, errors), start=1):
        draw_view(axes[r, c], m.detach().numpy(), faces, "side")
        axes[r, c].set_title(f"{label}" + ("" if c == 1 else f" {float(e):.0f} mm"), fontsize=8)
fig.tight_layout()
fig.savefig("docs/ambiguity_refine/side_views.png", dpi=80)
